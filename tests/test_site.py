"""The site a researcher uses: search, permalinks, legend counts, table and its CSV, details,
the composite score, the about and country pages — in Chromium, from file://, offline."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from atlas import build

pytestmark = pytest.mark.browser
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The atlas built from the starter dataset in seeds/."""
    out = tmp_path_factory.mktemp("real") / "site"
    build.run(REPO / "seeds", out)
    return out


def data(site: Path) -> dict:
    text = (site / "data" / "atlas-data.js").read_text(encoding="utf-8")
    return json.loads(text[len("window.ATLAS_DATA="):-2])


def test_permalink_opens_layer_and_country(offline_page, real_site: Path) -> None:
    page = offline_page.open(real_site / "index.html", "#layer=mou&country=PAK")
    assert page.locator("#atlas-legend h2").inner_text() == "DSR and digital-economy MOUs"
    assert page.locator("#atlas-panel").get_attribute("data-country") == "PAK"
    assert "Pakistan" in page.locator("#atlas-panel h2").inner_text()
    page.get_by_label("Safe City / surveillance deployments").check()
    assert page.evaluate("location.hash") == "#layer=safe_city&country=PAK"
    assert offline_page.errors == [] and offline_page.blocked == []


@pytest.mark.parametrize(("query", "iso3"), [("Pakist", "PAK"), ("巴基斯坦", "PAK"), ("tha", "THA"),
                                             ("台湾", "TWN"), ("ZMB", "ZMB")])
def test_search_by_english_chinese_name_or_iso(offline_page, real_site: Path, query: str,
                                               iso3: str) -> None:
    page = offline_page.open(real_site / "index.html")
    page.fill("#atlas-search", query)
    assert page.locator("#atlas-search-list li").first.get_attribute("data-iso3") == iso3
    page.keyboard.press("Enter")
    assert page.locator("#atlas-panel").get_attribute("data-country") == iso3
    assert f"country={iso3}" in page.evaluate("location.hash")


def test_search_says_chinese_names_work(offline_page, real_site: Path) -> None:
    """The placeholder names 中文 (set just after the first paint, so the map does not wait for
    a CJK font)."""
    page = offline_page.open(real_site / "index.html")
    page.wait_for_function(
        "document.getElementById('atlas-search').placeholder.includes('中文')", timeout=5000)


def test_search_keyboard_moves_through_results(offline_page, real_site: Path) -> None:
    page = offline_page.open(real_site / "index.html")
    page.fill("#atlas-search", "guinea")
    options = page.locator("#atlas-search-list li")
    assert options.count() >= 3
    second = options.nth(1).get_attribute("data-iso3")
    page.keyboard.press("ArrowDown")
    assert options.nth(1).get_attribute("aria-selected") == "true"
    page.keyboard.press("Enter")
    assert page.locator("#atlas-panel").get_attribute("data-country") == second
    page.fill("#atlas-search", "chin")
    page.keyboard.press("Escape")
    assert page.locator("#atlas-search-list").is_hidden()


def test_legend_counts_match_the_data(offline_page, real_site: Path) -> None:
    d = data(real_site)
    page = offline_page.open(real_site / "index.html")
    for layer in d["layers"]:
        page.evaluate(f"void window.atlasSite.selectBase({json.dumps(layer['id'])})")
        values = [c["layers"][layer["id"]]["value"] for c in d["countries"].values()
                  if layer["id"] in c["layers"]]
        for cls in layer["classes"]:
            shown = page.locator(f"#atlas-legend li[data-value='{cls['value']}'] .count")
            assert shown.inner_text() == str(values.count(cls["value"])), (layer["id"], cls)
        nodata = page.locator("#atlas-legend li[data-value=''] .count").inner_text()
        assert nodata == str(len(d["countries"]) - len(values))


def test_table_sorts_filters_and_downloads_what_it_shows(offline_page, real_site: Path) -> None:
    page = offline_page.open(real_site / "index.html")
    page.click("#atlas-table-button")
    page.check("#atlas-table-data")
    page.fill("#atlas-table-filter", "Asia")
    rows = page.locator("#atlas-tableview tbody tr")
    shown = [rows.nth(i).get_attribute("data-iso3") for i in range(rows.count())]
    assert "THA" in shown and "BRA" not in shown
    page.click("th[data-key='footprint'] button")
    page.click("th[data-key='footprint'] button")  # descending
    assert page.locator("th[data-key='footprint']").get_attribute("aria-sort") == "descending"
    scores = [rows.nth(i).locator("td[data-key='footprint']").inner_text()
              for i in range(rows.count())]
    numbers = [float(s) for s in scores if s != "—"]
    assert numbers == sorted(numbers, reverse=True) and numbers
    with page.expect_download() as info:
        page.click("#atlas-table-csv")
    text = Path(info.value.path()).read_text(encoding="utf-8")
    assert text.startswith("# ")  # the view's settings
    table = list(csv.reader(io.StringIO(text.split("\n", 1)[1])))
    assert table[0][:4] == ["country", "iso3", "region", "subregion"]
    assert [r[1] for r in table[1:]] == [rows.nth(i).get_attribute("data-iso3")
                                         for i in range(rows.count())]
    assert offline_page.errors == []


