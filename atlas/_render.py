"""Render index.html in a child process, so the build's two cores work at once.

Run by atlas.build as `python -m atlas._render [TILES]`; prints the page to stdout. folium would
import pandas only to accept DataFrames, which the page never passes; skipping it saves a third of
folium's import time.
"""

from __future__ import annotations

import sys

if __name__ == "__main__":
    sys.modules.setdefault("pandas", None)  # type: ignore[arg-type]  # folium treats it as absent
    from atlas.mappage import index_html

    sys.stdout.buffer.write(index_html(sys.argv[1] if len(sys.argv) > 1 else None).encode())
