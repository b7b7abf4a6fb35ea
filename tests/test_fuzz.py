"""Fuzzing the readers: generated CSV rows, layers.toml tables and release files, fed to
validate, build, diff and atlas.load. Exactly two outcomes are allowed: success, or an
AtlasError whose every problem is one line (through the CLI: status 1 and no traceback). A
build that fails leaves the previous site as it was, byte for byte, and nothing beside it.

Deterministic for CI: derandomized, no example database, and within about a minute together
(each test's max_examples is sized to its cost). The cases these found are in
tests/test_corpus.py and tests/test_release_files.py.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import math
import shutil
import tempfile
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import atlas
from atlas import build, output
from atlas.cli import cli
from atlas.errors import AtlasError, ValidationFailed
from atlas.history import releases
from tests.conftest import FIXTURE_SEEDS


def fuzz(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="atlas-fuzz-") as d:
        yield Path(d)


def fresh_seeds(workdir: Path) -> Path:
    """A new copy of the fixture seeds for one example."""
    seeds = workdir / "seeds"
    shutil.rmtree(seeds, ignore_errors=True)
    shutil.copytree(FIXTURE_SEEDS, seeds)
    return seeds


def assert_one_line(exc: AtlasError) -> None:
    """An AtlasError as the user reads it: every problem (or the message) on one line."""
    if isinstance(exc, ValidationFailed):
        assert exc.problems
        for p in exc.problems:
            assert len(str(p).splitlines()) == 1, str(p)
    else:
        assert len(str(exc).splitlines()) == 1, str(exc)


def assert_cli(args: list[str], seeds: Path) -> None:
    """The command ends with status 0 or 1, without a traceback, each line of its output a
    problem, a result or click's one "Error:" line."""
    result = CliRunner().invoke(cli, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output


# --- values --------------------------------------------------------------------------------

#: Text a user (or a hostile file) may put anywhere: any character but a lone surrogate (no
#: UTF-8 file holds one), biased towards the ones that broke the atlas before.
NASTY = st.sampled_from([
    "", " ", "\0", "a\0b", "\x1b[31m", "\u2028", "\ufeff", "\r\n", "\t", ",", '"', "'", ";",
    "²⁰²⁰", "٢٠١٧", "2017", "20x7", "1e999", "nan", "-0", "2026-02-30", "2026-13",
    "HTTPS://EXAMPLE.ORG/", "javascript:alert(1)", "https://a b", "../../etc/passwd",
    "doc.txt", "doc\0.txt", "/dev/zero", "Laos", "La\0os", "XKX", "none", "high", "region",
    "thibaut2026", "L150", "<script>x</script>", "=1+1",
])
#: Long values: past the length limits, and numbers past what int() reads (4,300 digits).
LONG = st.builds(lambda head, body, n: head + body * n, st.sampled_from(["", "L", "https://x/"]),
                 st.sampled_from(["9", "P", "é "]), st.sampled_from([450, 600, 2_500, 5_000]))
#: Half the time a value of NASTY: random text alone seldom spells a date or a number.
TEXT = st.one_of(NASTY, NASTY, NASTY, LONG,
                 st.text(st.characters(blacklist_categories=("Cs",)), max_size=30),
                 st.text(st.characters(max_codepoint=0x9F), max_size=10))


# --- CSV rows ------------------------------------------------------------------------------

CSV_FILES = ("mou.csv", "cloud.csv", "projects.csv", "sources.csv", "citations.csv")


def read_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def write_rows(path: Path, rows: list[list[str]]) -> None:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


#: Values that mean something in one column: random text seldom spells a year, a date or a
#: line locator, and these are where a reader parses rather than copies.
BY_COLUMN = {
    "year": ["²⁰²⁰", "٢٠١٧", "2017", "1989", "2999", "+2017", "20 17", "0x7e1"],
    "share_pct": ["²⁵", "٢٥", "25", "1e999", "nan", "-inf", "1_000", "9" * 5_000, "25.5"],
    "url": ["HTTPS://EXAMPLE.ORG/", "javascript:alert(1)", "https://a\0b", "https://a\ufeffb",
            "http://", "https://x/" + "a" * 2_500, "https://a\u2028b"],
    "date": ["2026-02-30", "2026-13", "2026-02-28", "c. 2019", "2025-06 (AP wire)",
             "٢٠٢٦-٠٢-٠١", "2026-02-28 (posted 2026-02-31)"],
    "document": ["doc.txt", "doc\0.txt", "../doc.txt", "/etc/passwd.txt", "gone.txt", "a/",
                 "doc.txt\n"],
    "country": ["Laos", "La\0os", "LAO", "Congo", "XKX", "²", "Türkiye", "lao"],
    "locator": ["L150", "L" + "9" * 5_000, "L١٥٠", "L150-L140", "L0", "L150\0"],
    "id": ["a\0", "sau-cloud-jv", "thibaut2026", "-x", "x" * 70],
    "source": ["thibaut2026", "thibaut2025", "thibaut2026\0"],
    "confidence": ["high", "HIGH", "medium", "\0"],
}
ROWS = st.sampled_from([1, 1, 1, 2, 2, 3, -1, 0])  # 0: the header; -1: a new row


def draw_edits(data: st.DataObject, seeds: Path) -> None:
    """One to three edits of the seeds' CSV files, each drawn knowing the file's columns: the
    file, the row, the column, and a value (for a column of BY_COLUMN, often one of its own)."""
    for _ in range(data.draw(st.integers(1, 3), label="edits")):
        path = seeds / data.draw(st.sampled_from(CSV_FILES), label="file")
        rows = read_rows(path)
        width = len(rows[0])
        row = data.draw(ROWS, label="row")
        column = data.draw(st.integers(0, width - 1), label="column")
        own = BY_COLUMN.get(rows[0][column], [])
        value = data.draw(st.one_of(st.sampled_from(own), TEXT) if own and row else TEXT,
                          label=f"value of {rows[0][column]}")
        if row < 0 or row >= len(rows):
            rows.append([value] * width)
        else:  # row 0 is the header: a bad header too; a bare \r made rows of other widths
            rows[row] += [""] * (width - len(rows[row]))
            rows[row][column] = value
        write_rows(path, rows)


@fuzz(400)
@given(data=st.data())
def test_generated_csv_rows_are_read_or_refused_in_one_line(workdir: Path, data) -> None:
    seeds = fresh_seeds(workdir)
    draw_edits(data, seeds)
    try:
        atlas.load(seeds)
        event("loaded")
    except AtlasError as exc:
        event(type(exc).__name__)
        assert_one_line(exc)
    assert_cli(["validate", "--seeds", str(seeds)], seeds)


# --- layers.toml ---------------------------------------------------------------------------

def toml_value(value: Any) -> str:
    """`value` written as a TOML inline value (basic strings, inline tables)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") \
            if math.isinf(value) else repr(value)
    if isinstance(value, int | datetime.date):
        return str(value) if isinstance(value, int) else value.isoformat()
    if isinstance(value, str):
        escaped = "".join(f"\\u{ord(c):04x}" if ord(c) < 32 or ord(c) == 127 else
                          "\\\\" if c == "\\" else '\\"' if c == '"' else c for c in value)
        return f'"{escaped}"'
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{toml_value(str(k))} = {toml_value(v)}"
                           for k, v in value.items()) + "}"


def toml_text(raw: dict[str, Any]) -> str:
    """A layers.toml of `raw`: plain keys first, then tables and arrays of tables."""
    lines = [f"{toml_value(k)} = {toml_value(v)}" for k, v in raw.items()
             if not isinstance(v, dict) and not (isinstance(v, list) and v
                                                 and all(isinstance(x, dict) for x in v))]
    for key, value in raw.items():
        tables = [value] if isinstance(value, dict) else value \
            if isinstance(value, list) and value and all(isinstance(x, dict) for x in value) \
            else []
        for table in tables:
            lines.append(f"[{toml_value(key)}]" if isinstance(value, dict)
                         else f"[[{toml_value(key)}]]")
            lines += [f"{toml_value(k)} = {toml_value(v)}" for k, v in table.items()]
    return "\n".join(lines) + "\n"


SCALARS = st.one_of(TEXT, st.integers(-10, 10**6), st.floats(), st.booleans(),
                    st.dates(datetime.date(1, 1, 1), datetime.date(9999, 12, 31)))
TOML_VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(TEXT, inner, max_size=3)), max_leaves=6)
BASE_TOML = tomllib.loads((FIXTURE_SEEDS / "layers.toml").read_text(encoding="utf-8"))
#: Where an edit lands: a top-level table, or the n-th table of an array of them.
PLACES = st.sampled_from(["atlas", "confidence", "codebook", "layer.0", "layer.1", "layer.4",
                          "composite.0", "top"])
KEYS = st.one_of(st.sampled_from(["id", "title", "file", "value", "scale", "rows", "classes",
                                  "fields", "description", "data_date", "publisher",
                                  "base_url", "documents", "kinds", "help", "rules",
                                  "components", "min_components", "label", "layer"]), TEXT)
#: Texts that a valid layers.toml may hold anything in: edits there are often accepted, and
#: carry the value into every page (a class's label and rule too: index 1 picks a class).
SHOWN = st.tuples(st.sampled_from(["atlas", "layer.0", "layer.1", "composite.0"]),
                  st.sampled_from(["title", "description", "publisher", "licence", "classes"]),
                  TEXT, st.just(1))
#: Any value anywhere (mostly text, as most settings are), or a shown text.
TOML_EDITS = st.lists(st.one_of(SHOWN, st.tuples(PLACES, KEYS,
                                                 st.one_of(TEXT, TEXT, TOML_VALUES),
                                                 st.integers(0, 5))), min_size=1, max_size=3)


def apply_toml_edits(raw: dict[str, Any], edits) -> dict[str, Any]:
    raw = json.loads(json.dumps(raw))  # a deep copy (the fixture has no dates)
    for place, key, value, index in edits:
        table, _, n = place.partition(".")
        target = raw if table == "top" else raw.get(table)
        if isinstance(target, list):
            target = target[int(n) % len(target)]
        if not isinstance(target, dict):
            continue
        slot = target.get(key)
        if isinstance(slot, list) and slot and index:  # inside a list: a class, a field, …
            item = slot[index % len(slot)]
            if isinstance(item, dict) and item:
                item[sorted(item)[index % len(item)]] = value
                continue
        target[key] = value
    return raw


@fuzz(400)
@given(edits=TOML_EDITS)
def test_generated_layers_toml_is_read_or_refused_in_one_line(workdir: Path, edits) -> None:
    seeds = fresh_seeds(workdir)
    (seeds / "layers.toml").write_text(toml_text(apply_toml_edits(BASE_TOML, edits)),
                                       encoding="utf-8")
    try:
        atlas.load(seeds)
        event("loaded")
    except AtlasError as exc:
        event(type(exc).__name__)
        assert_one_line(exc)
    assert_cli(["validate", "--seeds", str(seeds)], seeds)


def test_the_toml_writer_writes_the_fixture_back() -> None:
    """The fuzzer's TOML writer is sound: the fixture survives a round trip unchanged."""
    assert tomllib.loads(toml_text(BASE_TOML)) == BASE_TOML


# --- release files -------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(), TEXT),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(TEXT, inner,
                                                                         max_size=3)),
    max_leaves=8)


