"""The downloads of located records (projects): `data/<layer>.csv`, one row per record with
`lon`/`lat`, and `data/<layer>.geojson`, RFC 7946 Point features with the same properties.

Points derived from another database's shapes (AidData's, from OpenStreetMap under ODbL 1.0)
go in a file of their own, `data/<origin>-<layer>.geojson`, under that licence; the atlas's
own files keep those rows but leave their coordinates empty.
"""

from __future__ import annotations

import json
from typing import Any

from atlas.evidence.model import Source
from atlas.evidence.schema import LayerSpec
from atlas.evidence.steps import step_field, steps_text
from atlas.evidence.tableschema import point_columns
from atlas.join import Point

_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def row(point: Point, sources: dict[str, Source], with_point: bool = True,
        field: str = "") -> dict[str, Any]:
    """A point's row: the columns of tableschema.point_columns (`field`: the one its steps set,
    steps.step_field)."""
    rec = point.record
    loc = rec.location
    out: dict[str, Any] = {
        "id": point.id, "iso3": point.iso3, "country": point.country,
        "region": point.region or None, "subregion": point.subregion or None,
        "lon": point.lon if with_point else None, "lat": point.lat if with_point else None,
        "precision": loc.precision if loc else None, "place": loc.place if loc else "",
        "city": loc.city if loc else "",
    }
    out.update(rec.values)
    out.update({
        "year": rec.year, "confidence": rec.confidence, "origin": rec.origin,
        "derived": rec.derived, "derivation": rec.derivation,
        "steps": steps_text(rec, field) or None,
        "source_urls": list(dict.fromkeys(sources[c.source].url for c in rec.citations
                                          if c.source in sources and sources[c.source].url)),
        "sources": [f"{c.source} {c.locator}" for c in rec.citations],
    })
    return out


def geojson(points: list[Point], spec: LayerSpec, sources: dict[str, Source]) -> bytes:
    """A FeatureCollection of Point features, one a line."""
    names = [c.name for c in point_columns(spec) if c.name not in ("id", "lon", "lat")]
    lines = []
    for p in points:
        props = row(p, sources, field=step_field(spec))
        lines.append(_ENCODER.encode({
            "type": "Feature", "id": p.id,
            "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]},
            "properties": {k: props.get(k) for k in names}}))
    return ('{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"
            ).encode()


def files(points: tuple[Point, ...], layers: tuple[LayerSpec, ...],
          sources: dict[str, Source]) -> dict[str, bytes]:
    """Every located layer's table and points, and the points under another licence."""
    from atlas.exports.tables import to_csv

    out: dict[str, bytes] = {}
    for spec in layers:
        if not spec.located:
            continue
        mine = [p for p in points if p.layer == spec.id]
        cols = [c.name for c in point_columns(spec)]
        rows = [row(p, sources, with_point=not p.licensed, field=step_field(spec)) for p in mine]
        out[f"data/{spec.id}.csv"] = to_csv(rows, cols).encode("utf-8")
        out[f"data/{spec.id}.geojson"] = geojson([p for p in mine if not p.licensed], spec,
                                                 sources)
        for origin in sorted({p.record.origin for p in mine if p.licensed}):
            out[f"data/{origin}-{spec.id}.geojson"] = geojson(
                [p for p in mine if p.licensed and p.record.origin == origin], spec, sources)
    return out


def gpkg_tables(points: tuple[Point, ...], layers: tuple[LayerSpec, ...],
                sources: dict[str, Source]) -> tuple[Any, ...]:
    """Each located layer's points as a table of the GeoPackage (those under another licence
    left out)."""
    from atlas.exports.gis import PointTable

    out = []
    for spec in layers:
        if spec.located:
            cols = point_columns(spec)
            out.append(PointTable(spec.id, [c.name for c in cols],
                                  {c.name: c.field() for c in cols},
                                  [row(p, sources, field=step_field(spec)) for p in points
                                   if p.layer == spec.id and not p.licensed]))
    return tuple(out)
