"""`atlas import aiddata`: GCDF 3.0's project table in both shapes, with and without shapes.

Every row here is written by hand in AidData's format, with invented ids (9xxxxx) and shapes
drawn by hand: no third-party row is in the repository.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from click.testing import CliRunner

from atlas import evidence
from atlas.cli import cli

FULL_HEADER = ["AidData Record ID", "Recommended For Aggregates", "AidData Parent ID", "Umbrella",
               "Recipient", "Recipient ISO-3", "Commitment Year", "Implementation Start Year",
               "Completion Year", "Title", "Description", "Status", "Intent", "Flow Type",
               "Sector Code", "Sector Name", "Funding Agencies", "Implementing Agencies",
               "Amount (Constant USD 2021)", "Commitment Date (MM/DD/YYYY)", "Source URLs",
               "Location Narrative", "Geographic Level of Precision Available"]
GEO_HEADER = ["Level.of.precision", "Type.of.the.OSM.feature", "OSM.link", "AidData.Record.ID",
              "Amount.(Constant.USD.2021)", "Title", "Status", "Sector.Name", "Recipient",
              "Recipient.ISO-3", "Infrastructure", "Commitment.Year",
              "Implementation.Start.Year", "Completion.Year", "Commitment.Date.(MM/DD/YYYY)",
              "Actual.Implementation.Start.Date.(MM/DD/YYYY)",
              "Actual.Completion.Date.(MM/DD/YYYY)"]


def full_row(**values: str) -> list[str]:
    defaults = {"Recommended For Aggregates": "Yes", "Umbrella": "No", "Intent": "Mixed",
                "Flow Type": "Loan", "Sector Code": "220", "Sector Name": "COMMUNICATIONS",
                "Recipient": "Kenya", "Recipient ISO-3": "KEN", "Status": "Completion"}
    return [{**defaults, **values}.get(col, "") for col in FULL_HEADER]


FULL_ROWS = [
    full_row(**{"AidData Record ID": "900001", "Title": "National Optic Fibre Backbone Phase II",
                "Commitment Year": "2012", "Implementation Start Year": "2013.0",
                "Completion Year": "2016.0", "Amount (Constant USD 2021)": "71234567.89",
                "Funding Agencies": "Export-Import Bank of China",
                "Implementing Agencies": "Huawei Technologies Co., Ltd.",
                "Commitment Date (MM/DD/YYYY)": "2012-01-01",
                "Location Narrative": "Nationwide; landing at Mombasa"}),
    full_row(**{"AidData Record ID": "900002", "Title": "Safe City surveillance system (Nairobi)",
                "Status": "Implementation", "Commitment Year": "2014",
                "Implementation Start Year": "", "Amount (Constant USD 2021)": ""}),
    full_row(**{"AidData Record ID": "900003", "Sector Name": "GOVERNMENT AND CIVIL SOCIETY",
                "Title": "China donates 200 computers to the Ministry of Interior",
                "Status": "Completion", "Commitment Year": "2018"}),
    full_row(**{"AidData Record ID": "900004", "Sector Name": "ENERGY",
                "Title": "Hydropower station", "Commitment Year": "2010"}),
    full_row(**{"AidData Record ID": "900005", "Recommended For Aggregates": "No",
                "Title": "Umbrella: telecom loans", "Commitment Year": "2011"}),
    full_row(**{"AidData Record ID": "900006", "Recipient": "Africa, regional",
                "Recipient ISO-3": "", "Title": "Regional satellite capacity",
                "Commitment Year": "2015"}),
    full_row(**{"AidData Record ID": "900007", "Recipient": "Cote d'Ivoire",
                "Recipient ISO-3": "CIV", "Title": "Cash grant to the Ministry of Posts",
                "Status": "Pipeline: Commitment", "Commitment Year": "2019"}),
]


def write_table(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def geo_row(pid: str, precision: str, iso3: str, title: str, sector: str = "COMMUNICATIONS",
            status: str = "Completion") -> list[str]:
    values = {"Level.of.precision": precision, "Type.of.the.OSM.feature": "Polygoon",
              "OSM.link": f"www.openstreetmap.org/way/{pid}#map=12/1/1; node/{pid}",
              "AidData.Record.ID": pid, "Amount.(Constant.USD.2021)": "1500000.0",
              "Title": title, "Status": status, "Sector.Name": sector, "Recipient": "Kenya",
              "Recipient.ISO-3": iso3, "Commitment.Year": "2016",
              "Implementation.Start.Year": "2017.0", "Completion.Year": "",
              "Commitment.Date.(MM/DD/YYYY)": "2016-01-01"}
    return [values.get(col, "") for col in GEO_HEADER]


def square(lon: float, lat: float, size: float = 0.01) -> dict:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size],
            [lon, lat]]
    return {"type": "MultiPolygon", "coordinates": [[ring]]}


def feature(pid: str, geometry: dict, precision: str = "") -> dict:
    return {"type": "Feature", "geometry": geometry,
            "properties": {"id": int(pid), "osm_precision_list": precision}}


def run(*args: str):
    return CliRunner().invoke(cli, ["import", "aiddata", *args])


def imported(seeds: Path) -> dict[str, dict[str, str]]:
    text = (seeds / "imported" / "aiddata" / "projects.csv").read_text(encoding="utf-8")
    return {r["id"]: r for r in csv.DictReader(io.StringIO(text))}


def test_the_full_table_gives_ict_projects_with_their_sources(seeds: Path,
                                                              tmp_path: Path) -> None:
    table = write_table(tmp_path / "GCDF_3.0.csv", FULL_HEADER, FULL_ROWS)
    result = run(str(table), "--seeds", str(seeds))
    assert result.exit_code == 0, result.output
    assert "imported 4 ICT projects" in result.output and "1 to review" in result.output
    rows = imported(seeds)
    assert sorted(rows) == ["aiddata-900001", "aiddata-900002", "aiddata-900003",
                            "aiddata-900007"]
    fibre = rows["aiddata-900001"]
    assert (fibre["kind"], fibre["status"], fibre["year"], fibre["start_year"],
            fibre["completion_year"], fibre["amount_usd"]) == (
        "cable", "operating", "2012", "2013", "2016", "71234568")
    assert fibre["funding"] == "Export-Import Bank of China" and fibre["review"] == ""
    assert fibre["precision"] == "country" and "Mombasa" in fibre["place"]
    assert rows["aiddata-900002"]["kind"] == "smart_city"
    assert rows["aiddata-900002"]["status"] == "under_construction"
    assert "computers" in rows["aiddata-900003"]["review"]  # another sector: to review
    assert rows["aiddata-900007"]["status"] == "agreed"
    meta = json.loads((seeds / "imported" / "aiddata" / "import.json").read_text())
    assert meta["version"] == "3.0" and meta["inputs"][0]["shape"] == "full"
    assert len(meta["inputs"][0]["sha256"]) == 64
    assert sum(meta["skipped"].values()) == 3  # not ICT, an umbrella's row, no one country
    # The records are records: validated, cited, counted at country level.
    dataset = evidence.load_valid(seeds)
    rec = dataset.records["projects"]["aiddata-900001"]
    assert rec.origin == "aiddata" and rec.location.precision == "country"
    source = dataset.sources[rec.citations[0].source]
    assert source.url == "https://china.aiddata.org/projects/900001"
    assert source.kind == "database"


def test_importing_twice_gives_the_same_bytes(seeds: Path, tmp_path: Path) -> None:
    table = write_table(tmp_path / "t.csv", FULL_HEADER, FULL_ROWS)
    assert run(str(table), "--seeds", str(seeds)).exit_code == 0
    folder = seeds / "imported" / "aiddata"
    first = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert run(str(table), "--seeds", str(seeds)).exit_code == 0
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == first


def test_a_malformed_table_is_one_line_and_writes_nothing(seeds: Path, tmp_path: Path) -> None:
    good = write_table(tmp_path / "good.csv", FULL_HEADER, FULL_ROWS)
    assert run(str(good), "--seeds", str(seeds)).exit_code == 0
    before = imported(seeds)
    bad = tmp_path / "bad.csv"
    lines = good.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace(",Kenya,", ',"Kenya,', 1)  # a quote left open
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run(str(bad), "--seeds", str(seeds))
    assert result.exit_code == 1
    message = result.output.strip().splitlines()
    assert message[0] == "Error: nothing imported." and len(message) == 2
    assert f"{bad}:" in message[1] and "Traceback" not in result.output
    assert imported(seeds) == before
    wrong = write_table(tmp_path / "wrong.csv", ["id", "title"], [["1", "x"]])
    result = run(str(wrong), "--seeds", str(seeds))
    assert result.exit_code == 1 and "not a GCDF 3.0 project table" in result.output
    years = write_table(tmp_path / "years.csv", FULL_HEADER,
                        [full_row(**{"AidData Record ID": "900010", "Title": "Telecom",
                                     "Commitment Year": "twenty"})])
    result = run(str(years), "--seeds", str(seeds))
    assert f"{years}:2: Commitment Year: 'twenty' is not a year" in result.output


def test_the_geocoding_table_with_shapes_gives_points_inside_them(seeds: Path,
                                                                 tmp_path: Path) -> None:
    table = write_table(tmp_path / "final_input.csv", GEO_HEADER, [
        geo_row("900101", "PRECISE, ADM8, PRECISE", "KEN", "Data center in Nairobi"),
        geo_row("900102", "adm4, ADM4, ADM6", "KEN", "Fibre route Nairobi-Mombasa"),
        geo_row("900103", "PRECISE", "KEN", "Mobile network towers"),
        geo_row("900104", "PRECISE", "KEN", "Broadband network", status="Suspended"),
    ])
    shapes = tmp_path / "geojsons"
    shapes.mkdir()
    ribbon = {"type": "MultiPolygon", "coordinates": [[[[36.8, -1.3], [39.6, -4.0],
                                                         [39.6, -4.001], [36.8, -1.301],
                                                         [36.8, -1.3]]]]}
    for pid, geom in (("900101", square(36.8, -1.29)), ("900102", ribbon),
                      ("900103", square(2.35, 48.85))):  # 900103's shape lies in France
        (shapes / f"{pid}.geojson").write_text(json.dumps(
            {"type": "FeatureCollection", "features": [feature(pid, geom)]}), encoding="utf-8")
    result = run(str(table), "--geometry", str(shapes), "--seeds", str(seeds))
    assert result.exit_code == 0, result.output
    rows = imported(seeds)
    dc = rows["aiddata-900101"]
    assert dc["precision"] == "exact" and dc["kind"] == "data_centre"
    assert 36.8 <= float(dc["lon"]) <= 36.81 and -1.29 <= float(dc["lat"]) <= -1.28
    route = rows["aiddata-900102"]
    assert route["precision"] == "admin" and route["kind"] == "cable"
    from shapely.geometry import Point, shape

    assert shape(ribbon).contains(Point(float(route["lon"]), float(route["lat"])))
    assert rows["aiddata-900103"]["precision"] == "country"  # its shape is not in Kenya
    assert rows["aiddata-900104"]["status"] == "suspended" and rows["aiddata-900104"]["lon"] == ""
    meta = json.loads((seeds / "imported" / "aiddata" / "import.json").read_text())
    assert meta["inputs"][0]["shape"] == "geocoding"
    assert meta["inputs"][1]["points"] == {
        "a shape outside its country (kept at country level)": 1, "admin": 1, "exact": 1,
        "no shape": 1}
    dataset = evidence.load_valid(seeds)
    assert dataset.records["projects"]["aiddata-900101"].location.point == (
        float(dc["lon"]), float(dc["lat"]))


def test_a_combined_geojson_of_shapes_is_read_too(seeds: Path, tmp_path: Path) -> None:
    table = write_table(tmp_path / "final_input.csv", GEO_HEADER,
                        [geo_row("900201", "APPROXIMATE", "KEN", "Telecom exchange")])
    combined = tmp_path / "all.geojson"
    combined.write_text(json.dumps({"type": "FeatureCollection", "features": [
        feature("900201", square(37.0, 0.0), "APPROXIMATE")]}), encoding="utf-8")
    assert run(str(table), "--geometry", str(combined), "--seeds", str(seeds)).exit_code == 0
    assert imported(seeds)["aiddata-900201"]["precision"] == "approximate"


def test_decisions_reject_and_rekind_rows_and_hand_entered_projects_are_not_doubled(
        seeds: Path, tmp_path: Path) -> None:
    (seeds / "imported").mkdir()
    (seeds / "imported" / "aiddata.decisions.csv").write_text(
        "id,decision,kind,note\naiddata-900003,reject,,a donation of office computers\n"
        "900007,kind,e_government,the grant equips the ministry's network\n", encoding="utf-8")
    with (seeds / "citations.csv").open("a", encoding="utf-8") as f:  # a hand project cites it
        f.write("projects,sau-cloud-jv,aiddata-900001,Description,AidData\n")
    with (seeds / "sources.csv").open("a", encoding="utf-8") as f:
        f.write("aiddata-900001,Fibre,AidData,AidData (William & Mary),,"
                "https://china.aiddata.org/projects/900001,database,,\n")
    table = write_table(tmp_path / "t.csv", FULL_HEADER, FULL_ROWS)
    result = run(str(table), "--seeds", str(seeds))
    assert result.exit_code == 0, result.output
    rows = imported(seeds)
    assert "aiddata-900003" not in rows and "aiddata-900001" not in rows
    assert rows["aiddata-900007"]["kind"] == "e_government"
    assert "Decision: kind" in rows["aiddata-900007"]["derivation"]
    assert "1 a hand-entered project already" in result.output
    evidence.load_valid(seeds)  # still valid: the hand project's source is the seeds'


def test_without_the_download_the_hand_entered_projects_stand_alone(seeds: Path) -> None:
    dataset = evidence.load_valid(seeds)
    assert all(r.origin == "" for r in dataset.records["projects"].values())


def test_a_build_publishes_imported_points_apart_under_their_licence(seeds: Path,
                                                                    tmp_path: Path) -> None:
    from atlas import build

    out = tmp_path / "site"
    build.run(seeds, out, pictures=False)
    table = write_table(tmp_path / "final_input.csv", GEO_HEADER, [
        geo_row("900301", "PRECISE", "KEN", "Data center in Nairobi"),
        geo_row("900302", "PRECISE", "KEN", "Telecom network without a shape")])
    shapes = tmp_path / "geojsons"
    shapes.mkdir()
    (shapes / "900301.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [
        feature("900301", square(36.8, -1.29), "PRECISE")]}), encoding="utf-8")
    assert run(str(table), "--geometry", str(shapes), "--seeds", str(seeds)).exit_code == 0
    checked = build.run(seeds, out, pictures=False)
    assert not checked.up_to_date  # the import is an input of the build
    data = out / "data"
    licensed = json.loads((data / "aiddata-projects.geojson").read_text(encoding="utf-8"))
    assert [f["id"] for f in licensed["features"]] == ["aiddata-900301"]
    own = json.loads((data / "projects.geojson").read_text(encoding="utf-8"))
    assert "aiddata-900301" not in {f["id"] for f in own["features"]}
    assert "aiddata-900302" in {f["id"] for f in own["features"]}  # at its country's point
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(
        (data / "projects.csv").read_text(encoding="utf-8")))}
    assert rows["aiddata-900301"]["lon"] == "" and rows["aiddata-900301"]["origin"] == "aiddata"
    assert rows["aiddata-900301"]["precision"] == "exact"
    package = json.loads((data / "datapackage.json").read_text(encoding="utf-8"))
    resource = next(r for r in package["resources"] if r["path"] == "aiddata-projects.geojson")
    assert resource["licenses"][0]["name"] == "ODbL-1.0"
