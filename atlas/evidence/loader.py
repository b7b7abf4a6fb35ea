"""The one way to load the evidence: layers.toml, the records, sources, citations, companies and
aggregates, every value checked. Every command and the Python API read the seeds through here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from atlas.errors import AtlasError, Problem, Problems, collecting, collector
from atlas.evidence import codebook, derive, locations, quotes
from atlas.evidence.citations import _report_missing_documents, load_citations, settle_confidence
from atlas.evidence.model import (
    AGGREGATES_FILE,
    CITATIONS_FILE,
    COMPANIES_FILE,
    MAX_PROBLEMS,
    SOURCES_FILE,
    STEPS_FILE,
    Dataset,
    Record,
    Source,
)
from atlas.evidence.records import load_layer
from atlas.evidence.schema import Config
from atlas.evidence.sources import company_names, load_aggregates, load_companies, load_sources
from atlas.evidence.steps import load_steps
from atlas.world import boundaries
from atlas.world.boundaries import Boundaries

#: Keeps a product between readings: (name, key, make) -> its bytes, `make` run on a miss (a
#: build passes its cache's get; alone, everything is made).
Memo = Callable[[str, str, Callable[[], bytes]], bytes]


def made(_name: str, _key: str, make: Callable[[], bytes]) -> bytes:
    """No memo: everything is made each time."""
    return make()


def documents_root(seeds: Path, cfg: Config, documents: Path | None = None) -> Path:
    """Where the sources' local copies are: `documents` if given, else the `[atlas] documents`
    setting (relative to the seeds), else `seeds/documents`."""
    return documents or seeds / cfg.meta.get("documents", "documents")


def load(seeds: Path, documents: Path | None = None, check_quotes: bool = True,
         cfg: Config | None = None, bounds: Boundaries | None = None, memo: Memo = made
         ) -> tuple[Dataset, Problems]:
    """Read every file in `seeds/`; return the dataset and all problems (errors and warnings).

    Raises AtlasError for a missing folder and ValidationFailed for a bad layers.toml (nothing
    else can be read without it). `documents`: the folder of the sources' local copies, to
    check quotes against (see documents_root); `cfg`: layers.toml if the caller has read it
    already; `bounds`: the boundaries, if the caller has read them; `memo`: where the
    records' places, once found, are kept (see _place).

    Records an import wrote (`seeds/imported/<name>/`: a layer's file, sources.csv,
    citations.csv) are read as the hand-written ones are, after them.
    """
    if not seeds.is_dir():
        raise AtlasError(f"{seeds}: seeds folder not found (use --seeds DIR)")
    cfg = cfg or codebook.load_all(seeds)
    bounds = bounds or boundaries.load()
    known = bounds.keys
    with collecting() as problems:
        docs = quotes.Documents(documents_root(seeds, cfg, documents)) if check_quotes else None
        companies = load_companies(seeds)
        names = company_names(companies) if (seeds / COMPANIES_FILE).exists() else None
        refused: dict[str, set[str]] = {spec.id: set() for spec in cfg.layers}
        records = {spec.id: load_layer(spec, seeds, known, names, refused[spec.id])
                   for spec in cfg.layers}
        sources = load_sources(seeds, tuple(cfg.confidence.kinds))
        load_citations(seeds, cfg.layers, records, sources, known, docs, refused)
        for folder in imported_folders(seeds):
            _load_imported(folder, cfg, known, names, records, sources, docs)
        load_steps(seeds, cfg, records, sources, known, docs, refused)  # imported records too
        _place(cfg, records, seeds, bounds, memo)
        settle_confidence(records, sources, cfg, seeds)
        _derive(cfg, records, sources, seeds)
        aggregates = load_aggregates(seeds, sources, docs)
        _report_missing_documents(seeds, docs)
        extra = sorted(p.name for p in seeds.glob("*.csv")
                       if p.name not in {s.file for s in cfg.layers}
                       | {SOURCES_FILE, CITATIONS_FILE, AGGREGATES_FILE, COMPANIES_FILE,
                          STEPS_FILE})
        for name in extra:
            problems.append(Problem(str(seeds / name), 0, "",
                                    "not a layer file in layers.toml; ignored", warning=True))
        # A file's first MAX_PROBLEMS errors and the line saying its reading stopped there are
        # listed; what follows (a record without citations for each row read before a row limit)
        # is counted, not listed.
        return Dataset(cfg.layers, records, sources, aggregates, cfg.composites, cfg.meta, cfg,
                       companies), problems.trimmed(MAX_PROBLEMS + 1)


def _derive(cfg: Config, records: dict[str, dict[str, Record]], sources: dict[str, Source],
            seeds: Path) -> None:
    """Give every record the generated part of its derivation; warn of hand-written records
    whose year (or its absence) the codebook's year rule does not account for
    (atlas.evidence.derive)."""
    for spec in cfg.layers:
        recs = records[spec.id]
        for ref, rec in recs.items():
            recs[ref] = rec._replace(derived=derive.derived(rec, spec, sources))
    own = {spec.id: {k: r for k, r in records[spec.id].items() if not r.origin}
           for spec in cfg.layers}
    derive.report_years(own, cfg.layers, sources, lambda spec: str(seeds / spec.file),
                          collector())


def load_valid(seeds: Path, documents: Path | None = None, check_quotes: bool = True) -> Dataset:
    """load(), raising ValidationFailed with every error if there is one (warnings pass)."""
    dataset, problems = load(seeds, documents, check_quotes)
    problems.raise_errors()
    return dataset


IMPORTED = "imported"


def imported_folders(seeds: Path) -> list[Path]:
    """The folders of imported records (`seeds/imported/<name>/`), in name order."""
    root = seeds / IMPORTED
    return sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []


def _load_imported(folder: Path, cfg: Config, known: frozenset[str],
                   names: dict[str, str] | None, records: dict[str, dict[str, Record]],
                   sources: dict[str, Source], docs: quotes.Documents | None) -> None:
    """Add the records, sources and citations of one import folder. A source the seeds define
    already keeps the seeds' description (the import reuses it by id)."""
    problems = collector()
    specs = tuple(s for s in cfg.layers if (folder / s.file).is_file())
    refused: dict[str, set[str]] = {s.id: set() for s in specs}
    found = {s.id: load_layer(s, folder, known, names, refused[s.id]) for s in specs}
    own = load_sources(folder, tuple(cfg.confidence.kinds)) \
        if (folder / SOURCES_FILE).is_file() else {}
    new = {sid: src for sid, src in own.items() if sid not in sources}
    sources.update(new)
    load_citations(folder, specs, found, sources, known, docs, refused, set(new))
    for spec in specs:
        for ref, rec in found[spec.id].items():
            if ref in records[spec.id]:
                first = records[spec.id][ref]
                problems.append(Problem(str(folder / spec.file), rec.line, "id",
                                        f"{ref!r} is also a record of {spec.file} (line "
                                        f"{first.line}) in the seeds", "rename one of them"))
                continue
            records[spec.id][ref] = rec._replace(origin=folder.name)


