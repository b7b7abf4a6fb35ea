"""Every mistake a spreadsheet user makes gets a precise message, never a crash or a hang."""

from __future__ import annotations

import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from atlas import evidence
from atlas.errors import Problem
from atlas.evidence import model
from atlas.world import boundaries, countries

KEYS = boundaries.load().keys
HEADER = ("country,year,confidence,confidence_reason,derivation,note,"
          "instrument,instrument_name,parties,others")


def problems_for(seeds: Path) -> list[str]:
    _, problems = evidence.load(seeds)
    return [str(p) for p in problems]


def test_bom_and_crlf_are_accepted(seeds: Path) -> None:
    path = seeds / "mou.csv"
    text = path.read_text(encoding="utf-8")
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    dataset, problems = evidence.load(seeds)
    assert [p for p in problems if not p.warning] == []
    assert set(dataset.records["mou"]) == {"LAO", "TUR"}
    assert dataset.records["mou"]["TUR"].line == 3


def test_file_that_is_not_utf8(seeds: Path) -> None:
    path = seeds / "mou.csv"
    path.write_bytes((HEADER + "\nLaos,2017,high,x,,,company_mou,,,\nCôte d'Ivoire,2017,high,"
                      "x,,,company_mou,,,\n").encode("latin-1"))
    msgs = problems_for(seeds)
    assert any(m.startswith(f"{path}:3: not UTF-8") and "CSV UTF-8" in m for m in msgs)


def test_empty_file(seeds: Path) -> None:
    (seeds / "mou.csv").write_text("")
    assert any("mou.csv:1: file is empty" in m and "header" in m for m in problems_for(seeds))


def test_rows_with_too_many_or_too_few_cells(seeds: Path) -> None:
    (seeds / "mou.csv").write_text(HEADER + "\nLaos,2017,high,x,,,company_mou,,,,extra\n"
                                   "Türkiye,2017,high\n", encoding="utf-8")
    msgs = problems_for(seeds)
    assert any("mou.csv:2: too many cells: 11 (expected 10)" in m and "double quotes" in m
               for m in msgs)
    assert any("mou.csv:3: too few cells: 3 (expected 10)" in m for m in msgs)


def test_ambiguous_country_in_a_record(seeds: Path) -> None:
    (seeds / "mou.csv").write_text(HEADER + "\nCongo,2017,high,x,,,company_mou,,,\n")
    assert any("mou.csv:2: country: ambiguous country 'Congo'" in m and "COD" in m and "COG" in m
               for m in problems_for(seeds))


def test_unknown_category_in_a_list_field(seeds: Path) -> None:
    (seeds / "mou.csv").write_text(HEADER + "\nLaos,2017,high,x,,,company_mou,,,dsr_mou;dsr_mo\n")
    assert any("mou.csv:2: others: unknown value 'dsr_mo'" in m and "did you mean 'dsr_mou'?" in m
               for m in problems_for(seeds))


def test_unused_source_is_a_warning(seeds: Path) -> None:
    with (seeds / "sources.csv").open("a", encoding="utf-8") as f:
        f.write("spare,A spare source,,,,https://example.org/,news,,\n")
    _, problems = evidence.load(seeds)
    [p] = [p for p in problems if "spare" in p.message]
    assert p.warning and "is not cited" in p.message


def test_a_million_rows_is_answered_at_once(seeds: Path) -> None:
    line = "PAK,2020,high,x,,,company_mou,,,\n"
    (seeds / "mou.csv").write_text(HEADER + "\n" + line * 1_000_000, encoding="utf-8")
    start = time.perf_counter()
    msgs = problems_for(seeds)
    assert time.perf_counter() - start < 10
    assert any("mou.csv" in m and ("bytes" in m or "rows" in m) for m in msgs)


def test_many_rows_under_the_byte_limit_stop_at_the_row_limit(seeds: Path) -> None:
    rows = model.MAX_ROWS + 10
    (seeds / "mou.csv").write_text(HEADER + "\n" + "X,,,,,,,,,\n" * rows, encoding="utf-8")
    start = time.perf_counter()
    msgs = problems_for(seeds)
    assert time.perf_counter() - start < 10
    assert any(f"more than {model.MAX_ROWS:,} rows" in m for m in msgs)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_resolver_never_crashes(text: str) -> None:
    res = countries.resolve(text, KEYS)
    assert (res.key in KEYS) if res.key else res.message


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.binary(max_size=400),
                 st.lists(st.lists(st.text(max_size=12), max_size=12), max_size=6).map(
                     lambda rows: "\n".join(",".join(r) for r in rows).encode("utf-8", "replace"))))
def test_loader_never_crashes(seeds: Path, data: bytes) -> None:
    (seeds / "mou.csv").write_bytes(HEADER.encode() + b"\n" + data)
    dataset, problems = evidence.load(seeds)
    assert all(isinstance(p, Problem) for p in problems)
    assert all(isinstance(k, str) for k in dataset.records["mou"])