def test_details_panel_shows_numbered_sources_with_quotes(offline_page, real_site: Path) -> None:
    page = offline_page.open(real_site / "index.html", "#layer=forum&country=ZMB")
    section = page.locator("#atlas-panel section[data-layer='forum']")
    assert "High" in section.inner_text()
    items = section.locator("ol.atlas-sources li")
    assert items.count() >= 1
    assert "L387" in items.first.inner_text()
    assert "Group of Friends" in section.locator("blockquote").first.inner_text()
    d = data(real_site)
    missing = [x["id"] for x in d["layers"] if x["id"] not in d["countries"]["ZMB"]["layers"]]
    assert missing  # Zambia has no record in some layer: the panel says so plainly
    empty = page.locator(f"#atlas-panel section[data-layer='{missing[0]}']").inner_text()
    assert "No data" in empty


def test_composite_explains_its_score_and_missing_parts(offline_page, real_site: Path) -> None:
    d = data(real_site)
    rec = d["countries"]["THA"]["layers"]["footprint"]
    page = offline_page.open(real_site / "index.html", "#layer=footprint&country=THA")
    box = page.locator("#atlas-panel section[data-layer='footprint']")
    assert f"Score {rec['score']:.2f}" in box.inner_text()
    assert box.locator("tbody tr").count() == 4
    if rec["missing"]:
        assert "missing — not counted" in box.inner_text()
    present = [c for c in rec["components"] if c["score"] is not None]
    expected = sum(c["score"] * c["weight"] for c in present) / sum(c["weight"] for c in present)
    assert abs(expected - rec["score"]) < 0.001


def test_about_and_country_pages(offline_page, real_site: Path) -> None:
    page = offline_page.page
    page.goto((real_site / "about.html").as_uri())
    text = page.locator("main").inner_text()
    for needle in ("Cite this atlas", "Bibliography", "Western Sahara", "Crimea", "Kashmir",
                   "South China Sea", "Taiwan", "DSR MOU signatories (17 countries)",
                   "CC BY 4.0"):
        assert needle in text, needle
    page.goto((real_site / "index.html").as_uri() + "#country=PAK")
    page.wait_for_selector("body[data-atlas-ready]")
    page.click("#atlas-country-page")
    page.wait_for_load_state()
    assert page.url.endswith("country/PAK.html")
    assert "Safe City" in page.locator("main").inner_text()
    assert offline_page.errors == [] and offline_page.blocked == []


def test_phone_viewport(browser, real_site: Path) -> None:
    from tests.conftest import OfflinePage

    phone = OfflinePage(browser, {"width": 375, "height": 740})
    page = phone.open(real_site / "index.html", "#country=THA")
    panel = page.locator("#atlas-panel").bounding_box()
    assert panel["width"] <= 375 and panel["x"] >= 0 and panel["y"] + panel["height"] <= 740
    assert page.locator("#atlas-search").is_visible()
    phone.page.close()


def test_the_page_asks_for_its_scripts_and_styles_at_once(built_site: Path) -> None:
    """Each script and stylesheet is preloaded (so they load side by side), in the page's order;
    the single file, with everything inline, preloads nothing."""
    import re

    html = (built_site / "index.html").read_text(encoding="utf-8")
    preloaded = re.findall(r'<link rel="preload" href="([^"]+)" as="(script|style)">', html)
    scripts = re.findall(r'<script src="([^"]+)">', html)
    styles = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    used = [(src, "script") for src in scripts] + [(href, "style") for href in styles]
    assert preloaded == used and len(used) == 14  # no clustering library since the grid
    assert html.index('rel="preload"') < html.index("<script src=")
    assert all((built_site / href).is_file() for href, _kind in used)


