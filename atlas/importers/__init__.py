"""Importers: other trackers' project tables turned into the atlas's records
(`seeds/imported/<name>/`), which the evidence then reads like the hand-written ones.

They import the evidence and the world, never the site, the exports or the history.
"""
