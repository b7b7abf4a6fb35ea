"""The geometry the browser draws: quantised to WEB_GRID and delta-encoded, one copy per level.

`atlas geodata` writes these encodings into geodata/ (countries.web.json, countries-world.web.json),
so a build only wraps them in a script; the site's assets/atlas-map.js decodes them.
"""

from __future__ import annotations

import json
from typing import Any

#: Web geometry grid: 0.01° (about 1 km), finer than a pixel at the maximum zoom (about 0.02°).
WEB_GRID = 100


#: Per level, polygons smaller than this (degrees, the larger side) are left out, except each
#: country's biggest: the world level serves zoom ≤ 2, where 0.3° is under a pixel. Leaving out
#: these islands (most of the world's polygons) makes the first drawing faster.
MIN_EXTENT = {"detail": 0.0, "world": 0.3}


def _extent(ring: list[list[float]]) -> float:
    xs, ys = [p[0] for p in ring], [p[1] for p in ring]
    return max(max(xs) - min(xs), max(ys) - min(ys))


def visible_polygons(geometry: dict[str, Any], min_extent: float = 0.0) -> list[Any]:
    """A (Multi)Polygon's polygons without those under `min_extent` degrees (the larger side),
    but always with the biggest, so that no country disappears."""
    polygons = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    if min_extent and len(polygons) > 1:
        extents = [_extent(polygon[0]) for polygon in polygons]
        biggest = extents.index(max(extents))
        polygons = [p for i, (p, e) in enumerate(zip(polygons, extents, strict=True))
                    if i == biggest or e >= min_extent]
    return polygons


def encode_geometry(geometry: dict[str, Any], min_extent: float = 0.0) -> list[list[list[int]]]:
    """Polygons → rings → flat [x0, y0, dx1, dy1, …] on the WEB_GRID, closing point dropped."""
    out = []
    for polygon in visible_polygons(geometry, min_extent):
        rings = []
        for ring in polygon:
            flat: list[int] = []
            px = py = 0
            for x, y in ring[:-1]:
                ix, iy = round(x * WEB_GRID), round(y * WEB_GRID)
                if flat and ix == px and iy == py:
                    continue
                flat += [ix - px, iy - py]
                px, py = ix, iy
            if len(flat) >= 6:
                rings.append(flat)
        if rings:
            out.append(rings)
    return out


def encode(geometry_json: dict[str, bytes], min_extent: float = 0.0) -> str:
    """All country shapes once, as compact JSON: {"grid": …, "shapes": [[iso3, polygons], …]}."""
    shapes = [[key, encode_geometry(json.loads(geometry_json[key]), min_extent)]
              for key in sorted(geometry_json)]
    return json.dumps({"grid": WEB_GRID, "shapes": shapes}, separators=(",", ":")) + "\n"


def script(encoded: str, variable: str) -> str:
    """The encoding as a script that sets window.<variable> (a script loads from file://)."""
    return f"window.{variable}=" + encoded.rstrip("\n") + ";\n"
