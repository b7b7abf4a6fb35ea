"""A site that answers the question asked (issue 25), in Chromium from file:// with the network
blocked: the company filter per layer, the CSV of a view named after what it holds with its
settings, "Report a problem with this value", the phone table, focus after Back and the
Downloads menu's files downloading."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest

from atlas import build
from tests.conftest import FIXTURE_SEEDS, OfflinePage, http_server, wait_for_panel
from tests.test_site_access import PHONE

pytestmark = pytest.mark.browser
REPORT = "https://example.org/issues/new?title={country}%20{layer}&body={value}%20({iso3},%20{data_version})"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture seeds with African Safe City records (Kenya's by Huawei, Nigeria's by ZTE),
    Nigeria's cloud provider Huawei, and a report_url."""
    import shutil

    tmp = tmp_path_factory.mktemp("context")
    seeds = tmp / "seeds"
    shutil.copytree(FIXTURE_SEEDS, seeds)
    with (seeds / "safe_city.csv").open("a", encoding="utf-8") as f:
        f.write("Kenya,2015,high,x,,,deployed_verified,1,Huawei\n"
                "Nigeria,2018,high,x,,,deployed_verified,1,ZTE\n")
    with (seeds / "cloud.csv").open("a", encoding="utf-8") as f:
        f.write("Nigeria,2019,medium,x,,,region,Huawei,,\n")
    with (seeds / "citations.csv").open("a", encoding="utf-8") as f:
        for layer, iso3 in (("safe_city", "KEN"), ("safe_city", "NGA"), ("cloud", "NGA")):
            f.write(f"{layer},{iso3},thibaut2026,L150,\"Serbia, Turkey, Thailand\"\n")
    toml = (seeds / "layers.toml").read_text(encoding="utf-8")
    (seeds / "layers.toml").write_text(toml.replace(
        'documents = "."', f'documents = "."\nreport_url = "{REPORT}"', 1), encoding="utf-8")
    out = tmp / "site"
    build.run(seeds, out, pictures=False)
    return out


def shown(page) -> set[str]:
    """The countries the company filter keeps (not faded on the map)."""
    return set(page.evaluate("Object.keys(window.atlasSite.byId).filter(k => "
                             "window.atlasSite.hasCompany(k))"))


def test_the_company_filter_reads_the_active_layer(offline_page, site: Path) -> None:
    page = offline_page.open(site / "index.html", "#layer=safe_city&company=Huawei")
    assert shown(page) >= {"KEN"} and "NGA" not in shown(page)
    legend = page.inner_text("#atlas-legend")
    assert "countries whose records name Huawei in the Safe City" in legend
    page.click("#atlas-menu-button") if page.locator("#atlas-menu-button").is_visible() else None
    page.click("#atlas-table-button")
    page.select_option("#atlas-table-region", "Africa")
    rows = page.locator("#atlas-tableview tbody tr")
    assert [r.get_attribute("data-iso3") for r in rows.all()] == ["KEN"]
    # Nigeria's Safe City vendor is ZTE: only "in any layer" (its cloud record) keeps it.
    page.select_option("#atlas-company-in", "any")
    assert "companyin=any" in page.evaluate("location.hash")
    assert {r.get_attribute("data-iso3") for r in rows.all()} == {"KEN", "NGA"}
    # The legend counts the countries the filter keeps.
    counts = page.evaluate("[...document.querySelectorAll('#atlas-legend li .count')]"
                           ".reduce((n, c) => n + Number(c.textContent), 0)")
    assert counts == len(shown(page))
    # The cloud layer, in the layer shown: Huawei is Nigeria's cloud provider, not Kenya's.
    page.goto((site / "index.html").as_uri() + "#layer=cloud&company=Huawei")
    page.reload()
    page.wait_for_selector("body[data-atlas-ready]")
    assert "NGA" in shown(page) and "KEN" not in shown(page)
    assert page.locator("#atlas-company-in").input_value() == "layer"
    assert offline_page.blocked == [] and offline_page.errors == []


def test_the_csv_of_the_view_is_named_after_it_and_says_its_settings(offline_page,
                                                                     site: Path) -> None:
    page = offline_page.open(site / "index.html", "#layer=safe_city&company=Huawei&year=2019")
    page.click("#atlas-table-button")
    page.select_option("#atlas-table-region", "Africa")
    with page.expect_download() as info:
        page.click("#atlas-table-csv")
    assert info.value.suggested_filename == "atlas-safe_city-Huawei-Africa-as-of-2019.csv"
    path = Path(info.value.path())
    first = path.read_text("utf-8").splitlines()[0]
    assert first.startswith("# ")
    for said in ("layer: safe_city", "company: Huawei in the Safe City", "region: Africa",
                 "as of: 2019"):
        assert said in first
    frame = pd.read_csv(path, comment="#")
    assert list(frame["iso3"]) == ["KEN"] and "subregion" in frame.columns
    rows = list(csv.DictReader(io.StringIO(path.read_text("utf-8").split("\n", 1)[1])))
    assert rows[0]["safe_city_value"] == "deployed_verified"
    assert offline_page.errors == []


