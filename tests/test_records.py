"""Loading and validating records: every problem reported with file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from atlas import evidence
from atlas.errors import Problem
from atlas.evidence import model
from atlas.world import boundaries

KEYS = boundaries.load().keys


def load(seeds: Path) -> tuple[model.Dataset, list[Problem]]:
    return evidence.load(seeds)


def errors(seeds: Path) -> list[str]:
    return [str(p) for p in load(seeds)[1] if not p.warning]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_fixture_seeds_are_clean(seeds: Path) -> None:
    dataset, problems = load(seeds)
    assert [p for p in problems if not p.warning] == []
    assert set(dataset.records["mou"]) == {"LAO", "TUR"}
    assert dataset.records["cloud"]["BRA"].values["share_pct"] == 25
    assert dataset.records["mou"]["TUR"].citations[0].locator == "L150"


def test_none_is_a_value_and_absence_is_no_data(seeds: Path) -> None:
    with (seeds / "mou.csv").open("a", encoding="utf-8") as f:
        f.write("Japan,2024,low,test,,,none,,,\n")
    with (seeds / "citations.csv").open("a", encoding="utf-8") as f:
        f.write("mou,JPN,thibaut2026,L150,China\n")
    dataset, problems = load(seeds)
    assert dataset.records["mou"]["JPN"].values["instrument"] == "none"
    assert "FRA" not in dataset.records["mou"]


def test_unknown_country_names_file_line_and_suggestion(seeds: Path) -> None:
    edit(seeds / "mou.csv", "Laos,2017", "Laoss,2017")
    [msg] = [e for e in errors(seeds) if e.startswith(str(seeds / "mou.csv"))]
    assert msg.startswith(f"{seeds / 'mou.csv'}:2: country: unknown country 'Laoss'")
    assert "did you mean" in msg and "LAO" in msg


def test_duplicate_country_in_a_layer(seeds: Path) -> None:
    with (seeds / "mou.csv").open("a", encoding="utf-8") as f:
        f.write("TUR,2017,high,x,,,company_mou,,,\n")
    assert any("mou.csv:4: country: 'TUR' (TUR) appears twice" in e and "first at line 3" in e
               for e in errors(seeds))


def test_share_out_of_range(seeds: Path) -> None:
    edit(seeds / "cloud.csv", ",25,", ",120,")
    assert any("cloud.csv:3: share_pct: 120 is out of range (expected 0–100)" in e
               for e in errors(seeds))


def test_wrong_type_and_unknown_class(seeds: Path) -> None:
    edit(seeds / "cloud.csv", ",25,", ",25%,")
    edit(seeds / "safe_city.csv", "not the fact's → empty.,vendor_claim,",
         "not the fact's → empty.,vendor_claims,")
    errs = errors(seeds)
    assert any("cloud.csv:3: share_pct: '25%' is not a number" in e for e in errs)
    assert any("safe_city.csv:2: status: unknown value 'vendor_claims'" in e
               and "did you mean 'vendor_claim'?" in e for e in errs)


def test_share_needs_its_measure(seeds: Path) -> None:
    edit(seeds / "cloud.csv", ",25,share of data-centre ownership", ",25,")
    assert any("cloud.csv:3: share_measure: is required when share_pct is given" in e
               for e in errors(seeds))


@pytest.mark.parametrize(("year", "message"), [("2999", "is in the future"),
                                               ("17", "is not a year")])
def test_bad_years(seeds: Path, year: str, message: str) -> None:
    edit(seeds / "mou.csv", "Laos,2017", f"Laos,{year}")
    assert any("mou.csv:2: year: " in e and message in e for e in errors(seeds))


def test_unknown_source_id_suggests_the_close_one(seeds: Path) -> None:
    edit(seeds / "citations.csv", "mou,LAO,thibaut2026", "mou,LAO,thibaut2025")
    assert any("citations.csv:4: source: unknown source id 'thibaut2025'" in e
               and "did you mean 'thibaut2026'?" in e for e in errors(seeds))


def test_record_without_citation_is_an_error(seeds: Path) -> None:
    line = "mou,LAO,thibaut2026,L150,\"China, Laos, Saudi Arabia, Serbia, Turkey\"\n"
    edit(seeds / "citations.csv", line, "")
    assert any("mou.csv:2: country: 'Laos' has no citation" in e for e in errors(seeds))


def test_quote_must_stand_near_its_locator(seeds: Path) -> None:
    edit(seeds / "citations.csv", "mou,TUR,thibaut2026,L150", "mou,TUR,thibaut2026,L300")
    edit(seeds / "citations.csv", "Cuba frequently support", "Cuba always support")
    errs = errors(seeds)
    assert any("citations.csv:5: quote: not found in doc.txt at L300" in e
               and "it stands at L150" in e for e in errs)
    assert any("citations.csv:9: quote: not found in doc.txt at L373" in e for e in errs)


def test_missing_required_column_and_unknown_column(seeds: Path) -> None:
    edit(seeds / "forum.csv", "alignment,fora", "alignmnt,fora")
    errs = errors(seeds)
    assert any("forum.csv:1: alignmnt: unknown column" in e and "'alignment'" in e for e in errs)
    assert any("forum.csv:1: alignment: required column is missing" in e for e in errs)


def test_every_problem_is_reported_at_once(seeds: Path) -> None:
    edit(seeds / "mou.csv", "Laos,2017", "Laoss,2017")
    edit(seeds / "cloud.csv", ",25,", ",-3,")
    edit(seeds / "citations.csv", "forum,ZMB,thibaut2026", "forum,ZMB,nobody")
    errs = errors(seeds)
    assert len([e for e in errs if "mou.csv" in e or "cloud.csv" in e or "nobody" in e]) >= 3
