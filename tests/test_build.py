"""The build: join coverage, the downloads, atomic output, reproducibility."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

import pytest

from atlas import build, evidence, join
from atlas.errors import AtlasError, ValidationFailed
from atlas.world import boundaries
from tests.conftest import edit_record


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as f:
        f.write(text)


def read_geojson(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_every_record_lands_and_coverage_counts(seeds: Path) -> None:
    bounds = boundaries.load()
    dataset, _ = evidence.load(seeds)
    countries = join.join(bounds, dataset)
    assert len(countries) == len(bounds.features)
    cov = join.coverage(countries, ["mou", "cloud"])
    assert cov["mou"]["_with_data"] == 2
    assert cov["mou"]["digital_economy_initiative"] == 2
    assert cov["mou"]["_no_data"] == len(bounds.features) - 2


def test_a_record_colours_only_its_own_polygon(seeds: Path, tmp_path: Path) -> None:
    """Australia's value must not spread to Coral Sea Is. and the other dependencies."""
    append(seeds / "mou.csv", "Australia,2020,low,t,,,none,,,\n")
    append(seeds / "citations.csv", "mou,AUS,thibaut2026,L150,China\n")
    build.run(seeds, tmp_path / "site")
    feats = read_geojson(tmp_path / "site" / "data" / "atlas.geojson")["features"]
    painted = {f["properties"]["iso3"] for f in feats if f["properties"]["mou"] is not None}
    assert painted == {"LAO", "TUR", "AUS"}
    by_key = {f["properties"]["iso3"]: f["properties"] for f in feats}
    for dependency in ("IOA", "CSI", "ATC"):
        assert by_key[dependency]["mou"] is None


def test_downloads_schema_and_no_data_vs_none(built_site: Path) -> None:
    data = read_geojson(built_site / "data" / "atlas.geojson")
    assert data["type"] == "FeatureCollection" and "crs" not in data
    by_key = {f["properties"]["iso3"]: f["properties"] for f in data["features"]}
    tur = by_key["TUR"]
    assert tur["name"] == "Turkey"
    assert tur["mou"] == "digital_economy_initiative" and tur["mou_year"] == 2017
    assert tur["mou_sources"] == ["thibaut2026 L150"]
    assert tur["cloud"] is None and tur["cloud_sources"] is None  # no data is null
    assert by_key["BRA"]["cloud_share_pct"] == 25
    for lid in ("cloud", "mou", "safe_city", "forum"):
        layer = list(csv.DictReader(io.StringIO(
            (built_site / "data" / f"{lid}.csv").read_text(encoding="utf-8"))))
        assert [r["iso3"] for r in layer] == list(by_key)  # every country, joinable by iso3
        assert lid in layer[0]
        assert not any(k.startswith("mou") for k in layer[0] if lid != "mou")
    for other in set((built_site / "data").glob("*.geojson")) - {built_site / "data" /
                                                                  "atlas.geojson"}:
        kinds = {f["geometry"]["type"] for f in read_geojson(other)["features"]}
        assert kinds == {"Point"}, other  # the shapes once, in atlas.geojson; points apart
    rows = list(csv.DictReader(io.StringIO((built_site / "data" / "atlas.csv").read_text())))
    tur_row = next(r for r in rows if r["iso3"] == "TUR")
    assert tur_row["mou"] == "digital_economy_initiative" and tur_row["cloud"] == ""
    assert "geometry" not in rows[0]


def test_site_refers_to_no_other_host(built_site: Path) -> None:
    html = (built_site / "index.html").read_text(encoding="utf-8")
    assert "http://" not in html and "https://" not in html.replace(
        'content="default-src', "")
    assert 'src="assets/leaflet.js' in html
    assert (built_site / "assets" / "leaflet.js").stat().st_size > 100_000


def test_build_twice_is_byte_identical(seeds: Path, tmp_path: Path) -> None:
    build.run(seeds, tmp_path / "a")
    build.run(seeds, tmp_path / "b")
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*"))
    files_b = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*"))
    assert files_a == files_b
    for rel in files_a:
        if (tmp_path / "a" / rel).is_file():
            assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel


def test_builds_in_processes_with_other_hash_seeds_are_byte_identical(tmp_path: Path) -> None:
    """Set and dict order of strings differ between processes; no page may depend on them.
    The real seeds, built with --force in two processes (the build marker aside)."""
    import os
    import subprocess
    import sys

    from tests.conftest import REPO

    for seed in ("0", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-m", "atlas", "build", "--force", "--seeds",
                               str(REPO / "seeds"), "--out", str(tmp_path / seed)],
                              env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
    a, b = tmp_path / "0", tmp_path / "4242"
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    differ = [str(rel) for rel in files if rel.name != ".atlas-build"
              and (a / rel).read_bytes() != (b / rel).read_bytes()]
    assert differ == []


