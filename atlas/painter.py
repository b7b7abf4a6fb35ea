"""Draws the report pictures a build asks for: beside the build, in a forked child, where it can.

A rebuild after a class change redraws one or two pictures. Pillow takes about 25 ms to import
and a PNG about 15 ms to draw, against about 0.1 s for the rest of such a rebuild, so a rebuild
forks a painter as it starts: the child imports Pillow and reads the sheet while the parent
validates the records, then draws what the parent asks for while the parent writes the
downloads and pages (or is stopped, if nothing needs drawing). Where fork is missing or unsafe
(other threads, as under `atlas serve`), where Pillow is already loaded, or when the build has a
page to render in another process already (a cold build: the cores are busy), the pictures are
drawn in-process instead.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
from collections.abc import Callable

from atlas import pictures
from atlas.errors import AtlasError

#: What to draw: the format ("png" or "svg") and the picture.
Job = tuple[str, pictures.Picture]


def draw(sheet: pictures.Sheet, fmt: str, pic: pictures.Picture) -> bytes:
    return pictures.png(sheet, pic) if fmt == "png" else pictures.svg(sheet, pic).encode("utf-8")


class Painter:
    """Draws in-process, when the results are asked for."""

    def __init__(self, make_sheet: Callable[[], pictures.Sheet]):
        self.make_sheet = make_sheet
        self.jobs: list[Job] = []
        self.sheet: pictures.Sheet | None = None  # made here, if it drew anything

    def ask(self, jobs: list[Job]) -> None:
        self.jobs = jobs

    def results(self) -> list[bytes]:
        """One result per job, in order."""
        if not self.jobs:
            return []
        self.sheet = sheet = self.make_sheet()
        return [draw(sheet, fmt, pic) for fmt, pic in self.jobs]

    def cancel(self) -> None:
        """Stop without results (the build failed)."""


class ForkedPainter(Painter):
    """Draws in a forked child that gets ready as soon as it starts (see the module's doc)."""

    def __init__(self, make_sheet: Callable[[], pictures.Sheet]):
        super().__init__(make_sheet)
        request_in, request = os.pipe()
        results, results_out = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            os.close(request)
            os.close(results)
            _child(request_in, results_out, make_sheet)  # never returns
        os.close(request_in)
        os.close(results_out)
        self._request: int | None = request  # the parent's ends, while it has them
        self._results: int | None = results
        self._writer: threading.Thread | None = None

    def ask(self, jobs: list[Job]) -> None:
        """Send the jobs, from a thread: the child reads them once it is ready, and a pipe holds
        only so much."""
        self.jobs = jobs
        if not jobs:  # nothing to draw: no need to wait for the child to get ready
            self.cancel()
            return
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
        if status != 0:  # the child sent its error instead of results
            raise AtlasError("drawing the pictures failed:\n" + data.decode(errors="replace"))
        out, pos = [], 0
        while pos + 8 <= len(data):
            size = int.from_bytes(data[pos:pos + 8], "big")
            out.append(data[pos + 8:pos + 8 + size])
            pos += 8 + size
        if len(out) != len(self.jobs) or pos != len(data):
            raise AtlasError("drawing the pictures failed: the painter's results were cut short")
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


def _child(request_in: int, results_out: int, make_sheet: Callable[[], pictures.Sheet]) -> None:
    """The painter: get ready, read the jobs, write the results (each as its 8-byte length and
    its bytes), or the error for the parent to report if it asks, then exit at once."""
    code, out = 1, b""
    try:
        sheet = make_sheet()
        pictures.get_ready(sheet)
        with os.fdopen(request_in, "rb") as pipe:
            jobs = json.loads(pipe.read() or b"[]")  # nothing: the parent went away
        drawn = [draw(sheet, fmt, pictures.Picture(*fields)) for fmt, fields in jobs]
        out = b"".join(len(data).to_bytes(8, "big") + data for data in drawn)
        code = 0
    except BaseException:
        import traceback

        out = traceback.format_exc().encode()
    finally:
        with contextlib.suppress(OSError), os.fdopen(results_out, "wb") as pipe:
            pipe.write(out)
        os._exit(code)


def start(make_sheet: Callable[[], pictures.Sheet], busy: bool) -> Painter:
    """A painter: forked if that helps and is safe (see the module's doc), else in-process.
    `busy`: another process is already working for this build."""
    if (busy or not hasattr(os, "fork") or threading.active_count() > 1
            or "PIL.Image" in sys.modules):
        return Painter(make_sheet)
    return ForkedPainter(make_sheet)
