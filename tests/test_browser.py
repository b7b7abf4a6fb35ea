"""The built map in a real browser: Chromium via Playwright, file://, network blocked."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import wait_for_panel

pytestmark = pytest.mark.browser


def legend_title(page) -> str:
    return page.locator("#atlas-legend h2").inner_text()


def test_switch_layers_legend_follows_click_shows_source(offline_page, built_site: Path) -> None:
    page = offline_page.open(built_site / "index.html")
    assert legend_title(page) == "Chinese cloud footprint"
    assert page.locator("path.leaflet-interactive").count() > 200

    page.get_by_label("DSR and digital-economy MOUs").check()
    assert legend_title(page) == "DSR and digital-economy MOUs"
    assert page.locator("#atlas-legend li[data-value='digital_economy_initiative'] .count"
                        ).inner_text() == "2"
    assert "layer=mou" in page.evaluate("location.hash")

    # Click Turkey (a record of the MOU layer): its details show the value and its source.
    page.evaluate("void window.atlasSite.byId['TUR'].fire('click', {}, true)")
    wait_for_panel(page, "TUR")
    panel = page.locator("#atlas-panel")
    assert panel.is_visible()
    text = panel.inner_text()
    assert "2017 Digital Economy Initiative signatory" in text
    assert "AI cooperation under the shadow of China's Digital Silk Road" in text
    assert "L150" in text
    assert "No data" in text  # Turkey has no cloud record: said plainly
    link = panel.locator("a", has_text="AI cooperation").first
    assert link.get_attribute("rel") == "noopener noreferrer"
    assert offline_page.blocked == [] and offline_page.errors == []


def test_real_mouse_click_on_a_country(offline_page, built_site: Path) -> None:
    page = offline_page.open(built_site / "index.html", "#layer=mou")
    box = page.evaluate(
        "(() => { const r = window.atlasSite.byId['TUR'].getElement().getBoundingClientRect();"
        " return [r.x + r.width / 2, r.y + r.height / 2]; })()")
    page.mouse.click(box[0], box[1])
    assert page.locator("#atlas-panel").get_attribute("data-country") == "TUR"
    assert "country=TUR" in page.evaluate("location.hash")


def test_no_data_is_styled_apart_from_none(offline_page, built_site: Path) -> None:
    page = offline_page.open(built_site / "index.html", "#layer=mou")
    fill = page.evaluate("window.atlasSite.byId['FRA'].getElement().getAttribute('fill')")
    assert fill == "url(#atlas-nodata)"
    fill_tur = page.evaluate("window.atlasSite.byId['TUR'].getElement().getAttribute('fill')")
    assert fill_tur.lower() == "#6baed6"
    assert page.locator("#atlas-nodata").count() == 1


def test_permalink_restores_layer_and_country(offline_page, built_site: Path) -> None:
    page = offline_page.open(built_site / "index.html", "#layer=forum&country=ZMB")
    assert legend_title(page).startswith("Alignment with China")
    assert page.locator("#atlas-panel").get_attribute("data-country") == "ZMB"
    assert page.get_by_label("Alignment with China in AI / digital-governance fora").is_checked()


def test_detail_geometry_loads_when_zooming_in(offline_page, built_site: Path) -> None:
    page = offline_page.open(built_site / "index.html")
    coarse = page.evaluate("window.atlasSite.byId['NOR'].getLatLngs().flat(2).length")
    page.evaluate("void window.atlasSite.map.setView([60, 10], 5, {animate: false})")
    page.wait_for_selector("body[data-lod='detail']")
    detailed = page.evaluate("window.atlasSite.byId['NOR'].getLatLngs().flat(2).length")
    assert detailed > 2 * coarse
    page.evaluate("void window.atlasSite.map.setView([20, 0], 2, {animate: false})")
    page.wait_for_selector("body[data-lod='world']")
    assert offline_page.blocked == [] and offline_page.errors == []


def test_countries_are_redrawn_at_every_zoom_without_animation(offline_page,
                                                              built_site: Path) -> None:
    """A permalink or a country chosen in the table zooms without animation: each shape is then
    drawn where the new view puts it (its drawn box is its bounds projected at that zoom)."""
    page = offline_page.open(built_site / "index.html")
    offset = """() => {
        const map = window.atlasSite.map, lyr = window.atlasSite.byId['POL'];
        const box = lyr.getElement().getBBox(), b = lyr.getBounds();
        const nw = map.latLngToLayerPoint(b.getNorthWest());
        const se = map.latLngToLayerPoint(b.getSouthEast());
        return Math.max(Math.abs(box.x - nw.x), Math.abs(box.y - nw.y),
                        Math.abs(box.x + box.width - se.x), Math.abs(box.y + box.height - se.y));
    }"""
    go = "([lat, lng, z]) => void window.atlasSite.map.setView([lat, lng], z, {animate: false})"
    for view in ([20, 0, 2], [52, 19, 4], [52, 19, 3], [20, 0, 2], [52, 19, 5]):
        page.evaluate(go, view)
        page.wait_for_function("z => (document.body.dataset.lod === 'detail') === (z >= 3)",
                               arg=view[2])
        assert page.evaluate(offset) <= 2, view
    assert page.evaluate("[...document.querySelectorAll('.leaflet-overlay-pane path')]"
                         ".filter(p => !p.getAttribute('d')).length") == 0
    assert offline_page.blocked == [] and offline_page.errors == []


def test_legend_links_the_active_layers_pictures(offline_page, built_site: Path) -> None:
    page = offline_page.open(built_site / "index.html", "#layer=mou")
    links = page.locator("#atlas-legend .atlas-pictures a")
    assert [a.inner_text() for a in links.all()] == ["PNG", "SVG"]
    for a in links.all():
        href = a.get_attribute("href")
        assert href in ("pictures/mou.png", "pictures/mou.svg")
        assert (built_site / href).is_file()
    page.get_by_label("Safe City / surveillance deployments").check()
    assert links.first.get_attribute("href") == "pictures/safe_city.png"
    assert offline_page.blocked == [] and offline_page.errors == []


def test_the_layer_list_fits_a_short_window(browser, built_site: Path) -> None:
    """The layer list shows at once on a wide screen and scrolls inside a short window."""
    from tests.conftest import OfflinePage

    short = OfflinePage(browser, {"width": 1280, "height": 400})
    page = short.open(built_site / "index.html")
    assert page.locator("#atlas-layer-list").is_visible()
    box = page.locator("#atlas-layer-list").bounding_box()
    assert box["y"] + box["height"] <= 400
    page.locator("#atlas-layer-list label").last.scroll_into_view_if_needed()
    page.locator("#atlas-layer-list label").last.click()
    assert page.locator("#atlas-legend h2").inner_text() == "DSR footprint index (composite)"
    assert short.errors == []
    short.page.close()
