"""The evidence: the codebook (layers.toml), the record model, reading and checking the seeds'
CSV files, citations and quotes, and the coverage report. `load()` is the one way in.

It imports nothing from the site, the exports or the history (tests/test_architecture.py).
"""

from atlas.evidence.loader import load, load_valid

__all__ = ["load", "load_valid"]
