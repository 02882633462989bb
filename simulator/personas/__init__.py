"""Persona files: reading, checking and finding them."""
