"""Messages that point at the real cause, once, and downloads that are safe in a spreadsheet."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from click.testing import CliRunner

from atlas import build, evidence
from atlas.cli import cli
from atlas.exports import tables
from tests.conftest import edit_record


def validate(seeds: Path) -> str:
    return CliRunner().invoke(cli, ["validate", "--seeds", str(seeds)]).output


def test_a_broken_row_is_reported_for_itself_not_through_its_citations(seeds: Path) -> None:
    edit_record(seeds / "mou.csv", "Laos,", "2017", "20x7")
    edit_record(seeds / "cloud.csv", "BRA,", "25,", "25%,")
    output = validate(seeds)
    assert f"{seeds / 'mou.csv'}:2: year: '20x7' is not a year" in output
    assert f"{seeds / 'cloud.csv'}:3: share_pct: '25%' is not a number" in output
    assert "citations.csv" not in output  # the rows' citations are fine; the rows are not


def test_a_row_whose_country_is_not_understood_is_named_as_the_cause(seeds: Path) -> None:
    edit_record(seeds / "cloud.csv", "BRA,", "BRA", "Brazill")
    output = validate(seeds)
    assert f"{seeds / 'cloud.csv'}:3: country: unknown country 'Brazill'" in output
    assert ("no cloud record for 'BRA' (BRA) — cloud.csv has rows whose country is not "
            "understood (see there); fix those first") in output


def test_a_citation_of_a_record_that_is_missing_is_still_reported(seeds: Path) -> None:
    with (seeds / "citations.csv").open("a", encoding="utf-8") as f:
        f.write("mou,KEN,thibaut2026,L150,China\n")
    assert "citations.csv:" in validate(seeds) and "no mou record for 'KEN' (KEN)" in \
        validate(seeds)


def test_an_unknown_source_says_where_sources_are_defined(seeds: Path) -> None:
    edit_record(seeds / "citations.csv", "cloud,BRA,", "thibaut2026", "thibaut2025")
    output = validate(seeds)
    assert (f"citations.csv:3: source: unknown source id 'thibaut2025' — sources are defined "
            f"in {seeds / 'sources.csv'} (column id); did you mean 'thibaut2026'?") in output


def test_a_missing_document_is_warned_once(seeds: Path, tmp_path: Path) -> None:
    (seeds / "doc.txt").unlink()
    for output in (validate(seeds), CliRunner().invoke(cli, [
            "build", "--seeds", str(seeds), "--out", str(tmp_path / "site")]).output):
        assert output.count("doc.txt") + output.count("local copies") == 1, output


FORMULAS = ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def test_every_text_cell_of_the_csv_download_is_safe_in_a_spreadsheet(seeds: Path,
                                                                      tmp_path: Path) -> None:
    rows = list(csv.reader(io.StringIO((seeds / "mou.csv").read_text(encoding="utf-8"))))
    rows[1][rows[0].index("instrument_name")] = FORMULAS[0]
    rows[1][rows[0].index("parties")] = FORMULAS[1]
    rows[2][rows[0].index("instrument_name")] = FORMULAS[2]
    rows[2][rows[0].index("parties")] = FORMULAS[3]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    (seeds / "mou.csv").write_text(buf.getvalue(), encoding="utf-8")
    out = tmp_path / "site"
    build.run(seeds, out)
    table = list(csv.reader(io.StringIO((out / "data" / "atlas.csv").read_text(
        encoding="utf-8"))))
    cells = [c for row in table for c in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    for text in FORMULAS[:4]:
        assert "'" + text in cells  # shown as written, with the apostrophe spreadsheets hide
    assert "25" in cells  # numbers stay numbers


def test_the_one_rule_for_csv_cells() -> None:
    assert [tables.spreadsheet_safe(t) for t in FORMULAS] == ["'" + t for t in FORMULAS]
    assert tables.spreadsheet_safe("Huawei; =x") == "Huawei; =x"
    assert tables._cell(-2.5) == "-2.5" and tables._cell(["-x", "y"]) == "'-x; y"


def test_an_unreadable_layer_file_is_one_problem_not_one_per_citation(seeds: Path) -> None:
    """A records file that cannot be read is reported once; its citations are not called
    orphans one by one."""
    (seeds / "mou.csv").unlink()
    (seeds / "mou.csv").mkdir()
    _, problems = evidence.load(seeds)
    errors = [str(p) for p in problems if not p.warning]
    assert len(errors) == 1 and "mou.csv" in errors[0] and "folder" in errors[0]
