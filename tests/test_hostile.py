"""Hostile text in every field is shown literally and never runs, in a real browser."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from atlas import build
from tests.conftest import wait_for_panel

PAYLOAD = ("<script>window.__pwned=1</script><img src=x onerror=\"window.__pwned=2\">"
           "`${window.__pwned=3}`'\"&amp; javascript:window.__pwned=4 </textarea>")


def rewrite(path: Path, change) -> None:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    rows = [rows[0]] + [change(rows[0], r) for r in rows[1:]]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def poison(seeds: Path) -> None:
    """PAYLOAD into every free-text field of every file (values that must validate stay valid)."""
    free = {"confidence_reason", "derivation", "note", "providers", "share_measure",
            "instrument_name", "parties", "vendors", "fora", "name", "companies",
            "title", "author", "publisher", "date"}

    def change(header: list[str], row: list[str]) -> list[str]:
        return [PAYLOAD if h in free else v for h, v in zip(header, row, strict=True)]

    for name in ("cloud.csv", "mou.csv", "safe_city.csv", "forum.csv", "projects.csv",
                 "sources.csv"):
        rewrite(seeds / name, change)
    # a second source without a document, so a hostile quote and locator are accepted
    with (seeds / "sources.csv").open("a", encoding="utf-8") as f:
        f.write(f'evil,"{PAYLOAD.replace(chr(34), chr(34) * 2)}",,,,https://example.org/a?q=%3Cscript%3E&r=1,news,,\n')
    with (seeds / "citations.csv").open("a", encoding="utf-8") as f:
        f.write(f'mou,LAO,evil,"{PAYLOAD.replace(chr(34), chr(34) * 2)}",'
                f'"{PAYLOAD.replace(chr(34), chr(34) * 2)}"\n')
    toml = seeds / "layers.toml"
    text = toml.read_text(encoding="utf-8")
    text = text.replace('title = "DSR and digital-economy MOUs"',
                        "title = '''" + PAYLOAD + "'''")
    text = text.replace('label = "2017 Digital Economy Initiative signatory"',
                        "label = '''" + PAYLOAD + "'''")
    toml.write_text(text, encoding="utf-8")


def test_non_http_url_is_refused(seeds: Path) -> None:
    from atlas import evidence

    with (seeds / "sources.csv").open("a", encoding="utf-8") as f:
        f.write("bad,Bad link,,,,javascript:alert(1),news,,\n")
    _, problems = evidence.load(seeds)
    assert any("sources.csv:3: url: 'javascript:alert(1)' is not an http(s) URL" in str(p)
               for p in problems)


@pytest.mark.browser
def test_hostile_text_is_displayed_literally_and_never_runs(offline_page, seeds: Path,
                                                            tmp_path: Path) -> None:
    poison(seeds)
    out = tmp_path / "site"
    build.run(seeds, out)
    page = offline_page.open(out / "index.html", "#layer=mou&country=LAO")
    wait_for_panel(page, "LAO")
    page.hover("#atlas-legend")
    # Turkey's tooltip shows the (hostile) class label; hover as Leaflet's events would deliver it
    page.evaluate(
        "void window.atlasSite.byId['TUR'].fire('mouseover', {latlng: L.latLng(39, 35)}, true)")
    # every place data text reaches: header, layer switcher, legend, panel, tooltip
    assert page.evaluate("window.__pwned") is None
    assert page.locator("img[src='x']").count() == 0
    assert page.locator("script:not([src])").count() == 2  # folium's own two inline scripts
    panel = page.locator("#atlas-panel").inner_text()
    assert PAYLOAD in panel
    assert PAYLOAD in page.locator("#atlas-layer-list").inner_text()
    assert PAYLOAD in page.locator("#atlas-legend").inner_text()
    assert "`${window.__pwned=3}`" in page.locator(".leaflet-tooltip").inner_text()
    hrefs = page.eval_on_selector_all("#atlas-panel ol a", "els => els.map(e => e.href)")
    assert hrefs and all(h.startswith("https://") for h in hrefs)
    rels = page.eval_on_selector_all("#atlas-panel ol a", "els => els.map(e => e.rel)")
    assert set(rels) == {"noopener noreferrer"}
    assert page.evaluate("window.__pwned") is None
    for static in ("about.html", "country/LAO.html"):  # the static pages escape it too
        page.goto((out / static).as_uri())
        assert page.evaluate("window.__pwned") is None
        assert PAYLOAD in page.locator("main").inner_text()
        assert page.locator("img[src='x']").count() == 0
    assert offline_page.errors == []
    assert all(u.startswith("file:") for u in offline_page.blocked) and not offline_page.blocked


def test_content_security_policy_forbids_other_hosts(built_site: Path) -> None:
    html = (built_site / "index.html").read_text(encoding="utf-8")
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    assert "connect-src 'self'" in html and "img-src 'self' data:;" in html
