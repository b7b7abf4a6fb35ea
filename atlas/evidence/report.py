"""`atlas report`: per-layer coverage, citations per source, and quotes that no longer match."""

from __future__ import annotations

from collections import Counter

from atlas.errors import Problem
from atlas.evidence.citations import supporting
from atlas.evidence.model import Dataset, Record, outlet


def _outlets(rec: Record, dataset: Dataset) -> set[str]:
    """The independent publishers of a record's supporting sources."""
    return {outlet(dataset.sources[c.source], dataset.sources) for c in rec.citations
            if c.stance == "supports" and c.source in dataset.sources}


def _source_years(rec: Record, dataset: Dataset) -> set[int]:
    """The years of the dates of a record's supporting sources (YYYY-… dates only)."""
    out = set()
    for c in rec.citations:
        date = dataset.sources[c.source].date if c.source in dataset.sources else ""
        if c.stance == "supports" and date[:4].isdigit() and date[:4].isascii():
            out.add(int(date[:4]))
    return out


def capped(rec: Record, dataset: Dataset) -> bool:
    """Whether the single-secondary-source cap holds the record's computed confidence down."""
    rule = dataset.config.confidence if dataset.config else None
    if rule is None:
        return False
    return rule.capped(supporting(rec, dataset.sources, rule.kinds))


def coverage_lines(dataset: Dataset, problems: list[Problem]) -> list[str]:
    """The report as lines of text."""
    out = ["Coverage (countries with data per layer):"]
    for spec in dataset.layers:
        recs = dataset.records[spec.id].values()
        countries = {r.key for r in recs}
        if spec.many:
            per_country = Counter(r.key for r in recs)
            by_class = Counter(spec.class_for_count(n) for n in per_country.values())
        else:
            by_class = Counter(r.values.get(spec.value) for r in recs)
        by_conf = Counter(r.confidence for r in recs)
        classes = ", ".join(f"{v}: {by_class[v]}" for v in spec.class_values if by_class[v])
        extra = f", {len(recs)} records" if spec.many else ""
        out.append(f"  {spec.id:<10} {len(countries):>3} countries{extra} ({classes}); "
                   f"confidence high {by_conf['high']}, medium {by_conf['medium']}, "
                   f"low {by_conf['low']}")
    out.append("Evidence per layer (publishers counted once per story, relays folded in):")
    for spec in dataset.layers:
        recs = list(dataset.records[spec.id].values())
        if not recs:
            continue
        single = sum(len(_outlets(r, dataset)) <= 1 for r in recs)
        dated = sum(r.year is not None for r in recs)
        from_date = sum(r.year is not None and r.year in _source_years(r, dataset) for r in recs)
        held = sum(capped(r, dataset) for r in recs)
        stepped = sum(bool(r.steps) for r in recs)
        out.append(f"  {spec.id:<10} {len(recs):>4} records, {len({r.key for r in recs}):>3} "
                   f"countries; one independent publisher {single / len(recs):.0%}; with a year "
                   f"{dated / len(recs):.0%}; year = a supporting source's date "
                   f"{from_date / len(recs):.0%}; capped (a single secondary source) {held}; "
                   f"with earlier steps {stepped}")
    every = [r for recs in dataset.records.values() for r in recs.values()]
    if every:
        with_url = sum(any(dataset.sources[c.source].url for c in r.citations) for r in every)
        with_year = sum(r.year is not None for r in every)
        places = {r.key for r in every}
        out.append(f"Records: {len(every)}; {with_url / len(every):.0%} cite a source with a URL, "
                   f"{with_year / len(every):.0%} have a year; {len(places)} countries have a "
                   f"value in at least one layer; {sum(capped(r, dataset) for r in every)} "
                   "capped (a single secondary source)")
        kinds = Counter(s.kind for s in dataset.sources.values())
        out.append("Sources by kind: " + ", ".join(f"{k} {n}" for k, n in kinds.most_common()))
    out.append("Citations per source (records citing it / citation rows):")
    rows: Counter[str] = Counter()
    recs_citing: Counter[str] = Counter()
    for recs in dataset.records.values():
        for r in recs.values():
            for sid in {c.source for c in r.citations}:
                recs_citing[sid] += 1
            for c in r.citations:
                rows[c.source] += 1
    for sid, src in sorted(dataset.sources.items()):
        agg = sum(1 for a in dataset.aggregates if a["source"] == sid)
        out.append(f"  {sid:<14} {recs_citing[sid]:>4} records, {rows[sid]:>4} citations, "
                   f"{agg:>3} aggregate figures — {src.title[:60]}")
    bad = [p for p in problems if p.field == "quote" and not p.warning]
    unchecked = [p for p in problems if "quotes were not checked" in p.message]
    out.append(f"Quotes not found at their locator: {len(bad)}")
    out += [f"  {p}" for p in bad]
    out += [f"  {p}" for p in unchecked]
    return out
