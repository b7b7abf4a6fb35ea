"""Render index.html in a child process, so the build's two cores work at once.

Run by atlas.build as `python -m atlas.site.render [TILES]`; prints the page to stdout.

folium imports two packages at start-up that this page never uses: pandas (only to accept
DataFrames) and requests (only to fetch GeoJSON from a URL, which the atlas never does: it works
offline). Leaving them out saves about 40% of folium's import time. If a folium release starts
needing either while rendering, the render fails loudly and the build stops.
"""

from __future__ import annotations

import sys
import types

if __name__ == "__main__":
    sys.modules.setdefault("pandas", None)  # type: ignore[arg-type]  # folium treats it as absent
    offline = types.ModuleType("requests")
    offline.__doc__ = "stand-in: the atlas page never fetches anything"
    sys.modules.setdefault("requests", offline)
    from atlas.site.mappage import index_html

    sys.stdout.buffer.write(index_html(sys.argv[1] if len(sys.argv) > 1 else None).encode())
