"""What the map needs to draw located records (projects) as points: `data/points.js`, the
points column by column (the panel's details come with the country's details file). The page
clusters them itself (atlas-points.js: a grid), with no library of its own to ship."""

from __future__ import annotations

import json
from typing import Any

from atlas.evidence.schema import LayerSpec
from atlas.join import Point

#: The columns of data/points.js, each a list with one entry per point, in the points' order.
COLUMNS = ("id", "iso3", "lon", "lat", "precision", "kind", "status", "year", "name",
           "companies", "origin", "start_year", "completion_year", "steps")
#: Columns of a few repeated words, written as numbers into the layer's `codes` for them.
CODED = ("iso3", "precision", "kind", "status")


def _values(p: Point) -> dict[str, Any]:
    rec = p.record
    return {"id": p.id, "iso3": p.iso3, "lon": p.lon, "lat": p.lat,
            "precision": rec.location.precision if rec.location else None,
            "year": rec.year, "origin": rec.origin or None, **rec.values,
            # earlier statuses, oldest first: [[status, year], …] (steps.csv)
            "steps": [[s.value, s.year] for s in rec.steps] or None}


def _layer(points: list[Point]) -> dict[str, Any]:
    """One layer's points by column. Column by column, and the repeated words as numbers, the
    browser keeps 20,000 points in a few dozen lists rather than in tens of thousands of small
    objects that it must allocate and collect while the map is drawn."""
    rows = [_values(p) for p in points]
    columns = {c: [r.get(c) for r in rows] for c in COLUMNS}
    codes = {}
    for c in CODED:
        words = sorted({v for v in columns[c] if v is not None})
        codes[c] = words
        number = {w: i for i, w in enumerate(words)}
        columns[c] = [None if v is None else number[v] for v in columns[c]]
    return {"count": len(points), "columns": columns, "codes": codes}


def points_js(points: tuple[Point, ...], layers: tuple[LayerSpec, ...]) -> str:
    """The points of every located layer as a script: {layer: {count, columns, codes}}, a JSON
    text that the script parses."""
    out = {spec.id: _layer([p for p in points if p.layer == spec.id])
           for spec in layers if spec.located}
    text = json.dumps(out, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    # As a string for JSON.parse: V8 reads a large JSON text faster than the same object
    # literal (tens of milliseconds at 20,000 points), and the map waits for it. In single
    # quotes, so the JSON's many double quotes need no escape (the file stays as small).
    text = text.replace("<", "\\u003c").replace("\\", "\\\\").replace("'", "\\'")
    return "window.ATLAS_POINTS=JSON.parse('" + text + "');\n"
