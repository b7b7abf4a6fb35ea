"""The downloads: `data/atlas.geojson`, `data/atlas.gpkg`, `data/atlas.csv` (and its spreadsheet
variant `data/atlas-excel.csv`) and `data/<layer>.csv`.

The shapes are written twice only (GeoJSON and GeoPackage): the per-layer tables carry the values
and are joined to them by `iso3`.

Each layer contributes flat properties: `<layer>` (the value the map shows; null = no data),
`<layer>_year`, `<layer>_confidence`, `<layer>_steps` (the class year by year, where a record has
earlier steps), `<layer>_sources` and `<layer>_<field>` for its other fields.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

from atlas.evidence.loader import Memo, made
from atlas.evidence.schema import CompositeSpec, LayerSpec
from atlas.evidence.steps import steps_text
from atlas.evidence.tableschema import columns as table_columns
from atlas.evidence.tableschema import fields as table_fields
from atlas.exports.catalog import downloads
from atlas.join import Country
from atlas.world.boundaries import Boundaries


def layer_properties(spec: LayerSpec, country: Country) -> dict[str, Any]:
    """The flat properties one layer adds to a country (all null when it has no data), from
    its typed records."""
    recs = country.records.get(spec.id, ())
    if spec.many:
        years = [r.year for r in recs if r.year is not None]
        return {
            spec.id: spec.class_for_count(len(recs)) if recs else None,
            f"{spec.id}_year": max(years) if years else None,
            f"{spec.id}_count": len(recs) if recs else None,
            f"{spec.id}_items": [r.id for r in recs] if recs else None,
            f"{spec.id}_sources": (
                sorted({f"{c.source} {c.locator}" for r in recs for c in r.citations})
                if recs else None
            ),
        }
    rec = recs[0] if recs else None
    props: dict[str, Any] = {
        spec.id: rec.values.get(spec.value) if rec else None,
        f"{spec.id}_year": rec.year if rec else None,
        f"{spec.id}_confidence": rec.confidence if rec else None,
        f"{spec.id}_steps": (steps_text(rec, spec.value) or None) if rec else None,
        f"{spec.id}_sources": [f"{c.source} {c.locator}" for c in rec.citations] if rec else None,
    }
    for f in spec.fields:
        if f.name != spec.value:
            props[f"{spec.id}_{f.name}"] = rec.values.get(f.name) if rec else None
    props[f"{spec.id}_derived"] = rec.derived if rec else None
    props[f"{spec.id}_derivation"] = (rec.derivation or None) if rec else None
    return props


def composite_properties(comp: CompositeSpec, country: Country) -> dict[str, Any]:
    """A composite's value (its class), score and missing components (all null: no score)."""
    rec = country.layers.get(comp.id)
    return {comp.id: rec["value"] if rec else None,
            f"{comp.id}_score": rec["score"] if rec else None,
            f"{comp.id}_missing": rec["missing"] if rec else None}


def columns(layers: tuple[LayerSpec, ...], composites: tuple[CompositeSpec, ...] = ()) -> list[str]:
    """The column order of the table (CSV) and of the GeoJSON properties: the columns of
    atlas.evidence.tableschema, whose names layers.toml's checks reserve."""
    return [c.name for c in table_columns(layers, composites)]


def rows(countries: tuple[Country, ...], layers: tuple[LayerSpec, ...],
         composites: tuple[CompositeSpec, ...] = ()) -> list[dict[str, Any]]:
    """One flat row per country."""
    out = []
    for c in countries:
        row: dict[str, Any] = {"iso3": c.iso3, "name": c.name, "name_zh": c.name_zh,
                               "region": c.continent or None, "subregion": c.subregion or None}
        for spec in layers:
            row.update(layer_properties(spec, c))
        for comp in composites:
            row.update(composite_properties(comp, c))
        out.append(row)
    return out


_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _dump(obj: Any) -> str:
    return _ENCODER.encode(obj)


