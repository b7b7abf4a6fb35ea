"""Writing a site into place: all or nothing, one build at a time.

A build is written into a temporary directory beside the target and swapped in only when
complete, so a failed or interrupted build leaves the previous site as it was. The swap is two
renames (the old site aside, the new one in); a build killed between them is finished at the next
start, which puts the old site back. A lock beside the target makes concurrent builds into one
folder take turns. The marker file `.atlas-build` lists every file of the build, so a folder is
only replaced when it holds exactly what an atlas build wrote there.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import shutil
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

from atlas.errors import AtlasError

MARKER = ".atlas-build"
MARKER_HEAD = "dsr-atlas build"
#: How long a build waits for another build into the same folder to finish.
LOCK_WAIT = 600.0


def _checkpoint(step: str) -> None:
    """A named point of the swap (a fault-injection test stops the process at each one)."""


def _siblings(out: Path, kind: str) -> list[Path]:
    return sorted(out.parent.glob(f".{out.name}.{kind}-*"))


def marker_text(head: str, files: Mapping[str, bytes]) -> bytes:
    """The marker: MARKER_HEAD, the caller's `head` (what the build was made from), then every
    file of the build with its size."""
    listing = "".join(f"{len(data)} {name}\n" for name, data in sorted(files.items()))
    return f"{MARKER_HEAD}\n{head}\nfiles\n{listing}".encode()


def read_marker(out: Path) -> str | None:
    """The marker's text if `out` holds a sound atlas build (every file it lists, and no other),
    else None."""
    try:
        text = (out / MARKER).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    head, sep, listing = text.partition("\nfiles\n")
    if not sep or not head.startswith(MARKER_HEAD + "\n"):
        return None
    listed: dict[str, int] = {}
    for line in listing.splitlines():
        size, _, name = line.partition(" ")
        if not re.fullmatch(r"[0-9]{1,15}", size) or not name:  # isdigit() takes '²' too
            return None
        listed[name] = int(size)
    found: dict[str, int] = {}
    for path in out.rglob("*"):
        if path.is_symlink() or not (path.is_file() or path.is_dir()):
            return None
        if path.is_file() and path.name != MARKER:
            found[path.relative_to(out).as_posix()] = path.stat().st_size
    return text if found == listed else None


def made_from(marker: str | None, head: str) -> bool:
    """Whether a site's marker (read_marker, check_target) says it was built from `head`."""
    return (marker or "").startswith(f"{MARKER_HEAD}\n{head}\n")


def check_target(out: Path) -> str | None:
    """Refuse a target that is a file, or a non-empty folder that is not a sound atlas build;
    return the marker of the build there (None: no build there yet)."""
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise AtlasError(f"{out}: exists and is not a directory — choose another --out")
    if not out.is_dir() or not any(out.iterdir()):
        return None
    marker = read_marker(out)
    if marker is None:
        raise AtlasError(
            f"{out}: not empty and not an atlas build (its {MARKER} does not list exactly "
            "the files there); refusing to replace it — choose an empty or new --out directory")
    return marker


@contextlib.contextmanager
def locked(out: Path, lock_path: Path, wait: float = LOCK_WAIT) -> Iterator[None]:
    """Hold the lock file `lock_path` of target `out` (waiting up to `wait` seconds for another
    build), and first finish a swap that an earlier build left half done."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+b") as lock:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() > deadline:
                    raise AtlasError(f"{out}: another build into it is still running; try again "
                                     "when it has finished") from None
                time.sleep(0.05)
        try:
            recover(out)
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def recover(out: Path) -> None:
    """Finish what an interrupted build left: put the old site back if the new one never
    arrived, and remove temporary and old copies."""
    olds = _siblings(out, "old")
    if not out.exists() and olds:
        olds[-1].rename(out)
    for stale in _siblings(out, "tmp") + _siblings(out, "old"):
        shutil.rmtree(stale, ignore_errors=True)


def write_atomically(out: Path, files: Mapping[str, bytes], head: str) -> None:
    """Write `files` (path in the site → content) and the marker into a temporary folder beside
    `out`, then swap it into place. Call it holding locked(out), after check_target(out)."""
    out = out.absolute()
    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}"
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    tmp.mkdir()
    try:
        made = {tmp}
        for name, data in sorted(files.items()):
            path = tmp / name
            if path.parent not in made:
                path.parent.mkdir(parents=True, exist_ok=True)
                made.add(path.parent)
            path.write_bytes(data)
        (tmp / MARKER).write_bytes(marker_text(head, files))
        os.chmod(tmp, 0o755)
        _checkpoint("written")
        if out.exists():
            out.rename(old)
        _checkpoint("old moved aside")
        try:
            tmp.rename(out)
        except BaseException:
            if old.exists() and not out.exists():
                old.rename(out)
            raise
        _checkpoint("new moved in")
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    shutil.rmtree(old, ignore_errors=True)
    _checkpoint("old removed")
