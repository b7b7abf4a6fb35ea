"""`atlas serve`: a localhost server for the built site that rebuilds when the records change."""

from __future__ import annotations

import functools
import http.server
import threading
import time
from collections.abc import Callable
from pathlib import Path

from atlas import build
from atlas.errors import AtlasError


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Static files from the site directory, never cached (the site changes under the browser)."""

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass


def snapshot(seeds: Path) -> tuple[tuple[str, int, int], ...]:
    """What the watcher compares: name, size and mtime of every file in the seeds folder."""
    out = []
    for path in sorted(seeds.glob("*")):
        if path.is_file():
            st = path.stat()
            out.append((path.name, st.st_size, st.st_mtime_ns))
    return tuple(out)


def rebuild(seeds: Path, out: Path, echo: Callable[[str], None]) -> bool:
    """One build; problems are printed and the previous site stays. True when it succeeded."""
    try:
        checked = build.run(seeds, out)
    except AtlasError as exc:
        echo(f"build failed; still serving the last good build.\n{exc}")
        return False
    for p in checked.warnings:
        echo(str(p))
    echo("up to date" if checked.up_to_date else f"rebuilt {out}")
    return True


def watch(seeds: Path, out: Path, interval: float, echo: Callable[[str], None],
          stop: threading.Event) -> None:
    """Poll the seeds folder and rebuild on change, until `stop` is set."""
    last = snapshot(seeds)
    while not stop.wait(interval):
        now = snapshot(seeds)
        if now != last:
            last = now
            rebuild(seeds, out, echo)


def make_server(out: Path, host: str, port: int) -> http.server.ThreadingHTTPServer:
    """An HTTP server for `out` (resolved per request, so a swapped-in build is served at once)."""
    handler = functools.partial(_Handler, directory=str(out.absolute()))
    return http.server.ThreadingHTTPServer((host, port), handler)


def run(seeds: Path, out: Path, host: str, port: int, interval: float,
        echo: Callable[[str], None] = print) -> None:
    """Build once, then serve and watch until interrupted."""
    if not rebuild(seeds, out, echo) and not (out / "index.html").is_file():
        raise AtlasError("no build to serve yet; fix the problems above and run again")
    server = make_server(out, host, port)
    stop = threading.Event()
    watcher = threading.Thread(target=watch, args=(seeds, out, interval, echo, stop), daemon=True)
    watcher.start()
    echo(f"serving {out} at http://{host}:{server.server_address[1]}/ (Ctrl+C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        echo("stopped")
    finally:
        stop.set()
        server.server_close()
        time.sleep(0)