def geojson(geometry: dict[str, bytes], table: list[dict[str, Any]], keep: list[str]) -> bytes:
    """A FeatureCollection of every country with the `keep` properties; one feature per line.

    Members are written in sorted order (geometry, id, properties, type), as json.dumps would.
    Assembled as UTF-8 bytes in one join: the geometry (most of the file) is copied once.
    """
    parts = [b'{"type":"FeatureCollection","features":[\n']
    for i, row in enumerate(table):
        parts += [b",\n" if i else b"", b'{"geometry":', geometry[row["iso3"]], b',"id":',
                  _dump(row["iso3"]).encode(), b',"properties":',
                  _dump({k: row[k] for k in keep}).encode(), b',"type":"Feature"}']
    parts.append(b"\n]}\n")
    return b"".join(parts)


def to_csv(table: list[dict[str, Any]], cols: list[str]) -> str:
    """The table as CSV: lists joined with '; ', no data as an empty cell."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(cols)
    for row in table:
        writer.writerow([_cell(row[c]) for c in cols])
    return buf.getvalue()


#: A cell a spreadsheet would read as a formula (or that starts with a tab or carriage return).
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """The one rule for every text cell of every CSV the atlas writes (the table's own CSV
    export in atlas-table.js applies the same): text a spreadsheet would run as a formula gets a
    leading apostrophe, so it is shown as written and never evaluated."""
    return "'" + text if text.startswith(_FORMULA) else text


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return spreadsheet_safe("; ".join(str(v) for v in value))
    return spreadsheet_safe(str(value))


def excel_csv(data: bytes) -> bytes:
    """The CSV with a UTF-8 byte-order mark: Excel then reads the Chinese names as UTF-8 when
    the file is double-clicked (without one it assumes the computer's local encoding)."""
    return b"\xef\xbb\xbf" + data


def files(boundaries: Boundaries, countries: tuple[Country, ...],
          layers: tuple[LayerSpec, ...], composites: tuple[CompositeSpec, ...] = (),
          cached: Memo = made, date: str = "",
          points: tuple[Any, ...] = ()) -> dict[str, bytes]:
    """Every download, as {relative path: bytes}, each through `cached` (a Cache.get).

    Each file is keyed by its columns and the joined values of the layers it shows, country by
    country in the boundaries' order (the names and geometry come from the boundaries, part of
    the caller's key), so with a cache an edit rewrites only the files of the layers it touched.
    `date` (the data's) stamps the GeoPackage; `points` (gis.PointTable) are its tables of
    points.
    """
    from atlas.exports import gis

    cols = columns(layers, composites)
    table = rows(countries, layers, composites)

    def make(keep: list[str], text: bool = False) -> Callable[[], bytes]:
        if text:
            return lambda: to_csv(table, keep).encode("utf-8")
        return lambda: geojson(boundaries.geometry_json, table, keep)

    ids = [s.id for s in layers] + [c.id for c in composites]
    values = {lid: _dump([c.layers.get(lid) for c in countries]) for lid in ids}
    every = _dump(cols) + "".join(values.values())
    out = {"data/atlas.geojson": cached("atlas.geojson", every, make(cols)),
           "data/atlas.csv": cached("atlas.csv", every, make(cols, text=True))}
    out["data/atlas-excel.csv"] = excel_csv(out["data/atlas.csv"])
    out["data/atlas.gpkg"] = cached(
        "atlas.gpkg", f"{date}\0{every}\0{_dump([list(p) for p in points])}",
        lambda: gis.fill(boundaries.gpkg_template(), table, cols,
                         table_fields(layers, composites), date, points))
    for d in downloads(layers, composites):
        if d.layer and d.rows == "countries":
            own = list(d.columns)
            out[f"data/{d.name}"] = cached(d.name, _dump(own) + values[d.layer],
                                           make(own, text=True))
    return out
