"""The evidence: the codebook (layers.toml), the record model, reading and checking the seeds'
CSV files, citations and quotes, and the coverage report. `load()` is the one way in.

It imports nothing from the site, the exports or the history (tests/test_architecture.py).
`load` and `load_valid` are imported on first use, so that reading the codebook's types alone
(`import atlas`) does not read the loaders.
"""

__all__ = ["load", "load_valid"]


def __getattr__(name: str):  # -> the function from atlas.evidence.loader
    if name in __all__:
        from atlas.evidence import loader

        return getattr(loader, name)
    raise AttributeError(f"module 'atlas.evidence' has no attribute {name!r}")
