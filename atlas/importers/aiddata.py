"""`atlas import aiddata`: AidData's Global Chinese Development Finance dataset (GCDF 3.0) as
project records.

Reads either shape of GCDF's project table (the 126-column download, or the 17-column geocoding
table `final_input.csv`), keeps the ICT projects (sector COMMUNICATIONS, plus rows whose title
names ICT, each marked for review), and writes them whole into `seeds/imported/aiddata/`
(projects.csv, sources.csv, citations.csv, import.json), which `atlas validate` and
`atlas build` read beside the hand-written records. A person's decisions on single rows
(accept, reject, another kind) live in `seeds/imported/aiddata.decisions.csv` and are applied
at every import. The same inputs give the same files, byte for byte.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import Counter
from pathlib import Path
from typing import Any, NamedTuple

from atlas.errors import AtlasError, collecting
from atlas.files import UnreadableFile, read_regular
from atlas.importers import geometry, output
from atlas.importers.vocabulary import kind_of, status_of, why_ict

NAME = "aiddata"
DECISIONS = "aiddata.decisions.csv"
DECISION_COLUMNS = ("id", "decision", "kind", "note")
DECISION_VALUES = ("accept", "reject", "kind")
#: The two shapes of the project table: a column that names each, and where its values are.
FULL = {"id": "AidData Record ID", "iso3": "Recipient ISO-3", "recipient": "Recipient",
        "title": "Title", "status": "Status", "sector": "Sector Name",
        "commitment_year": "Commitment Year", "start_year": "Implementation Start Year",
        "completion_year": "Completion Year", "amount": "Amount (Constant USD 2021)",
        "funding": "Funding Agencies", "implementing": "Implementing Agencies",
        "description": "Description", "recommended": "Recommended For Aggregates",
        "narrative": "Location Narrative", "precision": "Geographic Level of Precision Available"}
GEOCODING = {"id": "AidData.Record.ID", "iso3": "Recipient.ISO-3", "recipient": "Recipient",
             "title": "Title", "status": "Status", "sector": "Sector.Name",
             "commitment_year": "Commitment.Year", "start_year": "Implementation.Start.Year",
             "completion_year": "Completion.Year", "amount": "Amount.(Constant.USD.2021)",
             "precision": "Level.of.precision"}
MAX_BYTES = 200_000_000  # the full table is about 100 MB
PAGE = "https://china.aiddata.org/projects/{id}"
CITE = ("AidData. 2023. Global Chinese Development Finance Dataset, Version {version}. "
        "AidData at William & Mary.")


class Row(NamedTuple):
    """One project of the table, its values as AidData writes them, with its line."""

    line: int
    values: dict[str, str]


def read_table(path: Path) -> tuple[str, list[Row]]:
    """The table's shape ("full" or "geocoding") and its rows; a one-line AtlasError naming
    the line for a file that is not one of them."""
    try:
        text = read_regular(path, MAX_BYTES).decode("utf-8-sig")
    except (OSError, UnreadableFile) as exc:
        raise AtlasError(f"{path}: cannot read it: {getattr(exc, 'strerror', None) or exc}"
                         ) from None
    except UnicodeDecodeError as exc:
        raise AtlasError(f"{path}: not UTF-8 (byte {exc.start}); save it as UTF-8") from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, [])
        shape, columns = (("full", FULL) if FULL["id"] in header else
                          ("geocoding", GEOCODING) if GEOCODING["id"] in header else ("", {}))
        if not shape:
            raise AtlasError(f"{path}:1: not a GCDF 3.0 project table: expected a column "
                             f"{FULL['id']!r} (the full download) or {GEOCODING['id']!r} "
                             "(the geocoding table)")
        where = {key: header.index(name) for key, name in columns.items() if name in header}
        rows = []
        for values in reader:
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                raise AtlasError(f"{path}:{line}: {len(values)} fields where the header has "
                                 f"{len(header)}; is a quote left open or a comma unquoted?")
            rows.append(Row(line, {k: values[i].strip() for k, i in where.items()}))
    except csv.Error as exc:
        raise AtlasError(f"{path}:{reader.line_num}: not valid CSV: {exc}") from None
    return shape, rows


def _year(text: str, path: Path, line: int, column: str) -> str:
    """A year as AidData writes it (2007, 2007.0, empty) as a whole number, or ""."""
    if not text:
        return ""
    if not re.fullmatch(r"[0-9]{4}(\.0+)?", text):
        raise AtlasError(f"{path}:{line}: {column}: {text!r} is not a year (e.g. 2015 or 2015.0)")
    return str(int(float(text)))


def _amount(text: str, path: Path, line: int) -> str:
    if not text:
        return ""
    try:
        value = float(text.replace(",", "")) if text.isascii() else float("nan")
    except ValueError:
        value = float("nan")
    if not value >= 0 or value == float("inf"):
        raise AtlasError(f"{path}:{line}: amount: {text!r} is not an amount in US dollars")
    return f"{value:.0f}"


def _decisions(seeds: Path) -> dict[str, dict[str, str]]:
    """The person's decisions on single rows, by AidData id (an empty file: none)."""
    path = seeds / "imported" / DECISIONS
    if not path.exists():
        return {}
    try:
        text = read_regular(path, 10_000_000).decode("utf-8-sig")
    except (OSError, UnreadableFile, UnicodeDecodeError) as exc:
        raise AtlasError(f"{path}: cannot read it: {exc}") from None
    out = {}
    reader = csv.DictReader(io.StringIO(text, newline=""))
    for row in reader:
        line = reader.line_num
        rid = (row.get("id") or "").removeprefix(f"{NAME}-").strip()
        decision = (row.get("decision") or "").strip()
        if not rid.isdigit() or not rid.isascii():
            raise AtlasError(f"{path}:{line}: id: {row.get('id')!r} is not an AidData id "
                             "(e.g. 30364 or aiddata-30364)")
        if decision not in DECISION_VALUES:
            raise AtlasError(f"{path}:{line}: decision: {decision!r} is not one of "
                             f"{', '.join(DECISION_VALUES)}")
        out[rid] = {"decision": decision, "kind": (row.get("kind") or "").strip(),
                    "note": (row.get("note") or "").strip()}
    return out


