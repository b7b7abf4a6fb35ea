"""What the map needs to draw located records (projects) as points: `data/points.js`, one
compact row per point (the panel's details come with the country's details file). The page
clusters them itself (atlas-points.js: a grid), with no library of its own to ship."""

from __future__ import annotations

import json
from typing import Any

from atlas.evidence.schema import LayerSpec
from atlas.join import Point

#: A point's row in data/points.js, in this order (the page reads the names from the file).
COLUMNS = ("id", "iso3", "lon", "lat", "precision", "kind", "status", "year", "name",
           "companies", "origin", "start_year", "completion_year", "steps")


def _row(p: Point) -> list[Any]:
    rec = p.record
    values = {"id": p.id, "iso3": p.iso3, "lon": p.lon, "lat": p.lat,
              "precision": rec.location.precision if rec.location else None,
              "year": rec.year, "origin": rec.origin or None, **rec.values,
              # earlier statuses, oldest first: [[status, year], …] (steps.csv)
              "steps": [[s.value, s.year] for s in rec.steps] or None}
    return [values.get(c) for c in COLUMNS]


def points_js(points: tuple[Point, ...], layers: tuple[LayerSpec, ...]) -> str:
    """The points of every located layer as a script: {layer: {columns, rows}}, a JSON text
    that the script parses."""
    out = {}
    for spec in layers:
        if spec.located:
            out[spec.id] = {"columns": list(COLUMNS),
                            "rows": [_row(p) for p in points if p.layer == spec.id]}
    text = json.dumps(out, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    # As a string for JSON.parse: V8 reads a large JSON text faster than the same object
    # literal (tens of milliseconds at 20,000 points), and the map waits for it. In single
    # quotes, so the JSON's many double quotes need no escape (the file stays as small).
    text = text.replace("<", "\\u003c").replace("\\", "\\\\").replace("'", "\\'")
    return "window.ATLAS_POINTS=JSON.parse('" + text + "');\n"
