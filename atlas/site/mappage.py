"""The map page (index.html), rendered by folium with local assets only.

Kept apart from the rest of the site code so the child process that renders it
(`python -m atlas.site.render`) imports nothing but folium.
"""

from __future__ import annotations

import re
from typing import Any

from atlas.errors import AtlasError
from atlas.evidence.schema import TITLE

MAX_ZOOM = 6
#: The map page's own scripts under assets/, in the order the page loads them: ordinary scripts,
#: not modules (module scripts do not load from file://). atlas-state.js defines the namespace
#: (window.AtlasSite) that the others add to; the page calls AtlasSite.init once all have run.
MAP_SCRIPTS = ("atlas-state.js", "atlas-map.js", "atlas-controls.js", "atlas-panel.js",
               "atlas-table.js", "atlas-points.js", "atlas-points-legend.js",
               "atlas-projects-table.js")
#: Stands in the page's CSP for the hashes of its inline scripts until they are known.
_SCRIPT_HASHES = "'atlas-script-hashes'"
CSP = (
    "default-src 'none'; script-src 'self' " + _SCRIPT_HASHES + "; "
    "style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:{tiles}; font-src 'self'; connect-src 'self'; base-uri 'none'; "
    "form-action 'none'"
)


def _stable_ids(element: Any, counter: list[int]) -> None:
    """folium names elements with random hex; name them by position so builds are identical."""
    element._id = f"{counter[0]:02d}"
    counter[0] += 1
    for child in element._children.values():
        _stable_ids(child, counter)


def index_html(tiles: str | None = None) -> str:
    """The map page, rendered by folium with local assets only.

    It holds no data: the layers, values and header are drawn by the scripts MAP_SCRIPTS names
    (assets/atlas-*.js) from data/atlas-data.js, so the page only changes when the code or the
    tiles option does.
    """
    import branca.element
    import folium

    class AtlasMap(folium.Map):
        default_js = [
            ("leaflet", "assets/leaflet.js"),
            ("atlas_geometry", "data/geometry-world.js"),
            ("atlas_data", "data/atlas-data.js"),
            ("atlas_point_rows", "data/points.js"),
        ] + [(name.removesuffix(".js").replace("-", "_"), f"assets/{name}") for name in MAP_SCRIPTS]
        # No clustering library: atlas-points.js clusters the points itself, atlas.css draws them.
        default_css = [("leaflet_css", "assets/leaflet.css"), ("atlas_css", "assets/atlas.css")]

    figure = branca.element.Figure(title=TITLE)
    figure.header.add_child(
        branca.element.Element(
            f'<meta http-equiv="Content-Security-Policy" content="{csp(tiles)}">'
        ),
        name="csp",
    )
    figure.header.add_child(branca.element.Element(
        '<meta name="description" content="Where China\'s Digital Silk Road reaches: cloud, '
        'MOUs, Safe City systems, fora and projects, country by country, every value with its '
        'sources.">\n<link rel="icon" href="assets/favicon.svg" type="image/svg+xml">'),
        name="described")
    # The scripts block the parser one after the other, and Chromium does not look ahead for
    # them in a file:// page: asked for here, they load at once, side by side.
    figure.header.add_child(branca.element.Element("".join(
        f'<link rel="preload" href="{url}" as="{kind}">'
        for kind, links in (("script", AtlasMap.default_js), ("style", AtlasMap.default_css))
        for _name, url in links)), name="preload")
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
    return allow_inline_scripts(fix_markup(figure.render()))


def allow_inline_scripts(html: str) -> str:
    """Let exactly the page's own inline scripts run: its CSP's script-src names each by its
    hash (no 'unsafe-inline', so a script slipped into the page by text would not run)."""
    import base64
    import hashlib

    bodies = dict.fromkeys(re.findall(r"<script>(.*?)</script>", html, flags=re.S))
    hashes = " ".join("'sha256-" + base64.b64encode(hashlib.sha256(b.encode()).digest()).decode()
                      + "'" for b in bodies)
    return re.sub(r"(content=\"[^\"]*script-src 'self')[^;\"]*", lambda m: f"{m.group(1)} {hashes}",
                  html, count=1)


#: A tile URL template: http(s), a host (perhaps with {s}.), a path with placeholders; nothing
#: that could end an HTML attribute or a script string.
_TILES = re.compile(r"https?://(\{s\}\.)?[A-Za-z0-9.-]+(:\d{1,5})?/[A-Za-z0-9._~/%&=?+,;:@!$*{}-]*")


def check_tiles(tiles: str) -> str:
    """`tiles` if it is a tile URL template (https://host/{z}/{x}/{y}.png), else an AtlasError."""
    placeholders = re.findall(r"\{([^{}]*)\}", tiles)
    if not _TILES.fullmatch(tiles) or re.sub(r"\{[a-z]+\}", "", tiles).count("{") \
            or re.sub(r"\{[a-z]+\}", "", tiles).count("}") \
            or not {"z", "x", "y"} <= set(placeholders):
        raise AtlasError(f"--tiles {tiles!r} is not a tile URL template: expected http(s)://, a "
                         "host and a path with {z}, {x} and {y}, and no quotes, spaces or angle "
                         "brackets (e.g. https://tile.example.org/{z}/{x}/{y}.png)")
    return tiles


def fix_markup(page: str) -> str:
    """What folium and branca write that checkers flag: no `lang`, a viewport that forbids
    zooming (WCAG 1.4.4), trailing blanks, self-closed void elements, and the script after
    `</body>`."""
    page = page.replace("<html>", '<html lang="en">', 1)
    page = re.sub(r"[ \t]+$", "", page, flags=re.M)  # trailing blanks (before the hashes)
    page = re.sub(r"<(meta|link)\b([^>]*?)\s*/>", r"<\1\2>", page)  # HTML, not XHTML
    page = re.sub(r'<meta name="viewport"[^>]*>',
                  '<meta name="viewport" content="width=device-width, initial-scale=1">', page)
    return re.sub(r"</body>\s*(<script>.*</script>)\s*</html>", r"\1\n</body>\n</html>", page,
                  count=1, flags=re.S)


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
