"""Reading a release file (`seeds/releases/<version>.json`) as safely as a seeds file, and checking
it against the shape `atlas release` writes.

A release file comes from version control, where anything can happen to it: a merge that breaks
it, a hand edit, a FIFO or a link to a device in its place. It is read through
atlas.files.read_regular (a regular file, never more than MAX_BYTES, never waiting on a pipe)
and every value is checked before anything uses it, so a bad one is refused in one line that
names the file and the field, never a traceback from the diff or the pages.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any, NoReturn

from atlas import text
from atlas.errors import AtlasError, one_line
from atlas.evidence.model import MAX_BYTES
from atlas.evidence.schema import CONFIDENCE
from atlas.files import UnreadableFile, read_regular

#: A release holds every record of the seeds, so it may be as large as a seeds file.
MAX_RELEASE_BYTES = MAX_BYTES
VERSION = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]{0,31}")
_LAYER = re.compile(r"[a-z][a-z0-9_]{0,30}")
_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
TOP_KEYS = ("version", "date", "data_version", "records", "sources")
RECORD_KEYS = ("layer", "key", "country", "values")
SOURCE_KEYS = ("title", "publisher", "date", "url")


class BadRelease(AtlasError):
    """A release file that cannot be used; its message is one line naming the file and field."""


def _kind(value: Any) -> str:
    """A JSON value named by its type, for "got …"."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    return "a list" if isinstance(value, list) else "an object"


class _Checker:
    """The checks of one release file; the first problem ends the reading (a file damaged in one
    place is restored whole from version control, so one line is all the user needs)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, where: str, message: str) -> NoReturn:
        field = f" {where}:" if where else ""
        line = (f"{self.path}:{field} {message} — not a release as `atlas release` writes it; "
                "restore it from version control (git checkout -- <file>) or remove it")
        raise BadRelease(one_line(line))

    def obj(self, value: Any, where: str, keys: tuple[str, ...],
            required: tuple[str, ...]) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(where, f"expected an object {{…}}, got {_kind(value)}")
        for key in value:
            if key not in keys:
                self.fail(where, f"unknown key {key[:40]!r} (expected {', '.join(keys)})")
        for key in required:
            if key not in value:
                self.fail(where, f"{key} is missing")
        return value

    def text(self, value: Any, where: str, *, pattern: re.Pattern[str] | None = None,
             multiline: bool = False, limit: int = text.MAX_LINE, expected: str = "") -> str:
        if not isinstance(value, str):
            self.fail(where, f"expected text, got {_kind(value)}")
        wrong = text.problem(value, multiline=multiline, limit=limit)
        if wrong:
            self.fail(where, wrong)
        if pattern is not None and not pattern.fullmatch(value):
            self.fail(where, f"{value[:60]!r} is not {expected}")
        return value

    def value(self, value: Any, where: str) -> Any:
        """One of a record's values: text, a finite number or a list of texts."""
        if isinstance(value, str):
            return self.text(value, where, multiline=True, limit=text.MAX_TEXT)
        if isinstance(value, int | float) and not isinstance(value, bool):
            if not math.isfinite(value) or abs(value) > 1e300:
                self.fail(where, "expected a finite number")
            return value
        if isinstance(value, list):
            for i, item in enumerate(value):
                self.text(item, f"{where}[{i}]", multiline=True, limit=text.MAX_TEXT)
            return value
        self.fail(where, f"expected text, a number or a list of texts, got {_kind(value)}")


