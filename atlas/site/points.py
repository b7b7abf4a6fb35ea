"""What the map needs to draw located records (projects) as points: `data/points.js`, the
points column by column (the panel's details come with the country's details file), and the
first drawing of the default view. The page clusters the points itself (atlas-points.js: a
grid), with no library of its own to ship."""

from __future__ import annotations

import json
import math
from collections import Counter
from typing import Any

from atlas.evidence.schema import LayerSpec
from atlas.join import Point

#: The columns of data/points.js, each a list with one entry per point, in the points' order.
COLUMNS = ("id", "iso3", "lon", "lat", "precision", "kind", "status", "year", "name",
           "companies", "origin", "start_year", "completion_year", "steps")
#: Columns of a few repeated words, written as numbers into the layer's `codes` for them.
CODED = ("iso3", "precision", "kind", "status")
#: The side of a cluster's cell in pixels (the reach of Leaflet.markercluster's clusters).
CELL = 80
#: The zooms a world view opens at, from a phone to a wide screen: their first drawing is made
#: here (`first`), so the page can draw the points before it reads them.
FIRST_ZOOMS = (1, 2, 3)
_MAX_LAT = 85.0511287798


def _values(p: Point) -> dict[str, Any]:
    rec = p.record
    return {"id": p.id, "iso3": p.iso3, "lon": p.lon, "lat": p.lat,
            "precision": rec.location.precision if rec.location else None,
            "year": rec.year, "origin": rec.origin or None, **rec.values,
            # earlier statuses, oldest first: [[status, year], …] (steps.csv)
            "steps": [[s.value, s.year] for s in rec.steps] or None}


def _plane(lon: float, lat: float) -> tuple[float, float]:
    """A place on the world's pixel plane as fractions of its width (Web Mercator), worked
    out as the page does it (atlas-map.js: mercatorY), operation for operation, so both find
    the same cells."""
    s = math.sin(max(min(lat, _MAX_LAT), -_MAX_LAT) * (math.pi / 180))
    return lon / 360 + 0.5, 0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)


def _first(columns: dict[str, list[Any]], spec: LayerSpec) -> dict[str, Any]:
    """The grid's cells at each of FIRST_ZOOMS with every point shown (no filter, the latest
    year), as atlas-points.js makes them: [cx, cy, n, first point, mean x, mean y] for a
    cluster, and for a lone point [cx, cy, 1, i, lat, lon, mark, colour, precision] (the last
    three as their codes); and the count of each colour's class (status)."""
    places = [_plane(lon, lat) for lon, lat in zip(columns["lon"], columns["lat"], strict=True)]
    zooms = {}
    for z in FIRST_ZOOMS:
        scale = 256 * 2 ** z
        cells: dict[tuple[int, int], list[Any]] = {}
        for i, (mx, my) in enumerate(places):
            px, py = mx * scale, my * scale
            key = (math.floor(px / CELL), math.floor(py / CELL))
            cell = cells.get(key)
            if cell is None:
                cells[key] = [key[0], key[1], 1, i, px, py]
            else:
                cell[2] += 1
                cell[4] += px
                cell[5] += py
        out = []
        for cell in sorted(cells.values(), key=lambda c: c[3]):
            i = cell[3]
            if cell[2] == 1:
                out.append(cell[:4] + [columns["lat"][i], columns["lon"][i],
                                       columns[spec.point_mark][i], columns[spec.point_color][i],
                                       columns["precision"][i]])
            else:
                # unrounded: the page places the mark where its own mean would put it
                out.append(cell[:4] + [cell[4] / cell[2], cell[5] / cell[2]])
        zooms[str(z)] = out
    counts = Counter(columns[spec.point_color])
    return {"zooms": zooms, "status_counts": [[code, counts[code]] for code in sorted(
        counts, key=lambda c: -1 if c is None else c)]}


def _layer(points: list[Point], spec: LayerSpec) -> dict[str, Any]:
    """One layer's points by column. Column by column, and the repeated words as numbers, the
    browser keeps 20,000 points in a few dozen lists rather than in tens of thousands of small
    objects that it must allocate and collect while the map is drawn."""
    rows = [_values(p) for p in points]
    marked = tuple(f for f in (spec.point_mark, spec.point_color) if f not in COLUMNS)
    columns = {c: [r.get(c) for r in rows] for c in COLUMNS + marked}
    codes = {}
    for c in dict.fromkeys(CODED + (spec.point_mark, spec.point_color)):
        words = sorted({v for v in columns[c] if v is not None})
        codes[c] = words
        number = {w: i for i, w in enumerate(words)}
        columns[c] = [None if v is None else number[v] for v in columns[c]]
    return {"count": len(points), "cell": CELL, "codes": codes, "first": _first(columns, spec),
            "columns": columns}


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def points_js(points: tuple[Point, ...], layers: tuple[LayerSpec, ...]) -> str:
    """The points of every located layer as a script: {layer: {count, cell, codes, first,
    columns}}, where `columns` is a JSON text that the page reads when it first needs the
    points themselves (a panel, a filter, a zoom the first drawing does not cover, or once the
    map is on screen): the default view is drawn from `first` before it."""
    parts = []
    for spec in layers:
        if not spec.located:
            continue
        layer = _layer([p for p in points if p.layer == spec.id], spec)
        text = _json(layer.pop("columns"))
        # In single quotes, so the JSON's many double quotes need no escape (the file stays as
        # small); "<" escaped (in the JSON) so the text cannot close a script element.
        text = text.replace("<", "\\u003c").replace("\\", "\\\\").replace("'", "\\'")
        parts.append(_json(spec.id) + ":" + _json(layer)[:-1] + ",\"columns\":'" + text + "'}")
    return "window.ATLAS_POINTS={" + ",".join(parts) + "};\n"
