"""The site for everyone who opens it: axe-core finds nothing, phones, keyboards, a selected
country in view, tables that answer questions, time, the company filter — in Chromium."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from atlas import build
from tests.conftest import OfflinePage, wait_for_panel

pytestmark = pytest.mark.browser
REPO = Path(__file__).resolve().parent.parent
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("access") / "site"
    build.run(REPO / "seeds", out)
    return out


@pytest.fixture
def phone(browser) -> OfflinePage:
    page = OfflinePage(browser, PHONE)
    yield page
    page.page.close()


def data(site: Path) -> dict:
    text = (site / "data" / "atlas-data.js").read_text(encoding="utf-8")
    return json.loads(text[len("window.ATLAS_DATA="):-2])


def axe_violations(page) -> list[str]:
    """axe-core's rule violations on the page as it is now (axe from the axe-playwright-python
    wheel; `preload` off, as it would fetch the stylesheets again, which file:// forbids)."""
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page, options={"resultTypes": ["violations"], "preload": False})
    return [f"{v['id']}: {[n['target'] for n in v['nodes']]}"
            for v in result.response["violations"]]


@pytest.mark.parametrize("size", [None, PHONE], ids=["desktop", "phone"])
def test_axe_finds_nothing_on_the_map_page(browser, real_site: Path, size) -> None:
    page_ = OfflinePage(browser, size)
    page = page_.open(real_site / "index.html")
    assert axe_violations(page) == []
    page.fill("#atlas-search", "Zambia")
    page.keyboard.press("Enter")
    page.wait_for_selector("#atlas-panel section[data-layer='forum'] ol")
    assert axe_violations(page) == []  # a panel open
    page.keyboard.press("Escape")
    if size:
        page.click("#atlas-menu-button")
    page.click("#atlas-table-button")
    assert axe_violations(page) == []  # the table open
    assert page_.errors == [] and page_.blocked == []
    page_.page.close()


