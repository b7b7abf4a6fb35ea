"""Steps in time (steps.csv): a record's earlier classes, each with its year and citations.

A record holds its latest class and year; a step says which class was in force from an earlier
year (announced 2017, operating 2020). One row per citation: rows of one layer, record and year
are one step, and must agree on its class. The class is the layer's value (a country's record)
or, in a layer of several records per country, the field its points are coloured by (a
project's status; `country` then holds the record's id, as in citations.csv). Every view "as
of" a year shows the class in force then (`in_force`): the record's own from its year, else the
latest step at or before it.
"""

from __future__ import annotations

from pathlib import Path

from atlas import text as texts
from atlas.clock import current_year
from atlas.errors import Problem, close_matches, collector
from atlas.evidence import quotes
from atlas.evidence.citations import _check_quote, _source_hint
from atlas.evidence.model import (
    EARLIEST_YEAR,
    MAX_EVIDENCE,
    MAX_QUOTE,
    STEP_COLUMNS,
    STEPS_FILE,
    UNKNOWN_ORIGIN,
    Citation,
    Record,
    Source,
    Step,
    outlet,
)
from atlas.evidence.records import read_csv
from atlas.evidence.schema import Config, LayerSpec
from atlas.world import countries

#: The columns a row must have; quote is optional (evidence or quote, as in citations.csv).
REQUIRED = ("layer", "country", "value", "year", "source", "locator")


def load_steps(seeds: Path, cfg: Config, records: dict[str, dict[str, Record]],
               sources: dict[str, Source], known: frozenset[str],
               docs: quotes.Documents | None = None,
               refused: dict[str, set[str]] | None = None) -> None:
    """Read `seeds/steps.csv` (optional: no file, no steps) and give each record its steps,
    oldest first, each with the confidence its own sources give. A row of a record refused for
    its own problems (`refused`, see load_layer) is passed over."""
    path = seeds / STEPS_FILE
    if not path.exists():
        return
    problems = collector()
    shown = str(path)
    refused = refused or {}
    specs = {s.id: s for s in cfg.layers}
    found: dict[tuple[str, str, int], tuple[str, int, list[Citation]]] = {}
    cited: dict[tuple[str, str, int, str, str], int] = {}
    for line, row in read_csv(path, STEP_COLUMNS, REQUIRED):
        def bad(field: str, message: str, hint: str = "", line: int = line) -> None:
            problems.append(Problem(shown, line, field, message, hint))

        spec = specs.get(row["layer"])
        if spec is None:
            close = close_matches(row["layer"], list(specs), n=1)
            bad("layer", f"unknown layer {row['layer']!r}", f"did you mean {close[0]!r}?"
                if close else f"expected one of: {', '.join(specs)}")
            continue
        classes = step_classes(spec)
        if not classes:
            bad("layer", f"the {spec.id} layer has no class a step could take (several records "
                "per country, and no point_color field)", "give the earlier stage in the note")
            continue
        rec = _record(spec, row["country"], records, known, refused, bad)
        if rec is None:
            continue
        value = row["value"]
        if value not in classes:
            close = close_matches(value.lower(), classes, n=1)
            what = f"the {spec.id} layer" if not spec.many else \
                f"{step_field(spec)!r} in the {spec.id} layer"
            bad("value", f"{value!r} is not a class of {what} (expected one of: "
                f"{', '.join(classes)})", f"did you mean {close[0]!r}?" if close else "")
            continue
        year = _year(row["year"], bad)
        if year is None:
            continue
        if rec.year is None:
            bad("year", f"the {spec.id} record {rec.ref} has no year, so no step can come "
                "before it", f"give the record its year in {spec.file} (line {rec.line})")
            continue
        if year >= rec.year:
            bad("year", f"{year} is not before the record's own year ({rec.year})",
                f"a step is an earlier class; the record's own ({rec.values.get(step_field(spec))}"
                f" {rec.year}, {spec.file} line {rec.line}) is the latest")
            continue
        citation = _citation(row, sources, seeds, docs, line, bad)
        if citation is None:
            continue
        key = (spec.id, rec.ref, year)
        first = found.get(key)
        if first is not None and first[0] != value:
            bad("value", f"{rec.ref} has two classes for {year} in the {spec.id} layer: "
                f"{first[0]!r} (line {first[1]}) and {value!r}",
                "one step per year: keep the class the sources state")
            continue
        twice = cited.get((*key, citation.source, citation.locator))
        if twice is not None:
            bad("source", f"duplicate step: {citation.source} {citation.locator} is already "
                f"cited for {spec.id} {rec.ref} {year} at line {twice}", "remove one of them")
            continue
        cited[(*key, citation.source, citation.locator)] = line
        found.setdefault(key, (value, line, []))[2].append(citation)
    for (lid, key, year), (value, line, cits) in sorted(found.items()):
        rec = records[lid][key]
        step = Step(value, year, tuple(cits), _confidence(cits, sources, cfg), line)
        records[lid][key] = rec._replace(steps=tuple(sorted((*rec.steps, step),
                                                            key=lambda s: s.year)))