def _hand_entered(seeds: Path, layer: str) -> dict[str, str]:
    """The AidData ids the hand-written projects cite (aiddata-<n> sources), so that a project
    entered by hand is not imported a second time."""
    try:
        text = (seeds / "citations.csv").read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return {}
    out = {}
    for row in csv.DictReader(io.StringIO(text, newline="")):
        source = row.get("source") or ""
        if row.get("layer") == layer and re.fullmatch(rf"{NAME}-[0-9]+", source):
            out[source.split("-", 1)[1]] = row.get("country", "")
    return out


def _record(row: Row, path: Path, why: str, kinds: tuple[str, ...],
            decision: dict[str, str] | None, companies: dict[str, str],
            version: str) -> dict[str, str]:
    """A project record (projects.csv's columns) for one AidData row."""
    v = row.values
    title = v.get("title", "")
    kind = kind_of(title + " " + v.get("description", ""), kinds)
    review = "" if why == "sector" else why
    if decision:
        review = ""
        if decision["decision"] == "kind":
            if decision["kind"] not in kinds:
                raise AtlasError(f"{DECISIONS}: kind: {decision['kind']!r} for {v['id']} is not "
                                 f"a kind of project ({', '.join(kinds)})")
            kind = decision["kind"]
    named = " ".join(v.get(k, "") for k in ("title", "funding", "implementing"))
    found = sorted({canonical for folded, canonical in companies.items()
                    if re.search(rf"(?<![\w]){re.escape(folded)}(?![\w])", named.casefold())})
    return {
        "id": f"{NAME}-{v['id']}", "country": v["iso3"], "kind": kind, "name": title,
        "companies": "; ".join(found),
        "year": _year(v.get("commitment_year", ""), path, row.line, "Commitment Year"),
        "status": status_of(v.get("status", "")),
        "start_year": _year(v.get("start_year", ""), path, row.line, "Implementation Start Year"),
        "completion_year": _year(v.get("completion_year", ""), path, row.line,
                                 "Completion Year"),
        "amount_usd": _amount(v.get("amount", ""), path, row.line),
        "funding": v.get("funding", ""), "implementing": v.get("implementing", ""),
        "source_status": v.get("status", ""), "review": review,
        "precision": "country", "place": v.get("narrative", "")[:300],
        "_precision": v.get("precision", ""),  # the table's, for a shape that gives none
        "derivation": f"Imported from AidData's GCDF {version} project table (row {row.line}; "
                      f"sector {v.get('sector', '') or 'not given'}); kept as "
                      + ("an ICT project by its sector." if why == "sector" else
                         f"a possible ICT project ({why}).")
                      + (f" Decision: {decision['decision']}"
                         + (f" ({decision['note']})" if decision["note"] else "") + "."
                         if decision else ""),
    }


