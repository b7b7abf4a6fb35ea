"""The pictures for reports: written by every build, showing the data, reproducible, cheap."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image

from atlas import build, evidence
from atlas.cli import cli
from atlas.evidence.schema import ClassSpec, LayerSpec
from atlas.site import pictures
from atlas.world import boundaries
from tests.conftest import edit_record

LAYERS = ("cloud", "mou", "safe_city", "forum", "projects", "footprint")


def site_data(site: Path) -> dict:
    text = (site / "data" / "atlas-data.js").read_text(encoding="utf-8")
    return json.loads(text[len("window.ATLAS_DATA="):].rstrip().rstrip(";"))


def inside(key: str) -> tuple[int, int]:
    """A pixel well inside the country's biggest polygon on the pictures' map."""
    sheet = pictures.Sheet(boundaries.picture_sheet())
    polygons = dict(sheet.shapes)[key]
    ring = max((p[0] for p in polygons), key=pictures._area)
    xs, ys = ring[0::2], ring[1::2]
    # The middle of the horizontal run through the ring's vertical middle.
    y = (min(ys) + max(ys)) / 2
    crossings = sorted(
        x0 + (y - y0) * (x1 - x0) / (y1 - y0)
        for x0, y0, x1, y1 in zip(xs, ys, xs[1:] + xs[:1], ys[1:] + ys[:1], strict=True)
        if (y0 <= y < y1) or (y1 <= y < y0))
    widest = max(zip(crossings[0::2], crossings[1::2], strict=True), key=lambda r: r[1] - r[0])
    return round(sum(widest) / 2), round(y)


def rgb(png: Path, xy: tuple[int, int]) -> str:
    with Image.open(png) as image:
        return "#{:02X}{:02X}{:02X}".format(*image.convert("RGB").getpixel(xy))


def test_every_build_writes_a_png_and_svg_per_layer(seeds: Path, tmp_path: Path) -> None:
    build.run(seeds, tmp_path / "site")
    data = site_data(tmp_path / "site")
    for lid in LAYERS:
        with Image.open(tmp_path / "site" / "pictures" / f"{lid}.png") as image:
            assert image.format == "PNG" and image.width == pictures.WIDTH
            assert image.height > 800
        svg = ET.parse(tmp_path / "site" / "pictures" / f"{lid}.svg").getroot()
        texts = ["".join(t.itertext()) for t in svg.iter("{http://www.w3.org/2000/svg}text")]
        layer = next(lay for lay in data["layers"] if lay["id"] == lid)
        assert texts[0] == layer["title"]
        assert any(t.startswith("DSR Atlas") and "Natural Earth" in t for t in texts)
        # The legend counts the countries in each class and those with no data, as the site does.
        values = [(c["layers"].get(lid) or {}).get("value") for c in data["countries"].values()]
        for cls in layer["classes"]:
            n = sum(1 for v in values if v is not None and str(v) == cls["value"])
            assert f"{cls['label']} ({n} {'country' if n == 1 else 'countries'})" in texts
        assert f"No data ({values.count(None)} countries)" in texts


def test_the_pictures_show_each_countrys_class_and_hatch_no_data(seeds: Path,
                                                                 tmp_path: Path) -> None:
    build.run(seeds, tmp_path / "site")
    folder = tmp_path / "site" / "pictures"
    # Saudi Arabia: a joint venture (cloud); Brazil: no MOU record.
    assert rgb(folder / "cloud.png", inside("SAU")) == "#CC79A7"
    hatch = {rgb(folder / "mou.png", (x, inside("BRA")[1])) for x in
             range(inside("BRA")[0] - 8, inside("BRA")[0] + 8)}
    assert hatch == {pictures.NO_DATA_BASE, pictures.NO_DATA_LINE}
    svg = (folder / "cloud.svg").read_text(encoding="utf-8")
    assert 'fill="#CC79A7" d=' in svg and 'fill="url(#nodata)"' in svg


def test_an_edit_redraws_only_the_pictures_it_changes(seeds: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build.run(seeds, out)
    before = {p.name: p.read_bytes() for p in (out / "pictures").iterdir()}
    edit_record(seeds / "cloud.csv", "Saudi Arabia,", ",joint_venture,", ",region,")
    build.run(seeds, out)
    after = {p.name: p.read_bytes() for p in (out / "pictures").iterdir()}
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {"cloud.png", "cloud.svg"}  # the footprint's class for SAU stays "high"
    assert rgb(out / "pictures" / "cloud.png", inside("SAU")) == "#0072B2"


def test_pictures_are_reproducible_and_can_be_left_out(seeds: Path, tmp_path: Path,
                                                       runner) -> None:
    build.run(seeds, tmp_path / "a")
    build.run(seeds, tmp_path / "b", force=True)
    for name in (p.name for p in (tmp_path / "a" / "pictures").iterdir()):
        assert (tmp_path / "a" / "pictures" / name).read_bytes() == \
            (tmp_path / "b" / "pictures" / name).read_bytes()
    result = runner.invoke(cli, ["build", "--seeds", str(seeds), "--out", str(tmp_path / "c"),
                                 "--no-pictures"])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "c" / "pictures").exists()


def test_hostile_titles_are_escaped_in_the_svg(seeds: Path, tmp_path: Path) -> None:
    toml = seeds / "layers.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(
        'title = "Chinese cloud footprint"', 'title = "Cloud <script>alert(1)</script> & co"', 1),
        encoding="utf-8")
    build.run(seeds, tmp_path / "site")
    svg = (tmp_path / "site" / "pictures" / "cloud.svg").read_text(encoding="utf-8")
    assert "<script>" not in svg and "Cloud &lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in svg
    ET.fromstring(svg)  # still well-formed


@pytest.mark.parametrize("key", ["RUS", "FJI", "SGP"])
def test_the_sheet_keeps_every_country_even_the_small_and_the_antimeridian(key: str) -> None:
    sheet = dict(pictures.Sheet(boundaries.picture_sheet()).shapes)
    assert sheet[key], key
    left, top, right, bottom = pictures.MAP_BOX
    for polygon in sheet[key]:
        xs, ys = polygon[0][0::2], polygon[0][1::2]
        assert left - 1 <= min(xs) and max(xs) <= right + 1
        assert top - 1 <= min(ys) and max(ys) <= bottom + 1


def test_png_is_small_enough_to_paste(seeds: Path, tmp_path: Path) -> None:
    build.run(seeds, tmp_path / "site")
    for lid in LAYERS:
        data = (tmp_path / "site" / "pictures" / f"{lid}.png").read_bytes()
        assert len(data) < 400_000
        with Image.open(io.BytesIO(data)) as image:
            assert image.mode == "P"  # a palette: the exact class colours


def test_the_about_page_lists_the_pictures_unless_left_out(seeds: Path, tmp_path: Path) -> None:
    build.run(seeds, tmp_path / "a")
    about = (tmp_path / "a" / "about.html").read_text(encoding="utf-8")
    assert "Pictures for reports" in about
    for lid in LAYERS:
        assert f'href="pictures/{lid}.png"' in about and f'href="pictures/{lid}.svg"' in about
    build.run(seeds, tmp_path / "b", pictures=False)
    assert "Pictures for reports" not in (tmp_path / "b" / "about.html").read_text(encoding="utf-8")
    assert site_data(tmp_path / "b")["meta"]["pictures"] is False


def a_picture(seeds: Path, tmp_path: Path, lid: str = "cloud") -> pictures.Picture:
    site = tmp_path / "for-a-picture"
    if not site.exists():
        build.run(seeds, site, pictures=False)
    data = site_data(site)
    dataset = evidence.load_valid(seeds)
    layer = next(s for s in (*dataset.layers, *dataset.composites) if s.id == lid)
    values = {k: (c["layers"].get(lid) or {}).get("value") for k, c in data["countries"].items()}
    return pictures.picture(layer, values, data["coverage"][lid], data["meta"])


def test_a_rebuild_from_the_command_line_redraws_a_changed_class(seeds: Path,
                                                                 tmp_path: Path) -> None:
    """`atlas build` after a class change redraws the picture with the new class, and the
    pictures are those of a fresh build."""
    out = tmp_path / "site"
    command = [sys.executable, "-m", "atlas", "build", "--seeds", str(seeds), "--out", str(out)]
    subprocess.run(command, check=True, capture_output=True)
    edit_record(seeds / "cloud.csv", "Saudi Arabia,", ",joint_venture,", ",region,")
    subprocess.run(command, check=True, capture_output=True)
    assert rgb(out / "pictures" / "cloud.png", inside("SAU")) == "#0072B2"
    build.run(seeds, tmp_path / "fresh")
    for path in (out / "pictures").iterdir():
        assert path.read_bytes() == (tmp_path / "fresh" / "pictures" / path.name).read_bytes()


def test_tall_pictures_get_the_hatch_too(seeds: Path, tmp_path: Path) -> None:
    """A legend longer than the shared hatch image still gets a hatched no-data swatch."""
    sheet = pictures.Sheet(boundaries.picture_sheet())
    pic = a_picture(seeds, tmp_path)
    tall = pic._replace(legend=[*pic.legend, *((f"class {i}", "#0072B2", i) for i in range(30))])
    assert tall.height > pictures.HATCH_HEIGHT
    with Image.open(io.BytesIO(pictures.png(sheet, tall))) as image:
        assert image.size == (pictures.WIDTH, tall.height)


def test_a_sheet_of_more_countries_than_a_byte_holds() -> None:
    """Over 254 shapes the index raster needs more than a byte a pixel: still drawn right."""
    shapes = []
    for i in range(300):
        x, y = pictures.MAP_BOX[0] + (i % 20) * 70, pictures.MAP_BOX[1] + (i // 20) * 40
        shapes.append([f"K{i:03d}", [[[x, y, x + 60, y, x + 60, y + 30, x, y + 30]]]])
    paths = [[key, "M0 0Z"] for key, _ in shapes]
    sheet = pictures.Sheet(json.dumps({"width": pictures.WIDTH, "map_box": pictures.MAP_BOX,
                                       "shapes": shapes, "paths": paths}))
    layer = LayerSpec("x", "T", "x.csv", "x", "categorical", "",
                      (ClassSpec("a", "A", "#0072B2"),), ())
    values = {key: "a" if int(key[1:]) % 2 else None for key, _ in shapes}
    pic = pictures.picture(layer, values, {"a": 150, "_no_data": 150}, {"data_date": "2026"})
    png = pictures.png(sheet, pic)
    with Image.open(io.BytesIO(png)) as image:
        rgb_image = image.convert("RGB")
        last = (pictures.MAP_BOX[0] + 19 * 70 + 30, pictures.MAP_BOX[1] + 14 * 40 + 15)
        assert "#{:02X}{:02X}{:02X}".format(*rgb_image.getpixel(last)) == "#0072B2"
        hatch = {rgb_image.getpixel((x, last[1])) for x in range(last[0] - 78, last[0] - 62)}
        assert len(hatch) == 2  # K298, beside it, has no data: base and line of the hatch


def test_small_countries_show_and_the_picture_says_what_and_whose(seeds: Path,
                                                                  tmp_path: Path) -> None:
    """A country too small to see at the picture's scale is drawn as a dot in its class colour;
    a subtitle says what the layer measures; the source line names the sources' publishers."""
    sheet = pictures.Sheet(boundaries.picture_sheet())
    assert "SGP" in sheet.dots and "BRA" not in sheet.dots
    pic = a_picture(seeds, tmp_path)._replace(fills={"SGP": "#0072B2"})
    with Image.open(io.BytesIO(pictures.png(sheet, pic))) as image:
        x, y = (round(v) for v in sheet.dots["SGP"])
        assert "#{:02X}{:02X}{:02X}".format(*image.convert("RGB").getpixel((x, y))) == "#0072B2"
    build.run(seeds, tmp_path / "site")
    svg_text = (tmp_path / "site" / "pictures" / "cloud.svg").read_text(encoding="utf-8")
    assert "Presence of Chinese cloud providers" in svg_text
    assert "Sources: Digital Forensic Research Lab (DFRLab), Atlantic Council" in svg_text
