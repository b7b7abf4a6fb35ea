"""The site's data and assets: the values the page shows, Leaflet, and the single-file version.

The world's geometry is written once (`data/geometry*.js`, see atlas.webgeom); each layer carries
only its values (`data/atlas-data.js`), so the page stays small. The page itself is
atlas.mappage. Leaflet comes from the installed package `django-js-lib-leaflet` and is copied
into `assets/`; no file refers to another host.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from atlas.evidence.model import Dataset
from atlas.files import package_dir
from atlas.join import Country, coverage
from atlas.site.mappage import MAP_SCRIPTS, allow_inline_scripts

LEAFLET_FILES = ("leaflet.js", "leaflet.css", "images/layers.png", "images/layers-2x.png",
                 "images/marker-icon.png", "images/marker-icon-2x.png", "images/marker-shadow.png")


def leaflet_assets() -> dict[str, Path]:
    """Leaflet's files in the installed wheel, keyed by their path under assets/."""
    base = package_dir("js_lib_leaflet", "reinstall the atlas (pip install .)")
    base = base / "static" / "js_lib_leaflet"
    return {f"assets/{name}": base / name for name in LEAFLET_FILES}


def own_assets() -> dict[str, Path]:
    """The atlas's own scripts (the map page's parts, and page.js for the other pages) and
    stylesheet, keyed by their path under assets/."""
    base = Path(__file__).parent / "assets"
    return {f"assets/{name}": base / name for name in (*MAP_SCRIPTS, "page.js", "atlas.css",
                                                              "favicon.svg")}


def companies_by_layer(dataset: Dataset, country: Country) -> dict[str, list[str]]:
    """The companies (canonical names) a country's records name, layer by layer (a layer that
    names none is left out): "Huawei in the Safe City layer" is not "Huawei anywhere"."""
    out = {}
    for spec in dataset.layers:
        names: set[str] = set()
        fields = [f.name for f in spec.fields if f.vocabulary == "companies"]
        rec = country.layers.get(spec.id)
        for item in (rec.get("items", [rec]) if rec else []):
            for name in fields:
                names.update(item["fields"].get(name) or [])
        if names:
            out[spec.id] = sorted(names)
    return out


def companies_of(dataset: Dataset, country: Country) -> list[str]:
    """The companies (canonical names) a country's records name, in any layer."""
    return sorted({n for names in companies_by_layer(dataset, country).values() for n in names})


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
                     "subregion": c.subregion, "layers": c.layers,
                     "companies": companies_of(dataset, c),
                     "companies_by_layer": companies_by_layer(dataset, c)}
            for c in countries
        },
        "aggregates": dataset.aggregates,
        "sources": {s.id: {"title": s.title, "author": s.author, "publisher": s.publisher,
                           "date": s.date, "url": s.url}
                    for s in dataset.sources.values()},
    }


#: What the map, legend, search and table need of a country's record; the rest (fields, notes,
#: citations, a many-rows layer's items) is its details, loaded when its panel opens.
SUMMARY_KEYS = ("value", "year", "confidence", "count", "score", "components", "missing")


def summary(rec: dict[str, Any]) -> dict[str, Any]:
    """A record's summary; its earlier steps, and a many-rows layer's items' years (for "as of
    year")."""
    out = {k: rec[k] for k in SUMMARY_KEYS if k in rec}
    if "steps" in rec:  # the earlier classes "as of" a year shows; their citations are details
        out["steps"] = [{k: s[k] for k in ("value", "year", "confidence")} for s in rec["steps"]]
    if "items" in rec:
        out["years"] = [item.get("year") for item in rec["items"]]
        if any("steps" in item for item in rec["items"]):  # the years of each item's steps
            out["step_years"] = [[s["year"] for s in item.get("steps", [])]
                                 for item in rec["items"]]
    return out


def _json(value: Any) -> str:
    """JSON as a script may hold it (JSON is valid JavaScript; `<` escaped for good measure)."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c")


def data_js(data: dict) -> str:
    """The site data as a script, without the countries' details (see details_js)."""
    countries = {
        key: {**c, "layers": {lid: summary(rec) for lid, rec in c["layers"].items()}}
        for key, c in data["countries"].items()}
    return "window.ATLAS_DATA=" + _json({**data, "countries": countries}) + ";\n"


