"""Persona files: reading, checking, finding, creating and sharing them.

yaml_reader      the file's YAML, safely, as plain data with the line of every field
field_reader     typed fields out of that data, collecting every problem with its fix
schema           the file's layout: data → Persona (and back)
persona_file     one file fully checked; check: many files and folders
loader           the library: built-in, user and --personas folders
skeleton         the commented file `persona new` writes
cards, card_files, png_chunks, yaml_writer    character-card import and export
"""
