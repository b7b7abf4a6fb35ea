"""The one orchestrator: records → validated table → joined countries → site files → `build/`.

A build is written into a temporary directory beside the target and swapped into place only when
complete, so a failed or interrupted build leaves the previous site untouched. A build whose inputs
are unchanged does nothing (its inputs' hashes are kept by stat: atlas.digests). The page (which
depends only on the code), the downloads, the pictures, the country pages and the assets are
cached beside the target, keyed by content hash (the downloads and pictures by the values they
show), and hard-linked into the build, so editing a record redoes little; the pictures it does
change are drawn by a painter process started with the build (atlas.painter).
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from atlas import TITLE, __version__, boundaries
from atlas.digests import FileDigests
from atlas.errors import AtlasError, Problem, ValidationFailed

if TYPE_CHECKING:
    import subprocess

    from atlas.painter import Painter

MARKER = ".atlas-build"
CACHE_DIR = ".atlas-cache"
DIGESTS_MEMO = "memo-file-digests"
CONFIG_MEMO = "memo-layers-toml"
SHEET = "picture-sheet"  # the pictures' sheet as atlas.pictures.Sheet.kept() keeps it
STAMPS = "memo-picture-text"  # the pictures' text as atlas.pictures.Stamps.kept() keeps it


class Checked(NamedTuple):
    """The outcome of validation (and of a build): every problem found."""

    problems: list[Problem]
    up_to_date: bool = False

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if not p.warning]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.warning]


def validate(seeds: Path, check_quotes: bool = True, cache: Cache | None = None,
             code: str = "", digests: FileDigests | None = None
             ):  # -> (Dataset, Boundaries, Checked)
    """Load everything and collect every problem; raise ValidationFailed only for a bad config.

    With a build's `cache` (and the code's digest), the outcomes of quote checks are kept between
    builds, so a rebuild re-checks only quotes or documents that changed; with its `digests`, a
    document is hashed only if it changed.
    """
    from atlas import config, quotes, records

    if not seeds.is_dir():
        raise AtlasError(f"{seeds}: seeds folder not found (use --seeds DIR)")
    layers, composites, meta = config.load_all(seeds, _parsed_config(seeds, cache, digests))
    bounds = boundaries.load()
    memo = f"memo-quote-checks-{code[:16]}"
    docs = quotes.Documents(cache.memo(memo) if cache else None,
                            digests) if check_quotes else False
    dataset, problems = records.load(seeds, layers, bounds.keys, docs, composites, meta)
    if cache and docs and docs.used != docs.memo:
        cache.keep(memo, docs.used)
    return dataset, bounds, Checked(problems)


def _parsed_config(seeds: Path, cache: Cache | None, digests: FileDigests | None
                   ) -> dict[str, Any] | None:
    """layers.toml as parsed (config.read), kept between builds as JSON (faster to read than
    TOML) while the file is unchanged; None without a build's cache."""
    from atlas import config

    if cache is None or digests is None:
        return None
    digest = digests.of(seeds / config.CONFIG_NAME)
    memo = cache.memo(CONFIG_MEMO)
    if digest is not None and memo.get("digest") == digest and isinstance(memo["parsed"], dict):
        return memo["parsed"]
    raw = config.read(seeds)
    with contextlib.suppress(TypeError):  # a TOML date or time is not JSON: parsed every build
        cache.keep(CONFIG_MEMO, {"digest": digest, "parsed": raw})
    return raw


def _seed_files(seeds: Path) -> list[Path]:
    return sorted(p for p in seeds.glob("*") if p.is_file() and p.suffix in (".csv", ".toml"))


def data_version(seeds: Path, digests: FileDigests | None = None) -> str:
    """A short content hash of the records and configuration: changes when the data changes."""
    return (digests or FileDigests()).combined(_seed_files(seeds))[:12]


