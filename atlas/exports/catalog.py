"""The downloads in `data/`: every file's name, format, media type and description, and for
each CSV its columns (atlas.evidence.tableschema gives their types and descriptions).

The writers (atlas.exports.tables), the Data Package and the site's download menu all take the
list from here, so a file is named in one place.
"""

from __future__ import annotations

from typing import NamedTuple

from atlas.evidence.schema import CompositeSpec, LayerSpec
from atlas.evidence.tableschema import _base, columns, point_columns


class Download(NamedTuple):
    """One file of `data/`: a CSV has its columns; `menu` is how the site's menu names it
    ("" for a file the menu leaves out); `layer` the layer whose values it holds; `rows`
    "countries" (one row per country), "records" (one per located record) or ""; `licence`
    another licence than the atlas's, as (SPDX id, title, address)."""

    name: str
    format: str
    mediatype: str
    description: str
    columns: tuple[str, ...] = ()
    encoding: str = "utf-8"
    menu: str = ""
    layer: str = ""
    rows: str = ""
    licence: tuple[str, str, str] | None = None

    @property
    def tabular(self) -> bool:
        return bool(self.columns)


ODBL = ("ODbL-1.0", "Open Data Commons Open Database License 1.0",
        "https://opendatacommons.org/licenses/odbl/1-0/")


def downloads(layers: tuple[LayerSpec, ...], composites: tuple[CompositeSpec, ...] = (),
              origins: tuple[str, ...] = ()) -> list[Download]:
    """Every download, in the order the Data Package lists them: the CSVs (the whole table, its
    spreadsheet variant, one per layer and composite, one per located layer's records), then
    the other files. `origins`: the databases whose shapes gave some records their points
    (their points are published apart, under their licence)."""
    cols = tuple(c.name for c in columns(layers, composites))
    out = [Download("atlas-data.zip", "zip", "application/zip",
                    "Every download and datapackage.json in one archive (it validates on its own)",
                    menu="all data (zip)"),
           Download("atlas.csv", "csv", "text/csv", "Every country with every layer's value",
                    cols, menu="atlas.csv", rows="countries"),
           Download("atlas-excel.csv", "csv", "text/csv",
                    "atlas.csv with a byte-order mark, for spreadsheets that assume a local "
                    "encoding otherwise", cols, encoding="utf-8-sig", menu="for Excel",
                    rows="countries")]
    located = [s for s in layers if s.located]
    for lid in [s.id for s in layers] + [c.id for c in composites]:
        base = len(_base())
        own = cols[:base] + tuple(c for c in cols if c == lid or c.startswith(f"{lid}_"))
        name = f"{lid}-countries.csv" if lid in {s.id for s in located} else f"{lid}.csv"
        out.append(Download(name, "csv", "text/csv",
                            f"Every country with the {lid} layer's columns; join to atlas.gpkg "
                            "or atlas.geojson by iso3 for the shapes", own, menu=lid,
                            layer=lid, rows="countries"))
    for spec in located:
        out.append(Download(f"{spec.id}.csv", "csv", "text/csv",
                            f"Every record of the {spec.id} layer, one a row, with its place "
                            "(lon, lat, precision) and sources",
                            tuple(c.name for c in point_columns(spec)),
                            menu=f"{spec.id} (one row each)", layer=spec.id, rows="records"))
    out += [
        Download("atlas.geojson", "geojson", "application/geo+json",
                 "Every country (RFC 7946, WGS 84) with every layer's columns, as atlas.csv",
                 menu="atlas.geojson"),
        Download("atlas.gpkg", "gpkg", "application/geopackage+sqlite3",
                 "GeoPackage for QGIS, R and GDAL: one table `atlas`, MultiPolygon, EPSG:4326, "
                 "the columns of atlas.csv", menu="atlas.gpkg"),
        Download("changes.json", "json", "application/json",
                 "What changed in each release and since the last one (old → new, with "
                 "sources)", menu="changes.json"),
    ]
    for spec in located:
        out.append(Download(f"{spec.id}.geojson", "geojson", "application/geo+json",
                            f"The {spec.id} layer's records as points (RFC 7946), with the "
                            f"columns of {spec.id}.csv", menu=f"{spec.id}.geojson",
                            layer=spec.id))
        for origin in origins:
            out.append(Download(
                f"{origin}-{spec.id}.geojson", "geojson", "application/geo+json",
                f"The {spec.id} records whose points were derived from {origin}'s shapes "
                "(from OpenStreetMap: © OpenStreetMap contributors), under ODbL 1.0",
                menu=f"{origin}-{spec.id}.geojson (ODbL)", layer=spec.id, licence=ODBL))
    return out


def tables(layers: tuple[LayerSpec, ...],
           composites: tuple[CompositeSpec, ...] = ()) -> dict[str, list[str]]:
    """Every CSV download of country rows (its name in data/) and its columns."""
    return {d.name: list(d.columns) for d in downloads(layers, composites)
            if d.rows == "countries"}