def test_axe_finds_nothing_on_the_about_and_a_country_page(offline_page, real_site: Path) -> None:
    page = offline_page.page
    for name in ("about.html", "country/PAK.html"):
        page.goto((real_site / name).as_uri())
        assert axe_violations(page) == [], name
    page.goto((real_site / "about.html").as_uri())
    sources = len(list(csv.DictReader(io.StringIO(
        (REPO / "seeds" / "sources.csv").read_text("utf-8-sig")))))
    summary = page.locator("main p").nth(1).inner_text()  # first, after "back to the map"
    assert summary.startswith("In short:") and f"{sources} in all" in summary
    html = (real_site / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in html and "user-scalable=no" not in html
    assert html.rstrip().endswith("</body>\n</html>")  # no script after </body>


def test_phone_header_is_compact_and_the_layers_fold(phone, real_site: Path) -> None:
    page = phone.open(real_site / "index.html")
    header = page.locator("#atlas-header").bounding_box()
    assert header["height"] <= 0.15 * PHONE["height"]
    assert page.locator("#atlas-search").is_visible()
    assert page.locator("#atlas-layer-list").is_hidden()
    page.click("#atlas-layers-button")
    page.get_by_label("Safe City / surveillance deployments").check()
    assert page.locator("#atlas-legend h2").inner_text() == "Safe City / surveillance deployments"
    page.keyboard.press("Escape")
    assert page.locator("#atlas-layer-list").is_hidden()
    assert page.evaluate("document.activeElement.id") == "atlas-layers-button"
    assert "Safe City" in page.locator("#atlas-layers-button").inner_text()
    page.click("#atlas-menu-button")
    page.click("#atlas-company", trial=True, timeout=3000)  # shown, and nothing lies over it
    page.keyboard.press("Escape")
    assert page.locator("#atlas-company").is_hidden()


@pytest.mark.parametrize("how", ["permalink", "search", "tap"])
def test_phone_sheet_keeps_the_selected_country_in_view(phone, real_site: Path, how) -> None:
    page = phone.open(real_site / "index.html", "#country=THA" if how == "permalink" else "")
    if how == "search":
        page.fill("#atlas-search", "Thailand")
        page.keyboard.press("Enter")
    elif how == "tap":
        page.evaluate("void window.atlasSite.map.setView([5, 100], 3, {animate: false})")
        page.evaluate("void window.atlasSite.byId['THA'].fire('click', {}, true)")
    wait_for_panel(page, "THA")
    assert page.locator("#atlas-panel").get_attribute("data-country") == "THA"
    sheet = page.locator("#atlas-panel").bounding_box()
    assert sheet["width"] == PHONE["width"] and sheet["y"] > PHONE["height"] * 0.35
    box = page.evaluate("(() => { const r = window.atlasSite.byId['THA'].getElement()"
                        ".getBoundingClientRect(); return [r.x, r.y, r.right, r.bottom]; })()")
    header = page.locator("#atlas-header").bounding_box()
    assert box[0] >= 0 and box[2] <= PHONE["width"]
    assert box[1] >= header["y"] + header["height"] and box[3] <= sheet["y"]  # above the sheet
    assert page.evaluate("window.atlasSite.map.getZoom()") >= 3


def test_phone_tap_targets_are_at_least_24px_and_zoom_is_allowed(phone, real_site: Path) -> None:
    page = phone.open(real_site / "index.html", "#country=ZMB")
    page.wait_for_selector("#atlas-panel section[data-layer='forum'] ol")
    page.click("#atlas-menu-button")
    small = page.evaluate("""() => [...document.querySelectorAll(
        '#atlas-header button, #atlas-header input, #atlas-header select, #atlas-header summary,'
        + '#atlas-header a, #atlas-panel button, #atlas-panel > p a, .leaflet-control a,'
        + '#atlas-legend a, #atlas-skip')]
      .filter(e => e.offsetParent !== null && !e.closest('.atlas-downloads p'))
      .map(e => { const r = e.getBoundingClientRect();
        const t = e.type === 'radio' ? e.closest('label').getBoundingClientRect() : r;
        return [e.id || e.textContent.trim().slice(0, 20), t.width, t.height]; })
      .filter(([_, w, h]) => w < 24 || h < 24)""")
    assert small == []
    viewport = page.locator("meta[name=viewport]").get_attribute("content")
    assert "user-scalable" not in viewport and "maximum-scale" not in viewport


def test_tab_order_reaches_the_controls_before_the_map(offline_page, real_site: Path) -> None:
    page = offline_page.open(real_site / "index.html")
    stops = []
    for _ in range(40):
        page.keyboard.press("Tab")
        stops.append(page.evaluate("(() => { const e = document.activeElement;"
                                   " return e.id || e.tagName.toLowerCase(); })()"))
    assert stops[0] == "a"  # the skip link
    assert page.evaluate("document.querySelector('.atlas-skip').textContent") == "Skip to the map"
    first = {name: stops.index(name) for name in ("atlas-search", "atlas-company", "atlas-year",
                                                  "atlas-table-button", "atlas-layers-button")}
    assert max(first.values()) < stops.index("map_01") <= 15
    assert "path" not in stops and "svg" not in stops  # the shapes do not flood the Tab order
    assert page.locator("#atlas-layer-list input:checked").count() == 1
    assert stops.index("atlas-layer-cloud") < stops.index("map_01")


def test_skip_link_and_escape_return_focus(offline_page, real_site: Path) -> None:
    page = offline_page.open(real_site / "index.html")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "map_01"
    page.focus("#atlas-table-button")
    page.keyboard.press("Enter")
    assert page.locator("#atlas-tableview").is_visible()
    page.keyboard.press("Escape")
    assert page.locator("#atlas-tableview").is_hidden()
    assert page.evaluate("document.activeElement.id") == "atlas-table-button"
    page.focus("#atlas-search")
    page.keyboard.type("Kenya")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "atlas-panel"
    page.keyboard.press("Escape")
    assert page.locator("#atlas-panel").is_hidden()
    assert page.evaluate("document.activeElement.id") == "atlas-search"
    assert "country=" not in page.evaluate("location.hash")


def test_selected_country_is_outlined_zoom_is_bounded_labels_fit(offline_page,
                                                                 real_site: Path) -> None:
    page = offline_page.open(real_site / "index.html", "#country=KEN")
    width = page.evaluate("window.atlasSite.byId['KEN'].getElement().getAttribute('stroke-width')")
    other = page.evaluate("window.atlasSite.byId['TZA'].getElement().getAttribute('stroke-width')")
    assert float(width) >= 3 > float(other)
    bounds = page.evaluate("window.atlasSite.byId['KEN'].getElement().getBoundingClientRect()"
                           ".toJSON()")
    panel = page.locator("#atlas-panel").bounding_box()
    assert bounds["right"] <= panel["x"] and bounds["left"] >= 0 and bounds["top"] >= 0
    assert page.evaluate("window.atlasSite.map.getMaxZoom()") == 6
    page.evaluate("void window.atlasSite.map.setZoom(12, {animate: false})")
    assert page.evaluate("window.atlasSite.map.getZoom()") == 6
    page.evaluate("void window.atlasSite.map.setView([30, 60], 2, {animate: false})")
    world = int(page.get_attribute("body", "data-labels"))
    labels = page.locator(".atlas-label").all_inner_texts()
    assert "Russia" in labels and "Belgium" not in labels and world > 10
    page.evaluate("void window.atlasSite.map.setView([50, 10], 5, {animate: false})")
    assert "Belgium" in page.locator(".atlas-label").all_inner_texts()
    assert page.evaluate("document.querySelector('.leaflet-atlas-labels-pane')"
                         ".getAttribute('aria-hidden')") == "true"


def test_ordinal_layers_sort_by_class_order(offline_page, real_site: Path) -> None:
    d = data(real_site)
    page = offline_page.open(real_site / "index.html")
    page.click("#atlas-table-button")
    page.check("#atlas-table-data")
    for lid in ("forum", "safe_city"):
        layer = next(x for x in d["layers"] if x["id"] == lid)
        label_rank = {c["label"]: i for i, c in enumerate(layer["classes"])}  # strongest first
        page.click(f"th[data-key='{lid}'] button")
        page.click(f"th[data-key='{lid}'] button")  # descending: strongest first
        cells = page.locator(f"#atlas-tableview td[data-key='{lid}']").all_inner_texts()
        ranks = [label_rank[c] for c in cells if c != "—"]
        assert ranks == sorted(ranks) and len(set(ranks)) >= 3, lid


def test_table_filter_finds_companies_regions_and_subregions(offline_page,
                                                            real_site: Path) -> None:
    d = data(real_site)
    huawei = {k for k, c in d["countries"].items() if "Huawei" in c["companies"]}
    page = offline_page.open(real_site / "index.html")
    page.click("#atlas-table-button")
    rows = page.locator("#atlas-tableview tbody tr")
    page.fill("#atlas-table-filter", "huawei")
    assert {r.get_attribute("data-iso3") for r in rows.all()} >= huawei and len(huawei) > 3
    page.fill("#atlas-table-filter", "")
    page.select_option("#atlas-table-region", "Africa")
    page.select_option("#atlas-table-subregion", "Eastern Africa")
    shown = {r.get_attribute("data-iso3") for r in rows.all()}
    expected = {k for k, c in d["countries"].items()
                if c["subregion"] == "Eastern Africa" and c["continent"] == "Africa"}
    assert shown == expected and "KEN" in shown
    options = page.locator("#atlas-table-subregion option").all_inner_texts()
    assert "South America" not in options  # sub-regions follow the region chosen


def test_csv_of_the_view_has_years_confidence_and_sources(offline_page, real_site: Path) -> None:
    d = data(real_site)
    page = offline_page.open(real_site / "index.html")
    page.click("#atlas-table-button")
    page.fill("#atlas-table-filter", "Kenya")
    with page.expect_download() as info:
        page.click("#atlas-table-csv")
    settings, body = Path(info.value.path()).read_text("utf-8").split("\n", 1)
    assert settings.startswith("# ") and "text filter: \"Kenya\"" in settings
    table = list(csv.DictReader(io.StringIO(body)))
    assert [r["iso3"] for r in table] == ["KEN"]
    row, rec = table[0], d["countries"]["KEN"]["layers"]["safe_city"]
    assert row["safe_city_value"] == rec["value"]
    assert row["safe_city_confidence"] == rec["confidence"]
    assert row["safe_city_year"] == (str(rec["year"]) if rec["year"] else "")
    assert row["safe_city_sources"] and row["safe_city_source_urls"].startswith("http")
    assert "Huawei" in row["companies"] and row["subregion"] == "Eastern Africa"


def test_as_of_year_changes_map_legend_table_and_permalink(offline_page, real_site: Path) -> None:
    d = data(real_site)
    page = offline_page.open(real_site / "index.html", "#layer=mou")
    page.select_option("#atlas-year", "2017")
    assert "year=2017" in page.evaluate("location.hash")
    recs = [c["layers"]["mou"] for c in d["countries"].values() if "mou" in c["layers"]]

    def in_force(r: dict) -> str | None:
        """The class shown as of 2017: the record's own, else its latest earlier step."""
        if r.get("year") is None or r["year"] <= 2017:
            return r["value"]
        earlier = [s for s in r.get("steps") or [] if s["year"] <= 2017]
        return earlier[-1]["value"] if earlier else None

    shown = [v for v in map(in_force, recs) if v is not None]
    assert len(shown) < len(recs)
    for value in {r["value"] for r in recs}:
        count = page.locator(f"#atlas-legend li[data-value='{value}'] .count").inner_text()
        assert count == str(shown.count(value)), value
    assert "without a year are shown" in page.locator("#atlas-year-note").inner_text()
    later = next(k for k, c in d["countries"].items()
                 if "mou" in c["layers"] and in_force(c["layers"]["mou"]) is None)
    fill = page.evaluate(f"window.atlasSite.byId['{later}'].getElement().getAttribute('fill')")
    assert fill == "url(#atlas-nodata)"
    page.goto(page.url)  # the permalink holds the year
    page.reload()
    page.wait_for_selector("body[data-atlas-ready]")
    assert page.locator("#atlas-year").input_value() == "2017"
    page.click("#atlas-table-button")
    cell = page.locator(f"#atlas-tableview tr[data-iso3='{later}'] td[data-key='mou']")
    assert cell.inner_text() == "—"


def test_company_filter_fades_the_map_and_filters_the_table(offline_page,
                                                            real_site: Path) -> None:
    d = data(real_site)
    anywhere = {k for k, c in d["countries"].items() if "Huawei" in c["companies"]}
    huawei = {k for k, c in d["countries"].items()
              if "Huawei" in c["companies_by_layer"].get("safe_city", [])}
    assert huawei < anywhere  # the Safe City layer's vendors, not Huawei anywhere
    page = offline_page.open(real_site / "index.html", "#layer=safe_city")
    page.select_option("#atlas-company", "Huawei")
    assert "company=Huawei" in page.evaluate("location.hash")
    opacity = page.evaluate("Object.fromEntries(Object.entries(window.atlasSite.byId).map("
                            "([k, l]) => [k, l.options.fillOpacity]))")
    assert {k for k, o in opacity.items() if o > 0.5} == huawei
    assert f"{len(huawei)} countries whose records name Huawei in the Safe City" in \
        page.inner_text("#atlas-legend")
    page.click("#atlas-table-button")
    rows = page.locator("#atlas-tableview tbody tr")
    assert {r.get_attribute("data-iso3") for r in rows.all()} == huawei
    page.keyboard.press("Escape")
    page.select_option("#atlas-company-in", "any")
    assert "companyin=any" in page.evaluate("location.hash")
    page.click("#atlas-table-button")
    assert {r.get_attribute("data-iso3") for r in rows.all()} == anywhere
    page.keyboard.press("Escape")
    page.goto((real_site / "index.html").as_uri() + "#company=ZTE")
    page.reload()
    page.wait_for_selector("body[data-atlas-ready]")
    assert page.locator("#atlas-company").input_value() == "ZTE"
    assert offline_page.errors == []


def test_copy_link_copies_the_permalink(offline_page, real_site: Path) -> None:
    page = offline_page.open(real_site / "index.html", "#layer=forum&country=ZMB")
    page.evaluate("window.copied = []; navigator.clipboard.writeText = t => "
                  "(window.copied.push(t), Promise.resolve()); 0")
    page.click("#atlas-copy-link")
    assert page.evaluate("window.copied") == [page.url]
    page.wait_for_function("document.getElementById('atlas-status').textContent === 'Link copied.'")


def test_print_keeps_the_map_and_legend_without_controls(offline_page, real_site: Path) -> None:
    d = data(real_site)
    page = offline_page.open(real_site / "index.html", "#layer=mou")
    page.emulate_media(media="print")
    assert page.locator("#atlas-legend").is_visible()
    for hidden in ("#atlas-search", "#atlas-layers", ".leaflet-control-zoom", "#atlas-menu"):
        assert page.locator(hidden).is_hidden(), hidden
    note = page.locator(".atlas-print-note")
    assert note.is_visible() and d["meta"]["data_version"] in note.inner_text()


def test_copy_link_on_a_country_page(offline_page, real_site: Path) -> None:
    """Country pages have their own "Copy link"; printed, it is left out."""
    page = offline_page.page
    page.goto((real_site / "country" / "ZMB.html").as_uri())
    page.evaluate("window.copied = []; navigator.clipboard.writeText = t => "
                  "(window.copied.push(t), Promise.resolve()); 0")
    page.click("#atlas-copy-link")
    assert page.evaluate("window.copied") == [page.url]
    page.wait_for_function("document.getElementById('atlas-status').textContent === 'Link copied.'")
    page.emulate_media(media="print")
    assert page.locator("#atlas-copy-link").is_hidden()
    assert offline_page.errors == []


def test_a_long_source_title_wraps_beside_its_number(offline_page, real_site: Path) -> None:
    """Each numbered source starts on its number's line, however long its title."""
    page = offline_page.open(real_site / "index.html", "#layer=safe_city&country=HUN")
    wait_for_panel(page, "HUN")
    starts = page.eval_on_selector_all(
        "#atlas-panel ol.atlas-sources li",
        "items => items.map(li => { const a = li.querySelector('a'); const rects = "
        "a.getClientRects(); return [rects[0].top - li.getBoundingClientRect().top, "
        "rects.length]; })")
    assert starts and any(lines > 1 for _top, lines in starts)  # a title that wraps
    assert all(top < 6 for top, _lines in starts), starts
