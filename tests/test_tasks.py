"""Three readers' tasks on the real atlas, counted as they are done (issue 25): each action is a
real tap, click or key press in Chromium, and the answer the page gives is checked against the
records. The counts are printed (run with -s to see them) and held under what the same tasks
took before the site was reworked: 13 taps for the journalist, 29 Tabs for the researcher."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import atlas
from atlas import build
from tests.conftest import REPO, wait_for_panel

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("tasks") / "site"
    build.run(REPO / "seeds", out, pictures=False)
    return out


@pytest.fixture(scope="module")
def data() -> object:
    return atlas.load(REPO / "seeds")


def test_journalist_on_a_phone_finds_huaweis_safe_city_countries_in_africa(
        browser, real_site: Path, data) -> None:
    """"Which African countries have Huawei Safe City deployments?", by touch at 390 × 844."""
    safe = atlas.layer_frame(data, "safe_city")
    world = atlas.countries_frame(data).set_index("iso3")
    expected = {r.iso3 for r in safe.itertuples()
                if "Huawei" in (r.vendors or []) and world.loc[r.iso3, "region"] == "Africa"}
    assert len(expected) >= 5  # the question has an answer worth a search

    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True,
                                  is_mobile=True)
    page = context.new_page()
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
    page.goto((real_site / "index.html").as_uri())
    page.wait_for_selector("body[data-atlas-ready]")
    taps = 0

    def tap(selector: str, text: str | None = None) -> None:
        nonlocal taps
        taps += 1
        page.locator(selector, has_text=text).first.tap()

    def choose(selector: str, value: str) -> None:  # a phone's picker: open it, pick one
        nonlocal taps
        taps += 2
        page.select_option(selector, value)

    tap("#atlas-layers-button")
    tap("#atlas-layer-list label", "Safe City")
    tap("#atlas-menu-button")
    choose("#atlas-company", "Huawei")
    tap("#atlas-table-button")
    choose("#atlas-table-region", "Africa")
    tap("#atlas-table-data")  # only countries with data

    rows = page.locator("#atlas-tableview tbody tr:visible")
    shown = {r.get_attribute("data-iso3") for r in rows.all()}
    assert shown == expected
    for iso3 in sorted(expected):  # each row says the status, so deployed and announced differ
        cell = page.locator(f"#atlas-tableview tr[data-iso3='{iso3}'] td[data-key='safe_city']")
        assert cell.is_visible() and cell.inner_text().strip() not in ("", "—")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
    print(f"\njournalist: {taps} taps (13 before)")
    assert taps < 13
    context.close()


def test_researcher_with_a_keyboard_reaches_kenyas_safe_city_source_as_of_2019(
        browser, real_site: Path, data) -> None:
    """"As of 2019, what was Kenya's Safe City status, and which source says so?", with the
    keyboard alone at 1366 × 768."""
    rec = next(r for r in atlas.layer_frame(data, "safe_city").itertuples() if r.iso3 == "KEN")
    assert rec.year <= 2019
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
    page.goto((real_site / "index.html").as_uri())
    page.wait_for_selector("body[data-atlas-ready]")
    tabs = keys = 0

    def tab_to(condition: str, back: bool = False) -> None:
        nonlocal tabs
        for _ in range(60):
            page.keyboard.press("Shift+Tab" if back else "Tab")
            tabs += 1
            if page.evaluate(condition):
                return
        raise AssertionError(f"never reached: {condition}")

    def type_and(text: str, key: str) -> None:
        nonlocal keys
        page.keyboard.type(text)
        page.keyboard.press(key)
        keys += len(text) + 1

    tab_to("document.activeElement.id === 'atlas-year'")
    type_and("2019", "Enter")
    assert page.evaluate("location.hash").find("asof=2019") >= 0 or \
        page.locator("#atlas-year").input_value() == "2019"
    tab_to("document.activeElement.id === 'atlas-search'", back=True)
    type_and("Kenya", "Enter")
    wait_for_panel(page, "KEN")
    tab_to("!!document.activeElement.closest(\"#atlas-panel section[data-layer='safe_city']\")"
           " && /^https:/.test(document.activeElement.getAttribute('href') || '')")
    section = page.locator("#atlas-panel section[data-layer='safe_city']")
    spec = next(s for s in data.layers if s.id == "safe_city")
    label = next(c.label for c in spec.classes if c.value == rec.status)
    assert label in section.inner_text()
    cited = {data.sources[s.split(" ")[0]].url for s in rec.sources}
    assert page.evaluate("document.activeElement.getAttribute('href')") in cited
    print(f"\nresearcher: {tabs} Tabs and {keys} other keys (29 Tabs before)")
    assert tabs < 29
    page.close()


def test_analyst_downloads_the_safe_city_view_of_africa_as_of_2019(offline_page, real_site: Path,
                                                                    data) -> None:
    """"A spreadsheet of Africa's Safe City records as of 2019", with the mouse: five clicks,
    and the file says what it holds."""
    page = offline_page.open(real_site / "index.html")
    clicks = 0

    def click(selector: str, text: str | None = None) -> None:
        nonlocal clicks
        clicks += 1
        page.locator(selector, has_text=text).first.click()

    click("#atlas-layer-list label", "Safe City")
    clicks += 1
    page.select_option("#atlas-year", "2019")
    click("#atlas-table-button")
    clicks += 1
    page.select_option("#atlas-table-region", "Africa")
    with page.expect_download() as info:
        click("#atlas-table-csv")
    assert info.value.suggested_filename == "atlas-safe_city-Africa-as-of-2019.csv"
    path = Path(info.value.path())
    first = path.read_text("utf-8").splitlines()[0]
    assert "as of: 2019" in first and "region: Africa" in first
    safe = atlas.layer_frame(data, "safe_city")
    world = atlas.countries_frame(data).set_index("iso3")
    dated = {r.iso3: r.status for r in safe.itertuples()
             if pd.notna(r.year) and r.year <= 2019 and world.loc[r.iso3, "region"] == "Africa"}
    frame = pd.read_csv(path, comment="#", keep_default_na=False).set_index("iso3")
    assert dated and {k: frame.loc[k, "safe_city_value"] for k in dated} == dated
    assert set(frame["region"]) == {"Africa"}
    print(f"\nanalyst: {clicks} clicks")
    assert clicks <= 5
    assert offline_page.errors == []
