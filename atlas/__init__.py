"""DSR Atlas: cited country records on China's Digital Silk Road, as an offline map site.

For notebooks (see atlas.api)::

    import atlas
    data = atlas.load("seeds")            # the validated records
    atlas.layer_frame(data, "mou")        # pandas.DataFrame, one row per record
    atlas.countries_frame(data)           # geopandas.GeoDataFrame, every country and layer
"""

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


#: The notebook API (atlas.api), imported on first use so that `import atlas` stays light.
API = ("load", "layer_frame", "countries_frame")
__all__ = [*API, "TITLE", "__version__"]


def __getattr__(name: str):  # -> the function from atlas.api
    if name in API:
        from atlas import api

        return getattr(api, name)
    raise AttributeError(f"module 'atlas' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *API})