def test_report_a_problem_with_each_value(offline_page, site: Path, built_site: Path) -> None:
    page = offline_page.open(site / "index.html", "#layer=safe_city&country=KEN")
    wait_for_panel(page, "KEN")
    links = page.locator("#atlas-panel a.report-problem")
    assert links.count() == 1  # Kenya has one value: its Safe City record
    a = links.first
    assert a.inner_text() == "Report a problem with this value"
    assert a.get_attribute("rel") == "noopener noreferrer"
    href = a.get_attribute("href")
    assert href.startswith("https://example.org/issues/new?title=Kenya%20safe_city&body=")
    assert "(KEN,%20" in href and "Verified" in href or "verified" in href
    plain = offline_page.open(built_site / "index.html", "#layer=mou&country=TUR")
    wait_for_panel(plain, "TUR")
    assert plain.locator("#atlas-panel a.report-problem").count() == 0
    assert offline_page.errors == []


def test_the_phone_table_fits_and_the_layer_list_closes(browser, site: Path) -> None:
    phone = OfflinePage(browser, PHONE)
    page = phone.open(site / "index.html", "#layer=safe_city")
    page.click("#atlas-layers-button")
    page.locator("#atlas-layer-list label", has_text="DSR and digital-economy MOUs").click()
    assert not page.locator("#atlas-layer-list").is_visible()  # closed over the map
    assert page.evaluate("location.hash").startswith("#layer=mou")
    page.click("#atlas-menu-button")
    page.click("#atlas-table-button")
    view = page.locator("#atlas-tableview")
    assert view.evaluate("v => v.scrollWidth <= v.clientWidth")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    row = page.locator("#atlas-tableview tr[data-iso3='TUR']")
    cell = row.locator("td[data-key='mou']")
    assert cell.is_visible() and "Digital Economy" in cell.inner_text()
    assert row.locator("td[data-key='iso3']").is_hidden()
    page.select_option("#atlas-table-column", "safe_city")
    assert page.locator("#atlas-tableview tr[data-iso3='KEN'] td[data-key='safe_city']"
                        ).is_visible()
    assert view.evaluate("v => v.scrollWidth <= v.clientWidth")
    # The country sheet: "Copy link" in reach, sources in full.
    page.click("#atlas-table-close")
    page.evaluate("void window.atlasSite.showCountry('KEN', {fit: true})")
    wait_for_panel(page, "KEN")
    assert page.locator("#atlas-panel-copy").is_visible()
    page.click("#atlas-panel-copy")
    page.wait_for_selector("#atlas-panel .atlas-panel-status:not(:empty)")
    assert phone.errors == []
    phone.page.close()


def test_focus_returns_to_the_panels_link_after_back(offline_page, site: Path) -> None:
    page = offline_page.open(site / "index.html", "#layer=safe_city&country=KEN")
    wait_for_panel(page, "KEN")
    rule = page.locator("#atlas-panel section[data-layer='safe_city'] a", has_text="coding rule")
    rule.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/about.html*")
    page.go_back()
    page.wait_for_selector("body[data-atlas-ready]")
    page.wait_for_selector("#atlas-panel a:focus", timeout=10_000)
    assert page.evaluate("document.activeElement.textContent") == "coding rule"
    assert page.evaluate("document.activeElement.closest('section').dataset.layer") == "safe_city"
    assert offline_page.errors == []


def opened(browser, address: str):
    """The map at `address` in a page of its own, the Downloads menu open: a page for each file,
    as Chromium holds back a page's many downloads (from file://, at times the eleventh)."""
    page = browser.new_page(accept_downloads=True)
    page.goto(address)
    page.wait_for_selector("body[data-atlas-ready]")
    page.evaluate("document.querySelector('.atlas-downloads').open = true")
    return page


def test_every_file_of_the_downloads_menu_downloads_from_file(browser, site: Path) -> None:
    """Chromium shows a JSON file opened from file:// despite `download`: every file of the
    menu still gives a download event, with the file's bytes."""
    address = (site / "index.html").as_uri()
    page = opened(browser, address)
    hrefs = page.evaluate("[...document.querySelectorAll('.atlas-downloads a[download]')]"
                          ".map(a => a.getAttribute('href'))")
    page.close()
    assert {"data/atlas.geojson", "data/datapackage.json", "data/changes.json",
            "data/atlas-data.zip"} <= set(hrefs)
    for href in hrefs:
        page = opened(browser, address)
        with page.expect_download(timeout=10_000) as info:
            page.click(f".atlas-downloads a[href='{href}']")
        name = href.removeprefix("data/")
        assert info.value.suggested_filename == name
        assert Path(info.value.path()).read_bytes() == (site / "data" / name).read_bytes(), name
        assert page.url.endswith("index.html")  # still the map, not the file shown
        page.close()


def test_every_file_of_the_downloads_menu_downloads_over_http(browser, site: Path) -> None:
    """The same menu served over http (as `atlas serve` or any web server does): every file
    gives a download event with its bytes, and the page stays the map."""
    with http_server(site) as served:
        page = opened(browser, served + "index.html")
        hrefs = page.evaluate("[...document.querySelectorAll('.atlas-downloads a[download]')]"
                              ".map(a => a.getAttribute('href'))")
        page.close()
        assert "data/atlas.geojson" in hrefs and "data/atlas-data.zip" in hrefs
        for href in hrefs:
            page = opened(browser, served + "index.html")
            with page.expect_download(timeout=10_000) as info:
                page.click(f".atlas-downloads a[href='{href}']")
            name = href.removeprefix("data/")
            assert info.value.suggested_filename == name
            assert Path(info.value.path()).read_bytes() == (site / "data" / name).read_bytes()
            assert page.url.endswith("index.html")
            page.close()