def run(table: Path, seeds: Path, geometry_path: Path | None = None,
        version: str = "3.0") -> dict[str, Any]:
    """Import the ICT projects of `table` into seeds/imported/aiddata/ (replacing what an
    earlier import wrote); returns what import.json records."""
    from atlas.evidence import codebook
    from atlas.evidence.sources import company_names, load_companies
    from atlas.world import boundaries

    if not seeds.is_dir():
        raise AtlasError(f"{seeds}: seeds folder not found (use --seeds DIR)")
    cfg = codebook.load_all(seeds)
    spec = next((s for s in cfg.layers if s.located and s.many), None)
    if spec is None:
        raise AtlasError(f"{seeds}/layers.toml has no layer of located projects "
                         "(rows = 'many', located = true) to import into")
    kind_field = spec.field(spec.point_mark or "kind")
    kinds = tuple(kind_field.values) if kind_field else ()
    shape, rows = read_table(table)
    decisions = _decisions(seeds)
    companies = {}
    if (seeds / "companies.csv").exists():
        with collecting():  # its problems are validate's to report
            companies = company_names(load_companies(seeds))
    bounds = boundaries.load()
    by_hand = _hand_entered(seeds, spec.id)
    skipped: Counter[str] = Counter()
    records = []
    for row in rows:
        v = row.values
        if not v.get("id", "").isdigit() or not v["id"].isascii():
            raise AtlasError(f"{table}:{row.line}: AidData Record ID: {v.get('id')!r} is not "
                             "a record id (digits)")
        if v.get("recommended", "Yes").casefold() == "no":
            skipped["not recommended for aggregates (an umbrella's child or parent)"] += 1
            continue
        why = why_ict(v.get("sector", ""), v.get("title", ""), v.get("description", ""))
        decision = decisions.get(v["id"])
        if not why or (decision and decision["decision"] == "reject"):
            skipped["rejected by a decision" if why else "not ICT"] += 1
            continue
        if v["id"] in by_hand:
            skipped["a hand-entered project already (it cites the AidData record)"] += 1
            continue
        if v.get("iso3", "") not in bounds.keys:
            skipped[f"recipient {v.get('iso3') or 'empty'!s} is not one country of the map"] += 1
            continue
        records.append((row, _record(row, table, why, kinds, decision, companies, version)))
    located = geometry.locate(geometry_path, [r for _row, r in records], bounds) \
        if geometry_path else Counter()
    digest = hashlib.sha256(read_regular(table, MAX_BYTES)).hexdigest()
    meta: dict[str, Any] = {
        "dataset": "AidData Global Chinese Development Finance Dataset (GCDF)",
        "version": version, "citation": CITE.format(version=version),
        "licence": "ODC-By 1.0 (the table); ODbL 1.0 (points derived from the shapes, "
                   "from OpenStreetMap)",
        "inputs": [{"file": table.name, "shape": shape, "rows": len(rows), "sha256": digest}],
        "imported": len(records),
        "for_review": sum(1 for _row, r in records if r["review"]),
        "skipped": dict(sorted(skipped.items())),
    }
    if geometry_path:
        meta["inputs"].append({"file": geometry_path.name, **geometry.digest(geometry_path),
                               "points": dict(sorted(located.items()))})
    output.write(seeds, NAME, spec, [r for _row, r in records], meta, version, PAGE)
    return meta
