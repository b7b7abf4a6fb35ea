"""The downloads in `data/`: every file's name, format, media type and description, and for
each CSV its columns (atlas.evidence.tableschema gives their types and descriptions).

The writers (atlas.exports.tables), the Data Package and the site's download menu all take the
list from here, so a file is named in one place.
"""

from __future__ import annotations

from typing import NamedTuple

from atlas.evidence.schema import CompositeSpec, LayerSpec
from atlas.evidence.tableschema import columns


class Download(NamedTuple):
    """One file of `data/`: a CSV has its columns; `menu` is how the site's menu names it
    ("" for a file the menu leaves out)."""

    name: str
    format: str
    mediatype: str
    description: str
    columns: tuple[str, ...] = ()
    encoding: str = "utf-8"
    menu: str = ""

    @property
    def tabular(self) -> bool:
        return bool(self.columns)


def downloads(layers: tuple[LayerSpec, ...],
              composites: tuple[CompositeSpec, ...] = ()) -> list[Download]:
    """Every download, in the order the Data Package lists them: the CSVs (the whole table, its
    spreadsheet variant, one per layer and composite), then the other files."""
    cols = tuple(c.name for c in columns(layers, composites))
    out = [Download("atlas.csv", "csv", "text/csv", "Every country with every layer's value",
                    cols, menu="atlas.csv"),
           Download("atlas-excel.csv", "csv", "text/csv",
                    "atlas.csv with a byte-order mark, for spreadsheets that assume a local "
                    "encoding otherwise", cols, encoding="utf-8-sig", menu="for Excel")]
    for lid in [s.id for s in layers] + [c.id for c in composites]:
        own = cols[:3] + tuple(c for c in cols if c == lid or c.startswith(f"{lid}_"))
        out.append(Download(f"{lid}.csv", "csv", "text/csv",
                            f"Every country with the {lid} layer's columns; join to atlas.gpkg "
                            "or atlas.geojson by iso3 for the shapes", own, menu=lid))
    out += [
        Download("atlas.geojson", "geojson", "application/geo+json",
                 "Every country (RFC 7946, WGS 84) with every layer's columns, as atlas.csv",
                 menu="atlas.geojson"),
        Download("atlas.gpkg", "gpkg", "application/geopackage+sqlite3",
                 "GeoPackage for QGIS, R and GDAL: one table `atlas`, MultiPolygon, EPSG:4326, "
                 "the columns of atlas.csv", menu="atlas.gpkg"),
        Download("changes.json", "json", "application/json",
                 "What changed in each release and since the last one (old → new, with "
                 "sources)"),
    ]
    return out


def tables(layers: tuple[LayerSpec, ...],
           composites: tuple[CompositeSpec, ...] = ()) -> dict[str, list[str]]:
    """Every CSV download (its name in data/) and its columns."""
    return {d.name: list(d.columns) for d in downloads(layers, composites) if d.tabular}
