"""Render the static site: a folium map page whose layers are styled in the browser.

The world's geometry is written once (`data/geometry.js`); each layer carries only its values
(`data/atlas-data.js`), so the page stays small. Leaflet comes from the installed package
`django-js-lib-leaflet` and is copied into `assets/`; no file refers to another host.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from atlas import __version__
from atlas.boundaries import Boundaries
from atlas.config import LayerSpec
from atlas.join import Country, coverage
from atlas.records import Dataset

#: Web geometry precision: 0.001° (about 100 m) is finer than a pixel at the maximum zoom.
WEB_DECIMALS = 3
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


def _round(obj: Any, nd: int) -> Any:
    if isinstance(obj, float):
        return round(obj, nd) + 0.0
    if isinstance(obj, list):
        return [_round(x, nd) for x in obj]
    return obj


def geometry_js(boundaries: Boundaries) -> str:
    """All country shapes once, keyed by iso3, as a script (loads from file:// too)."""
    feats = [
        {"type": "Feature", "id": f["properties"]["iso3"], "properties": {},
         "geometry": {"type": f["geometry"]["type"],
                      "coordinates": _round(f["geometry"]["coordinates"], WEB_DECIMALS)}}
        for f in sorted(boundaries.features, key=lambda f: f["properties"]["iso3"])
    ]
    body = json.dumps({"type": "FeatureCollection", "features": feats}, separators=(",", ":"))
    return "window.ATLAS_GEOMETRY=" + body + ";\n"


def site_data(dataset: Dataset, countries: tuple[Country, ...], meta: dict[str, Any]) -> dict:
    """Everything the page shows, as plain data."""
    layers = [spec.to_json() for spec in dataset.layers]
    return {
        "meta": meta,
        "layers": layers,
        "coverage": coverage(countries, [s.id for s in dataset.layers]),
        "countries": {
            c.iso3: {"name": c.name, "name_zh": c.name_zh, "continent": c.continent,
                     "layers": c.layers}
            for c in countries
        },
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


def index_html(layers: tuple[LayerSpec, ...], meta: dict[str, Any], tiles: str | None,
               asset_version: str) -> str:
    """The map page, rendered by folium with local assets only."""
    import branca.element
    import folium

    class AtlasMap(folium.Map):
        default_js = [
            ("leaflet", f"assets/leaflet.js?v={asset_version}"),
            ("atlas_geometry", f"data/geometry.js?v={asset_version}"),
            ("atlas_data", f"data/atlas-data.js?v={asset_version}"),
            ("atlas", f"assets/atlas.js?v={asset_version}"),
        ]
        default_css = [
            ("leaflet_css", f"assets/leaflet.css?v={asset_version}"),
            ("atlas_css", f"assets/atlas.css?v={asset_version}"),
        ]

    figure = branca.element.Figure(title=meta["title"])
    tile_src = ""
    if tiles:
        from urllib.parse import urlsplit

        parts = urlsplit(tiles.replace("{s}", "a"))
        tile_src = f" {parts.scheme}://*.{parts.hostname.split('.', 1)[-1]}" if parts.hostname \
            else ""
    figure.header.add_child(
        branca.element.Element(
            f'<meta http-equiv="Content-Security-Policy" content="{CSP.format(tiles=tile_src)}">'
        ),
        name="csp",
    )
    m = AtlasMap(location=[20, 20], zoom_start=2, min_zoom=1, max_zoom=MAX_ZOOM, tiles=None,
                 world_copy_jump=False, control_scale=False, prefer_canvas=False)
    m._name = "map"
    figure.add_child(m)
    if tiles:
        folium.TileLayer(tiles, attr="Tiles: see provider", name="Base map", overlay=False,
                         control=False, max_zoom=MAX_ZOOM).add_to(m)
    header = _header_html(layers, meta)
    init = branca.element.MacroElement()
    init._template = branca.element.Template(
        "{% macro script(this, kwargs) %}\n"
        "window.atlasSite = AtlasSite.init({{ this._parent.get_name() }});\n"
        "{% endmacro %}"
    )
    m.add_child(init, name="atlas_init")
    m.add_child(header, name="atlas_header")
    _stable_ids(figure, [0])
    return figure.render()


def _header_html(layers: tuple[LayerSpec, ...], meta: dict[str, Any]) -> Any:
    """The title box with download links (static text only: no data text reaches HTML here)."""
    import html

    import branca.element

    links = " · ".join(
        f'<a href="data/{html.escape(s.id)}.geojson" download>{html.escape(s.id)}</a>'
        for s in layers
    )
    box = (
        '<div class="atlas-box atlas-header" id="atlas-header">'
        f"<h1>{html.escape(meta['title'])}</h1>"
        f"<p>Data version {html.escape(meta['data_version'])}. Downloads: "
        '<a href="data/atlas.geojson" download>atlas.geojson</a> · '
        '<a href="data/atlas.csv" download>atlas.csv</a> · '
        f"per layer: {links}</p></div>"
    )
    element = branca.element.MacroElement()
    element._template = branca.element.Template(
        "{% macro script(this, kwargs) %}\n"
        "(function(){var C=L.Control.extend({options:{position:'topleft'},"
        "onAdd:function(){var d=L.DomUtil.create('div');d.innerHTML=" + json.dumps(box) + ";"
        "L.DomEvent.disableClickPropagation(d);return d.firstChild;}});"
        "new C().addTo({{ this._parent.get_name() }});})();\n"
        "{% endmacro %}"
    )
    return element


def files(boundaries: Boundaries, dataset: Dataset, countries: tuple[Country, ...],
          meta: dict[str, Any], tiles: str | None = None) -> dict[str, bytes]:
    """Every file of the site except the downloads, as {relative path: bytes}."""
    out: dict[str, bytes] = {}
    out.update(leaflet_assets())
    out.update(own_assets())
    out["data/geometry.js"] = geometry_js(boundaries).encode()
    out["data/atlas-data.js"] = data_js(site_data(dataset, countries, meta)).encode()
    import hashlib

    digest = hashlib.sha256()
    for name in sorted(out):
        digest.update(name.encode() + out[name])
    out["index.html"] = index_html(dataset.layers, meta, tiles, digest.hexdigest()[:10]).encode()
    return out


__all__ = ["files", "__version__"]