#: The Downloads menu's files, saved from data/download/<name>.js on a page opened from file://
#: (atlas-controls.js: downloadLink): there Chromium ignores `download` and shows a JSON file
#: in the tab, and Firefox answers a link to any other local file with its "What should Firefox
#: do with this file?" dialog; both save a Blob the page makes, as a download, without asking.
MENU_FILES = (".json", ".geojson", ".csv", ".zip", ".gpkg")


def download_scripts(files: dict[str, bytes]) -> dict[str, bytes]:
    """data/download/<name>.js for each download in `files` ({path in the site: bytes}):
    window.ATLAS_DOWNLOAD[name] = "<text>" for UTF-8 text, {"base64": "..."} for the rest."""
    out = {}
    for path, body in sorted(files.items()):
        name = path.removeprefix("data/")
        if path.startswith("data/") and "/" not in name and name.endswith(MENU_FILES):
            try:
                value = json.dumps(body.decode("utf-8"), ensure_ascii=True)
            except UnicodeDecodeError:  # not text: the zip, the GeoPackage
                value = '{"base64":"' + base64.b64encode(body).decode("ascii") + '"}'
            out[f"data/download/{name}.js"] = (
                "window.ATLAS_DOWNLOAD=window.ATLAS_DOWNLOAD||{};window.ATLAS_DOWNLOAD["
                + json.dumps(name) + "]=" + value.replace("</", "<\\/") + ";\n").encode()
    return out


def details(data: dict) -> dict[str, dict[str, Any]]:
    """Each country's details (every record in full) by iso3, for countries with data."""
    return {key: c["layers"] for key, c in data["countries"].items() if c["layers"]}


def details_js(iso3: str, layers: dict[str, Any]) -> str:
    """A country's details as a script the page loads when that country's panel opens."""
    return (f"(window.ATLAS_DETAILS=window.ATLAS_DETAILS||{{}})[{_json(iso3)}]="
            f"{_json(layers)};\n")


def standalone_html(site: Mapping[str, bytes]) -> bytes:
    """index.html with every script, stylesheet and image inlined: one file that works offline
    when emailed (the downloads are not included; they are links to the full site). `site` is
    the site's files and their bytes."""
    import base64
    import re

    def text(name: str) -> str:
        return site[name].decode("utf-8")

    html = text("index.html")

    def script(m: re.Match[str]) -> str:
        code = text(m.group(1))
        code = re.sub(r"</(script)", r"<\\/\1", code, flags=re.IGNORECASE)
        return f"<script>{code}</script>"

    def style(m: re.Match[str]) -> str:
        css = text(m.group(1))
        base = m.group(1).rsplit("/", 1)[0] + "/"

        def image(u: re.Match[str]) -> str:
            if base + u.group(1) not in site:
                return u.group(0)
            data = site[base + u.group(1)]
            return "url(data:image/png;base64," + base64.b64encode(data).decode() + ")"

        css = re.sub(r"url\((images/[\w.-]+\.png)\)", image, css)
        return f"<style>{css}</style>"

    html = re.sub(r'<link rel="preload" [^>]*>', "", html)  # everything is inline
    html = re.sub(r'<link rel="icon" [^>]*>', "", html)  # a file on its own has no icon beside it
    details = "".join(site[name].decode() for name in sorted(site)
                      if name.startswith("data/details/"))  # the panels' data, all inline
    html = html.replace("</head>", f"<script>{details}</script>\n</head>", 1)
    html = re.sub(r'<script src="([^"]+)"></script>', script, html)
    detail = text("data/geometry.js")  # loaded on zoom by the site; inline here
    html = html.replace("</head>", f"<script>{detail}</script>\n</head>", 1)
    html = re.sub(r'<link rel="stylesheet" href="([^"]+)"\s*/?>', style, html)
    return allow_inline_scripts(html).encode("utf-8")
