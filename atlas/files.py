"""Reading files safely: the user's (only regular files, never more than a stated size), and
those of installed packages; and writing one file whole or not at all.

A seeds folder can hold anything: a folder named like a records file, a FIFO (reading one waits
forever for a writer), a link to a device (`/dev/zero` never ends). Every file the atlas reads
from the user goes through read_regular, which opens without blocking, refuses what is not a
regular file and stops at the size limit, so none of these can hang a build or fill memory.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from atlas.errors import AtlasError


class UnreadableFile(Exception):
    """A path that is not a regular file, or is larger than allowed; the message says which."""


def read_regular(path: Path, limit: int) -> bytes:
    """The bytes of the regular file `path`, at most `limit` of them.

    Raises FileNotFoundError when it is absent, UnreadableFile when it is not a regular file or
    is over `limit` bytes, and OSError for anything else the system refuses.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except IsADirectoryError:
        raise UnreadableFile("is a folder, not a file") from None
    try:  # checked before Python wraps it: FileIO refuses a folder with an error of its own
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise UnreadableFile("is a folder, not a file" if stat.S_ISDIR(mode)
                                 else "is not a regular file (a pipe, device or socket)")
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        if size > limit:
            raise UnreadableFile(f"is {size:,} bytes; the atlas reads files of at most "
                                 f"{limit:,} bytes")
        data = f.read(limit + 1)
    if len(data) > limit:  # grew while being read
        raise UnreadableFile(f"is over {limit:,} bytes; the atlas reads files of at most "
                             f"{limit:,} bytes")
    return data


def write_whole(path: Path, data: bytes) -> None:
    """Write `path` whole or not at all: into a temporary file beside it, flushed to the disk,
    then renamed into place. Any failure (a full disk, an interrupt) removes the temporary file
    and leaves `path` as it was; the OSError is raised for the caller to say in one line."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())  # a full disk may only say so here
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise


def package_dir(name: str, install: str) -> Path:
    """Where an installed package's files are, found without importing it; a clear error with
    the `install` advice if it is missing."""
    import importlib.util

    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise AtlasError(f"the package {name!r} is not installed; {install}")
    return Path(next(iter(spec.submodule_search_locations)))