def _documents(seeds: Path) -> list[Path]:
    """The source documents sources.csv points at (their quotes are checked, so they count)."""
    try:
        text = (seeds / "sources.csv").read_text(encoding="utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text)))
    except (OSError, UnicodeDecodeError, csv.Error):
        return []
    return sorted({seeds / r["document"] for r in rows if r.get("document")})


def input_digest(seeds: Path, tiles: str | None, strict: bool, code: str, geo: str,
                 digests: FileDigests) -> str:
    """Everything a build depends on: atlas code and boundaries (their digests), records,
    documents, options."""
    from atlas.clock import current_year

    head = f"{code}\0{geo}\0{tiles}\0{strict}\0{current_year()}\0"
    return hashlib.sha256(head.encode() + digests.combined(
        _seed_files(seeds) + _documents(seeds)).encode()).hexdigest()


class Cache:
    """Content-addressed products beside the output; entries unused by the last build are pruned."""

    def __init__(self, root: Path):
        self.root = root
        self.used: set[str] = set()

    @staticmethod
    def entry(name: str, key: str) -> str:
        return f"{name}-{hashlib.sha256(key.encode()).hexdigest()[:16]}"

    def file(self, name: str, key: str, make: Callable[[], bytes]) -> Path:
        """The entry's path, made on a miss: a build links it in rather than copying it.

        Entries are read-only, so a linked output file cannot be edited into a wrong entry.
        """
        entry = self.entry(name, key)
        self.used.add(entry)
        path = self.root / entry
        if not path.is_file():
            data = make()
            self.root.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{entry}.{os.getpid()}")
            tmp.write_bytes(data)
            tmp.chmod(0o444)
            tmp.replace(path)
        return path

    def stored(self, name: str, key: str) -> Path | None:
        """The entry's path if it is stored (and then used by this build), else None."""
        entry = self.entry(name, key)
        if not (self.root / entry).is_file():
            return None
        self.used.add(entry)
        return self.root / entry

    def memo(self, name: str) -> dict[str, Any]:
        """A small JSON record kept between builds under a fixed name (replaced, not keyed)."""
        self.used.add(name)
        try:
            value = json.loads((self.root / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return value if isinstance(value, dict) else {}

    def memo_path(self, name: str) -> Path:
        """Where a memo is kept (for another process to read); it stays, like memo()'s."""
        self.used.add(name)
        return self.root / name

    def keep(self, name: str, value: dict[str, Any] | bytes) -> None:
        """Replace a memo: a JSON record (memo() reads it) or bytes."""
        self.used.add(name)
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f".{name}.{os.getpid()}"
        tmp.write_bytes(value if isinstance(value, bytes)
                        else json.dumps(value, ensure_ascii=False).encode())
        tmp.replace(self.root / name)

    def start(self, name: str, key: str, command: list[str]) -> Pending:
        """Like file(), but a miss is made by `command` (its stdout), running in the background."""
        if (self.root / self.entry(name, key)).is_file():
            return Pending(self, name, key, None)
        import subprocess  # only on a miss: a rebuild with the page cached never starts one

        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        return Pending(self, name, key, proc)

    def prune(self) -> None:
        if self.root.is_dir():
            for path in self.root.iterdir():
                if path.name not in self.used:
                    path.unlink(missing_ok=True)


STANDALONE = "atlas-standalone.html"


class Pending(NamedTuple):
    """A cache entry being produced by a child process."""

    cache: Cache
    name: str
    key: str
    proc: subprocess.Popen[bytes] | None

    def result(self) -> Path:
        """The cache entry, made by the child process on a miss."""
        def wait() -> bytes:
            assert self.proc is not None
            stdout, stderr = self.proc.communicate()
            if self.proc.returncode != 0:
                message = stderr.decode(errors="replace")
                raise AtlasError(f"rendering {self.name} failed:\n{message}")
            return stdout

        return self.cache.file(self.name, self.key, wait)

    def cancel(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate()


def _render_command(tiles: str | None) -> list[str]:
    return [sys.executable, "-m", "atlas._render", *([tiles] if tiles else [])]


def run(seeds: Path, out: Path, tiles: str | None = None, strict: bool = False,
        force: bool = False, single_file: bool = False, pictures: bool = True) -> Checked:
    """Validate, then build the whole site into `out` atomically. Returns the warnings."""
    out = out.absolute()
    check_target(out)
    # The page depends only on the code: start rendering it (if not cached) before anything else.
    cache = Cache(out.parent / CACHE_DIR / out.name)
    digests = FileDigests(cache.memo(DIGESTS_MEMO))
    code = code_digest(digests)
    page = cache.start("index.html", code + str(tiles), _render_command(tiles))
    geo = digests.combined(boundaries.files())  # the boundaries and what `atlas geodata` derived
    # Pictures a rebuild changes are drawn by a painter that starts now (atlas.painter).
    painter = _painter(cache, code, geo, pictures, busy=page.proc is not None)
    digest = input_digest(seeds, tiles, strict, code, geo, digests) + (
        "-single" if single_file else "") + ("" if pictures else "-no-pictures")
    marker = f"dsr-atlas {__version__}\ninputs {digest}\n".encode()
    if digests.changed:
        cache.keep(DIGESTS_MEMO, digests.kept)
    if not force and (out / MARKER).is_file() and (out / MARKER).read_bytes() == marker:
        page.cancel()
        painter.cancel()
        return Checked([], up_to_date=True)

    try:
        checked = _build(seeds, out, cache, digests, code, geo, marker, page, painter,
                         strict=strict, single_file=single_file, pictures=pictures)
    except BaseException:
        page.cancel()
        painter.cancel()
        raise
    cache.prune()
    return checked


def _painter(cache: Cache, code: str, geo: str, pictures: bool, busy: bool) -> Painter:
    """The painter of this build's pictures, on the sheet and with the text stamps kept in the
    cache (if they are)."""
    from atlas import painter

    if not pictures:
        painter.stop_early()
        return painter.Painter()
    return painter.start(cache.stored(SHEET, code + geo), cache.memo_path(_stamps(code)),
                         busy=busy)


def _stamps(code: str) -> str:
    """The name of the text stamps' memo: by the code's digest, as fonts and sizes are code."""
    return f"{STAMPS}-{code[:16]}"


def _build(seeds: Path, out: Path, cache: Cache, digests: FileDigests, code: str, geo: str,
           marker: bytes, page: Pending, painter: Painter, *, strict: bool, single_file: bool,
           pictures: bool) -> Checked:
    """The build proper, once it is known to be needed (see run())."""
    from atlas import join, site

    dataset, bounds, checked = validate(seeds, cache=cache, code=code, digests=digests)
    failing = checked.problems if strict else checked.errors
    if failing:
        raise ValidationFailed(failing)
    countries = join.join(bounds, dataset)
    meta = {"title": TITLE, **dataset.meta, "data_version": data_version(seeds, digests),
            "atlas_version": __version__, "pictures": pictures}
    if os.environ.get("SOURCE_DATE_EPOCH", "").isdigit():
        meta["build_date"] = time.strftime(
            "%Y-%m-%d", time.gmtime(int(os.environ["SOURCE_DATE_EPOCH"])))

    files: dict[str, bytes | Path] = {}  # a Path: a cache entry, linked in
    data = site.site_data(dataset, countries, meta)
    drawn = _pictures(cache, data, code, geo, painter) if pictures else dict  # asked at once
    from atlas import export, pages, webgeom  # after asking: the painter need not wait for these

    files["data/atlas-data.js"] = site.data_js(data).encode()
    for name, path in {**site.leaflet_assets(), **site.own_assets()}.items():
        files[name] = cache.file(name.replace("/", "-"), digests.of(path) or "", path.read_bytes)

    def geometry(level: str, variable: str) -> Callable[[], bytes]:
        return lambda: webgeom.script(bounds.web(level), variable).encode()

    for name, level, variable in (("geometry.js", "detail", "ATLAS_GEOMETRY_DETAIL"),
                                  ("geometry-world.js", "world", "ATLAS_GEOMETRY")):
        files[f"data/{name}"] = cache.file(name, code + geo, geometry(level, variable))
    files.update(export.files(bounds, countries, dataset.layers, dataset.composites,
                              cached=lambda name, key, make: cache.file(
                                  f"download-{name}", code + geo + key, make)))
    for name, text in pages.files(dataset, countries, meta).items():
        encoded = text.encode("utf-8")
        # A country page shows only its country's data (no build-wide version), so most are
        # unchanged by an edit: cached by content, they are linked rather than written anew.
        files[name] = cache.file(name.replace("/", "-"), text, lambda e=encoded: e) if (
            name.startswith("country/")) else encoded
    files.update(drawn())

    def last() -> dict[str, bytes | Path]:
        """The page (rendered meanwhile in the child process) and what depends on it."""
        html = page.result()
        extra: dict[str, bytes | Path] = {"index.html": html, MARKER: marker}
        if single_file:
            extra[STANDALONE] = site.standalone_html({**files, "index.html": html})
        return extra

    write_atomically(out, files, last)
    return checked


def _pictures(cache: Cache, data: dict, code: str, geo: str,
              painter: Painter) -> Callable[[], dict[str, Path]]:
    """PNG and SVG of every layer; each cached by what it shows (and the code's and the
    boundaries' digests), so an edit redraws only the pictures it changes. The painter is asked
    for those at once; the function returned gives them all (call it as late as possible)."""
    from atlas import pictures

    base = code + geo
    out: dict[str, Path] = {}
    todo: list[tuple[str, str, str]] = []  # file, cache entry, key: one for each painter job
    jobs: list[tuple[str, pictures.Picture]] = []
    for layer in data["layers"]:
        lid = layer["id"]
        values = {key: (c["layers"].get(lid) or {}).get("value")
                  for key, c in data["countries"].items()}
        pic = pictures.picture(layer, values, data["coverage"][lid], data["meta"])
        key = base + pic.key()
        for fmt in ("png", "svg"):
            name, entry = f"pictures/{lid}.{fmt}", f"picture-{lid}.{fmt}"
            stored = cache.stored(entry, key)
            if stored:
                out[name] = stored
            else:
                todo.append((name, entry, key))
                jobs.append((fmt, pic))
    painter.ask(jobs)

    def collect() -> dict[str, Path]:
        for (name, entry, key), made in zip(todo, painter.results(), strict=True):
            out[name] = cache.file(entry, key, lambda made=made: made)
        if painter.sheet:  # made afresh: keep the sheet for the next builds
            cache.file(SHEET, base, lambda: painter.sheet)
        if painter.stamps:  # new text was drawn: keep it for the next builds
            cache.keep(_stamps(code), painter.stamps)
        return out

    return collect


def code_digest(digests: FileDigests | None = None) -> str:
    """A hash of the atlas package's own files (what the page depends on)."""
    package = Path(__file__).parent
    paths = sorted(package.glob("*.py")) + sorted((package / "assets").glob("*"))
    files = (digests or FileDigests()).combined(paths)
    return hashlib.sha256(f"{__version__}\0{files}".encode()).hexdigest()


def check_target(out: Path) -> None:
    """Refuse to replace a non-empty directory that is not a previous atlas build."""
    if out.exists() and not out.is_dir():
        raise AtlasError(f"{out}: exists and is not a directory")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise AtlasError(
            f"{out}: not empty and not a previous atlas build (no {MARKER}); refusing to replace "
            "it — choose an empty or new --out directory"
        )


def write_atomically(out: Path, files: Mapping[str, bytes | Path],
                     last: Callable[[], Mapping[str, bytes | Path]] | None = None) -> None:
    """Write all files into a temp dir beside `out`, then swap it into place.

    A file given as a Path (a cache entry) is hard-linked, or copied where links are not possible.
    `last` gives the files that are still being made (written after the others, before the swap).
    """
    out = out.absolute()
    check_target(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    for stale in out.parent.glob(f".{out.name}.tmp-*"):
        shutil.rmtree(stale, ignore_errors=True)  # left by an interrupted build
    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}"
    tmp.mkdir()  # stale ones (any pid) were removed just above
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    try:
        made = {tmp}
        for batch in (files, last() if last else {}):
            for name, data in sorted(batch.items()):
                path = tmp / name
                if path.parent not in made:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    made.add(path.parent)
                if isinstance(data, Path):
                    try:
                        os.link(data, path)
                    except OSError:  # another file system, or no hard links here
                        shutil.copyfile(data, path)
                else:
                    path.write_bytes(data)
        os.chmod(tmp, 0o755)
        if out.exists():
            out.rename(old)
        try:
            tmp.rename(out)
        except BaseException:
            if old.exists() and not out.exists():
                old.rename(out)
            raise
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    shutil.rmtree(old, ignore_errors=True)
