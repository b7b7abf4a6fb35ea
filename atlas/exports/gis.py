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


#: Table Schema types → SQLite column types (as GDAL writes them in a GeoPackage).
_SQL_TYPES = {"integer": "INTEGER", "number": "REAL", "string": "TEXT"}


def fill(template: bytes, table: list[dict[str, Any]], cols: list[str],
         fields: dict[str, dict[str, Any]], date: str = "") -> bytes:
    """The GeoPackage with every column of `table`: a copy of `template` (the shapes, iso3 and
    names, as `atlas geodata` wrote it with GDAL) with the other columns added and filled by
    SQLite, and stamped with `date` (the data's), so a build never loads the geo stack and the
    same values give the same bytes."""
    import sqlite3

    values = [c for c in cols if c not in ("iso3", "name", "name_zh")]
    numeric = {c for c in values if fields[c]["type"] in ("integer", "number")}
    sets = ", ".join(f'"{c}" = ?' for c in values)
    params = [[_cell(r[c]) if c in numeric or r[c] is None else str(_cell(r[c]))
               for c in values] + [r["iso3"]] for r in table]
    db = sqlite3.connect(":memory:")
    try:
        db.deserialize(template)  # worked on in memory: no temporary file
        with db:
            for c in values:
                db.execute(f'ALTER TABLE "{LAYER_NAME}" ADD COLUMN "{c}" '
                           f'{_SQL_TYPES[fields[c]["type"]]}')
            db.executemany(f'UPDATE "{LAYER_NAME}" SET {sets} WHERE "iso3" = ?', params)
            db.execute("UPDATE gpkg_contents SET last_change = ?",
                       (f"{date or '2000-01-01'}T00:00:00Z",))
        db.execute("VACUUM")  # no free pages left by the update: a compact file
        return db.serialize()
    finally:
        db.close()


def gpkg(countries: Any) -> bytes:
    """The GeoDataFrame as a GeoPackage (one table, `atlas`), as bytes: the template `fill`
    completes (atlas.geodata writes it).

    GDAL stamps the file with the time of writing unless told otherwise: a fixed date is used
    instead, so the same shapes give the same file (`fill` stamps the data's own date).
    """
    import pyogrio

    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": "2000-01-01T00:00:00Z"})
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
