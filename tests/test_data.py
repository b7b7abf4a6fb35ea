"""The downloads opened with the tools their users use (frictionless, GDAL via pyogrio,
geopandas, pandas), and the notebook API, checked against the records."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import atlas
from atlas.errors import ValidationFailed
from tests.conftest import FIXTURE_SEEDS

#: What the fixture records say (tests/fixtures/seeds), layer by layer; every other country of
#: the 250 has no data there.
RECORDS = {
    "cloud": {"SAU": "joint_venture", "BRA": "market_share"},
    "mou": {"LAO": "digital_economy_initiative", "TUR": "digital_economy_initiative"},
}


def test_the_data_package_is_valid_and_describes_every_download(built_site: Path) -> None:
    from frictionless import Package, validate

    data = built_site / "data"
    report = validate(data / "datapackage.json")
    assert report.valid, report.flatten(["resourcePath", "rowNumber", "fieldName", "type"])
    package = Package(data / "datapackage.json")
    paths = {r.path for r in package.resources}
    downloads = {p.name for p in data.iterdir() if p.suffix in (".csv", ".geojson", ".gpkg")}
    assert downloads <= paths and "changes.json" in paths
    assert package.licenses[0]["name"] == "CC-BY-4.0"
    assert package.version == (built_site / "about.html").read_text().split(
        'id="data-version">')[1][:12]
    assert package.created.startswith("2026-11-23")
    assert any("thibaut2026" in s["title"] for s in package.sources)
    schema = package.get_resource("atlas").schema
    assert schema.primary_key == ["iso3"] and schema.missing_values == [""]
    assert schema.get_field("cloud").constraints["enum"][:2] == ["region", "joint_venture"]
    assert schema.get_field("cloud_share_pct").type == "number"
    rows = {r["iso3"]: r for r in package.get_resource("mou").read_rows()}
    assert {k: r["mou"] for k, r in rows.items() if r["mou"]} == RECORDS["mou"]
    assert rows["TUR"]["mou_year"] == 2017 and rows["FRA"]["mou"] is None


def test_frictionless_catches_a_value_outside_the_classes(built_site: Path,
                                                          tmp_path: Path) -> None:
    """The schema's checks can fail: a class value the codebook does not know is refused."""
    from frictionless import validate

    data = shutil.copytree(built_site / "data", tmp_path / "data")
    text = (data / "cloud.csv").read_text(encoding="utf-8")
    (data / "cloud.csv").write_text(text.replace(",market_share,", ",marketshare,"),
                                    encoding="utf-8")
    report = validate(data / "datapackage.json")
    errors = {e.type for task in report.tasks for e in task.errors}
    assert not report.valid and {"constraint-error", "hash-count"} <= errors


def test_all_data_in_one_zip_validates_on_its_own(built_site: Path, tmp_path: Path) -> None:
    """The archive holds datapackage.json and every file it lists: unpacked anywhere, it
    validates with no other file (a lone datapackage.json would not)."""
    import zipfile

    from frictionless import validate

    with zipfile.ZipFile(built_site / "data" / "atlas-data.zip") as z:
        z.extractall(tmp_path / "unpacked")
        names = set(z.namelist())
    assert {"datapackage.json", "atlas.csv", "atlas.gpkg", "projects.csv",
            "changes.json"} <= names
    report = validate(tmp_path / "unpacked" / "datapackage.json")
    assert report.valid, report.flatten(["resourcePath", "rowNumber", "fieldName", "type"])
    (tmp_path / "unpacked" / "atlas.csv").unlink()
    assert not validate(tmp_path / "unpacked" / "datapackage.json").valid


def test_the_geopackage_opens_in_gdal_as_multipolygons(built_site: Path) -> None:
    import pyogrio

    path = built_site / "data" / "atlas.gpkg"
    info = pyogrio.read_info(path, layer="atlas")
    assert pyogrio.list_layers(path).tolist() == [["atlas", "MultiPolygon"],
                                                  ["projects", "Point"]]
    assert info["crs"] == "EPSG:4326" and info["features"] == 250
    frame = pyogrio.read_dataframe(path, layer="atlas")
    by_key = frame.set_index("iso3")
    for layer, values in RECORDS.items():
        assert by_key[layer].dropna().to_dict() == values
    assert by_key.loc["BRA", "cloud_share_pct"] == 25
    assert by_key.loc["CHN", "name_zh"] == "中华人民共和国"
    # No wall-clock time in the file: the same data gives the same bytes.
    with sqlite3.connect(path) as db:
        assert {r[0] for r in db.execute("select last_change from gpkg_contents")} == \
            {"2026-11-23T00:00:00Z"}
    points = pyogrio.read_dataframe(path, layer="projects")
    assert points.crs == "EPSG:4326" and list(points["id"]) == ["sau-cloud-jv"]
    assert points.geometry.iloc[0].geom_type == "Point"


