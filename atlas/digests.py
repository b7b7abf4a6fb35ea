"""Content digests of input files, remembered between builds by each file's stat.

A build is keyed by the content of everything it reads: the records, the source documents, the
boundaries and the atlas's own code. Reading and hashing all of that again (several MB, most of
it boundaries that never change) would cost more than the rest of a one-record rebuild, so each
file's SHA-256 is kept with its size, inode, mtime and ctime, and a file whose stat is unchanged
is not read again. As in git's index, an entry is kept only for a file last changed more than
SETTLED_NS before the build looked at it: two writes within one timestamp tick cannot then be
mistaken for one.
"""

from __future__ import annotations

import hashlib
import os
import stat
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

SETTLED_NS = 2_000_000_000


class FileDigests:
    """SHA-256 of files by path; `known` is what a previous build kept (see `kept`)."""

    def __init__(self, known: dict[str, list[Any]] | None = None):
        self.known = known or {}
        self.kept: dict[str, list[Any]] = {}  # this build's entries, for the next build
        self._now = time.time_ns()
        self._this: dict[str, str | None] = {}

    def of(self, path: Path) -> str | None:
        """The file's SHA-256 (hex), or None if it is not a readable file."""
        key = os.path.abspath(path)
        if key in self._this:
            return self._this[key]
        try:
            st = os.stat(key)
            if not stat.S_ISREG(st.st_mode):
                raise OSError
            sig = [st.st_size, st.st_ino, st.st_mtime_ns, st.st_ctime_ns]
            entry = self.known.get(key)
            if isinstance(entry, list) and entry[:4] == sig:
                digest = entry[4]
            else:
                digest = hashlib.sha256(Path(key).read_bytes()).hexdigest()
        except OSError:
            self._this[key] = None
            return None
        if self._now - max(st.st_mtime_ns, st.st_ctime_ns) > SETTLED_NS:
            self.kept[key] = [*sig, digest]
        self._this[key] = digest
        return digest

    def combined(self, paths: Iterable[Path]) -> str:
        """One digest of several files, by name and content (a missing file counts as such)."""
        digest = hashlib.sha256()
        for path in paths:
            digest.update(f"{path.name}\0{self.of(path) or '-'}\0".encode())
        return digest.hexdigest()

    @property
    def changed(self) -> bool:
        """Whether `kept` differs from what the previous build kept."""
        return self.kept != self.known