def _no_constants(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a number a release holds")


def parse(data: bytes, path: Path) -> dict[str, Any]:
    """The checked content of a release file: version, date, data_version, records as
    {(layer, key): entry} and sources as {id: {title, …}}. BadRelease if anything is wrong."""
    check = _Checker(path)
    try:
        raw = json.loads(data.decode("utf-8"), parse_constant=_no_constants)
    except UnicodeDecodeError as exc:
        check.fail("", f"not UTF-8 (byte {exc.start})")
    except RecursionError:
        check.fail("", "nested deeper than a release file ever is")
    except json.JSONDecodeError as exc:
        check.fail(f"line {exc.lineno}", f"not valid JSON ({exc.msg})")
    except ValueError as exc:  # NaN, Infinity, a number of thousands of digits
        check.fail("", f"not a release's JSON ({str(exc)[:80]})")
    top = check.obj(raw, "", TOP_KEYS, ("version", "date", "records", "sources"))
    version = check.text(top["version"], "version", pattern=VERSION,
                         expected="a version (letters, digits, '.', '-', '_')")
    if version != path.stem:
        check.fail("version", f"{version!r} does not match the file name {path.name!r}")
    date = check.text(top["date"], "date")
    if not text.is_date(date):
        check.fail("date", f"{date!r} is not a date of the calendar written YYYY-MM-DD")
    data_version = check.text(top.get("data_version", ""), "data_version")
    sources = _sources(check, top["sources"])
    records = _records(check, top["records"], sources)
    return {"version": version, "date": date, "data_version": data_version,
            "records": records, "sources": sources}


def _sources(check: _Checker, raw: Any) -> dict[str, dict[str, str]]:
    if not isinstance(raw, dict):
        check.fail("sources", f"expected an object {{id: source}}, got {_kind(raw)}")
    out = {}
    for sid, entry in raw.items():
        where = f"sources.{sid[:40]}"
        check.text(sid, where, pattern=_KEY, expected="a source id")
        check.obj(entry, where, SOURCE_KEYS, ())
        for key, value in entry.items():
            check.text(value, f"{where}.{key}", limit=text.MAX_URL if key == "url"
                       else text.MAX_LINE)
        if entry.get("url") and not text.is_url(entry["url"]):
            check.fail(f"{where}.url", f"{entry['url'][:60]!r} is not an http(s) link")
        out[sid] = dict(entry)
    return out


def _records(check: _Checker, raw: Any, sources: dict[str, dict[str, str]]
             ) -> dict[tuple[str, str], dict[str, Any]]:
    if not isinstance(raw, list):
        check.fail("records", f"expected a list of records, got {_kind(raw)}")
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for n, entry in enumerate(raw):
        where = f"records[{n}]"
        check.obj(entry, where, RECORD_KEYS, RECORD_KEYS)
        layer = check.text(entry["layer"], f"{where}.layer", pattern=_LAYER,
                           expected="a layer id")
        key = check.text(entry["key"], f"{where}.key", pattern=_KEY, expected="a record key")
        check.text(entry["country"], f"{where}.country", pattern=_KEY,
                   expected="a country key")
        values = entry["values"]
        if not isinstance(values, dict):
            check.fail(f"{where}.values", f"expected an object {{field: value}}, got "
                       f"{_kind(values)}")
        for name, value in values.items():
            check.text(name, f"{where}.values", pattern=_LAYER, expected="a field name")
            check.value(value, f"{where}.values.{name}")
        _record_values(check, f"{where}.values", values, sources)
        if (layer, key) in out:
            check.fail(where, f"a second record for {layer} {key}")
        out[(layer, key)] = entry
    return dict(sorted(out.items()))


def _record_values(check: _Checker, where: str, values: dict[str, Any],
                   sources: dict[str, dict[str, str]]) -> None:
    """The values every record has: its sources (at least one, each in the sources table), and
    the year and confidence if given."""
    cited = values.get("sources")
    if not isinstance(cited, list) or not cited:
        check.fail(f"{where}.sources", "a record needs its sources: a list of "
                   "\"<source id> <locator>\" texts")
    for i, ref in enumerate(cited):
        sid = ref.partition(" ")[0]
        if sid not in sources:
            check.fail(f"{where}.sources[{i}]", f"source {sid[:40]!r} is not in the file's "
                       "sources")
    year = values.get("year")
    if year is not None and not (type(year) is int and 0 < year < 10_000):
        check.fail(f"{where}.year", "expected a year (a whole number)")
    confidence = values.get("confidence")
    if confidence is not None and confidence not in CONFIDENCE:
        check.fail(f"{where}.confidence", f"expected one of {', '.join(CONFIDENCE)}")


def read(path: Path) -> dict[str, Any]:
    """A release file read safely and checked (parse()); BadRelease if it cannot be used."""
    try:
        data = read_regular(path, MAX_RELEASE_BYTES)
    except FileNotFoundError:
        raise BadRelease(f"{path}: not found (a link to nothing?); restore it from version "
                         "control or remove it") from None
    except UnreadableFile as exc:
        raise BadRelease(f"{path}: {exc}; a release is a file `atlas release` wrote — restore "
                         "it from version control or remove it") from None
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise BadRelease(f"{path}: cannot read the release: {reason}") from None
    return parse(data, path)