def test_geojson_and_csv_open_in_geopandas_and_pandas(built_site: Path) -> None:
    import geopandas as gpd
    import pandas as pd

    world = gpd.read_file(built_site / "data" / "atlas.geojson").set_index("iso3")
    table = pd.read_csv(built_site / "data" / "atlas.csv", keep_default_na=False,
                        na_values=[""]).set_index("iso3")
    excel = pd.read_csv(built_site / "data" / "atlas-excel.csv", encoding="utf-8-sig",
                        keep_default_na=False, na_values=[""]).set_index("iso3")
    pd.testing.assert_frame_equal(table, excel)
    for layer, values in RECORDS.items():
        assert world[layer].dropna().to_dict() == values
        assert table[layer].dropna().to_dict() == values
    assert table.loc["NAM", "name"] == "Namibia"  # "NA" is a country, not a missing value
    assert table.loc["LAO", "name_zh"] == world.loc["LAO", "name_zh"] == "老挝"


def test_the_spreadsheet_csv_starts_with_a_byte_order_mark(built_site: Path) -> None:
    plain = (built_site / "data" / "atlas.csv").read_bytes()
    excel = (built_site / "data" / "atlas-excel.csv").read_bytes()
    assert not plain.startswith(b"\xef\xbb\xbf") and excel == b"\xef\xbb\xbf" + plain


def test_the_api_gives_records_and_countries_as_frames() -> None:
    data = atlas.load(FIXTURE_SEEDS)
    mou = atlas.layer_frame(data, "mou")
    assert dict(zip(mou["iso3"], mou["instrument"], strict=True)) == RECORDS["mou"]
    assert mou.set_index("iso3").loc["TUR", "year"] == 2017
    assert mou.set_index("iso3").loc["TUR", "sources"] == ["thibaut2026 L150"]
    projects = atlas.layer_frame(data, "projects")
    assert projects.loc[0, "id"] == "sau-cloud-jv" and projects.loc[0, "companies"] == [
        "Alibaba Cloud"]
    world = atlas.countries_frame(data).set_index("iso3")
    assert len(world) == 250 and set(world.geom_type) == {"MultiPolygon"}
    assert world.crs == "EPSG:4326"
    assert world["cloud"].dropna().to_dict() == RECORDS["cloud"]
    assert world.loc["BRA", "cloud_share_pct"] == 25
    assert world["cloud_share_pct"].isna().sum() == 249  # no data stays missing, not 0
    with pytest.raises(atlas.errors.AtlasError, match="unknown layer 'mous'"):
        atlas.layer_frame(data, "mous")


def test_the_api_refuses_invalid_records_with_every_problem(seeds: Path) -> None:
    (seeds / "cloud.csv").write_text(
        (seeds / "cloud.csv").read_text(encoding="utf-8").replace(",25,", ",250,"),
        encoding="utf-8")
    with pytest.raises(ValidationFailed) as caught:
        atlas.load(seeds)
    assert any(p.path.endswith("cloud.csv") and p.line == 3 and p.field == "share_pct"
               and "out of range" in p.message for p in caught.value.problems)


def test_import_atlas_stays_light() -> None:
    code = ("import sys, atlas; assert 'load' in dir(atlas); "
            "print(sorted(m for m in ('pandas', 'geopandas', 'atlas.records') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


def test_the_geopackage_follows_an_edit_and_matches_the_api(seeds: Path, tmp_path: Path) -> None:
    """After an edit the GeoPackage (values filled into the cached shapes) shows the new value,
    and every column equals what the API gives for the same records."""
    import pyogrio

    from atlas import build
    from tests.conftest import edit_record

    build.run(seeds, tmp_path / "site")
    edit_record(seeds / "cloud.csv", "BRA,", ",25,", ",30,")
    build.run(seeds, tmp_path / "site")
    gpkg = pyogrio.read_dataframe(tmp_path / "site" / "data" / "atlas.gpkg",
                                  layer="atlas").set_index("iso3")
    api = atlas.countries_frame(atlas.load(seeds)).set_index("iso3")
    assert gpkg.loc["BRA", "cloud_share_pct"] == 30
    assert list(gpkg.columns) == list(api.columns)
    def plain(series):  # missing (None, NaN, <NA>) as None, the rest as Python values
        return [None if missing else v for v, missing in zip(series.astype(object),
                                                             series.isna(), strict=True)]

    for column in api.columns.drop("geometry"):
        assert plain(gpkg[column]) == plain(api[column]), column
    assert gpkg.geometry.equals(api.geometry)


def test_the_projects_frame_has_every_project_as_a_point_like_projects_csv(
        built_site: Path) -> None:
    import csv as csvmod

    import atlas
    from tests.conftest import FIXTURE_SEEDS

    frame = atlas.projects_frame(atlas.load(FIXTURE_SEEDS))
    with (built_site / "data" / "projects.csv").open(encoding="utf-8") as f:
        rows = list(csvmod.DictReader(f))
    assert list(frame["id"]) == [r["id"] for r in rows] == ["sau-cloud-jv"]
    assert frame.crs == "EPSG:4326" and frame.geometry.iloc[0].geom_type == "Point"
    assert frame["precision"].iloc[0] == "country"
    assert (frame.geometry.iloc[0].x, frame.geometry.iloc[0].y) == (
        float(rows[0]["lon"]), float(rows[0]["lat"]))
    assert list(frame.columns[:-1]) == list(rows[0])  # the CSV's columns, then the point
    with pytest.raises(atlas.errors.AtlasError, match="no places"):
        atlas.projects_frame(atlas.load(FIXTURE_SEEDS), "mou")
