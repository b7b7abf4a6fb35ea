"""`atlas serve`: a localhost server for the built site that rebuilds when the records change."""

from __future__ import annotations

import functools
import http.server
import os
import stat
import threading
import time
from collections.abc import Callable
from pathlib import Path

from atlas import build
from atlas.errors import AtlasError


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Static files from the site directory, never cached (the site changes under the browser).
    A path the system cannot take (a NUL byte, an undecodable name) is a 400, not a traceback.

    Only regular files inside the folder are served: not a symbolic link placed in it that
    leads outside (the folder is the site, not a door to the rest of the disk), not a FIFO
    (reading it would hold the request forever), not a listing of a folder."""

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def send_head(self):  # noqa: ANN201 - stdlib signature
        try:
            path = self.translate_path(self.path)
            if os.path.isdir(path):
                if not self.path.partition("?")[0].partition("#")[0].endswith("/"):
                    return super().send_head()  # the redirect to "folder/"
                path = os.path.join(path, "index.html")
            if not _servable(path, self.directory):
                self.send_error(404, "File not found")
                return None
            return super().send_head()
        except (ValueError, UnicodeError, OSError):
            self.send_error(400, "Bad request path")
            return None

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass


def _servable(path: str, root: str) -> bool:
    """Whether `path` is a regular file inside the folder `root`, once every link is followed."""
    real, top = os.path.realpath(path), os.path.realpath(root)
    if os.path.commonpath([real, top]) != top or real == top:
        return False
    try:
        return stat.S_ISREG(os.stat(real).st_mode)
    except OSError:
        return False


def snapshot(seeds: Path) -> tuple[tuple[str, int, int, int], ...]:
    """What the watcher compares: name, kind, size and mtime of every entry in the seeds folder
    and its releases/ (a release added, or a FIFO put there and taken away again, is a change
    too). stat() never opens what it looks at: nothing here can wait on a pipe."""
    out = []
    for path in sorted([*seeds.glob("*"), *(seeds / "releases").glob("*")]):
        try:
            st = path.stat()
        except OSError:
            try:  # a link to nothing
                st = path.lstat()
            except OSError:
                continue  # gone between the listing and the look: the next look sees it
        if stat.S_ISDIR(st.st_mode) and path.parent == seeds:
            continue  # releases/ is listed itself; documents are not watched
        out.append((path.relative_to(seeds).as_posix(), stat.S_IFMT(st.st_mode), st.st_size,
                    st.st_mtime_ns))
    return tuple(out)


def rebuild(seeds: Path, out: Path, echo: Callable[[str], None]) -> bool:
    """One build; problems are printed and the previous site stays. True when it succeeded.

    Any error, not only the atlas's own, is reported in a line and the watcher goes on: a
    server that stopped rebuilding would go on serving stale data without a word."""
    try:
        checked = build.run(seeds, out)
    except AtlasError as exc:
        echo(f"build failed; still serving the last good build.\n{exc}")
        return False
    except Exception as exc:  # noqa: BLE001 - reported, and the next edit is built again
        echo(f"build failed ({type(exc).__name__}: {exc}); still serving the last good build. "
             "The next edit is built again; please report this error.")
        return False
    for p in checked.warnings:
        echo(str(p))
    echo("up to date" if checked.up_to_date else f"rebuilt {out}")
    return True


def watch(seeds: Path, out: Path, interval: float, echo: Callable[[str], None],
          stop: threading.Event) -> None:
    """Poll the seeds folder and rebuild on change, until `stop` is set."""
    last = _snapshot(seeds, echo, say=True)
    while not stop.wait(interval):
        now = _snapshot(seeds, echo, say=last is not None)
        if now != last:
            last = now
            rebuild(seeds, out, echo)


def _snapshot(seeds: Path, echo: Callable[[str], None], say: bool) -> tuple | None:
    """snapshot(), or None while the folder cannot be read (`say`: tell it; the watcher does
    once, when the folder goes)."""
    try:
        return snapshot(seeds)
    except OSError as exc:
        if say:
            echo(f"cannot read {seeds}: {exc.strerror or exc}; watching for it to come back")
        return None


class _Server(http.server.ThreadingHTTPServer):
    """A client that goes away mid-answer is normal for a browser, not an error to print."""

    def handle_error(self, request: object, client_address: tuple) -> None:
        import sys

        error = sys.exc_info()[1]
        if not isinstance(error, ConnectionError | TimeoutError):
            print(f"request from {client_address[0]} failed: {type(error).__name__}: {error}",
                  file=sys.stderr)


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def make_server(out: Path, host: str, port: int) -> http.server.ThreadingHTTPServer:
    """An HTTP server for `out` (resolved per request, so a swapped-in build is served at once)."""
    handler = functools.partial(_Handler, directory=str(out.absolute()))
    return _Server((host, port), handler)


def run(seeds: Path, out: Path, host: str, port: int, interval: float,
        echo: Callable[[str], None] = print) -> None:
    """Build once, then serve and watch until interrupted."""
    if host not in LOOPBACK:
        echo(f"warning: serving on {host}, not only to this computer: anyone who can reach it "
             "can read the site (use --host 127.0.0.1 to keep it local)")
    if not rebuild(seeds, out, echo) and not (out / "index.html").is_file():
        raise AtlasError("no build to serve yet; fix the problems above and run again")
    try:
        server = make_server(out, host, port)
    except OSError as exc:
        raise AtlasError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
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
