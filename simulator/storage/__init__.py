"""Saved sessions: the only package that imports tinydb.

sessions   the store: one file per session, locked while a process writes it
index      the history index, a cache of one summary row per session file
schema     the record's version and its ordered migrations
atomic     atomic, fsynced, owner-only file replacement (and the TinyDB storage on it)
locks      flock-based locks between processes
summary    a session's history row
exchange   the JSON export that `rehearse import` reads back
report     what a report shows; markdown, html_report and trust_chart render it
"""
