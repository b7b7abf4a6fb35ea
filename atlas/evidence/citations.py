"""Citations (citations.csv): each record tied to its sources, each quote checked against
its source's local copy, and each record's confidence computed from its sources."""

from __future__ import annotations

from pathlib import Path

from atlas.errors import Problem, close_matches, collector
from atlas.evidence import quotes
from atlas.evidence.model import (
    CITATION_COLUMNS,
    CITATIONS_FILE,
    MAX_EVIDENCE,
    MAX_QUOTE,
    SOURCES_FILE,
    STANCES,
    UNKNOWN_ORIGIN,
    UNREAD,
    UNRESOLVED,
    Citation,
    Record,
    Source,
    outlet,
)
from atlas.evidence.records import read_csv
from atlas.evidence.schema import Config, LayerSpec
from atlas.world import countries


def load_citations(seeds: Path, layers: tuple[LayerSpec, ...],
                   records: dict[str, dict[str, Record]], sources: dict[str, Source],
                   known: frozenset[str], docs: quotes.Documents | None = None,
                   refused: dict[str, set[str]] | None = None,
                   own_sources: set[str] | None = None) -> None:
    """Attach citations to records; check sources exist and quotes stand in their documents
    (`docs`; None: quotes are not checked). A citation of a row refused for its own problems
    (`refused`, by layer; see load_layer) is passed over: that row's problem says it all.
    `own_sources`: the sources of this folder, each said to be unused if nothing cites it
    (default: all of `sources`)."""
    problems = collector()
    refused = refused or {}
    path = seeds / CITATIONS_FILE
    shown = str(path)
    used: set[str] = set()
    for line, row in read_csv(path, CITATION_COLUMNS, CITATION_COLUMNS[:4]):
        layer = row["layer"]
        if layer not in records:
            close = close_matches(layer, list(records), n=1)
            problems.append(Problem(shown, line, "layer", f"unknown layer {layer!r}",
                                    f"did you mean {close[0]!r}?" if close
                                    else f"expected one of: {', '.join(records)}"))
            continue
        spec = next(s for s in layers if s.id == layer)
        if UNREAD in refused.get(layer, ()):
            used.add(row["source"])  # not "unused": its citations wait for the file
            continue
        if spec.many:
            record = records[layer].get(row["country"])
            if record is None and row["country"].casefold() in refused.get(layer, ()):
                continue
            if record is None:
                close = close_matches(row["country"], list(records[layer]), n=1)
                problems.append(Problem(shown, line, "country",
                                        f"no {layer} record with id {row['country']!r}",
                                        f"did you mean {close[0]!r}?" if close
                                        else f"in a {layer} citation, 'country' holds the id"))
                continue
        else:
            res = countries.resolve(row["country"], known)
            gone = refused.get(layer, set())
            if (res.key or row["country"].casefold()) in gone and \
                    res.key not in records[layer]:
                continue
            if res.key is None:
                problems.append(Problem(shown, line, "country", res.message, res.hint))
                continue
            record = records[layer].get(res.key)
            if record is None:
                problems.append(Problem(
                    shown, line, "country", f"no {layer} record for {row['country']!r} ({res.key})",
                    f"{spec.file} has rows whose country is not understood (see there); fix "
                    "those first" if UNRESOLVED in gone else
                    f"add a row to {spec.file} or remove this one"))
                continue
        sid = row["source"]
        source = sources.get(sid)
        if source is None:
            problems.append(Problem(shown, line, "source", f"unknown source id {sid!r}",
                                    _source_hint(seeds, sid, sources)))
            continue
        if not row["locator"]:
            problems.append(Problem(shown, line, "locator", "is required",
                                    "e.g. L123 (line in the document), a section, or a page"))
            continue
        used.add(sid)
        quote, evidence = row.get("quote", ""), row.get("evidence", "")
        stance = row.get("stance", "") or "supports"
        if stance not in STANCES:
            problems.append(Problem(shown, line, "stance", f"unknown stance {stance!r} "
                                    f"(expected one of: {', '.join(STANCES)})",
                                    "contradicts: the source speaks against the value; context: "
                                    "it states another part of the record, not the value"))
            continue
        if not quote and not evidence:
            problems.append(Problem(shown, line, "evidence", "no evidence and no quote",
                                    "say in a sentence of your own what the source states, or "
                                    "give a short verbatim quote"))
            continue
        for field, text, limit in (("quote", quote, MAX_QUOTE),
                                   ("evidence", evidence, MAX_EVIDENCE)):
            if len(text) > limit:
                problems.append(Problem(shown, line, field, f"{len(text)} characters; at most "
                                        f"{limit}", "keep a quote to the phrase that pins the "
                                        "value, evidence to a sentence or two"))
        if quote:
            _check_quote(source, row["locator"], quote, shown, line, docs)
        record.citations.append(Citation(sid, row["locator"], quote, evidence, stance))
    for layer, recs in records.items():
        for rec in recs.values():
            if not rec.citations:
                spec_file = next(s.file for s in layers if s.id == layer)
                what = f"id {rec.id!r}" if rec.id else repr(rec.written)
                problems.append(Problem(str(seeds / spec_file), rec.line,
                                        "id" if rec.id else "country", f"{what} has no citation",
                                        f"add a row '{layer},{rec.ref},<source>,<locator>,"
                                        f"<quote>,<evidence>,supports' to {CITATIONS_FILE}"))
            elif not any(c.stance == "supports" for c in rec.citations):
                spec_file = next(s.file for s in layers if s.id == layer)
                problems.append(Problem(str(seeds / spec_file), rec.line,
                                        "id" if rec.id else "country",
                                        f"{rec.ref!r} has no citation that supports its value",
                                        "a value needs a source that states it"))
    for sid in (sources if own_sources is None else sorted(own_sources)):
        if sid not in used:
            problems.append(Problem(str(seeds / SOURCES_FILE), 0, "id",
                                    f"source {sid!r} is not cited", warning=True))


