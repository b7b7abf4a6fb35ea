"""The one orchestrator: records → validated table → joined countries → site files → `build/`.

`run()` reads top to bottom: hash the inputs (and stop if the site there was built from the same),
validate, join, make every file of the site, and write them into place all at once
(atlas.output). The downloads, the pictures and the geometry scripts come through the cache
(atlas.cache), keyed by what they show, so an edit remakes only what it changes.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

from atlas import __version__, clock, evidence, join, output
from atlas.cache import Cache, producer_versions
from atlas.errors import AtlasError, Problem, ValidationFailed
from atlas.evidence import codebook, loader, model, schema, tableschema
from atlas.evidence.model import Dataset
from atlas.evidence.schema import TITLE
from atlas.evidence.sources import document_ok
from atlas.exports import archive, catalog, datapackage, points, tables
from atlas.files import UnreadableFile, read_regular
from atlas.history import changes, releases
from atlas.site import changes as changes_page
from atlas.site import mappage, pages, payload, pictures
from atlas.site import points as site_points
from atlas.world import boundaries, webgeom

CACHE_DIR = ".atlas-cache"
#: Inputs are hashed up to the largest size validation accepts (a larger one is refused there).
HASH_LIMIT = max(model.MAX_BYTES, schema.MAX_CONFIG_BYTES)
STANDALONE = "atlas-standalone.html"


class Interrupted(KeyboardInterrupt):
    """Ctrl-C while the site was being written; `replaced`: the new site was already in place
    (the interrupt came while the old copy was being removed), else the old one is."""

    def __init__(self, replaced: bool):
        super().__init__()
        self.replaced = replaced


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


def validate(seeds: Path, check_quotes: bool = True, documents: Path | None = None,
             cfg: schema.Config | None = None,
             memo: loader.Memo = loader.made):  # -> (Dataset, Boundaries, Checked)
    """Load everything and collect every problem; raise ValidationFailed only for a bad config.
    `documents`: the folder of the sources' local copies (atlas.evidence.load); `cfg`: layers.toml
    if the caller has read it already; `memo`: the build cache's get, to keep found places."""
    bounds = boundaries.load()
    dataset, problems = evidence.load(seeds, documents, check_quotes, cfg, bounds, memo)
    return dataset, bounds, Checked(problems)


def run(seeds: Path, out: Path, tiles: str | None = None, strict: bool = False,
        force: bool = False, single_file: bool = False, pictures: bool = True,
        documents: Path | None = None) -> Checked:
    """Validate, then build the whole site into `out` atomically; `pictures` also writes the
    report pictures. Returns the problems (warnings) found.

    `force` rebuilds from nothing: the cache is not read (and is filled anew).
    """
    out = out.absolute()
    if not seeds.is_dir():
        raise AtlasError(f"{seeds}: seeds folder not found (use --seeds DIR)")
    if tiles is not None:
        mappage.check_tiles(tiles)
    try:
        return _run(seeds, out, tiles, strict, force, single_file, pictures, documents)
    except OSError as exc:  # a full or read-only disk, --out under a file, …
        where = f" ({exc.filename})" if exc.filename else ""
        # Where the build writes: the site, its temporary and old copies, the cache and lock.
        ours = (str(out), str(out.parent / f".{out.name}."), str(out.parent / CACHE_DIR))
        doing = "write the site" if not exc.filename or str(exc.filename).startswith(ours) \
            else "read the inputs"
        raise AtlasError(f"cannot {doing}: {exc.strerror or exc}{where}") from None


def _run(seeds: Path, out: Path, tiles: str | None, strict: bool, force: bool,
         single_file: bool, pictures: bool, documents: Path | None) -> Checked:
    """run() holding the lock: first an interrupted swap is finished (so a build that then
    fails leaves a site in place, as it says), then everything else."""
    cache_root = out.parent / CACHE_DIR
    writing = False  # from here on an interrupt asks the site's marker which site is in place
    try:
        with output.locked(out, cache_root / f"{out.name}.lock"):
            cfg = codebook.load_all(seeds)
            marker = output.check_target(out)
            made_by = f"{code_digest()}\0{producer_versions()}"
            options = f"tiles={tiles} strict={strict} single={single_file} pictures={pictures}"
            root = loader.documents_root(seeds, cfg, documents)
            head = f"inputs {input_digest(seeds, made_by, options, root)}"
            if not force and output.made_from(marker, head):
                return Checked([], up_to_date=True)
            cache = Cache(cache_root / out.name, made_by, read=not force)
            with _page(cache, tiles) as page:  # rendered beside validation on a miss
                dataset, bounds, checked = validate(seeds, documents=documents, cfg=cfg,
                                                    memo=cache.get)
                failing = checked.problems if strict else checked.errors
                if failing:
                    raise ValidationFailed(failing)
                files = _site_files(cache, seeds, dataset, bounds, pictures)
                files["index.html"] = page()
                if single_file:
                    files[STANDALONE] = payload.standalone_html(files)
            writing = True
            output.write_atomically(out, files, head)
            cache.prune()
    except KeyboardInterrupt:  # while writing, or while the lock is let go after it
        if not writing:
            raise
        raise Interrupted(output.made_from(output.read_marker(out), head)) from None
    return checked


