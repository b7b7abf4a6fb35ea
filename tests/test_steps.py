"""Steps in time (seeds/steps.csv): a record's earlier classes, each with its year and citation.
Bad rows are refused with file, line and field; the As-of view, the table, the panel, the
downloads, the releases' diff and `atlas report` show the class in force in a year."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from atlas import build, evidence
from atlas.cli import cli
from atlas.evidence.steps import in_force
from atlas.history import releases
from tests.conftest import REPO, edit_record, wait_for_panel

HEADER = "layer,country,value,year,source,locator,quote,evidence\n"
#: A step for the fixture's Zambia (forum high 2024): made up for these tests, in a copy.
GOOD = "forum,Zambia,medium,2023,thibaut2026,L387,,test step: medium from 2023\n"


def write_steps(seeds: Path, *rows: str) -> Path:
    path = seeds / "steps.csv"
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return path


def errors(seeds: Path) -> list[str]:
    return [str(p) for p in evidence.load(seeds)[1] if not p.warning]


def test_a_step_is_read_with_its_citation_and_confidence(seeds: Path) -> None:
    write_steps(seeds, GOOD)
    dataset, problems = evidence.load(seeds)
    assert problems.errors == []
    rec = dataset.records["forum"]["ZMB"]
    [step] = rec.steps
    assert (step.value, step.year, step.citations[0].source, step.citations[0].locator) == \
        ("medium", 2023, "thibaut2026", "L387")
    assert step.confidence == "medium"  # one think tank's report alone: the single-source cap
    assert in_force(rec, "alignment", 2024) == ("high", 2024)
    assert in_force(rec, "alignment", 2023) == ("medium", 2023)
    assert in_force(rec, "alignment", 2022) is None  # no data then
    assert in_force(rec, "alignment", None) == ("high", 2024)


@pytest.mark.parametrize(("row", "field", "message", "hint"), [
    ("forum,Zambia,medium,2023,thibaut2062,L387,,x\n", "source",
     "unknown source id 'thibaut2062'", "did you mean 'thibaut2026'?"),
    ("forum,Zambia,mediun,2023,thibaut2026,L387,,x\n", "value",
     "'mediun' is not a class of the forum layer", "did you mean 'medium'?"),
    ("forum,Zambia,medium,2024,thibaut2026,L387,,x\n", "year",
     "2024 is not before the record's own year (2024)", "forum.csv line 2) is the latest"),
    ("forum,Zambia,medium,2o23,thibaut2026,L387,,x\n", "year", "'2o23' is not a year", ""),
    ("forum,Cuba,medium,2023,thibaut2026,L373,,x\n", "year",
     "the forum record CUB has no year", "give the record its year in forum.csv"),
    ("forum,France,medium,2023,thibaut2026,L387,,x\n", "country",
     "no forum record for 'France' (FRA)", "add the record to forum.csv first"),
    ("forun,Zambia,medium,2023,thibaut2026,L387,,x\n", "layer", "unknown layer 'forun'",
     "did you mean 'forum'?"),
    ("forum,Zambia,medium,2023,thibaut2026,,,x\n", "locator", "is required", "para 1"),
    ("forum,Zambia,medium,2023,thibaut2026,L387,,\n", "evidence", "no evidence and no quote",
     ""),
    ("projects,sau-cloud-jx,agreed,2020,thibaut2026,L338,,x\n", "country",
     "no projects record with id 'sau-cloud-jx'", "did you mean 'sau-cloud-jv'?"),
    ("projects,sau-cloud-jv,operatng,2020,thibaut2026,L338,,x\n", "value",
     "'operatng' is not a class of 'status' in the projects layer", "did you mean 'operating'?"),
    ("forum,Zambia,medium,2023,thibaut2026,L387,no such words here,x\n", "quote",
     "not found in", ""),
])
def test_a_bad_step_names_file_line_field_and_a_fix(seeds: Path, row: str, field: str,
                                                     message: str, hint: str) -> None:
    path = write_steps(seeds, row)
    [error] = [e for e in errors(seeds) if e.startswith(str(path))]
    assert error.startswith(f"{path}:2: {field}: {message}"), error
    assert hint in error.partition(" — ")[2], error


def test_a_project_step_sets_its_status_as_of_a_year(seeds: Path) -> None:
    edit_record(seeds / "projects.csv", "sau-cloud-jv", "Alibaba Cloud,,operating",
                "Alibaba Cloud,2024,operating")
    write_steps(seeds, "projects,sau-cloud-jv,agreed,2022,thibaut2026,L338,,test step\n")
    dataset, problems = evidence.load(seeds)
    assert problems.errors == []
    rec = dataset.records["projects"]["sau-cloud-jv"]
    assert in_force(rec, "status", 2023) == ("agreed", 2022)
    assert in_force(rec, "status", 2024) == ("operating", 2024)
    assert in_force(rec, "status", 2021) is None


def test_a_step_cited_twice_or_with_two_classes_for_one_year_is_refused(seeds: Path) -> None:
    path = write_steps(seeds, GOOD, GOOD, "forum,ZMB,low,2023,thibaut2026,L373,,x\n")
    found = [e for e in errors(seeds) if e.startswith(str(path))]
    assert found == [
        f"{path}:3: source: duplicate step: thibaut2026 L387 is already cited for forum ZMB "
        "2023 at line 2 — remove one of them",
        f"{path}:4: value: ZMB has two classes for 2023 in the forum layer: 'medium' (line 2) "
        "and 'low' — one step per year: keep the class the sources state"]


def test_no_steps_file_means_no_steps_and_the_cli_exits_non_zero_on_a_bad_one(
        runner, seeds: Path) -> None:
    assert all(not r.steps for recs in evidence.load(seeds)[0].records.values()
               for r in recs.values())
    write_steps(seeds, "forum,Zambia,medium,2030,thibaut2026,L387,,x\n")
    result = runner.invoke(cli, ["validate", "--seeds", str(seeds)])
    assert result.exit_code != 0 and "steps.csv:2: year: 2030 is out of range" in result.output
    assert "Traceback" not in result.output


def test_report_counts_the_records_with_steps_per_layer(runner, seeds: Path) -> None:
    before = runner.invoke(cli, ["report", "--seeds", str(seeds)]).output
    write_steps(seeds, GOOD)
    after = runner.invoke(cli, ["report", "--seeds", str(seeds)]).output
    forum = next(line for line in after.splitlines() if line.startswith("  forum ")
                 and "records" in line and "publisher" in line)
    assert forum.endswith("with earlier steps 1"), forum
    assert "with earlier steps 0" in next(line for line in before.splitlines()
                                          if line.startswith("  forum ") and "publisher" in line)


def test_diff_shows_a_new_step_as_a_change_with_its_source(runner, seeds: Path) -> None:
    old = releases.snapshot(evidence.load_valid(seeds))
    write_steps(seeds, GOOD)
    new = releases.snapshot(evidence.load_valid(seeds))
    [changed] = releases.diff(old, new)["changed"]
    assert changed["key"] == "ZMB"
    assert changed["changes"] == {"steps": [None, ["medium 2023"]]}  # its source was cited


# ---- the real seeds: the downloads and the page ----

@pytest.fixture(scope="module")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("steps") / "site"
    build.run(REPO / "seeds", out, pictures=False)
    return out


def test_the_downloads_carry_the_steps(real_site: Path) -> None:
    data = real_site / "data"
    for name in ("atlas.csv", "forum.csv"):
        rows = {r["iso3"]: r for r in csv.DictReader(io.StringIO(
            (data / name).read_text("utf-8")))}
        assert rows["KAZ"]["forum_steps"] == "medium 2015; medium 2022; medium 2026"
        assert rows["KAZ"]["forum"] == "medium" and rows["KAZ"]["forum_year"] == "2026"
        assert rows["ZMB"]["forum_steps"] == "medium 2023; high 2024"
        assert rows["BRA"]["forum_steps"] == ""  # no earlier step
    table = {r["iso3"]: r for r in csv.DictReader(io.StringIO(
        (data / "atlas.csv").read_text("utf-8")))}
    assert table["ZMB"]["safe_city_steps"] == \
        "cancelled 2013; announced 2016; deployed_reported 2022"
    features = json.loads((data / "atlas.geojson").read_text("utf-8"))["features"]
    kaz = next(f for f in features if f["id"] == "KAZ")["properties"]
    assert kaz["forum_steps"] == "medium 2015; medium 2022; medium 2026"
    package = json.loads((data / "datapackage.json").read_text("utf-8"))
    fields = next(r for r in package["resources"] if r["path"] == "forum.csv")["schema"]["fields"]
    assert "forum_steps" in [f["name"] for f in fields]


def test_the_country_page_lists_the_steps_with_their_sources(real_site: Path) -> None:
    text = (real_site / "country" / "ZMB.html").read_text("utf-8")
    steps = text[text.index("Steps in time"):]
    years = [steps.index(f'data-year="{y}"') for y in (2013, 2016, 2022)]
    assert years == sorted(years)  # oldest first, the record's own last
    assert "Cancelled / withdrawn" in steps and "Zambia Withdraws A $210 Million CCTV" in steps
    ethiopia = (real_site / "country" / "ETH.html").read_text("utf-8")
    project = ethiopia[ethiopia.index('id="eth-etrss1"'):]
    project = project[project.index("Steps in time"):project.index("</ol>", project.index(
        'data-year="2019"'))]
    labels = [x.split("</strong>")[0] for x in project.split("<strong>")[1:]]
    assert labels == ["Agreed", "Under construction", "Operating"]


@pytest.mark.browser
def test_as_of_a_year_shows_the_step_in_force_on_map_table_and_panel(offline_page,
                                                                     real_site: Path) -> None:
    page = offline_page.open(real_site / "index.html", "#layer=forum&year=2022")
    shown = page.evaluate("window.atlasSite.record('KAZ', 'forum')")
    assert (shown["value"], shown["year"], shown["step"]) == ("medium", 2022, True)
    fill = page.evaluate("window.atlasSite.byId['KAZ'].getElement().getAttribute('fill')")
    assert fill != "url(#atlas-nodata)"
    page.click("#atlas-table-button")
    cell = page.locator("#atlas-tableview tr[data-iso3='KAZ'] td[data-key='forum']")
    assert cell.inner_text().startswith("Medium")
    page.keyboard.press("Escape")
    page.evaluate("window.atlasSite.showCountry('KAZ')")
    wait_for_panel(page, "KAZ")
    section = page.locator("#atlas-panel section[data-layer='forum']")
    assert "as of 2022 the map shows the earlier step, Medium" in section.inner_text()
    steps = section.locator(".atlas-steps > li")
    assert [steps.nth(i).get_attribute("data-year") for i in range(3)] == ["2015", "2022", "2026"]
    assert "Signed Global Data Security Initiative" in steps.nth(1).inner_text()  # its source
    page.select_option("#atlas-year", "2014")  # before the first step: no data
    assert page.evaluate("window.atlasSite.record('KAZ', 'forum')") is None
    assert page.evaluate("window.atlasSite.byId['KAZ'].getElement().getAttribute('fill')") == \
        "url(#atlas-nodata)"
    assert offline_page.errors == []


def test_the_projects_table_carries_a_project_s_steps(real_site: Path) -> None:
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(
        (real_site / "data" / "projects.csv").read_text("utf-8")))}
    assert rows["eth-etrss1"]["steps"] == \
        "agreed 2016; under_construction 2018; operating 2019"
    assert rows["eth-etrss1"]["status"] == "operating" and rows["eth-etrss1"]["year"] == "2019"
    assert all(r["steps"] == "" for k, r in rows.items() if k.startswith("aiddata-"))


@pytest.mark.browser
def test_as_of_a_year_shows_a_project_at_its_earlier_stage(offline_page,
                                                           real_site: Path) -> None:
    page = offline_page.open(real_site / "index.html", "#layer=projects&year=2017")
    p = page.evaluate("(() => { const p = AtlasSite.projectById('eth-etrss1');"
                      " return [p.color, p.year, p.step]; })()")
    assert p == ["agreed", 2016, True]
    shown = page.evaluate("window.atlasSite.shownProjects().map(p => p.id)")
    assert "eth-etrss1" in shown
    page.select_option("#atlas-year", "2015")  # before its first step: not yet there
    assert "eth-etrss1" not in page.evaluate("window.atlasSite.shownProjects().map(p => p.id)")
    page.select_option("#atlas-year", "2018")
    page.evaluate("window.atlasSite.showProject('eth-etrss1', {fit: false})")
    page.wait_for_selector("#atlas-panel[data-project='eth-etrss1']:not([aria-busy]) h2")
    panel = page.locator("#atlas-panel")
    assert "as of 2018 the map shows the earlier step, Under construction (2018)" in \
        panel.inner_text()
    years = panel.locator(".atlas-steps > li")
    assert [years.nth(i).get_attribute("data-year") for i in range(3)] == \
        ["2016", "2018", "2019"]
    ethiopia = page.evaluate("window.atlasSite.record('ETH', 'projects')")
    assert ethiopia is not None and ethiopia["year"] <= 2018
    assert offline_page.errors == []
