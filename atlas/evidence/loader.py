"""The one way to load the evidence: layers.toml, the records, sources, citations, companies and
aggregates, every value checked. Every command and the Python API read the seeds through here.
"""

from __future__ import annotations

from pathlib import Path

from atlas.errors import AtlasError, Problem, Problems
from atlas.evidence import codebook, quotes
from atlas.evidence.citations import _report_missing_documents, load_citations, settle_confidence
from atlas.evidence.model import (
    AGGREGATES_FILE,
    CITATIONS_FILE,
    COMPANIES_FILE,
    MAX_PROBLEMS,
    SOURCES_FILE,
    Dataset,
)
from atlas.evidence.records import load_layer
from atlas.evidence.schema import Config
from atlas.evidence.sources import company_names, load_aggregates, load_companies, load_sources
from atlas.world import boundaries


def documents_root(seeds: Path, cfg: Config, documents: Path | None = None) -> Path:
    """Where the sources' local copies are: `documents` if given, else the `[atlas] documents`
    setting (relative to the seeds), else `seeds/documents`."""
    return documents or seeds / cfg.meta.get("documents", "documents")


def load(seeds: Path, documents: Path | None = None, check_quotes: bool = True,
         cfg: Config | None = None, known: frozenset[str] | None = None
         ) -> tuple[Dataset, Problems]:
    """Read every file in `seeds/`; return the dataset and all problems (errors and warnings).

    Raises AtlasError for a missing folder and ValidationFailed for a bad layers.toml (nothing
    else can be read without it). `documents`: the folder of the sources' local copies, to
    check quotes against (see documents_root); `cfg`: layers.toml if the caller has read it
    already; `known`: the country keys (by default the boundaries').
    """
    if not seeds.is_dir():
        raise AtlasError(f"{seeds}: seeds folder not found (use --seeds DIR)")
    cfg = cfg or codebook.load_all(seeds)
    if known is None:
        known = boundaries.load().keys
    problems = Problems()
    docs = quotes.Documents(documents_root(seeds, cfg, documents)) if check_quotes else None
    companies = load_companies(seeds, problems)
    names = company_names(companies) if (seeds / COMPANIES_FILE).exists() else None
    refused: dict[str, set[str]] = {spec.id: set() for spec in cfg.layers}
    records = {spec.id: load_layer(spec, seeds, known, problems, names, refused[spec.id])
               for spec in cfg.layers}
    sources = load_sources(seeds, problems, tuple(cfg.confidence.kinds))
    load_citations(seeds, cfg.layers, records, sources, known, problems, docs, refused)
    settle_confidence(records, sources, cfg, seeds, problems)
    aggregates = load_aggregates(seeds, sources, problems, docs)
    _report_missing_documents(seeds, docs, problems)
    extra = sorted(p.name for p in seeds.glob("*.csv")
                   if p.name not in {s.file for s in cfg.layers}
                   | {SOURCES_FILE, CITATIONS_FILE, AGGREGATES_FILE, COMPANIES_FILE})
    for name in extra:
        problems.append(Problem(str(seeds / name), 0, "",
                                "not a layer file in layers.toml; ignored", warning=True))
    # A file's first MAX_PROBLEMS errors and the line saying its reading stopped there are
    # listed; what follows (a record without citations for each row read before a row limit)
    # is counted, not listed.
    return Dataset(cfg.layers, records, sources, aggregates, cfg.composites, cfg.meta, cfg,
                   companies), problems.trimmed(MAX_PROBLEMS + 1)


def load_valid(seeds: Path, documents: Path | None = None, check_quotes: bool = True) -> Dataset:
    """load(), raising ValidationFailed with every error if there is one (warnings pass)."""
    dataset, problems = load(seeds, documents, check_quotes)
    problems.raise_errors()
    return dataset
