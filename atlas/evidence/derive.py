"""The parts of a record's derivation a program can state, generated from the record itself so
that they cannot contradict it: which rule gave the class, which citation gave the year, and
what set, raised or capped the confidence. The hand-written `derivation` keeps the judgement.

The year's citation is found by the codebook's year rule, in its order: the first supporting
citation whose passage (quote or evidence) names the year, else the first whose source is dated
in that year. A record without a year whose supporting source is dated is reported unless its
note or derivation says why (a sentence beginning "Year"), and so is a year that no
citation accounts for."""

from __future__ import annotations

import re
from collections.abc import Callable

from atlas.errors import Problem
from atlas.evidence.model import Citation, Record, Source
from atlas.evidence.schema import LayerSpec

_YEAR_SENTENCE = re.compile(r"\bYear\b")


def _supporting(rec: Record, sources: dict[str, Source]) -> list[Citation]:
    return [c for c in rec.citations if c.stance == "supports" and c.source in sources]


def _dated(source: Source) -> str:
    """The year of a source's date (YYYY…), or ""."""
    head = source.date[:4]
    return head if head.isascii() and head.isdigit() and len(source.date) >= 4 \
        and (len(source.date) == 4 or source.date[4] == "-") else ""


def year_citation(rec: Record, sources: dict[str, Source]) -> tuple[Citation | None, str]:
    """The citation that gives the record's year and how: "passage" (its quote or evidence
    names the year) or "date" (its source is dated in that year); (None, "") if none does."""
    if rec.year is None:
        return None, ""
    year = re.compile(rf"(?<![0-9]){rec.year}(?![0-9])")
    cited = _supporting(rec, sources)
    for c in cited:
        if year.search(c.quote) or year.search(c.evidence):
            return c, "passage"
    for c in cited:
        if _dated(sources[c.source]) == str(rec.year):
            return c, "date"
    return None, ""


def undated(rec: Record, sources: dict[str, Source]) -> list[Citation]:
    """A record with no year: its supporting citations whose source is dated."""
    if rec.year is not None:
        return []
    return [c for c in _supporting(rec, sources) if _dated(sources[c.source])]


def derived(rec: Record, spec: LayerSpec, sources: dict[str, Source],
            label: Callable[[str], str] = str) -> str:
    """The generated part of a record's derivation, in sentences: the class and its rule, the
    year and the citation that gives it, and the confidence with what set it. `label` names a
    source for readers (its id by default)."""
    # a count layer's rows: the enum field its thresholds separate (else the one colouring them)
    field = next((t.field for t in spec.thresholds if t.field), spec.point_color) \
        if spec.many else spec.value
    value = rec.values.get(field) if field else None
    parts = []
    if value is not None:
        near = [t.between[1] if t.between[0] == value else t.between[0]
                for t in spec.thresholds if value in t.between
                and t.field == (field if spec.many else "")]
        named = " and ".join(near)
        parts.append(f"Class: {field} = {value}, by the codebook's rule for {value}"
                     + (f" and its threshold{'s' if len(near) > 1 else ''} with {named}"
                        if near else "") + ".")
    cit, how = year_citation(rec, sources)
    if rec.year is None:
        dated = undated(rec, sources)
        parts.append("Year: none; " + (
            "no cited passage names one and no supporting source is dated." if not dated else
            f"{label(dated[0].source)} is dated {sources[dated[0].source].date}, not taken "
            "(the note says why)."))
    elif cit is None:
        parts.append(f"Year: {rec.year}, named by no cited passage or source date (the note "
                     "says where it comes from).")
    elif how == "passage":
        parts.append(f"Year: {rec.year}, stated in {label(cit.source)}, {cit.locator}.")
    else:
        parts.append(f"Year: {rec.year}, the date of {label(cit.source)} "
                     f"({sources[cit.source].date}), {cit.locator}; the passage names none.")
    if rec.confidence:
        parts.append(f"Confidence: {rec.confidence} ({rec.confidence_reason}).")
    return " ".join(parts)


def report_years(records: dict[str, dict[str, Record]], specs: tuple[LayerSpec, ...],
                 sources: dict[str, Source], where: Callable[[LayerSpec], str],
                 problems: list[Problem]) -> None:
    """Warnings for the years the codebook's year rule does not account for: a record without
    a year whose supporting source is dated, unless its note or derivation says why (a
    sentence with the word "Year"); and a year that no supporting citation's passage names and
    no supporting source's date gives, unless the note or derivation says where it comes
    from."""
    for spec in specs:
        for rec in records.get(spec.id, {}).values():
            if _YEAR_SENTENCE.search(f"{rec.derivation} {rec.note}"):
                continue  # the note or derivation explains the year
            dated = undated(rec, sources)
            if dated:
                src = sources[dated[0].source]
                problems.append(Problem(
                    where(spec), rec.line, "year",
                    f"{rec.ref!r} has no year, but its source {src.id!r} ({dated[0].locator}) "
                    f"is dated {src.date}", f"the codebook's year rule takes {src.date[:4]} "
                    "where the passage names none; or say in the note why not (a sentence "
                    "beginning 'Year')", warning=True))
            elif rec.year is not None and year_citation(rec, sources)[0] is None:
                problems.append(Problem(
                    where(spec), rec.line, "year",
                    f"{rec.ref!r}: no supporting citation's passage names {rec.year} and no "
                    "supporting source is dated in it", "name the year in the evidence of the "
                    "citation whose source states it, or date that source in sources.csv",
                    warning=True))
