"""Derivations from the data: the rule, the year's citation and the confidence's reason are
generated from each record, so no panel, page or download shows a year its own explanation
denies; a record without a year whose source is dated is reported unless its note says why."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from atlas import evidence
from atlas.evidence import derive, loader
from atlas.evidence.model import Dataset

SEEDS = Path(__file__).parent.parent / "seeds"


def read(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def write(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def test_every_records_generated_year_is_the_year_shown_and_its_citation_gives_it() -> None:
    dataset = loader.load_valid(SEEDS)
    wrong = []
    for lid, recs in dataset.records.items():
        for ref, rec in recs.items():
            said = re.search(r"Year: (none|\d{4})", rec.derived)
            shown = "none" if rec.year is None else str(rec.year)
            if not said or said.group(1) != shown:
                wrong.append(f"{lid} {ref}: shows {shown}, derived says {rec.derived!r}")
                continue
            cit, how = derive.year_citation(rec, dataset.sources)
            if cit is None:
                continue
            assert cit in rec.citations and cit.stance == "supports"
            given = (f"{cit.quote} {cit.evidence}" if how == "passage"
                     else dataset.sources[cit.source].date[:4])
            if shown not in given:
                wrong.append(f"{lid} {ref}: {cit.source} {cit.locator} does not give {shown}")
    assert wrong == []


def test_kenyas_year_names_the_source_and_locator_that_give_it() -> None:
    rec = loader.load_valid(SEEDS).records["safe_city"]["KEN"]
    assert rec.year == 2019
    assert "Year: 2019, stated in acrp-ken-huawei-2020, paras 2-6." in rec.derived
    assert "by the codebook's rule for deployed_verified" in rec.derived


def test_a_year_from_the_sources_date_says_so() -> None:
    rec = loader.load_valid(SEEDS).records["safe_city"]["EGY"]
    assert "Year: 2019, the date of reuters-uganda-standard (2019-08)" in rec.derived


def year_warnings(seeds: Path) -> tuple[Dataset, list[str]]:
    """The seeds loaded: the dataset and the validator's warnings about years, as printed."""
    dataset, problems = evidence.load(seeds)
    return dataset, [str(p) for p in problems.warnings if p.field == "year"]


def test_an_undated_record_with_a_dated_source_is_reported_until_its_note_says_why(
        seeds: Path) -> None:
    path = seeds / "cloud.csv"
    rows = read(path)
    note = rows[0].index("note")
    rows[2][note] = ""  # BRA: no year, its brief dated 2026-02
    write(path, rows)
    _dataset, said = year_warnings(seeds)
    assert said == [f"{path}:3: warning: year: 'BRA' has no year, but its source 'thibaut2026' "
                    "(L336) is dated 2026-02 — the codebook's year rule takes 2026 where the "
                    "passage names none; or say in the note why not (a sentence beginning "
                    "'Year')"]
    rows[2][note] = "Year: the brief's date is not the share's → empty."
    write(path, rows)
    assert year_warnings(seeds)[1] == []


def test_a_year_no_citation_gives_is_reported(seeds: Path) -> None:
    path = seeds / "mou.csv"
    rows = read(path)
    rows[1][rows[0].index("derivation")] = ""
    rows[1][rows[0].index("year")] = "2019"
    write(path, rows)
    dataset, said = year_warnings(seeds)
    assert said == [f"{path}:2: warning: year: 'LAO': no supporting citation's passage names "
                    "2019 and no supporting source is dated in it — name the year in the "
                    "evidence of the citation whose source states it, or date that source in "
                    "sources.csv"]
    assert "Year: 2019, named by no cited passage or source date" in \
        dataset.records["mou"]["LAO"].derived


def test_the_page_and_the_downloads_show_the_generated_part_beside_the_judgement(
        built_site: Path) -> None:
    page = (built_site / "country" / "CUB.html").read_text(encoding="utf-8")
    assert "<dt>from the data</dt><dd>Class: alignment = high, by the codebook&#x27;s rule " \
           "for high and its threshold with medium." in page
    assert "<dt>judgement</dt><dd>named as consistently aligned → high</dd>" in page
    with (built_site / "data" / "forum.csv").open(encoding="utf-8") as f:
        row = next(r for r in csv.DictReader(f) if r["iso3"] == "CUB")
    assert row["forum_derivation"] == "named as consistently aligned → high"
    assert row["forum_derived"].startswith("Class: alignment = high")
    assert "a single secondary source: capped at medium" in row["forum_derived"]
    with (built_site / "data" / "projects.csv").open(encoding="utf-8") as f:
        project = next(csv.DictReader(f))
    assert project["derived"].startswith("Class: status = operating")


def test_the_panel_shows_the_generated_part_beside_the_judgement(offline_page,
                                                                   built_site: Path) -> None:
    from tests.conftest import wait_for_panel

    page = offline_page.open(built_site / "index.html", "#layer=forum&country=CUB")
    wait_for_panel(page, "CUB")
    section = page.locator("#atlas-panel section[data-layer='forum']")
    terms = section.locator("dt").all_text_contents()
    assert terms.index("from the data") < terms.index("judgement")
    derived = section.locator("dd.atlas-derived").text_content()
    assert derived.startswith("Class: alignment = high, by the codebook's rule for high")
    assert "Thibaut 2026 is dated 2026-02, not taken (the note says why)" in derived
    assert offline_page.errors == []