def test_single_file_works_offline_on_its_own(offline_page, seeds: Path, tmp_path: Path) -> None:
    from atlas.site.mappage import MAP_SCRIPTS

    build.run(seeds, tmp_path / "site", single_file=True)
    html = (tmp_path / "site" / build.STANDALONE).read_text(encoding="utf-8")
    assert 'rel="preload"' not in html and "<script src=" not in html
    # Every part of the map page's script is inline, each in its own script, in the page's order.
    assets = REPO / "atlas" / "site" / "assets"
    where = [html.find(f"<script>{(assets / name).read_text(encoding='utf-8')}</script>")
             for name in MAP_SCRIPTS]
    assert -1 not in where and where == sorted(where)
    alone = tmp_path / "mail" / "atlas.html"
    alone.parent.mkdir()
    alone.write_bytes((tmp_path / "site" / build.STANDALONE).read_bytes())  # nothing beside it
    page = offline_page.open(alone, "#layer=mou&country=TUR")
    assert page.locator("path.leaflet-interactive").count() > 200
    assert "2017 Digital Economy Initiative signatory" in page.locator("#atlas-panel").inner_text()
    page.evaluate("void window.atlasSite.map.setView([60, 10], 5, {animate: false})")
    page.wait_for_selector("body[data-lod='detail']")
    assert offline_page.blocked == [] and offline_page.errors == []


def _luminance(hex_colour: str) -> float:
    rgb = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def test_text_colours_meet_wcag_aa_on_white() -> None:
    """Every text colour in the stylesheet, against its rule's background (white if none)."""
    import re

    def full(c: str) -> str:
        return "#" + "".join(ch * 2 for ch in c[1:]) if len(c) == 4 else c

    css = (REPO / "atlas" / "site" / "assets" / "atlas.css").read_text(encoding="utf-8")
    checked = 0
    for body in re.findall(r"\{([^{}]*)\}", css):
        fg = re.search(r"(?<![-\w])color:\s*(#[0-9a-fA-F]{3,6})\b", body)
        if not fg:
            continue
        bg = re.search(r"background(?:-color)?:\s*(#[0-9a-fA-F]{3,6})\b", body)
        back = full(bg.group(1)) if bg else "#ffffff"
        lum = sorted([_luminance(full(fg.group(1))), _luminance(back)])
        ratio = (lum[1] + 0.05) / (lum[0] + 0.05)
        assert ratio >= 4.5, (body.strip(), ratio)
        checked += 1
    assert checked >= 5


def test_keyboard_only(offline_page, real_site: Path) -> None:
    """Search, the details panel, layer switching and the table work without a mouse."""
    page = offline_page.open(real_site / "index.html")
    page.focus("#atlas-search")
    page.keyboard.type("Zambia")
    page.keyboard.press("Enter")
    assert page.locator("#atlas-panel").get_attribute("data-country") == "ZMB"
    page.keyboard.press("Escape")
    assert page.locator("#atlas-panel").is_hidden()
    page.focus("#atlas-layer-list input >> nth=3")
    page.keyboard.press("Space")
    assert page.locator("#atlas-legend h2").inner_text().startswith("Alignment with China")
    page.focus("#atlas-table-button")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "atlas-table-filter"
    for _ in range(3):  # past the region and sub-region choices
        page.keyboard.press("Tab")
    page.keyboard.press("Space")  # "only countries with data"
    assert page.locator("#atlas-table-data").is_checked()


def test_a_reader_can_report_a_problem_with_a_value_when_the_atlas_says_where(
        seeds: Path, tmp_path: Path) -> None:
    from atlas import build

    build.run(seeds, tmp_path / "off", pictures=False)
    assert "Report a problem" not in (tmp_path / "off" / "country" / "TUR.html").read_text()
    toml = seeds / "layers.toml"
    text = toml.read_text(encoding="utf-8").replace(
        "[atlas]\n", '[atlas]\nreport_url = "https://example.org/new?t={layer}+{iso3}&v={value}"\n'
        'release_cadence = "twice a year"\n', 1)
    toml.write_text(text, encoding="utf-8")
    build.run(seeds, tmp_path / "on", pictures=False)
    page = (tmp_path / "on" / "country" / "TUR.html").read_text(encoding="utf-8")
    assert ('href="https://example.org/new?t=mou+TUR&amp;v=digital_economy_initiative"'
            in page)
    about = (tmp_path / "on" / "about.html").read_text(encoding="utf-8")
    assert "The data is released twice a year" in about
    toml.write_text(text.replace("{layer}", "{colour}"), encoding="utf-8")
    from atlas.errors import ValidationFailed

    with pytest.raises(ValidationFailed, match="unknown placeholder"):
        build.run(seeds, tmp_path / "bad", pictures=False)


def test_every_page_has_a_description_and_an_icon(built_site: Path) -> None:
    for page in [built_site / "index.html", built_site / "about.html", built_site / "changes.html",
                 *sorted((built_site / "country").glob("*.html"))[:3]]:
        html = page.read_text(encoding="utf-8")
        assert '<meta name="description" content="' in html, page
        assert 'rel="icon"' in html, page
    assert (built_site / "assets" / "favicon.svg").is_file()
