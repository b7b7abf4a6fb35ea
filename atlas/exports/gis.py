"""The countries table as a GeoDataFrame, and the GeoPackage download (`data/atlas.gpkg`).

Every geometry is a MultiPolygon, so GDAL (QGIS, R's sf) sees one geometry type rather than
"Unknown". pandas, geopandas and pyogrio are imported here only, when a frame is asked for.
"""

from __future__ import annotations

import struct
import tempfile
from pathlib import Path
from typing import Any, NamedTuple

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


class PointTable(NamedTuple):
    """A table of points for the GeoPackage: its name, columns (with `lon`, `lat`), their
    Table Schema fields and the rows."""

    name: str
    cols: list[str]
    fields: dict[str, dict[str, Any]]
    rows: list[dict[str, Any]]


def _point_blob(lon: float, lat: float) -> bytes:
    """A GeoPackage geometry: the 'GP' header (version 0, little-endian, no envelope, SRS
    4326), then the point as well-known binary."""
    return b"GP\x00\x01" + struct.pack("<i", 4326) + struct.pack("<BIdd", 1, 1, lon, lat)


def _add_points(db: Any, table: PointTable, date: str) -> None:
    """A feature table of points, registered as GDAL registers one (no spatial index)."""
    cols = [c for c in table.cols if c not in ("lon", "lat")]
    defs = ", ".join(f'"{c}" {_SQL_TYPES[table.fields[c]["type"]]}' for c in cols)
    db.execute(f'CREATE TABLE "{table.name}" (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, '
               f'geom POINT, {defs})')
    marks = ", ".join("?" for _ in range(len(cols) + 1))
    names = ", ".join(f'"{c}"' for c in cols)
    numeric = {c for c in cols if table.fields[c]["type"] in ("integer", "number")}
    rows = [r for r in table.rows if r.get("lon") is not None]
    db.executemany(f'INSERT INTO "{table.name}" (geom, {names}) VALUES ({marks})',
                   [[_point_blob(r["lon"], r["lat"])]
                    + [_cell(r[c]) if c in numeric or r[c] is None else str(_cell(r[c]))
                       for c in cols] for r in rows])
    lons, lats = [r["lon"] for r in rows] or [0.0], [r["lat"] for r in rows] or [0.0]
    db.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier, description, "
               "last_change, min_x, min_y, max_x, max_y, srs_id) VALUES "
               "(?, 'features', ?, '', ?, ?, ?, ?, ?, 4326)",
               (table.name, table.name, f"{date or '2000-01-01'}T00:00:00Z", min(lons),
                min(lats), max(lons), max(lats)))
    db.execute("INSERT INTO gpkg_geometry_columns (table_name, column_name, "
               "geometry_type_name, srs_id, z, m) VALUES (?, 'geom', 'POINT', 4326, 0, 0)",
               (table.name,))


def fill(template: bytes, table: list[dict[str, Any]], cols: list[str],
         fields: dict[str, dict[str, Any]], date: str = "",
         points: tuple[PointTable, ...] = ()) -> bytes:
    """The GeoPackage with every column of `table`: a copy of `template` (the shapes, iso3 and
    names, as `atlas geodata` wrote it with GDAL) with the other columns added and filled by
    SQLite, and stamped with `date` (the data's), so a build never loads the geo stack and the
    same values give the same bytes. `points`: tables of points added beside it."""
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
            for extra in points:
                _add_points(db, extra, date)
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