def _place(cfg: Config, records: dict[str, dict[str, Record]], seeds: Path,
           bounds: Boundaries, memo: Memo = made) -> None:
    """Give every located record its point: cities through the gazetteer, coordinates
    checked against the country, a country's representative point where no place is named.

    Reading the gazetteer and the countries' shapes takes most of a rebuild's time, and their
    answers change only with the places written: `memo` keeps them, keyed by every located
    record's place as written (a build keeps them in its cache)."""
    todo = []
    for spec in cfg.layers:
        if spec.located:
            for ref, rec in records[spec.id].items():
                if rec.location is not None:
                    folder = seeds / IMPORTED / rec.origin if rec.origin else seeds
                    todo.append((spec.id, ref, rec, str(folder / spec.file)))

    def placed() -> bytes:
        gazetteer, shapes = locations.Gazetteer(), locations.Shapes(bounds.geometry_json)
        out: list[dict[str, Any]] = []
        for _lid, _ref, rec, shown in todo:
            with collecting() as said:
                done = locations.place(rec.location, rec.key, shown, rec.line, gazetteer, shapes)
            out.append({"point": done.point, "geonames": done.gazetteer} if done is not None
                       else {"problems": [list(p) for p in said]})
        return json.dumps(out).encode()

    key = json.dumps([[ref, rec.key, shown, rec.line, *rec.location[:5]]
                      for _lid, ref, rec, shown in todo])
    problems = collector()
    for (lid, ref, rec, _shown), res in zip(todo, json.loads(memo("places", key, placed)),
                                            strict=True):
        if "problems" in res:
            problems.extend(Problem(*p) for p in res["problems"])
        else:
            point = tuple(res["point"]) if res["point"] else None
            records[lid][ref] = rec._replace(location=rec.location._replace(
                point=point, gazetteer=res["geonames"]))