@contextlib.contextmanager
def _page(cache: Cache, tiles: str | None) -> Iterator[Callable[[], bytes]]:
    """index.html, from the cache or rendered by folium in a second process started now.

    The page depends only on the code and `tiles`. Importing folium takes about as long as the
    rest of a cold build, so on a miss the two run side by side; the process is stopped if the
    build fails first.
    """
    key = f"tiles={tiles}"
    proc = None
    if not cache.has("index.html", key):
        command = [sys.executable, "-m", "atlas.site.render", *([tiles] if tiles else [])]
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def rendered() -> bytes:
        if proc is None:  # the entry went missing meanwhile: render here
            from atlas.site.mappage import index_html

            return index_html(tiles).encode()
        page, error = proc.communicate()
        if proc.returncode != 0:
            raise AtlasError(f"rendering index.html failed:\n{error.decode(errors='replace')}")
        return page

    try:
        yield lambda: cache.get("index.html", key, rendered)
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.communicate()


def _site_files(cache: Cache, seeds: Path, dataset: Dataset, bounds: boundaries.Boundaries,
                with_pictures: bool) -> dict[str, bytes]:
    """Every file of the site but the page: site data, assets, geometry, downloads, pages and
    pictures, as {path in the site: bytes}."""
    countries = join.join(bounds, dataset)
    meta = {"title": TITLE, **dataset.meta, "data_version": data_version(seeds),
            "atlas_version": __version__, "pictures": with_pictures}
    if clock.epoch() is not None:
        meta["build_date"] = time.strftime("%Y-%m-%d", time.gmtime(clock.epoch()))
    located = join.points(dataset, countries)
    origins = tuple(sorted({p.record.origin for p in located if p.licensed}))
    meta["downloads"] = [{"name": d.name, "menu": d.menu, "layer": d.layer}  # the site's menu
                         for d in catalog.downloads(dataset.layers, dataset.composites, origins)
                         if d.menu]
    data = payload.site_data(dataset, countries, meta)
    files = {"data/atlas-data.js": payload.data_js(data).encode()}
    for iso3, layers in payload.details(data).items():
        files[f"data/details/{iso3}.js"] = payload.details_js(iso3, layers).encode()
    for name, path in {**payload.leaflet_assets(), **payload.own_assets()}.items():
        files[name] = path.read_bytes()
    for name, level, variable in (("geometry.js", "detail", "ATLAS_GEOMETRY_DETAIL"),
                                  ("geometry-world.js", "world", "ATLAS_GEOMETRY")):
        files[f"data/{name}"] = cache.get(name, "", lambda level=level, variable=variable:
                                          webgeom.script(bounds.web(level), variable).encode())
    files.update(tables.files(bounds, countries, dataset.layers, dataset.composites,
                              cached=cache.get, date=meta.get("data_date", ""),
                              points=points.gpkg_tables(located, dataset.layers,
                                                        dataset.sources)))
    files.update(points.files(located, dataset.layers, dataset.sources))
    files["data/points.js"] = site_points.points_js(located, dataset.layers).encode()
    hist, meta["release"] = _history(seeds, dataset, countries)
    meta["last_release"] = _last_release(seeds)
    files.update(_described(hist, dataset, files, meta, origins))
    files.update({name: text.encode() for name, text in pages.files(dataset, countries,
                                                                      meta).items()})
    if with_pictures:
        files.update(_pictures(cache, dataset, countries, meta))
    files.update(payload.download_scripts(files))  # the menu's files, saved from file:// too
    return files


def _history(seeds: Path, dataset: Dataset,
             countries: tuple[join.Country, ...]) -> tuple[dict[str, Any], str]:
    """What changed in each release in seeds/releases/ and since the last one; and the last
    release's version if the records are that release's, else ""."""
    released = releases.load_all(seeds)
    hist = changes.history(released, releases.snapshot(dataset, "current"),
                           {c.iso3: c.name for c in countries})
    unreleased = any(hist["unreleased"]["counts"].values())
    return hist, released[-1].version if released and not unreleased else ""


def _last_release(seeds: Path) -> dict[str, str]:
    """The latest release's version and date, for the about page ({} if none)."""
    released = releases.load_all(seeds)
    return {"version": released[-1].version, "date": released[-1].date} if released else {}


def _described(hist: dict[str, Any], dataset: Dataset, files: dict[str, bytes],
               meta: dict[str, Any], origins: tuple[str, ...] = ()) -> dict[str, bytes]:
    """What changed (changes.json, changes.html) and the Data Package describing every
    download."""
    out = {"data/changes.json": changes.to_json(hist),
           "changes.html": changes_page.html(hist, meta.get("title", TITLE)).encode()}
    data = {name.removeprefix("data/"): b for name, b in {**files, **out}.items()
            if name.startswith("data/") and name.count("/") == 1}
    out["data/datapackage.json"] = datapackage.package(
        data, catalog.downloads(dataset.layers, dataset.composites, origins),
        tableschema.fields(dataset.layers, dataset.composites),
        meta, datapackage.sources(dataset.sources),
        {s.id: {c.name: c.field() for c in tableschema.point_columns(s)}
         for s in dataset.layers if s.located})
    out[f"data/{archive.NAME}"] = archive.archive(
        {**data, "datapackage.json": out["data/datapackage.json"]})
    return out


