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


def fill(template: bytes, table: list[dict[str, Any]], cols: list[str],
         fields: dict[str, dict[str, Any]]) -> bytes:
    """The GeoPackage with the values of `table`, written into a copy of `template` (the same
    table with the shapes and names only, as `gpkg` wrote it) with SQLite.

    GDAL writes the shapes, columns and metadata; the values go in by plain SQL `UPDATE`s, so
    an edit does not pay for loading the geo stack. The same template and values give the same
    bytes.
    """
    import sqlite3

    values = [c for c in cols if c not in ("iso3", "name", "name_zh")]
    numeric = {c for c in values if fields[c]["type"] in ("integer", "number")}
    sets = ", ".join(f'"{c}" = ?' for c in values)
    params = [[_cell(r[c]) if c in numeric or r[c] is None else str(_cell(r[c]))
               for c in values] + [r["iso3"]] for r in table]
    with tempfile.TemporaryDirectory(prefix="atlas-gpkg-") as tmp:
        path = Path(tmp) / "atlas.gpkg"
        path.write_bytes(template)
        db = sqlite3.connect(path)
        try:
            with db:
                db.executemany(f'UPDATE "{LAYER_NAME}" SET {sets} WHERE "iso3" = ?', params)
        finally:
            db.close()
        return path.read_bytes()


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
            # No spatial index: 250 shapes need none, and its triggers call GDAL's own SQL
            # functions, which would stop `fill` from updating the values with plain SQLite.
            pyogrio.write_dataframe(countries, path, layer=LAYER_NAME, driver="GPKG",
                                    geometry_type="MultiPolygon",
                                    layer_options={"SPATIAL_INDEX": "NO"})
            return path.read_bytes()
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})
