"""Projects as points on the map, their panel, filters and table — in Chromium, from file://,
with the network blocked: the fixture seeds (one project, placed only by its country), the real
seeds (every project of seeds/projects.csv) and a synthetic set of 600 (more than the table
lists at once)."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from atlas import build
from tests.conftest import FIXTURE_SEEDS, OfflinePage
from tests.test_site_access import PHONE, axe_violations

pytestmark = pytest.mark.browser
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("points") / "site"
    build.run(REPO / "seeds", out)
    return out


@pytest.fixture(scope="module")
def synthetic_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from benchmarks import synthetic

    tmp = tmp_path_factory.mktemp("synthetic")
    out = tmp / "site"
    build.run(synthetic.make(FIXTURE_SEEDS, tmp / "seeds", 600), out, pictures=False)
    return out


def projects(site: Path) -> list[dict]:
    text = (site / "data" / "points.js").read_text(encoding="utf-8")
    # {"projects": {count, codes, first, …, "columns": '<the columns as a JSON text>'}}
    found = re.fullmatch(r"window\.ATLAS_POINTS=\{\"projects\":(\{.*),\"columns\":'(.*)'\}\};\n",
                         text, re.S)
    assert found
    table = json.loads(found.group(1) + "}")
    table["columns"] = json.loads(re.sub(r"\\(.)", lambda m: m.group(1), found.group(2)))
    columns = {c: [v if v is None or c not in table["codes"] else table["codes"][c][v]
                   for v in values] for c, values in table["columns"].items()}
    return [{c: columns[c][i] for c in columns} for i in range(table["count"])]


def sources(site: Path) -> dict:
    text = (site / "data" / "atlas-data.js").read_text(encoding="utf-8")
    return json.loads(text[len("window.ATLAS_DATA="):-2])["sources"]


def marks(page) -> dict:
    """What the map draws once the points are in their clusters: the number of marks, the
    projects they stand for (a cluster's count, or one) and the number of projects shown."""
    page.wait_for_selector("body[data-points-ready]", state="attached", timeout=30_000)
    return page.evaluate("""() => {
      const clusters = [...document.querySelectorAll('.atlas-cluster')];
      const points = document.querySelectorAll('.atlas-point').length;
      return {marks: clusters.length + points,
              drawn: clusters.reduce((n, c) => n + Number(c.dataset.count), points),
              shown: Number(document.body.dataset.pointsShown)};
    }""")


def test_points_are_drawn_offline_and_the_clusters_count_every_project(offline_page,
                                                                      real_site: Path) -> None:
    page = offline_page.open(real_site / "index.html")
    got = marks(page)
    assert got["marks"] > 0
    assert got["drawn"] == got["shown"] == len(projects(real_site)) > 40
    assert page.locator(".atlas-cluster").count() > 0  # clustered at the world view
    # Not Tab stops, and hidden from screen readers (the projects table is their way).
    assert page.evaluate("[...document.querySelectorAll('.leaflet-atlas-points-pane *')]"
                         ".filter(e => e.tabIndex >= 0).length") == 0
    assert page.get_attribute(".leaflet-atlas-points-pane", "aria-hidden") == "true"
    # Exact places are filled marks, the others hollow.
    page.evaluate("void window.atlasSite.map.setView([0, 20], 6, {animate: false})")
    page.wait_for_selector(".atlas-point", timeout=10_000)
    assert page.locator(".atlas-point-hollow").count() > 0
    assert offline_page.blocked == [] and offline_page.errors == []


def test_clicking_a_point_opens_its_panel_with_the_sources_links(offline_page,
                                                                 built_site: Path) -> None:
    """The fixture's one project names no place: drawn inside Saudi Arabia, hollow, and the
    panel says so."""
    (project,) = projects(built_site)
    assert project["id"] == "sau-cloud-jv" and project["precision"] == "country"
    page = offline_page.open(built_site / "index.html")
    assert marks(page) == {"marks": 1, "drawn": 1, "shown": 1}
    point = page.locator(".atlas-point")
    assert "atlas-point-hollow" in point.get_attribute("class")
    box = point.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_selector("#atlas-panel[data-project='sau-cloud-jv']:not([aria-busy]) h2")
    panel = page.locator("#atlas-panel")
    text = panel.inner_text()
    assert "Saudi Cloud Computing Company" in text and "Saudi Arabia" in text
    assert "Data centre" in text and "Operating" in text and "Alibaba Cloud" in text
    assert "no place named: drawn inside the country" in text
    links = panel.locator("ol.atlas-sources a")
    assert links.count() >= 1
    known = sources(built_site)
    for a in links.all():
        href = a.get_attribute("href")
        assert href.startswith("https://") and a.get_attribute("rel") == "noopener noreferrer"
        assert href in {s.get("url") for s in known.values()}
        assert href in text  # the address is written out too
    assert "project=sau-cloud-jv" in page.evaluate("location.hash")
    page.keyboard.press("Escape")
    assert panel.is_hidden() and "project=" not in page.evaluate("location.hash")
    assert offline_page.blocked == [] and offline_page.errors == []


def test_a_permalink_opens_the_project_and_its_country_lists_it(offline_page,
                                                               real_site: Path) -> None:
    exact = next(p for p in projects(real_site) if p["precision"] == "city")
    page = offline_page.open(real_site / "index.html", f"#project={exact['id']}")
    page.wait_for_selector(f"#atlas-panel[data-project='{exact['id']}']:not([aria-busy]) h2")
    assert page.locator("#atlas-panel h2").inner_text() == exact["name"]
    assert "a city: drawn at the city's point" in page.locator("#atlas-panel").inner_text()
    page.click("#atlas-project-country")  # to its country, whose panel lists its projects
    page.wait_for_selector(f"#atlas-panel[data-country='{exact['iso3']}']:not([aria-busy]) h2")
    assert "project=" not in page.evaluate("location.hash")
    item = page.locator(f"#atlas-panel li[data-project='{exact['id']}'] a")
    item.click()
    page.wait_for_selector(f"#atlas-panel[data-project='{exact['id']}']:not([aria-busy]) h2")
    # Back and forth through the address, as with the other state.
    page.evaluate("location.hash = '#layer=mou&project=' + "
                  f"{json.dumps(next(p['id'] for p in projects(real_site) if p != exact))}")
    page.wait_for_function("document.querySelector('#atlas-panel').dataset.project !== "
                           f"{json.dumps(exact['id'])}")
    assert page.locator("#atlas-legend h2").inner_text() == "DSR and digital-economy MOUs"
    assert offline_page.errors == []


def test_kind_status_company_and_year_filters_change_the_points(offline_page,
                                                                real_site: Path) -> None:
    rows = projects(real_site)
    page = offline_page.open(real_site / "index.html")
    page.select_option("#atlas-kind", "data_centre")
    want = [p for p in rows if p["kind"] == "data_centre"]
    got = marks(page)
    assert got["drawn"] == got["shown"] == len(want) and 0 < len(want) < len(rows)
    status = next(p["status"] for p in want)
    page.select_option("#atlas-status-filter", status)
    want = [p for p in want if p["status"] == status]
    assert marks(page)["drawn"] == len(want)
    assert f"kind=data_centre&status={status}" in page.evaluate("location.hash")
    page.reload()  # the permalink holds the filters
    page.wait_for_selector("body[data-atlas-ready]")
    assert page.locator("#atlas-kind").input_value() == "data_centre"
    assert marks(page)["drawn"] == len(want)
    page.select_option("#atlas-kind", "")
    page.select_option("#atlas-status-filter", "")
    page.select_option("#atlas-company", "Huawei")  # the project's own companies
    huawei = [p for p in rows if "Huawei" in (p["companies"] or [])]
    assert marks(page)["drawn"] == len(huawei) > 0
    page.select_option("#atlas-company", "")
    page.select_option("#atlas-year", "2018")  # dated up to 2018, no year, or a step by then
    as_of = [p for p in rows if p["year"] is None or p["year"] <= 2018
             or any(year <= 2018 for _status, year in p["steps"] or [])]
    assert marks(page)["drawn"] == len(as_of) and len(as_of) < len(rows)
    assert offline_page.errors == []


def test_the_points_can_be_switched_off(offline_page, real_site: Path) -> None:
    page = offline_page.open(real_site / "index.html")
    assert marks(page)["marks"] > 0
    page.get_by_label(f"Projects as points ({len(projects(real_site))})").uncheck()
    assert page.locator(".atlas-point, .atlas-cluster").count() == 0
    assert "points=off" in page.evaluate("location.hash")
    assert "(switched off)" in page.inner_text("#atlas-points-legend")
    page.reload()
    page.wait_for_selector("body[data-atlas-ready]")
    assert not page.locator("#atlas-points-toggle").is_checked()
    assert page.locator(".atlas-point, .atlas-cluster").count() == 0
    page.check("#atlas-points-toggle")
    assert marks(page)["drawn"] == len(projects(real_site))
    assert "points" not in page.evaluate("location.hash")
    page.click("#atlas-points-legend summary")  # the legend folds
    assert page.locator("#atlas-points-legend ul").first.is_hidden()
    assert offline_page.errors == []


def test_the_projects_table_lists_every_project_and_the_keyboard_reaches_it(
        offline_page, synthetic_site: Path) -> None:
    rows = projects(synthetic_site)
    assert len(rows) == 600
    page = offline_page.open(synthetic_site / "index.html")
    filled = page.evaluate("Array.from({length: AtlasSite.projectCount}, (_, i) => i)"
                           ".filter(AtlasSite.pointFilled).length")
    assert filled == sum(p["precision"] == "exact" for p in rows) > 0  # the others hollow
    page.focus("#atlas-search")
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "atlas-projects-button":
            break
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "atlas-projects-filter"
    body = page.locator("#atlas-projects-view tbody tr")
    assert body.count() == 500 and "600 of 600 projects" in page.inner_text("#atlas-projects-count")
    page.focus("#atlas-projects-more")
    page.keyboard.press("Enter")  # the rest, and focus on the first of them
    assert body.count() == 600
    listed = {r.get_attribute("data-project") for r in body.all()}
    assert listed == {p["id"] for p in rows}
    focused = page.evaluate("document.activeElement.closest('tr').dataset.project")
    assert focused == body.nth(500).get_attribute("data-project")
    page.keyboard.press("Enter")  # a project link: its panel, with focus
    page.wait_for_selector(f"#atlas-panel[data-project='{focused}']:not([aria-busy]) h2")
    assert page.evaluate("document.activeElement.id") == "atlas-panel"
    assert page.locator("#atlas-projects-view").is_hidden()
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.id") == "atlas-projects-button"
    # Sorting by year, descending: the latest first, projects without a year last.
    page.click("#atlas-projects-button")
    page.click("#atlas-projects-view th[data-key='year'] button")
    page.click("#atlas-projects-view th[data-key='year'] button")
    years = [int(y) for y in body.locator("td[data-key='year']").all_inner_texts() if y != "—"]
    assert years == sorted(years, reverse=True) and years
    assert offline_page.blocked == [] and offline_page.errors == []


def drawn_marks(page) -> list[tuple]:
    """Every mark on the map: what it shows (a cluster's count, a point's symbol and colour,
    filled or hollow) and where."""
    return sorted(page.evaluate("""() => [
      ...document.querySelectorAll('.atlas-cluster, .atlas-point')].map(m => {
        const r = m.getBoundingClientRect();
        return [m.className, m.textContent, m.style.background, m.style.borderColor,
                Math.round(r.x), Math.round(r.y)]; })"""))


def test_the_map_draws_the_points_before_it_reads_them_and_the_same_marks_after(
        offline_page, real_site: Path) -> None:
    rows = projects(real_site)
    page = offline_page.page
    # The browser's idle time, when the page reads the points, is held back until released.
    page.add_init_script("window.__held = []; window.requestIdleCallback = "
                         "fn => { window.__held.push(fn); return 0; };")
    page.goto((real_site / "index.html").as_uri())
    page.wait_for_selector("body[data-points-ready]", state="attached", timeout=30_000)
    assert page.get_attribute("body", "data-points-read") is None  # not read, yet drawn
    world = drawn_marks(page)
    counted = sum(int(m[1]) if "atlas-cluster" in m[0] else 1 for m in world)
    assert counted == len(rows)
    legend = page.inner_text("#atlas-points-legend")
    assert f"Project points: {len(rows)} of {len(rows)}" in legend
    view = page.evaluate("[window.atlasSite.map.getCenter(), window.atlasSite.map.getZoom()]")
    go = "v => void window.atlasSite.map.setView(v[0], v[1], {animate: false})"
    page.evaluate(go, [[5, 20], 3])  # a closer view the first drawing has: lone points too
    closer = drawn_marks(page)
    assert any("atlas-point" in m[0] for m in closer)
    assert any("atlas-cluster" in m[0] for m in closer)
    assert page.get_attribute("body", "data-points-read") is None
    page.evaluate("window.__held.splice(0).forEach(fn => fn({didTimeout: false, "
                  "timeRemaining: () => 50}))")
    page.wait_for_selector("body[data-points-read][data-atlas-ready]", state="attached")
    assert drawn_marks(page) == closer  # read, and drawn the same
    page.evaluate(go, view)
    assert drawn_marks(page) == world
    assert page.inner_text("#atlas-points-legend") == legend
    assert offline_page.errors == []


def test_a_view_the_first_drawing_lacks_reads_the_points_at_once(offline_page,
                                                                 synthetic_site: Path) -> None:
    rows = projects(synthetic_site)
    page = offline_page.page
    page.add_init_script("window.requestIdleCallback = () => 0;")  # never idle
    page.goto((synthetic_site / "index.html").as_uri() + "#status=operating")
    got = marks(page)
    operating = sum(p["status"] == "operating" for p in rows)
    assert got["drawn"] == got["shown"] == operating > 0  # a filter: read at once
    assert page.get_attribute("body", "data-points-read") == "1"
    page.goto((synthetic_site / "index.html").as_uri() + "#points=on")
    page.reload()
    page.wait_for_selector("body[data-points-ready]", state="attached", timeout=30_000)
    assert page.get_attribute("body", "data-points-read") is None
    page.evaluate("void window.atlasSite.map.setView([0, 0], 6, {animate: false})")
    page.wait_for_selector("body[data-points-read]", state="attached")  # zoom 6: read
    page.locator(".atlas-point, .atlas-cluster").first.wait_for()
    assert offline_page.errors == []


def central_cluster(page):
    """The cluster nearest the middle of the window (some are drawn beyond its edges)."""
    page.evaluate("""() => {
      const mid = [innerWidth / 2, innerHeight / 2], d = c => {
        const r = c.getBoundingClientRect();
        return Math.hypot(r.x + r.width / 2 - mid[0], r.y + r.height / 2 - mid[1]); };
      const all = [...document.querySelectorAll('.atlas-cluster')].sort((a, b) => d(a) - d(b));
      all[0].setAttribute('data-central', '1');
    }""")
    return page.locator(".atlas-cluster[data-central]")


def test_a_cluster_zooms_in_and_at_the_last_zoom_lists_its_projects(offline_page,
                                                                    synthetic_site: Path) -> None:
    rows = projects(synthetic_site)
    page = offline_page.open(synthetic_site / "index.html")
    got = marks(page)
    assert got["drawn"] == got["shown"] == len(rows)
    zoom = page.evaluate("window.atlasSite.map.getZoom()")
    central_cluster(page).click()  # to its points' bounds
    page.wait_for_function(f"window.atlasSite.map.getZoom() > {zoom}")
    # At the last zoom a cluster's points cannot be spread further: a list of them.
    first = rows[0]
    page.evaluate(f"void window.atlasSite.map.setView([{first['lat']}, {first['lon']}], 6, "
                  "{animate: false})")
    marks(page)
    cluster = central_cluster(page)
    count = int(cluster.get_attribute("data-count"))
    cluster.click()
    items = page.locator(".atlas-cluster-list button")
    assert items.count() == count > 1
    assert f"{count} projects here" in page.inner_text(".atlas-cluster-list")
    name = items.first.inner_text()
    items.first.click()
    page.wait_for_selector("#atlas-panel[data-project]:not([aria-busy]) h2")
    assert page.locator("#atlas-panel h2").inner_text() == name
    page.wait_for_selector(".atlas-cluster-list", state="detached")  # the list closed (faded)
    # Panned and zoomed, the marks still count the shown projects in their cells: at the world
    # view again, every one of them.
    page.evaluate("void window.atlasSite.map.setView([20, 20], 2, {animate: false})")
    assert marks(page)["drawn"] == len(rows)
    assert offline_page.errors == []


def test_the_csv_of_the_projects_view_has_the_filtered_rows(offline_page,
                                                            real_site: Path) -> None:
    rows = projects(real_site)
    page = offline_page.open(real_site / "index.html", "#kind=cable")
    page.click("#atlas-projects-button")
    page.fill("#atlas-projects-filter", "fibre")
    listed = [r.get_attribute("data-project")
              for r in page.locator("#atlas-projects-view tbody tr").all()]
    want = {p["id"] for p in rows if p["kind"] == "cable"
            and "fibre" in f"{p['id']} {p['name']}".lower()}  # the filter reads every cell
    assert set(listed) == want and want
    with page.expect_download() as info:
        page.click("#atlas-projects-csv")
    assert info.value.suggested_filename == "atlas-projects-cable.csv"
    text = Path(info.value.path()).read_text("utf-8")
    assert text.startswith("# ") and "kind: cable" in text.splitlines()[0]
    table = list(csv.DictReader(io.StringIO(text.split("\n", 1)[1])))
    assert [r["id"] for r in table] == listed
    assert all(r["kind"] == "cable" and r["sources"] for r in table)
    assert all(u.startswith("https://") for r in table for u in r["source_urls"].split())
    assert offline_page.errors == []


def test_the_downloads_menu_follows_the_build(offline_page, real_site: Path) -> None:
    text = (real_site / "data" / "atlas-data.js").read_text(encoding="utf-8")
    listed = json.loads(text[len("window.ATLAS_DATA="):-2])["meta"]["downloads"]
    page = offline_page.open(real_site / "index.html")
    page.click(".atlas-downloads summary")
    links = page.locator(".atlas-downloads a[data-file]")
    assert sorted(a.get_attribute("data-file") for a in links.all()) == \
        sorted({d["name"] for d in listed} | {"datapackage.json"})
    assert page.locator(".atlas-downloads a", has_text="projects (one row each)"
                        ).get_attribute("href") == "data/projects.csv"
    assert all((real_site / "data" / d["name"]).is_file() for d in listed)


@pytest.mark.parametrize("size", [None, PHONE], ids=["desktop", "phone"])
def test_axe_finds_nothing_with_points_a_project_and_the_projects_table(browser, real_site: Path,
                                                                        size) -> None:
    page_ = OfflinePage(browser, size)
    page = page_.open(real_site / "index.html")
    assert marks(page)["marks"] > 0
    assert axe_violations(page) == []  # points shown
    exact = next(p for p in projects(real_site) if p["precision"] == "city")
    page.evaluate(f"location.hash = 'project={exact['id']}'")
    page.wait_for_selector(f"#atlas-panel[data-project='{exact['id']}']:not([aria-busy]) h2")
    assert axe_violations(page) == []  # a project's panel open
    if size:  # at phone size the panel is a sheet over the lower part of the map
        sheet = page.locator("#atlas-panel").bounding_box()
        assert sheet["width"] == PHONE["width"] and sheet["y"] > PHONE["height"] * 0.35
    page.keyboard.press("Escape")
    if size:
        page.click("#atlas-menu-button")
    page.click("#atlas-projects-button")
    assert page.locator("#atlas-projects-view tbody tr").count() == len(projects(real_site))
    assert axe_violations(page) == []  # the projects table open
    assert page_.errors == [] and page_.blocked == []
    page_.page.close()


def test_phone_tap_on_a_point_opens_the_project_as_a_sheet(browser, built_site: Path) -> None:
    phone = OfflinePage(browser, PHONE)
    page = phone.open(built_site / "index.html")
    assert page.locator("#atlas-points-legend details").get_attribute("open") is None  # folded
    marks(page)
    page.locator(".atlas-point").click()
    page.wait_for_selector("#atlas-panel[data-project='sau-cloud-jv']:not([aria-busy]) h2")
    sheet = page.locator("#atlas-panel").bounding_box()
    assert sheet["width"] == PHONE["width"] and sheet["y"] > PHONE["height"] * 0.35
    assert sheet["y"] + sheet["height"] <= PHONE["height"] + 1
    assert phone.errors == [] and phone.blocked == []
    phone.page.close()


def test_a_hostile_project_name_is_text(offline_page, seeds: Path, tmp_path: Path) -> None:
    """Quotes, a backslash and markup in a project's name reach the page as text (data/points.js
    is a JSON text in a single-quoted string; the page inserts it with textContent)."""
    from tests.conftest import edit_record

    name = "O'Brien \"fibre\" \\ <img src=x onerror=window.hit=1> 北斗 \u2028end"
    quoted = '"' + name.replace('"', '""') + '"'
    edit_record(seeds / "projects.csv", "sau-cloud-jv", "Saudi Cloud Computing Company", quoted)
    build.run(seeds, tmp_path / "site", pictures=False)
    assert [p["name"] for p in projects(tmp_path / "site")] == [name]
    page = offline_page.open(tmp_path / "site" / "index.html", "#project=sau-cloud-jv")
    page.wait_for_selector("#atlas-panel[data-project='sau-cloud-jv']:not([aria-busy]) h2")
    assert page.evaluate("document.querySelector('#atlas-panel h2').textContent") == name
    page.keyboard.press("Escape")
    page.click("#atlas-projects-button")
    assert page.evaluate("document.querySelector('#atlas-projects-view tbody a').textContent") \
        == name
    assert page.evaluate("window.hit") is None and page.locator("#atlas-main img").count() == 0
    assert offline_page.errors == []