def _source_hint(seeds: Path, sid: str, sources: dict[str, Source]) -> str:
    """Where sources are defined, and the closest id there if one is close."""
    close = close_matches(sid, list(sources), n=1, cutoff=0.5)
    return (f"sources are defined in {seeds / SOURCES_FILE} (column id)"
            + (f"; did you mean {close[0]!r}?" if close else ""))


def _check_quote(source: Source, locator: str, quote: str, shown: str, line: int,
                 docs: quotes.Documents | None) -> None:
    """Append a problem unless the quote stands in the source's local copy near the locator.

    Without `docs` or a local copy there is no check; a source whose copy is absent from the
    documents folder goes into `docs.missing` (reported once, by _report_missing_documents)."""
    problems = collector()
    if docs is None or not source.document:
        return
    try:
        result = docs.check(source.document, locator, quote)
    except quotes.DocumentError as exc:
        problems.append(Problem(shown, line, "quote", f"cannot check it: {exc}"))
        return
    if result is None:
        docs.missing.add(source.id)
        return
    if not result.ok:
        hint = (f"it stands at L{result.found_at}" if result.found_at
                else "copy the phrase exactly as the document has it")
        problems.append(Problem(shown, line, "quote",
                                f"not found in {source.document} at {locator}", hint))


def _report_missing_documents(seeds: Path, docs: quotes.Documents | None) -> None:
    """One line for all the local copies that are not there."""
    problems = collector()
    if docs is None or not docs.missing:
        return
    problems.append(Problem(str(seeds / SOURCES_FILE), 0, "document",
                            f"the local copies of {len(docs.missing)} source(s) are not in "
                            f"{docs.root}; their quotes were not checked",
                            "give the folder with --documents DIR (or [atlas] documents in "
                            "layers.toml)", warning=True))


def _unmarked_relays(rec: Record, sources: dict[str, Source], shown: str) -> None:
    """Warn where two sources a record cites look like one story printed twice (the same title,
    or the same quote) and neither says it relays the other: they would count as two
    independent publishers."""
    problems = collector()
    cited = [sources[c.source] for c in rec.citations if c.source in sources]
    quotes = {c.source: " ".join(c.quote.casefold().split()) for c in rec.citations
              if len(c.quote) >= 40}  # a passage, not a name or a region code
    for i, a in enumerate(cited):
        for b in cited[i + 1:]:
            if a.id == b.id or a.relays or b.relays or outlet(a, sources) == outlet(b, sources):
                continue
            same_title = a.title.strip().casefold() == b.title.strip().casefold() != ""
            same_quote = quotes.get(a.id) and quotes.get(a.id) == quotes.get(b.id)
            if same_title or same_quote:
                what = "title" if same_title else "quote"
                problems.append(Problem(shown, rec.line, "sources",
                                        f"{rec.ref!r} cites {a.id!r} and {b.id!r}, which share a "
                                        f"{what}: one story printed twice?",
                                        f"if one repeats the other, say so in sources.csv: "
                                        f"relays = {a.id}", warning=True))


def supporting(rec: Record, sources: dict[str, Source],
               kinds: dict[str, str]) -> dict[str, set[str]]:
    """A record's supporting sources' kinds by independent publisher (relays folded into their
    original)."""
    by_publisher: dict[str, set[str]] = {}
    unsure: list[str] = []  # republications of an unidentified story
    for cit in rec.citations:
        src = sources.get(cit.source)
        if src is None or cit.stance != "supports" or src.kind not in kinds:
            continue
        if src.relays.casefold() == UNKNOWN_ORIGIN:
            unsure.append(src.kind)
        else:
            by_publisher.setdefault(outlet(src, sources), set()).add(src.kind)
    for kind in unsure:  # it may repeat any of the others: it adds no publisher
        by_publisher.setdefault(min(by_publisher, default="?"), set()).add(kind)
    return by_publisher


def settle_confidence(records: dict[str, dict[str, Record]], sources: dict[str, Source],
                      cfg: Config, seeds: Path) -> None:
    """Give every record the confidence the rule computes from its supporting sources; a typed
    confidence that differs is an override and needs its reason."""
    problems = collector()
    for spec in cfg.layers:
        recs = records[spec.id]
        for ref, rec in recs.items():
            by_publisher = supporting(rec, sources, cfg.confidence.kinds)
            _unmarked_relays(rec, sources, str(seeds / spec.file))
            level, reason = cfg.confidence.level(by_publisher)
            if rec.confidence and rec.confidence != level:
                if not rec.confidence_reason:
                    problems.append(Problem(
                        str(seeds / spec.file), rec.line, "confidence",
                        f"{rec.confidence!r} differs from the rule's {level!r} ({reason})",
                        "leave it empty to use the rule, or give confidence_reason for the "
                        "override"))
                    continue
                reason = f"{rec.confidence_reason} (the rule alone gives {level}: {reason})"
                level = rec.confidence
            recs[ref] = rec._replace(confidence=level, confidence_reason=reason)
