"""Rehearse: a terminal flight simulator for hard therapy conversations."""