def step_field(spec: LayerSpec) -> str:
    """The field a step of this layer sets: the layer's value, or in a layer of several
    records per country the field its points are coloured by (a project's status)."""
    return spec.point_color if spec.many else spec.value


def step_classes(spec: LayerSpec) -> tuple[str, ...]:
    """The classes a step of this layer may take (none: the layer takes no steps)."""
    if not spec.many:
        return spec.class_values
    field = spec.field(spec.point_color) if spec.point_color else None
    return field.values if field else ()


def _record(spec: LayerSpec, written: str, records: dict[str, dict[str, Record]],
            known: frozenset[str], refused: dict[str, set[str]], bad) -> Record | None:
    """The record a row names (a country, or in a layer of several per country a row id), or
    None (with a problem, unless the record was refused)."""
    if spec.many:
        rec = records[spec.id].get(written)
        gone = refused.get(spec.id, set())
        if rec is None and written not in gone and written.casefold() not in gone:
            close = close_matches(written, list(records[spec.id]), n=1)
            bad("country", f"no {spec.id} record with id {written!r}",
                f"did you mean {close[0]!r}?" if close
                else f"in a {spec.id} step, 'country' holds the id")
        return rec
    res = countries.resolve(written, known)
    gone = refused.get(spec.id, set())
    if (res.key or written.casefold()) in gone and res.key not in records[spec.id]:
        return None
    if res.key is None:
        bad("country", res.message, res.hint)
        return None
    rec = records[spec.id].get(res.key)
    if rec is None:
        bad("country", f"no {spec.id} record for {written!r} ({res.key})",
            f"a step is an earlier class of a record: add the record to {spec.file} first")
    return rec


def _year(text: str, bad) -> int | None:
    if not (len(text) == 4 and text.isascii() and text.isdigit()):
        bad("year", f"{text!r} is not a year", texts.digits_hint(text) or
            "write four digits, e.g. 2022")
        return None
    year, this_year = int(text), current_year()
    if not EARLIEST_YEAR <= year <= this_year:
        bad("year", f"{year} is out of range", f"expected {EARLIEST_YEAR}–{this_year}")
        return None
    return year


def _citation(row: dict[str, str], sources: dict[str, Source], seeds: Path,
              docs: quotes.Documents | None, line: int, bad) -> Citation | None:
    """The row's citation, checked as citations.csv's are; None (with a problem) if wrong."""
    sid = row["source"]
    source = sources.get(sid)
    if source is None:
        bad("source", f"unknown source id {sid!r}", _source_hint(seeds, sid, sources))
        return None
    if not row["locator"]:
        bad("locator", "is required", "e.g. para 1, L123 (line in the document) or a page")
        return None
    quote, evidence = row.get("quote", ""), row.get("evidence", "")
    if not quote and not evidence:
        bad("evidence", "no evidence and no quote", "say in a sentence of your own what the "
            "source states about the earlier class and its year")
        return None
    for field, text, limit in (("quote", quote, MAX_QUOTE), ("evidence", evidence, MAX_EVIDENCE)):
        if len(text) > limit:
            bad(field, f"{len(text)} characters; at most {limit}", "keep it to a sentence or two")
            return None
    if quote:
        _check_quote(source, row["locator"], quote, str(seeds / STEPS_FILE), line, docs)
    return Citation(sid, row["locator"], quote, evidence, "supports")


def _confidence(cits: list[Citation], sources: dict[str, Source], cfg: Config) -> str:
    """A step's confidence by the layer's rule: its best source's kind, one step up for a
    second independent publisher (republications folded into their original)."""
    by_publisher: dict[str, set[str]] = {}
    unsure = []
    for c in cits:
        src = sources[c.source]
        if src.kind not in cfg.confidence.kinds:
            continue
        if src.relays.casefold() == UNKNOWN_ORIGIN:
            unsure.append(src.kind)
        else:
            by_publisher.setdefault(outlet(src, sources), set()).add(src.kind)
    for kind in unsure:
        by_publisher.setdefault(min(by_publisher, default="?"), set()).add(kind)
    return cfg.confidence.level(by_publisher)[0]


def in_force(rec: Record, value_field: str, year: int | None) -> tuple[str, int | None] | None:
    """The class and its year in force in `year` (None: the latest): the record's own from its
    year (always, for a record without one), else the latest step at or before `year`, else
    None (no data then)."""
    if year is None or rec.year is None or rec.year <= year:
        return rec.values.get(value_field), rec.year
    earlier = [s for s in rec.steps if s.year <= year]
    return (earlier[-1].value, earlier[-1].year) if earlier else None


def steps_text(rec: Record, value_field: str) -> str:
    """Every step, oldest first, ending with the record's own: "medium 2023; high 2024" ("" for a
    record without earlier steps)."""
    if not rec.steps:
        return ""
    return "; ".join([f"{s.value} {s.year}" for s in rec.steps]
                     + [f"{rec.values.get(value_field)} {rec.year}"])
