"""Read and validate the records in `seeds/`: one CSV per layer, sources.csv and citations.csv.

Every problem is collected with its file, line and field, and the caller raises once, so a user
sees everything wrong in one run. "No data" (no record for a country) and "none" (a record whose
value is the class `none`) stay different: the first is absent from the result, the second present.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any, NamedTuple

from atlas import countries, quotes
from atlas.clock import current_year
from atlas.config import CONFIDENCE, Config, FieldSpec, LayerSpec
from atlas.errors import Problem, close_matches
from atlas.files import UnreadableFile, read_regular

SOURCES_FILE = "sources.csv"
CITATIONS_FILE = "citations.csv"
COMPANIES_FILE = "companies.csv"
SOURCE_COLUMNS = ("id", "title", "author", "publisher", "date", "url", "kind", "document", "note")
CITATION_COLUMNS = ("layer", "country", "source", "locator", "quote", "evidence", "stance")
COMPANY_COLUMNS = ("name", "aliases", "parent", "kind", "note")
COMPANY_KINDS = ("vendor", "cloud_provider", "telecom", "state_bank", "state_enterprise",
                 "platform", "other")
STANCES = ("supports", "contradicts")
#: A quote is a phrase that pins the value, an evidence statement a sentence or two.
MAX_QUOTE, MAX_EVIDENCE = 300, 400
AGGREGATES_FILE = "aggregates.csv"
AGGREGATE_COLUMNS = ("id", "figure", "what", "source", "locator", "quote", "note")
#: A records file is country-level: more rows than this is a mistake, answered at once.
#: Limits that keep a file's reading within memory: AidData-sized datasets (some 20,000 projects,
#: with two or three citations each) fit with room to spare.
MAX_ROWS = 250_000
#: After this many errors in one records file the rest of it is not checked (it is not the
#: file the user meant, or the same mistake repeats).
MAX_PROBLEMS = 200
MAX_BYTES = 100_000_000
EARLIEST_YEAR = 1990
#: In a layer's refused rows (see load_layer): a row whose country was not understood.
UNRESOLVED = "\0unresolved"
#: In a layer's refused rows: the file itself could not be read (its problem says why).
UNREAD = "\0unread"
_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_URL = re.compile(r"^https?://[^\s<>\"'`]+$", re.IGNORECASE)


class Source(NamedTuple):
    """A bibliography entry."""

    id: str
    title: str
    author: str
    publisher: str
    date: str
    url: str
    document: str
    note: str
    kind: str = ""

    @property
    def label(self) -> str:
        """A short name for readers: the first author's surname, else the publisher (without
        its parenthesis), else the title; and the year of its date."""
        if self.author:
            who = self.author.split(";")[0].split(",")[0].split(" (")[0].split()[-1]
        else:
            who = (self.publisher or self.title).split(" (")[0].split(",")[0].strip()
        year = re.search(r"\b(19|20)\d\d\b", self.date)
        return f"{who} {year.group(0)}" if year else who


class Citation(NamedTuple):
    """One piece of evidence for a record: a source, where in it, what it says (`evidence`, in
    the atlas's words, and/or a verbatim `quote`), and whether it supports the value or
    contradicts it (counter-evidence, kept beside the value)."""

    source: str
    locator: str
    quote: str
    evidence: str = ""
    stance: str = "supports"


class Company(NamedTuple):
    """A company of the controlled vocabulary (companies.csv)."""

    name: str
    aliases: tuple[str, ...]
    parent: str
    kind: str
    note: str


class Record(NamedTuple):
    """One country's record in one layer."""

    key: str  # the country
    written: str
    line: int
    values: dict[str, Any]
    year: int | None
    confidence: str
    confidence_reason: str
    derivation: str
    note: str
    citations: list[Citation]  # filled in from citations.csv
    id: str = ""  # in layers with several records per country

    @property
    def ref(self) -> str:
        """How citations.csv refers to this record: the country key, or the row id."""
        return self.id or self.key


class Dataset(NamedTuple):
    """Everything validated: records by layer and country key, and the bibliography."""

    layers: tuple[LayerSpec, ...]
    records: dict[str, dict[str, Record]]
    sources: dict[str, Source]
    aggregates: list[dict[str, str]]
    composites: tuple  # layers computed from the others (layers.toml): CompositeSpec
    meta: dict[str, str]  # layers.toml's [atlas] table
    config: Config | None = None
    companies: dict[str, Company] | None = None  # by canonical name


def read_csv(
    path: Path, columns: tuple[str, ...], required: tuple[str, ...], problems: list[Problem]
) -> list[tuple[int, dict[str, str]]]:
    """Rows of a CSV file as (line number, {column: text}); problems are appended, not raised."""
    shown = str(path)
    try:
        data = read_regular(path, MAX_BYTES)
    except FileNotFoundError:
        problems.append(Problem(shown, 0, "", "file not found",
                                f"create it with the header: {','.join(columns)}"))
        return []
    except UnreadableFile as exc:
        problems.append(Problem(shown, 0, "", str(exc), "it must be a CSV file under "
                                f"{MAX_BYTES:,} bytes (split the file or trim it)"))
        return []
    except OSError as exc:
        problems.append(Problem(shown, 0, "", f"cannot read it: {exc.strerror or exc}"))
        return []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.append(Problem(shown, line, "", f"not UTF-8 (byte {data[exc.start]:#04x})",
                                "save the file as CSV UTF-8 (in Excel: 'CSV UTF-8')"))
        return []
    if not text.strip():
        problems.append(Problem(shown, 1, "", "file is empty",
                                f"it needs at least the header: {','.join(columns)}"))
        return []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except csv.Error as exc:
        problems.append(Problem(shown, 1, "", f"cannot read the header: {exc}"))
        return []
    ok = True
    for n, name in enumerate(header):
        if not name:
            problems.append(Problem(shown, 1, f"column {n + 1}", "empty column name"))
            ok = False
        elif name not in columns:
            close = close_matches(name, columns, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(columns)}"
            problems.append(Problem(shown, 1, name, "unknown column", hint))
            ok = False
        elif header.count(name) > 1 and header.index(name) == n:
            problems.append(Problem(shown, 1, name, "column appears more than once"))
            ok = False
    for name in required:
        if name not in header:
            problems.append(Problem(shown, 1, name, "required column is missing",
                                    f"add a column named {name!r}"))
            ok = False
    if not ok:
        return []
    rows: list[tuple[int, dict[str, str]]] = []
    line = reader.line_num
    try:
        for cells in reader:
            start, line = line + 1, reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(rows) >= MAX_ROWS:
                problems.append(Problem(shown, start, "", f"more than {MAX_ROWS:,} rows, the "
                                        "most the atlas reads from one file",
                                        "split the file or trim it"))
                return rows
            if len(cells) != len(header):
                what = "too many" if len(cells) > len(header) else "too few"
                problems.append(Problem(
                    shown, start, "", f"{what} cells: {len(cells)} (expected {len(header)})",
                    "a comma inside a value needs the value in double quotes"))
                continue
            rows.append((start, {h: c.strip() for h, c in zip(header, cells, strict=True)}))
    except csv.Error as exc:
        problems.append(Problem(shown, reader.line_num, "", f"malformed CSV: {exc}"))
    return rows


def _parse_field(spec: FieldSpec, text: str, shown: str, line: int,
                 problems: list[Problem], names: dict[str, str] | None = None) -> Any:
    """Convert one cell by its field spec; None (with a problem appended) when invalid.

    `names` (every company name and alias, casefolded → canonical name) checks and normalises
    the items of a field with `vocabulary = "companies"`."""

    def bad(message: str, hint: str = "") -> None:
        problems.append(Problem(shown, line, spec.name, message, hint))

    if spec.type in ("class", "enum"):
        if text not in spec.values:
            close = close_matches(text.lower(), spec.values, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}?" if close else ""
            bad(f"unknown value {text!r} (expected one of: {', '.join(spec.values)})", hint)
            return None
        return text
    if spec.type == "list":
        items = [x.strip() for x in text.split(";") if x.strip()]
        for item in items:
            if spec.values and item not in spec.values:
                close = close_matches(item, spec.values, n=1, cutoff=0.6)
                hint = f"did you mean {close[0]!r}?" if close else ""
                bad(f"unknown value {item!r} (expected ';'-separated: "
                    f"{', '.join(spec.values)})", hint)
                return None
        if spec.vocabulary == "companies" and names is not None:
            canonical = []
            for item in items:
                if item.casefold() not in names:
                    close = close_matches(item.casefold(), list(names), n=1, cutoff=0.6)
                    bad(f"unknown company {item!r}",
                        f"did you mean {names[close[0]]!r}?" if close
                        else f"add it (with its aliases) to {COMPANIES_FILE}")
                    return None
                canonical.append(names[item.casefold()])
            return list(dict.fromkeys(canonical))
        return items
    if spec.type in ("int", "number"):
        try:
            number: float = int(text) if spec.type == "int" else float(text)
        except ValueError:
            kind = "a whole number" if spec.type == "int" else "a number"
            bad(f"{text!r} is not {kind}", "write digits only, e.g. 25 (no % sign or words)")
            return None
        if number != number or number in (float("inf"), float("-inf")):
            bad(f"{text!r} is not a finite number")
            return None
        lo, hi = spec.min, spec.max
        if (lo is not None and number < lo) or (hi is not None and number > hi):
            bad(f"{text} is out of range (expected {lo if lo is not None else '…'}–"
                f"{hi if hi is not None else '…'})")
            return None
        return number
    return text


def load_layer(spec: LayerSpec, seeds: Path, known: frozenset[str],
               problems: list[Problem], names: dict[str, str] | None = None,
               refused: set[str] | None = None) -> dict[str, Record]:
    """Read one layer's records file into {country key (or row id): Record}. A record's
    `confidence` is as typed (empty: computed from its sources once they are known).

    `refused` collects how citations would refer to the rows left out for a problem (country
    key, country as written, row id), so their citations are not also called orphans."""
    refused = set() if refused is None else refused
    path = seeds / spec.file
    shown = str(path)
    required = ("country", *(f.name for f in spec.fields if f.required))
    if spec.many:
        required = ("id", *required)
    out: dict[str, Record] = {}
    this_year = current_year()
    counted, errors = len(problems), 0
    pending: set[str] = set()
    size = 0
    before = len(problems)
    rows = read_csv(path, spec.columns, required, problems)
    if not rows and any(p.path == shown and p.line <= 1 and not p.warning
                        for p in problems[before:]):
        refused.add(UNREAD)  # its citations cannot be checked: the file's problem says why
    for line, row in rows:
        errors += sum(not p.warning for p in problems[counted:])
        counted = len(problems)
        if errors >= MAX_PROBLEMS:
            problems.append(Problem(shown, line, "", f"stopped after {MAX_PROBLEMS} problems in "
                                    "this file", "fix these first, then validate again"))
            break
        if len(out) == size:  # the previous row was left out
            refused.update(pending)
        rid = row.get("id", "")
        pending, size = {rid, row["country"].casefold()} - {""}, len(out)
        if spec.many:
            if not _SLUG.match(rid):
                problems.append(Problem(shown, line, "id", f"{rid!r} is not a valid id",
                                        "letters, digits, '.', '_' and '-', e.g. pak-peace-cable"))
                continue
            if rid in out:
                problems.append(Problem(shown, line, "id", f"duplicate id {rid!r}",
                                        f"first at line {out[rid].line}"))
                continue
        res = countries.resolve(row["country"], known)
        if res.key is None:
            problems.append(Problem(shown, line, "country", res.message, res.hint))
            pending.add(UNRESOLVED)
            continue
        if not spec.many and res.key in out:
            first = out[res.key]
            problems.append(Problem(shown, line, "country",
                                    f"{row['country']!r} ({res.key}) appears twice in this layer",
                                    f"first at line {first.line}; merge the two rows"))
            continue
        errors_before = len(problems)
        values: dict[str, Any] = {}
        for spec_field in spec.fields:
            text = row.get(spec_field.name, "")
            if not text:
                if spec_field.required:
                    problems.append(Problem(shown, line, spec_field.name, "is required",
                                            _expected(spec_field)))
                values[spec_field.name] = None
                continue
            values[spec_field.name] = _parse_field(spec_field, text, shown, line, problems,
                                                   names)
        for spec_field in spec.fields:
            if spec_field.requires and values.get(spec_field.name) is not None \
                    and not row.get(spec_field.requires):
                problems.append(Problem(shown, line, spec_field.requires,
                                        f"is required when {spec_field.name} is given"))
        year = _year(row.get("year", ""), this_year, shown, line, problems)
        confidence = row.get("confidence", "")
        if confidence and confidence not in CONFIDENCE:
            close = close_matches(confidence.lower(), CONFIDENCE, n=1)
            problems.append(Problem(
                shown, line, "confidence",
                f"unknown value {confidence!r} (expected one of: {', '.join(CONFIDENCE)}, or "
                "empty to compute it from the sources)",
                f"did you mean {close[0]!r}?" if close else ""))
        if len(problems) > errors_before and any(not p.warning for p in problems[errors_before:]):
            pending.add(res.key)
            continue
        out[rid if spec.many else res.key] = Record(
            key=res.key, written=row["country"], line=line, values=values, year=year,
            confidence=confidence, confidence_reason=row.get("confidence_reason", ""),
            derivation=row.get("derivation", ""), note=row.get("note", ""), citations=[],
            id=rid,
        )
    if len(out) == size:
        refused.update(pending)
    return out


def _expected(spec: FieldSpec) -> str:
    if spec.values:
        return f"one of: {', '.join(spec.values)}"
    return spec.help


def _year(text: str, this_year: int, shown: str, line: int, problems: list[Problem]) -> int | None:
    if not text:  # the codebook's year rule: empty where the sources give no year
        return None
    if not (text.isdigit() and len(text) == 4):
        problems.append(Problem(shown, line, "year", f"{text!r} is not a year",
                                "write four digits, e.g. 2024"))
        return None
    year = int(text)
    if year > this_year:
        problems.append(Problem(shown, line, "year", f"{year} is in the future",
                                f"expected {EARLIEST_YEAR}–{this_year}"))
        return None
    if year < EARLIEST_YEAR:
        problems.append(Problem(shown, line, "year", f"{year} is before the DSR era",
                                f"expected {EARLIEST_YEAR}–{this_year}"))
        return None
    return year


def load_sources(seeds: Path, problems: list[Problem], kinds: tuple[str, ...] = ()
                 ) -> dict[str, Source]:
    """Read the bibliography. `kinds`: the source kinds the confidence rule knows."""
    path = seeds / SOURCES_FILE
    shown = str(path)
    out: dict[str, Source] = {}
    for line, row in read_csv(path, SOURCE_COLUMNS, ("id", "title", "kind"), problems):
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
        url = row.get("url", "")
        if url and not _URL.match(url):
            problems.append(Problem(shown, line, "url", f"{url!r} is not an http(s) URL",
                                    "links start with https:// or http:// and contain no spaces, "
                                    "quotes or angle brackets"))
            url = ""
        document = row.get("document", "")
        if document and (Path(document).is_absolute() or ".." in Path(document).parts
                         or not document.endswith(".txt")):
            problems.append(Problem(shown, line, "document",
                                    f"{document!r} must be a .txt file name inside the documents "
                                    "folder (no absolute path, no '..')"))
            document = ""
        if not row.get("url") and not document:
            problems.append(Problem(shown, line, "url", "a source needs a url (where a reader "
                                    "can open it) or a document (a local text copy)",
                                    "add the address the source is published at"))
        out[sid] = Source(sid, row.get("title", ""), row.get("author", ""),
                          row.get("publisher", ""), row.get("date", ""), url, document,
                          row.get("note", ""), kind)
    return out


def load_companies(seeds: Path, problems: list[Problem]) -> dict[str, Company]:
    """The controlled vocabulary of companies (companies.csv), by canonical name; none if the
    file is absent (then company fields are not checked)."""
    path = seeds / COMPANIES_FILE
    if not path.exists():
        return {}
    shown = str(path)
    out: dict[str, Company] = {}
    taken: dict[str, str] = {}  # every name and alias, casefolded → canonical name
    for line, row in read_csv(path, COMPANY_COLUMNS, ("name", "kind"), problems):
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


def load_citations(seeds: Path, layers: tuple[LayerSpec, ...],
                   records: dict[str, dict[str, Record]], sources: dict[str, Source],
                   known: frozenset[str], problems: list[Problem],
                   docs: quotes.Documents | None = None,
                   refused: dict[str, set[str]] | None = None) -> None:
    """Attach citations to records; check sources exist and quotes stand in their documents
    (`docs`; None: quotes are not checked). A citation of a row refused for its own problems
    (`refused`, by layer; see load_layer) is passed over: that row's problem says it all."""
    refused = refused or {}
    path = seeds / CITATIONS_FILE
    shown = str(path)
    used: set[str] = set()
    for line, row in read_csv(path, CITATION_COLUMNS, CITATION_COLUMNS[:4], problems):
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
                                    "contradicts: the source speaks against the value"))
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
            _check_quote(source, row["locator"], quote, shown, line, problems, docs)
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
    for sid in sources:
        if sid not in used:
            problems.append(Problem(str(seeds / SOURCES_FILE), 0, "id",
                                    f"source {sid!r} is not cited", warning=True))


