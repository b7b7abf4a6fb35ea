"""The countries table as a GeoDataFrame, and the GeoPackage download (`data/atlas.gpkg`).

Every geometry is a MultiPolygon, so GDAL (QGIS, R's sf) sees one geometry type rather than
"Unknown". pandas, geopandas and pyogrio are imported here only, when a frame is asked for.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

#: Table Schema types → nullable pandas dtypes (no data stays missing, never NaN-as-zero).
_DTYPES = {"integer": "Int64", "number": "Float64", "string": "string"}
LAYER_NAME = "atlas"


def _cell(value: Any) -> Any:
    """As in the CSV: a list is '; '-joined; None is missing."""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return value


def frame(table: list[dict[str, Any]], cols: list[str], fields: dict[str, dict[str, Any]],
          geometry_json: dict[str, bytes] | None = None):  # -> pandas.DataFrame | GeoDataFrame
    """The rows (atlas.export.rows) typed by their Table Schema fields; with `geometry_json`
    (the boundaries' GeoJSON by iso3) a GeoDataFrame in EPSG:4326, MultiPolygon throughout."""
    import pandas as pd

    data = {c: pd.array([_cell(r[c]) for r in table], dtype=_DTYPES[fields[c]["type"]])
            for c in cols}
    df = pd.DataFrame(data)
    if geometry_json is None:
        return df
    import geopandas as gpd
    import shapely
    from shapely.geometry import MultiPolygon

    shapes = shapely.from_geojson([geometry_json[r["iso3"]] for r in table])
    multi = [MultiPolygon([g]) if g.geom_type == "Polygon" else g for g in shapes]
    return gpd.GeoDataFrame(df, geometry=multi, crs="EPSG:4326")


def gpkg(countries: Any, date: str) -> bytes:
    """The GeoDataFrame as a GeoPackage (one table, `atlas`), as bytes.

    GDAL stamps the file with the time of writing unless told otherwise: `date` (the data's)
    is used instead, so the same data gives the same file.
    """
    import pyogrio

    stamp = f"{date}T00:00:00Z" if date else "2000-01-01T00:00:00Z"
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": stamp})
    try:
        with tempfile.TemporaryDirectory(prefix="atlas-gpkg-") as tmp:
            path = Path(tmp) / "atlas.gpkg"
            pyogrio.write_dataframe(countries, path, layer=LAYER_NAME, driver="GPKG",
                                    geometry_type="MultiPolygon")
            return path.read_bytes()
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})
