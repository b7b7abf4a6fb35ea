"""DSR Atlas: cited country records on China's Digital Silk Road, as an offline map site.

For notebooks (see atlas.api)::

    import atlas
    data = atlas.load("seeds")            # the validated records
    atlas.layer_frame(data, "mou")        # pandas.DataFrame, one row per record
    atlas.countries_frame(data)           # geopandas.GeoDataFrame, every country and layer
"""

from atlas.evidence.schema import TITLE

__version__ = "0.1.0"

#: The notebook API (atlas.api), imported on first use so that `import atlas` stays light.
API = ("load", "layer_frame", "countries_frame", "projects_frame")
__all__ = [*API, "TITLE", "__version__"]


def __getattr__(name: str):  # -> the function from atlas.api
    if name in API:
        from atlas import api

        return getattr(api, name)
    raise AttributeError(f"module 'atlas' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *API})
