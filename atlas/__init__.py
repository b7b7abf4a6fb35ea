"""DSR Atlas: cited country records on China's Digital Silk Road, as an offline map site."""

__version__ = "0.1.0"
TITLE = "DSR Atlas: China's Digital Silk Road"


def package_dir(name: str, install: str):  # -> pathlib.Path
    """Where an installed package's files are, found without importing it; a clear error with
    the `install` advice if it is missing."""
    import importlib.util
    from pathlib import Path

    from atlas.errors import AtlasError

    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise AtlasError(f"the package {name!r} is not installed; {install}")
    return Path(next(iter(spec.submodule_search_locations)))