def _source_hint(seeds: Path, sid: str, sources: dict[str, Source]) -> str:
    """Where sources are defined, and the closest id there if one is close."""
    close = close_matches(sid, list(sources), n=1, cutoff=0.5)
    return (f"sources are defined in {seeds / SOURCES_FILE} (column id)"
            + (f"; did you mean {close[0]!r}?" if close else ""))


def _check_quote(source: Source, locator: str, quote: str, shown: str, line: int,
                 problems: list[Problem], docs: quotes.Documents | None) -> None:
    """Append a problem unless the quote stands in the source's local copy near the locator.

    Without `docs` or a local copy there is no check; a source whose copy is absent from the
    documents folder goes into `docs.missing` (reported once, by _report_missing_documents)."""
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


def _report_missing_documents(seeds: Path, docs: quotes.Documents | None,
                              problems: list[Problem]) -> None:
    """One line for all the local copies that are not there."""
    if docs is None or not docs.missing:
        return
    problems.append(Problem(str(seeds / SOURCES_FILE), 0, "document",
                            f"the local copies of {len(docs.missing)} source(s) are not in "
                            f"{docs.root}; their quotes were not checked",
                            "give the folder with --documents DIR (or [atlas] documents in "
                            "layers.toml)", warning=True))


def load_aggregates(seeds: Path, sources: dict[str, Source], problems: list[Problem],
                    docs: quotes.Documents | None = None) -> list[dict[str, str]]:
    """Figures that are not country-level (shown on the about page), each with its source."""
    path = seeds / AGGREGATES_FILE
    if not path.exists():
        return []
    shown = str(path)
    out: list[dict[str, str]] = []
    seen: set[str] = set()
    for line, row in read_csv(path, AGGREGATE_COLUMNS, AGGREGATE_COLUMNS[:5], problems):
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
            _check_quote(source, row["locator"], row["quote"], shown, line, problems, docs)
        out.append(dict(row))
    return out