def _pictures(cache: Cache, dataset: Dataset, countries: tuple[join.Country, ...],
              meta: dict[str, Any]) -> dict[str, bytes]:
    """PNG and SVG of every layer, each cached by what it shows: an edit redraws only the
    pictures it changes, and the sheet of shapes is read only if one must be drawn."""
    sheet: list[pictures.Sheet] = []

    def draw(fmt: str, pic: pictures.Picture) -> bytes:
        if not sheet:
            sheet.append(pictures.Sheet(boundaries.picture_sheet()))
        if fmt == "png":
            return pictures.png(sheet[0], pic)
        return pictures.svg(sheet[0], pic).encode()

    specs = (*dataset.layers, *dataset.composites)
    counts = join.coverage(countries, [spec.id for spec in specs])
    out: dict[str, bytes] = {}
    for spec in specs:
        values = {c.iso3: (c.layers.get(spec.id) or {}).get("value") for c in countries}
        parts = [c.layer for c in getattr(spec, "components", ())] or [spec.id]  # a composite's
        pic = pictures.picture(spec, values, counts[spec.id], meta, _publishers(dataset, parts))
        for fmt in ("png", "svg"):
            out[f"pictures/{spec.id}.{fmt}"] = cache.get(
                f"picture-{spec.id}.{fmt}", pic.key(), lambda fmt=fmt, pic=pic: draw(fmt, pic))
    return out


def _publishers(dataset: Dataset, layer_ids: list[str]) -> list[str]:
    """Who published the sources the records of these layers cite, most cited first."""
    counts: Counter[str] = Counter()
    for lid in layer_ids:
        for rec in dataset.records.get(lid, {}).values():
            for cit in rec.citations:
                src = dataset.sources.get(cit.source)
                counts[(src and (src.publisher or src.title)) or cit.source] += 1
    return [name for name, _n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def _seed_files(seeds: Path) -> list[Path]:
    """The records and configuration: the seeds' own files and those an import wrote."""
    own = sorted(p for p in seeds.glob("*") if p.is_file() and p.suffix in (".csv", ".toml"))
    imported = sorted(p for folder in loader.imported_folders(seeds) for p in folder.glob("*")
                      if p.is_file() and p.suffix in (".csv", ".json"))
    return own + imported


def _hash_files(paths: list[Path]) -> str:
    """One hash of the files' names and contents (a missing or unreadable file counts as such),
    the same wherever the files are."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode() + b"\0")
        try:  # a special file or a huge one is refused by validation; here it only counts
            digest.update(hashlib.sha256(read_regular(path, HASH_LIMIT)).digest())
        except (OSError, ValueError, UnreadableFile) as exc:  # ValueError: a NUL in a name
            digest.update(f"unreadable: {exc}".encode())
    return digest.hexdigest()


def data_version(seeds: Path) -> str:
    """A short content hash of the records and configuration: changes when the data changes."""
    return _hash_files(_seed_files(seeds))[:12]


def _documents(seeds: Path, root: Path) -> list[Path]:
    """The local copies in `root` that sources.csv names (their quotes are checked, so they
    count)."""
    try:
        text = read_regular(seeds / "sources.csv", model.MAX_BYTES).decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text)))
    except (OSError, UnreadableFile, UnicodeDecodeError, csv.Error):
        return []
    # Only the names validation would accept are looked at: a NUL byte or a '..' in the cell
    # must be refused by validation in one line, not reach the file system here first.
    return sorted({root / r["document"] for r in rows
                   if isinstance(r.get("document"), str) and document_ok(r["document"])})


def input_digest(seeds: Path, made_by: str, options: str, documents: Path) -> str:
    """Everything a build depends on: what makes it (`made_by`: the atlas's code and boundaries,
    the libraries' versions), the records, documents and releases, the options and the year
    (which bounds valid years)."""
    from atlas.clock import current_year

    head = f"{made_by}\0{options}\0{current_year()}\0"
    return hashlib.sha256(head.encode() + _hash_files(
        _seed_files(seeds) + _documents(seeds, documents)
        + releases.release_files(seeds)).encode()).hexdigest()


def code_files() -> list[Path]:
    """Every file of the atlas package, in every sub-package (Python modules and the site's
    assets): an edit in any of them must not reuse output the old code made."""
    package = Path(__file__).parent
    return sorted(p for p in package.rglob("*") if p.is_file() and p.suffix != ".pyc"
                  and "__pycache__" not in p.parts)


def code_digest() -> str:
    """A hash of the atlas package's own files and the boundaries (what every product of a
    build depends on besides the records)."""
    return _hash_files(code_files() + boundaries.files())
