"""Reading the records files: CSV read safely, each layer's rows parsed and checked against
its fields in layers.toml, each problem with its file, line and field."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

from atlas import text as texts
from atlas.clock import current_year
from atlas.errors import Problem, close_matches, collector
from atlas.evidence import locations
from atlas.evidence.model import (
    COMPANIES_FILE,
    EARLIEST_YEAR,
    MAX_BYTES,
    MAX_PROBLEMS,
    MAX_ROWS,
    UNREAD,
    UNRESOLVED,
    Record,
)
from atlas.evidence.schema import CONFIDENCE, FieldSpec, LayerSpec
from atlas.files import UnreadableFile, read_regular
from atlas.world import countries

_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_DATE = re.compile(r"[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?")
#: Columns that hold paragraphs (line breaks allowed, up to text.MAX_TEXT characters); a url
#: is up to text.MAX_URL; any other column is a name or a short value (text.MAX_LINE).
PARAGRAPHS = frozenset({"note", "derivation", "confidence_reason", "evidence", "quote", "what"})
#: A carriage return that does not end a line: inside a cell, where no value may hold one.
_LONE_CR = re.compile(r"\r(?!\n)")


def read_csv(
    path: Path, columns: tuple[str, ...], required: tuple[str, ...], lists: tuple[str, ...] = (),
) -> list[tuple[int, dict[str, str]]]:
    """Rows of a CSV file as (line number, {column: text}); problems go to the reading's
    collector (errors.collecting), never raised.

    Every cell is checked here, before any reader uses it: no control character (a NUL would
    reach a path, a page, the downloads), no more characters than a reader can use (`lists`:
    columns of ';'-separated items, which may be as long as a paragraph). A row with such a
    cell is returned all the same, so that its other problems are found; the loader reports one
    problem per cell."""
    problems = collector()
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
    # One look at the whole text: nearly every file holds no character a cell may not (a tab, a
    # lone carriage return, a control character); then only a row over several lines (a line
    # break in a cell) or with a long cell is looked at cell by cell.
    suspect = bool(texts.ALWAYS_REFUSED.search(text) or "\t" in text
                   or _LONE_CR.search(text))
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
            row = {h: c.strip() for h, c in zip(header, cells, strict=True)}
            if suspect or line != start or max(map(len, cells)) > texts.MAX_LINE:
                _check_cells(row, lists, shown, start)
            rows.append((start, row))
    except csv.Error as exc:
        problems.append(Problem(shown, reader.line_num, "", f"malformed CSV: {exc}"))
    return rows


def _check_cells(row: dict[str, str], lists: tuple[str, ...], shown: str, line: int) -> None:
    """A problem for each cell of `row` with a control character or too long to use."""
    problems = collector()
    for column, cell in row.items():
        if column == "url":
            wrong = texts.problem(cell, limit=texts.MAX_URL)
        else:
            wrong = texts.problem(cell, multiline=column in PARAGRAPHS,
                                  limit=texts.MAX_TEXT if column in PARAGRAPHS or column in lists
                                  else texts.MAX_LINE)
        if wrong:
            problems.append(Problem(shown, line, column, wrong, texts.hint(wrong)))


def _parse_field(spec: FieldSpec, text: str, shown: str, line: int,
                 names: dict[str, str] | None = None) -> Any:
    """Convert one cell by its field spec; None (with a problem appended) when invalid.

    `names` (every company name and alias, casefolded → canonical name) checks and normalises
    the items of a field with `vocabulary = "companies"`."""

    problems = collector()
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
    if spec.type == "date":
        if not _DATE.fullmatch(text) or not _real_date(text):
            bad(f"{text!r} is not a date", "write YYYY-MM-DD, YYYY-MM or YYYY, e.g. 2024-03-01")
            return None
        return text
    if spec.type in ("int", "number"):
        try:
            number: float = texts.parse_int(text) if spec.type == "int" \
                else texts.parse_number(text)
        except ValueError:
            kind = "a whole number" if spec.type == "int" else "a number"
            bad(f"{text!r} is not {kind}", texts.digits_hint(text)
                or "write digits only, e.g. 25 (no % sign or words)")
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


def _real_date(text: str) -> bool:
    """A date of the calendar (no 30 February), written as _DATE allows."""
    import datetime

    parts = [int(x) for x in text.split("-")] + [1, 1]
    try:
        datetime.date(parts[0], parts[1], parts[2])
    except ValueError:
        return False
    return True


def load_layer(spec: LayerSpec, seeds: Path, known: frozenset[str],
               names: dict[str, str] | None = None,
               refused: set[str] | None = None) -> dict[str, Record]:
    """Read one layer's records file into {country key (or row id): Record}. A record's
    `confidence` is as typed (empty: computed from its sources once they are known).

    `refused` collects how citations would refer to the rows left out for a problem (country
    key, country as written, row id), so their citations are not also called orphans."""
    problems = collector()
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
    rows = read_csv(path, spec.columns, required,
                    tuple(f.name for f in spec.fields if f.type == "list"))
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
            # A country that only a control character spoils (reported for the cell) is known
            # to its citations: they are passed over, not called orphans.
            clean = countries.resolve(texts.ONE_LINE_REFUSED.sub("", row["country"]), known)
            pending.add(clean.key or UNRESOLVED)
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
            values[spec_field.name] = _parse_field(spec_field, text, shown, line, names)
        for spec_field in spec.fields:
            if spec_field.requires and values.get(spec_field.name) is not None \
                    and not row.get(spec_field.requires):
                problems.append(Problem(shown, line, spec_field.requires,
                                        f"is required when {spec_field.name} is given"))
        year = _year(row.get("year", ""), this_year, shown, line)
        location = locations.parse(row, shown, line) if spec.located else None
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
            id=rid, location=location,
        )
    if len(out) == size:
        refused.update(pending)
    return out


def _expected(spec: FieldSpec) -> str:
    if spec.values:
        return f"one of: {', '.join(spec.values)}"
    return spec.help


def _year(text: str, this_year: int, shown: str, line: int) -> int | None:
    problems = collector()
    if not text:  # the codebook's year rule: empty where the sources give no year
        return None
    if not (len(text) == 4 and text.isascii() and text.isdigit()):
        problems.append(Problem(shown, line, "year", f"{text!r} is not a year",
                                texts.digits_hint(text) or "write four digits, e.g. 2024"))
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