def settle_confidence(records: dict[str, dict[str, Record]], sources: dict[str, Source],
                      cfg: Config, seeds: Path, problems: list[Problem]) -> None:
    """Give every record the confidence the rule computes from its supporting sources; a typed
    confidence that differs is an override and needs its reason."""
    for spec in cfg.layers:
        recs = records[spec.id]
        for ref, rec in recs.items():
            by_publisher: dict[str, set[str]] = {}
            for cit in rec.citations:
                src = sources[cit.source]
                if cit.stance == "supports" and src.kind in cfg.confidence.kinds:
                    by_publisher.setdefault((src.publisher or src.id).casefold(),
                                            set()).add(src.kind)
            level, reason = cfg.confidence.level(by_publisher)
            if rec.confidence and rec.confidence != level:
                if not rec.confidence_reason:
                    problems.append(Problem(
                        str(seeds / spec.file), rec.line, "confidence",
                        f"{rec.confidence!r} differs from the rule's {level!r} ({reason})",
                        "leave it empty to use the rule, or give confidence_reason for the "
                        "override"))
                    continue
                level = rec.confidence
                reason = f"{rec.confidence_reason} (the rule alone gives {level}: {reason})"
            recs[ref] = rec._replace(confidence=level, confidence_reason=reason)


def documents_root(seeds: Path, cfg: Config, documents: Path | None = None) -> Path:
    """Where the sources' local copies are: `documents` if given, else the `[atlas] documents`
    setting (relative to the seeds), else `seeds/documents`."""
    return documents or seeds / cfg.meta.get("documents", "documents")


def load(seeds: Path, cfg: Config, known: frozenset[str], check_quotes: bool = True,
         documents: Path | None = None) -> tuple[Dataset, list[Problem]]:
    """Read every file in `seeds/`; return the dataset and all problems (errors and warnings).

    Quotes are checked against the sources' local copies (see documents_root)."""
    problems: list[Problem] = []
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
    return Dataset(cfg.layers, records, sources, aggregates, cfg.composites, cfg.meta, cfg,
                   companies), problems