def test_failed_build_leaves_previous_site_untouched(seeds: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build.run(seeds, out)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    (seeds / "mou.csv").write_text((seeds / "mou.csv").read_text().replace("Laos", "Atlantis"))
    with pytest.raises(ValidationFailed):
        build.run(seeds, out)
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site")] == []


def test_refuses_to_replace_a_foreign_directory(seeds: Path, tmp_path: Path) -> None:
    out = tmp_path / "thesis"
    out.mkdir()
    (out / "chapter1.docx").write_text("precious")
    with pytest.raises(AtlasError, match="not an atlas build"):
        build.run(seeds, out)
    (out / ".atlas-build").write_text("")  # a marker alone does not make it a build
    with pytest.raises(AtlasError, match="not an atlas build"):
        build.run(seeds, out)
    assert (out / "chapter1.docx").read_text() == "precious"


def test_a_build_with_a_users_file_added_is_not_replaced(seeds: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build.run(seeds, out)
    (out / "notes.txt").write_text("mine")
    with pytest.raises(AtlasError, match="not an atlas build"):
        build.run(seeds, out, force=True)
    assert (out / "notes.txt").read_text() == "mine"


def site_files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def test_the_published_site_shares_no_storage_with_the_cache(seeds: Path, tmp_path: Path) -> None:
    """Damaging every cache entry changes nothing published; the next build detects the damage
    and makes what it needs again."""
    out = tmp_path / "site"
    build.run(seeds, out)
    published = site_files(out)
    entries = [p for p in (tmp_path / build.CACHE_DIR / "site").iterdir() if p.is_file()]
    assert entries
    for entry in entries:
        entry.write_bytes(entry.read_bytes()[: len(entry.read_bytes()) // 2])
    assert site_files(out) == published
    edit_record(seeds / "mou.csv", "Laos,", ",2017,", ",2018,")
    build.run(seeds, out)
    build.run(seeds, tmp_path / "fresh")
    assert site_files(out).keys() == site_files(tmp_path / "fresh").keys()
    for name, data in site_files(tmp_path / "fresh").items():
        if name != ".atlas-build":
            assert site_files(out)[name] == data, name


def test_force_rebuilds_from_nothing(seeds: Path, tmp_path: Path) -> None:
    """`--force` reads nothing from the cache: a forged entry of the right form is not used."""
    out = tmp_path / "site"
    build.run(seeds, out)
    cache = tmp_path / build.CACHE_DIR / "site"
    for entry in cache.glob("atlas.csv-*"):
        forged = b"iso3,name\nXXX,forged\n"
        entry.write_bytes(hashlib.sha256(forged).hexdigest().encode() + b"\n" + forged)
    build.run(seeds, out, force=True)
    assert b"forged" not in (out / "data" / "atlas.csv").read_bytes()


def test_a_library_upgrade_rebuilds_and_reuses_no_entry(seeds: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """After folium (or another library that makes the site) is upgraded, the next build is not
    "up to date" and makes every cached file anew."""
    out = tmp_path / "site"
    build.run(seeds, out)
    cache = tmp_path / build.CACHE_DIR / "site"
    before = {p.name for p in cache.iterdir()}
    assert build.run(seeds, out).up_to_date
    upgraded = tmp_path / "site-packages"
    (upgraded / "folium-99.0.dist-info").mkdir(parents=True)  # found first, as after pip install
    monkeypatch.syspath_prepend(str(upgraded))
    assert not build.run(seeds, out).up_to_date
    after = {p.name for p in cache.iterdir()}
    assert after and not before & after


def test_edit_and_rebuild_shows_the_change(seeds: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build.run(seeds, out)
    path = seeds / "mou.csv"
    path.write_text(path.read_text().replace(",digital_economy_initiative,BRI Digital Economy "
                                             "International Cooperation Initiative,,\n",
                                             ",company_mou,x,,\n", 1))
    build.run(seeds, out)
    props = {f["properties"]["iso3"]: f["properties"]
             for f in read_geojson(out / "data" / "atlas.geojson")["features"]}
    assert props["LAO"]["mou"] == "company_mou"


def test_source_date_epoch_sets_the_build_date(seeds: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01
    build.run(seeds, tmp_path / "site")
    assert "on 2026-01-01" in (tmp_path / "site" / "about.html").read_text(encoding="utf-8")


def test_an_edit_relinks_the_downloads_it_does_not_touch(seeds: Path, tmp_path: Path) -> None:
    """Downloads are cached by the values they show: an edit to one layer rewrites that layer's
    files and the all-layers ones, and reuses the stored copies of the others."""
    out = tmp_path / "site"
    build.run(seeds, out)
    shown = ("*.geojson", "*.csv", "*.gpkg")
    before = {p.name: p.read_bytes() for g in shown for p in (out / "data").glob(g)}
    edit_record(seeds / "cloud.csv", "BRA,", ",market_share,", ",planned,")
    build.run(seeds, out)
    after = {p.name: p.read_bytes() for g in shown for p in (out / "data").glob(g)}
    # Brazil has one layer only, so no footprint score: footprint.csv stays as it was.
    assert {n for n in before if before[n] != after[n]} == {
        "cloud.csv", "atlas.geojson", "atlas.csv", "atlas-excel.csv", "atlas.gpkg"}
    rows = csv.DictReader(io.StringIO((out / "data" / "cloud.csv").read_text(encoding="utf-8")))
    assert {r["iso3"]: r["cloud"] for r in rows}["BRA"] == "planned"


def test_kept_quote_checks_never_hide_a_changed_quote_or_document(seeds: Path,
                                                                 tmp_path: Path) -> None:
    """Rebuilds reuse earlier quote checks, keyed by document content, locator and quote: an
    edited quote, or an edited document, is checked again."""
    out = tmp_path / "site"
    build.run(seeds, out)
    citations = seeds / "citations.csv"
    good = citations.read_text(encoding="utf-8")
    citations.write_text(good.replace("25 percent of data center ownership in Brazil",
                                      "95 percent of data center ownership in Brazil"),
                         encoding="utf-8")
    with pytest.raises(ValidationFailed, match="quote: not found in doc.txt at L336"):
        build.run(seeds, out)
    citations.write_text(good, encoding="utf-8")
    build.run(seeds, out)
    doc = seeds / "doc.txt"
    doc.write_text(doc.read_text(encoding="utf-8").replace("25 percent of data center", "25 %"),
                   encoding="utf-8")
    with pytest.raises(ValidationFailed, match="quote: not found in doc.txt at L336"):
        build.run(seeds, out)


def test_country_pages_change_only_with_their_country(seeds: Path, tmp_path: Path) -> None:
    """Each country page carries its own version and a citation line: an edit to Brazil changes
    Brazil's page (and its version), and leaves every other country's page as it was."""
    out = tmp_path / "site"
    build.run(seeds, out)
    before = {p.name: p.read_text(encoding="utf-8") for p in (out / "country").glob("*.html")}
    edit_record(seeds / "cloud.csv", "BRA,", ",market_share,", ",planned,")
    build.run(seeds, out)
    after = {p.name: p.read_text(encoding="utf-8") for p in (out / "country").glob("*.html")}
    assert {n for n in before if before[n] != after[n]} == {"BRA.html"}

    def version(page: str) -> str:
        return page.split('<code id="page-version">', 1)[1].split("</code>", 1)[0]

    assert version(before["BRA.html"]) != version(after["BRA.html"])
    assert f"page version {version(after['BRA.html'])}" in after["BRA.html"]  # in "cite this page"
    assert "Chinese cloud" in after["BRA.html"] and "Cite this page" in after["BRA.html"]


def test_every_file_of_the_menu_has_its_script_for_file_pages(built_site: Path) -> None:
    """A page opened from file:// saves each file of the Downloads menu from
    data/download/<name>.js: that script holds the file's exact bytes (text as a string, the
    zip and the GeoPackage as base64), and nothing else is written there."""
    import base64

    text = (built_site / "data" / "atlas-data.js").read_text(encoding="utf-8")
    meta = json.loads(text[len("window.ATLAS_DATA="):-2])["meta"]
    menu = {d["name"] for d in meta["downloads"]} | {"datapackage.json"}
    scripts = {p.name.removesuffix(".js"): p for p in (built_site / "data" / "download").iterdir()}
    assert set(scripts) == menu
    prefix = "window.ATLAS_DOWNLOAD=window.ATLAS_DOWNLOAD||{};window.ATLAS_DOWNLOAD["
    kinds = {}
    for name, path in sorted(scripts.items()):
        script = path.read_text(encoding="ascii")
        head = prefix + json.dumps(name) + "]="
        assert script.startswith(head) and script.endswith(";\n"), name
        assert "</" not in script  # a script's text never closes a script element
        value = json.loads(script[len(head):-2])  # JSON reads "<\/" as "</"
        kinds[name] = "text" if isinstance(value, str) else "base64"
        body = value.encode("utf-8") if kinds[name] == "text" else base64.b64decode(value["base64"])
        assert body == (built_site / "data" / name).read_bytes(), name
    assert kinds["atlas-data.zip"] == kinds["atlas.gpkg"] == "base64"
    assert kinds["atlas.csv"] == kinds["atlas.geojson"] == "text"
