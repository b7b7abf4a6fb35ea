"""Draws the report pictures a build asks for: beside the build, in a child process, where it can.

A rebuild after a class change redraws one or two pictures. Pillow takes about 25 ms to import
and a PNG about 10 ms to draw, against about 0.1 s for the rest of such a rebuild, so the
pictures are drawn by a painter started early: by the `atlas build` command before it imports
anything else (start_early), else by the build as it starts. The child (`python -P -m
atlas.painter`, spawned, not forked: a forked child would make the parent copy every page of
memory it writes to, about 7 ms over a rebuild) imports Pillow while the parent imports and
validates, reads the sheet once the build names it (use), then draws what the build asks for
(ask) while the parent writes the downloads and pages, or is stopped, if nothing needs drawing.
Where Pillow is already loaded, where there is one core, in a long-running process (`atlas
serve`), or when the build has a page to render in another process already (a cold build: the
cores are busy), the pictures are drawn in-process.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from typing import TYPE_CHECKING, Any

from atlas.errors import AtlasError

if TYPE_CHECKING:  # imported when used: the painter starts before anything else is imported
    from collections.abc import Callable
    from pathlib import Path

    from atlas import pictures

#: What to draw: the format ("png" or "svg") and the picture.
Job = tuple[str, "pictures.Picture"]


def draw(sheet: pictures.Sheet, stamps: pictures.Stamps, fmt: str, pic: pictures.Picture
         ) -> bytes:
    from atlas import pictures

    if fmt == "png":
        return pictures.png(sheet, pic, stamps)
    return pictures.svg(sheet, pic).encode("utf-8")


def _read_kept(kept: Path | None, read: Callable[[bytes], Any]) -> Any:
    """What a build kept at `kept`, as `read` reads it; None if missing, unreadable or damaged."""
    if kept is not None:
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            return read(kept.read_bytes())
    return None


def make_sheet(kept: Path | None) -> tuple[pictures.Sheet, bool]:
    """The sheet as a build kept it (Sheet.kept) at `kept`, else read from the boundaries; and
    whether it was made afresh (and so is worth keeping)."""
    from atlas import boundaries, pictures

    sheet = _read_kept(kept, pictures.Sheet.from_kept)
    return (sheet, False) if sheet else (pictures.Sheet(boundaries.picture_sheet()), True)


def read_stamps(kept: Path | None) -> pictures.Stamps:
    """The text stamps kept at `kept` (Stamps.kept), else none."""
    from atlas import pictures

    return _read_kept(kept, pictures.Stamps.from_kept) or pictures.Stamps()


class Painter:
    """Draws in-process, when the results are asked for."""

    def __init__(self) -> None:
        self.kept: tuple[Path | None, Path | None] = (None, None)
        self.jobs: list[Job] = []
        # What to keep for the next builds once the results are in (see Sheet.kept, Stamps.kept):
        self.sheet: bytes | None = None  # the sheet, if it was made afresh
        self.stamps: bytes | None = None  # the text stamps, if new ones were made

    def use(self, sheet: Path | None, stamps: Path | None) -> None:
        """Draw on the sheet kept at `sheet` (None: not kept; read from the boundaries), with
        the text stamps kept at `stamps` (None: no stamps kept)."""
        self.kept = (sheet, stamps)

    def ask(self, jobs: list[Job]) -> None:
        self.jobs = jobs

    def results(self) -> list[bytes]:
        """One result per job, in order."""
        if not self.jobs:
            return []
        sheet, fresh = make_sheet(self.kept[0])
        stamps = read_stamps(self.kept[1])
        drawn = [draw(sheet, stamps, fmt, pic) for fmt, pic in self.jobs]
        self.sheet = sheet.kept() if fresh else None
        self.stamps = stamps.kept() if stamps.new else None
        return drawn

    def cancel(self) -> None:
        """Stop without results (the build failed, or needs none)."""


class ChildPainter(Painter):
    """Draws in a child process that gets ready as soon as it starts (see the module's doc).

    The request pipe carries one line, the paths of the kept sheet and stamps, then the jobs up
    to its end; the results pipe carries each result as its 8-byte length and its bytes, then the
    sheet and the stamps to keep (empty: none), or the child's error."""

    def __init__(self) -> None:
        super().__init__()
        request_in, request = os.pipe()
        results, results_out = os.pipe()
        try:
            for fd in (request_in, results_out):
                os.set_inheritable(fd, True)
            self.pid = os.posix_spawn(sys.executable, [
                sys.executable, "-P", "-m", "atlas.painter", str(request_in), str(results_out)],
                os.environ)
        except BaseException:
            os.close(request)
            os.close(results)
            raise
        finally:
            os.close(request_in)
            os.close(results_out)
        self._request: int | None = request  # the parent's ends, while it has them
        self._results: int | None = results
        self._writer: Any = None  # the thread sending the jobs

    def use(self, sheet: Path | None, stamps: Path | None) -> None:
        """Name the sheet and stamps: the child reads them at once (a line fits in the pipe: no
        waiting)."""
        super().use(sheet, stamps)
        if self._request is not None:
            paths = [None if path is None else str(path) for path in self.kept]
            with contextlib.suppress(BrokenPipeError):  # the child is gone: see results()
                os.write(self._request, json.dumps(paths).encode() + b"\n")

    def ask(self, jobs: list[Job]) -> None:
        """Send the jobs, from a thread: the child reads them once it is ready, and a pipe holds
        only so much."""
        self.jobs = jobs
        if not jobs:  # nothing to draw: no need to wait for the child to get ready
            self.cancel()
            return
        import threading

        payload = json.dumps([[fmt, list(pic)] for fmt, pic in jobs]).encode()
        fd, self._request = self._request, None

        def send() -> None:
            with contextlib.suppress(BrokenPipeError), os.fdopen(fd, "wb") as pipe:
                pipe.write(payload)  # closing the pipe ends the request

        self._writer = threading.Thread(target=send, daemon=True)
        self._writer.start()

    def results(self) -> list[bytes]:
        if not self.jobs:
            return []
        fd, self._results = self._results, None
        with os.fdopen(fd, "rb") as pipe:
            data = pipe.read()
        if self._writer is not None:
            self._writer.join()
        _, status = os.waitpid(self.pid, 0)
        if status != 0 and not data:  # the child did not get going (it could not start Python,
            return super().results()  # say): draw in-process, where any error is the build's
        if status != 0:  # the child sent its error instead of results
            raise AtlasError("drawing the pictures failed:\n" + data.decode(errors="replace"))
        out, pos = [], 0
        while pos + 8 <= len(data):
            size = int.from_bytes(data[pos:pos + 8], "big")
            out.append(data[pos + 8:pos + 8 + size])
            pos += 8 + size
        if len(out) != len(self.jobs) + 2 or pos != len(data):
            raise AtlasError("drawing the pictures failed: the painter's results were cut short")
        self.stamps = out.pop() or None
        self.sheet = out.pop() or None
        return out

    def cancel(self) -> None:
        import signal

        with contextlib.suppress(ProcessLookupError, ChildProcessError):
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        for fd in (self._request, self._results):
            if fd is not None:
                os.close(fd)
        self._request = self._results = None
        if self._writer is not None:
            self._writer.join()


def _child(request_in: int, results_out: int) -> None:
    """The painter: get ready, read the paths of the sheet and stamps, and the jobs, write the
    results, or the error for the parent to report if it asks, then exit at once. A request that
    ends early means the parent went away, or needs nothing drawn."""
    from pathlib import Path

    from atlas import pictures

    code, out = 1, b""
    try:
        pictures.get_ready()
        with os.fdopen(request_in, "rb") as pipe:
            line = pipe.readline()
            if not line:  # the parent went away
                os._exit(0)
            sheet_path, stamps_path = (None if p is None else Path(p) for p in json.loads(line))
            sheet, fresh = make_sheet(sheet_path)
            stamps = read_stamps(stamps_path)
            pictures.get_ready(sheet)
            jobs = json.loads(pipe.read() or b"[]")
        drawn = [draw(sheet, stamps, fmt, pictures.Picture(*fields)) for fmt, fields in jobs]
        drawn += [sheet.kept() if fresh else b"", stamps.kept() if stamps.new else b""]
        out = b"".join(len(data).to_bytes(8, "big") + data for data in drawn)
        code = 0
    except BaseException:
        import traceback

        out = traceback.format_exc().encode()
    finally:
        with contextlib.suppress(OSError), os.fdopen(results_out, "wb") as pipe:
            pipe.write(out)
        os._exit(code)


def _can_start() -> bool:
    """Whether a child painter can help: Pillow not loaded yet (else drawing in-process costs
    no import), and another core to draw on."""
    cores = (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
             else os.cpu_count() or 1)
    return hasattr(os, "posix_spawn") and "PIL.Image" not in sys.modules and cores > 1


_early: ChildPainter | None = None  # started by start_early(), until start() takes it


def start_early() -> None:
    """Start the painter now, before a command's imports, for the build that follows to use."""
    global _early
    if _early is None and _can_start():
        with contextlib.suppress(OSError):  # no child, then: the build draws in-process
            _early = ChildPainter()


def stop_early() -> None:
    """Stop the early painter if no build took it (the command did not build)."""
    global _early
    if _early is not None:
        _early.cancel()
        _early = None


def start(sheet: Path | None, stamps: Path | None, busy: bool) -> Painter:
    """A painter drawing on the sheet and with the stamps kept at these paths (see use()): a
    child (started early, or now) if that helps (see the module's doc), else in-process.
    `busy`: another process is already working for this build."""
    global _early
    early, _early = _early, None
    painter: Painter
    if busy:
        if early is not None:
            early.cancel()
        painter = Painter()
    else:
        import threading

        # A long-running process (`atlas serve`, with its server thread) draws in-process: once
        # Pillow is loaded there, drawing costs it only the drawing.
        alone = threading.active_count() == 1
        painter = early or _child_or_none(alone) or Painter()
    painter.use(sheet, stamps)
    return painter


def _child_or_none(alone: bool) -> ChildPainter | None:
    """A child painter if one can help and starts, else None (draw in-process)."""
    if not (alone and _can_start()):
        return None
    try:
        return ChildPainter()
    except OSError:
        return None


if __name__ == "__main__":  # the child painter: python -P -m atlas.painter REQUEST_FD RESULTS_FD
    _child(int(sys.argv[1]), int(sys.argv[2]))
