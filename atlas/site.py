"""Render the static site: a folium map page whose layers are styled in the browser.

The world's geometry is written once (`data/geometry.js`); each layer carries only its values
(`data/atlas-data.js`), so the page stays small. Leaflet comes from the installed package
`django-js-lib-leaflet` and is copied into `assets/`; no file refers to another host.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from atlas import TITLE
from atlas.join import Country, coverage
from atlas.records import Dataset

#: Web geometry grid: 0.01° (about 1 km), finer than a pixel at the maximum zoom (about 0.02°).
WEB_GRID = 100
MAX_ZOOM = 6
CSP = (
    "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:{tiles}; font-src 'self'; connect-src 'self'; base-uri 'none'; "
    "form-action 'none'"
)
LEAFLET_FILES = ("leaflet.js", "leaflet.css", "images/layers.png", "images/layers-2x.png",
                 "images/marker-icon.png", "images/marker-icon-2x.png", "images/marker-shadow.png")


def leaflet_assets() -> dict[str, bytes]:
    """Leaflet's files from the installed wheel, keyed by their path under assets/."""
    base = resources.files("js_lib_leaflet") / "static" / "js_lib_leaflet"
    return {f"assets/{name}": (base / name).read_bytes() for name in LEAFLET_FILES}


def own_assets() -> dict[str, bytes]:
    """The atlas's own script and stylesheet."""
    base = resources.files("atlas") / "assets"
    return {f"assets/{name}": (base / name).read_bytes() for name in ("atlas.js", "atlas.css")}


def encode_geometry(geometry: dict[str, Any]) -> list[list[list[int]]]:
    """Polygons → rings → flat [x0, y0, dx1, dy1, …] on the WEB_GRID, closing point dropped."""
    polygons = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    out = []
    for polygon in polygons:
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


def geometry_js(geometry_text: dict[str, str], variable: str) -> str:
    """All country shapes once, quantised and delta-encoded, as a script (loads from file://)."""
    shapes = [[key, encode_geometry(json.loads(geometry_text[key]))]
              for key in sorted(geometry_text)]
    body = json.dumps({"grid": WEB_GRID, "shapes": shapes}, separators=(",", ":"))
    return f"window.{variable}=" + body + ";\n"


def site_data(dataset: Dataset, countries: tuple[Country, ...], meta: dict[str, Any]) -> dict:
    """Everything the page shows, as plain data."""
    layers = [spec.to_json() for spec in dataset.layers]
    layers += [comp.to_json() for comp in dataset.composites]
    return {
        "meta": meta,
        "layers": layers,
        "coverage": coverage(countries, [lay["id"] for lay in layers]),
        "countries": {
            c.iso3: {"name": c.name, "name_zh": c.name_zh, "continent": c.continent,
                     "layers": c.layers}
            for c in countries
        },
        "aggregates": dataset.aggregates,
        "sources": {s.id: {"title": s.title, "author": s.author, "publisher": s.publisher,
                           "date": s.date, "url": s.url}
                    for s in dataset.sources.values()},
    }


def data_js(data: dict) -> str:
    """The site data as a script. JSON is valid JavaScript; `<` is escaped for good measure."""
    body = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return "window.ATLAS_DATA=" + body.replace("<", "\\u003c") + ";\n"


def _stable_ids(element: Any, counter: list[int]) -> None:
    """folium names elements with random hex; name them by position so builds are identical."""
    element._id = f"{counter[0]:02d}"
    counter[0] += 1
    for child in element._children.values():
        _stable_ids(child, counter)


def index_html(tiles: str | None = None) -> str:
    """The map page, rendered by folium with local assets only.

    It holds no data: the layers, values and header are drawn by assets/atlas.js from
    data/atlas-data.js, so the page only changes when the code or the tiles option does.
    """
    import branca.element
    import folium

    class AtlasMap(folium.Map):
        default_js = [
            ("leaflet", "assets/leaflet.js"),
            ("atlas_geometry", "data/geometry-world.js"),
            ("atlas_data", "data/atlas-data.js"),
            ("atlas", "assets/atlas.js"),
        ]
        default_css = [("leaflet_css", "assets/leaflet.css"), ("atlas_css", "assets/atlas.css")]

    figure = branca.element.Figure(title=TITLE)
    figure.header.add_child(
        branca.element.Element(
            f'<meta http-equiv="Content-Security-Policy" content="{csp(tiles)}">'
        ),
        name="csp",
    )
    m = AtlasMap(location=[20, 20], zoom_start=2, min_zoom=1, max_zoom=MAX_ZOOM, tiles=None,
                 world_copy_jump=False, control_scale=False, prefer_canvas=False)
    m._name = "map"
    figure.add_child(m)
    if tiles:
        folium.TileLayer(tiles, attr="Base map tiles", name="Base map", overlay=False,
                         control=False, max_zoom=MAX_ZOOM).add_to(m)
    init = branca.element.MacroElement()
    init._template = branca.element.Template(
        "{% macro script(this, kwargs) %}\n"
        "window.atlasSite = AtlasSite.init({{ this._parent.get_name() }});\n"
        "{% endmacro %}"
    )
    m.add_child(init, name="atlas_init")
    _stable_ids(figure, [0])
    return figure.render()


def csp(tiles: str | None) -> str:
    """The page's Content-Security-Policy: nothing from another host (but the tiles, if asked)."""
    tile_src = ""
    if tiles:
        from urllib.parse import urlsplit

        parts = urlsplit(tiles.replace("{s}", "a"))
        if parts.scheme in ("http", "https") and parts.hostname:
            domain = parts.hostname.split(".", 1)[-1] if "{s}" in tiles else parts.hostname
            tile_src = f" {parts.scheme}://{'*.' if '{s}' in tiles else ''}{domain}"
    return CSP.format(tiles=tile_src)


def standalone_html(files: dict[str, bytes]) -> bytes:
    """index.html with every script, stylesheet and image inlined: one file that works offline
    when emailed (the downloads are not included; they are links to the full site)."""
    import base64
    import re

    html = files["index.html"].decode("utf-8")

    def script(m: re.Match[str]) -> str:
        code = files[m.group(1)].decode("utf-8")
        code = re.sub(r"</(script)", r"<\\/\1", code, flags=re.IGNORECASE)
        return f"<script>{code}</script>"

    def style(m: re.Match[str]) -> str:
        css = files[m.group(1)].decode("utf-8")
        base = m.group(1).rsplit("/", 1)[0] + "/"

        def image(u: re.Match[str]) -> str:
            data = files.get(base + u.group(1))
            if data is None:
                return u.group(0)
            return "url(data:image/png;base64," + base64.b64encode(data).decode() + ")"

        css = re.sub(r"url\((images/[\w.-]+\.png)\)", image, css)
        return f"<style>{css}</style>"

    html = re.sub(r'<script src="([^"]+)"></script>', script, html)
    detail = files["data/geometry.js"].decode("utf-8")  # loaded on zoom by the site; inline here
    html = html.replace("</head>", f"<script>{detail}</script>\n</head>", 1)
    html = re.sub(r'<link rel="stylesheet" href="([^"]+)"/>', style, html)
    return html.encode("utf-8")