@pytest.fixture(scope="module")
def base_release(workdir: Path) -> dict[str, Any]:
    """The fixture seeds' release 2026.11, as JSON."""
    seeds = fresh_seeds(workdir)
    assert CliRunner().invoke(cli, ["release", "--seeds", str(seeds)]).exit_code == 0
    return json.loads((seeds / "releases" / "2026.11.json").read_text(encoding="utf-8"))


def paths(value: Any, at: tuple = ()) -> Iterator[tuple]:
    """Every place in a JSON document, as a path of keys and indexes."""
    yield at
    if isinstance(value, dict):
        for k, v in value.items():
            yield from paths(v, (*at, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from paths(v, (*at, i))


#: An edit of a release: which place (an index into its places), and replace it with a value,
#: delete it, or add a key beside it.
RELEASE_EDITS = st.lists(st.tuples(st.integers(0, 10**6), st.sampled_from(["set", "del", "add"]),
                                   JSON_VALUES, TEXT), min_size=1, max_size=3)


def apply_release_edits(raw: Any, edits) -> Any:
    raw = json.loads(json.dumps(raw))
    for where, how, value, key in edits:
        places = [p for p in paths(raw) if p]
        if not places:
            return value
        *parent_path, last = places[where % len(places)]
        parent = raw
        for step in parent_path:
            parent = parent[step]
        if how == "set":
            parent[last] = value
        elif how == "del":
            del parent[last]
        elif isinstance(parent, dict):
            parent[key] = value
        else:
            parent.append(value)
    return raw


def write_release(seeds: Path, raw: Any, damage: int) -> Path:
    """The release file: the JSON of `raw`, or (damage > 0) its text cut or spoilt there."""
    path = seeds / "releases" / "2026.11.json"
    path.parent.mkdir(exist_ok=True)
    data = json.dumps(raw, ensure_ascii=False, allow_nan=True).encode("utf-8", "surrogatepass")
    if damage:
        data = data[:damage] + (b"\xff" if damage % 3 == 0 else b"") + data[damage * 2:]
    path.write_bytes(data)
    return path


@fuzz(400)
@given(edits=RELEASE_EDITS, damage=st.one_of(st.just(0), st.integers(1, 400)))
def test_generated_release_files_are_read_or_refused_in_one_line(
        workdir: Path, base_release: dict[str, Any], edits, damage: int) -> None:
    seeds = fresh_seeds(workdir)
    write_release(seeds, apply_release_edits(base_release, edits), damage)
    try:
        known = releases.load_all(seeds)
        releases.diff(known[-1], releases.from_seeds(seeds))
        event("read")
    except AtlasError as exc:
        event(type(exc).__name__)
        assert_one_line(exc)
    assert_cli(["diff", "--seeds", str(seeds)], seeds)


# --- builds --------------------------------------------------------------------------------

def site_files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file()}


@pytest.fixture(scope="module")
def last_site(workdir: Path) -> Path:
    """A site built from the fixture seeds, which every fuzzed build then tries to replace."""
    out = workdir / "out" / "site"
    build.run(fresh_seeds(workdir), out, pictures=False)
    return out


@fuzz(500)
@given(kind=st.sampled_from(["csv", "csv", "toml", "release"]), data=st.data())
def test_a_fuzzed_build_succeeds_whole_or_leaves_the_last_site(
        workdir: Path, base_release: dict[str, Any], last_site: Path, kind: str, data) -> None:
    seeds = fresh_seeds(workdir)
    if kind == "csv":
        draw_edits(data, seeds)
    elif kind == "toml":
        change = data.draw(TOML_EDITS, label="layers.toml edits")
        (seeds / "layers.toml").write_text(toml_text(apply_toml_edits(BASE_TOML, change)),
                                           encoding="utf-8")
    else:
        change = data.draw(RELEASE_EDITS, label="release edits")
        write_release(seeds, apply_release_edits(base_release, change), 0)
    before = site_files(last_site)
    try:
        build.run(seeds, last_site, pictures=False)
        event("built")
    except AtlasError as exc:
        event("refused")
        assert_one_line(exc)
        assert site_files(last_site) == before  # the previous build, byte for byte
    else:
        assert output.read_marker(last_site) is not None  # every file it lists, no other
    beside = [p.name for p in last_site.parent.iterdir()
              if p.name not in (last_site.name, build.CACHE_DIR)]
    assert beside == [], beside  # no temporary or old copy left
