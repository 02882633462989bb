"""Saved sessions: the only package that imports tinydb."""
