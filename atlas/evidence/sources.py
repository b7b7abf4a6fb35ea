"""The bibliography (sources.csv), the company names (companies.csv) and the figures that
are not country-level (aggregates.csv)."""

from __future__ import annotations

from pathlib import Path

from atlas import text
from atlas.errors import Problem, close_matches, collector
from atlas.evidence import quotes
from atlas.evidence.citations import _check_quote, _source_hint
from atlas.evidence.model import (
    AGGREGATE_COLUMNS,
    AGGREGATES_FILE,
    COMPANIES_FILE,
    COMPANY_COLUMNS,
    COMPANY_KINDS,
    SOURCE_COLUMNS,
    SOURCES_FILE,
    Company,
    Source,
)
from atlas.evidence.records import _SLUG, read_csv


def load_sources(seeds: Path, kinds: tuple[str, ...] = ()
                 ) -> dict[str, Source]:
    """Read the bibliography. `kinds`: the source kinds the confidence rule knows."""
    problems = collector()
    path = seeds / SOURCES_FILE
    shown = str(path)
    out: dict[str, Source] = {}
    for line, row in read_csv(path, SOURCE_COLUMNS, ("id", "title", "kind")):
        sid = row["id"]
        if not _SLUG.match(sid):
            problems.append(Problem(shown, line, "id", f"{sid!r} is not a valid source id",
                                    "letters, digits, '.', '_' and '-', e.g. thibaut2026"))
            continue
        if sid in out:
            problems.append(Problem(shown, line, "id", f"duplicate source id {sid!r}"))
            continue
        if not row.get("title"):
            problems.append(Problem(shown, line, "title", "is required"))
        kind = row.get("kind", "")
        if kinds and kind not in kinds:
            close = close_matches(kind, kinds, n=1)
            problems.append(Problem(shown, line, "kind", f"unknown source kind {kind!r} "
                                    f"(expected one of: {', '.join(kinds)})",
                                    f"did you mean {close[0]!r}?" if close else
                                    "kinds are defined in layers.toml, [confidence] kinds"))
        date = row.get("date", "")
        wrong = text.bad_iso_date(date)
        if wrong:
            problems.append(Problem(shown, line, "date", f"{wrong!r} is not a date of the "
                                    "calendar", "write YYYY-MM-DD (or YYYY-MM, or the year), "
                                    "e.g. 2026-02-28"))
        url = row.get("url", "")
        if url and not text.is_url(url):
            problems.append(Problem(shown, line, "url", f"{url!r} is not an http(s) URL",
                                    "links start with https:// or http:// and contain no spaces, "
                                    "quotes or angle brackets"))
            url = ""
        document = row.get("document", "")
        if document and not document_ok(document):
            problems.append(Problem(shown, line, "document",
                                    f"{document!r} must be a .txt file name inside the documents "
                                    "folder (no absolute path, no '..')"))
            document = ""
        if not row.get("url") and not row.get("document"):
            problems.append(Problem(shown, line, "url", "a source needs a url (where a reader "
                                    "can open it) or a document (a local text copy)",
                                    "add the address the source is published at"))
        out[sid] = Source(sid, row.get("title", ""), row.get("author", ""),
                          row.get("publisher", ""), row.get("date", ""), url, document,
                          row.get("note", ""), kind, row.get("relays", "").strip())
    for sid, src in out.items():
        if src.relays == sid:
            problems.append(Problem(shown, 0, "relays", f"source {sid!r} relays itself",
                                    "name the source or outlet whose story it repeats"))
    return out


def document_ok(name: str) -> bool:
    """Whether a source's `document` may be looked up: a .txt file name inside the documents
    folder, no control character. The build's input hash asks this too, before it touches the
    path (it reads the documents before validation, to know whether anything changed)."""
    return bool(name) and name.endswith(".txt") and not text.problem(name) \
        and not Path(name).is_absolute() and ".." not in Path(name).parts


def load_companies(seeds: Path) -> dict[str, Company]:
    """The controlled vocabulary of companies (companies.csv), by canonical name; none if the
    file is absent (then company fields are not checked)."""
    problems = collector()
    path = seeds / COMPANIES_FILE
    if not path.exists():
        return {}
    shown = str(path)
    out: dict[str, Company] = {}
    taken: dict[str, str] = {}  # every name and alias, casefolded → canonical name
    for line, row in read_csv(path, COMPANY_COLUMNS, ("name", "kind"), ("aliases",)):
        name = row["name"]
        aliases = tuple(a.strip() for a in row.get("aliases", "").split(";") if a.strip())
        if row["kind"] not in COMPANY_KINDS:
            close = close_matches(row["kind"], COMPANY_KINDS, n=1)
            problems.append(Problem(shown, line, "kind", f"unknown company kind {row['kind']!r} "
                                    f"(expected one of: {', '.join(COMPANY_KINDS)})",
                                    f"did you mean {close[0]!r}?" if close else ""))
            continue
        clash = [n for n in (name, *aliases) if n.casefold() in taken]
        if not name or clash:
            problems.append(Problem(shown, line, "name" if not clash or clash[0] == name
                                    else "aliases", f"{clash[0]!r} already names "
                                    f"{taken[clash[0].casefold()]!r}" if clash else "is required"))
            continue
        for n in (name, *aliases):
            taken[n.casefold()] = name
        out[name] = Company(name, aliases, row.get("parent", ""), row["kind"], row.get("note", ""))
    for company in out.values():
        if company.parent and company.parent not in out:
            problems.append(Problem(shown, 0, "parent", f"{company.name}: parent "
                                    f"{company.parent!r} is not a company in this file"))
    return out


def company_names(companies: dict[str, Company]) -> dict[str, str]:
    """Every name and alias, casefolded → canonical name."""
    return {n.casefold(): c.name for c in companies.values() for n in (c.name, *c.aliases)}


def load_aggregates(seeds: Path, sources: dict[str, Source],
                    docs: quotes.Documents | None = None) -> list[dict[str, str]]:
    """Figures that are not country-level (shown on the about page), each with its source."""
    problems = collector()
    path = seeds / AGGREGATES_FILE
    if not path.exists():
        return []
    shown = str(path)
    out: list[dict[str, str]] = []
    seen: set[str] = set()
    for line, row in read_csv(path, AGGREGATE_COLUMNS, AGGREGATE_COLUMNS[:5]):
        if row["id"] in seen:
            problems.append(Problem(shown, line, "id", f"duplicate id {row['id']!r}"))
            continue
        seen.add(row["id"])
        source = sources.get(row["source"])
        if source is None:
            problems.append(Problem(shown, line, "source", f"unknown source id {row['source']!r}",
                                    _source_hint(seeds, row["source"], sources)))
            continue
        if row.get("quote"):
            _check_quote(source, row["locator"], row["quote"], shown, line, docs)
        out.append(dict(row))
    return out
