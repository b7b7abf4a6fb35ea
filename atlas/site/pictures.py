"""Static pictures of each layer for reports: `pictures/<layer>.png` and `.svg`.

Each picture has the layer's title, the map (Equal Earth projection, by pyproj; Antarctica left
out), a legend with the class counts (no data hatched, as on the site) and a source line. The
shapes are the world-view boundaries already projected to the picture's pixels ("the sheet",
written by `atlas geodata` beside the boundaries), so a build only fills them in: Pillow draws
the PNG with a palette, and the SVG is written as text. That is quick enough for every build to
write them all; a rebuild redraws only those whose content changed (atlas.build caches them).
"""

from __future__ import annotations

import html
import io
import json
import zlib
from collections.abc import Iterable
from functools import cached_property, lru_cache
from typing import Any, NamedTuple

from atlas.evidence.schema import CompositeSpec, LayerSpec
from atlas.world.webgeom import visible_polygons

WIDTH = 1600
MAP_BOX = (40, 92, 1560, 780)  # left, top, right, bottom of the map area, in pixels
LEGEND_TOP, LEGEND_ROW, LEGEND_COLUMNS = MAP_BOX[3] + 20, 34, 2
FOOT = 78  # below the legend: the source lines
DOT_BELOW, DOT_RADIUS = 6, 4  # a country under this many pixels across is also drawn as a dot
WHITE, BORDER, TEXT, MUTED = "#FFFFFF", "#7A7A7A", "#1A1A1A", "#4A4A4A"
NO_DATA_BASE, NO_DATA_LINE = "#F0F0F0", "#BDBDBD"  # the site's no-data hatch (atlas.css)
FONT_FAMILY = "Helvetica, Arial, sans-serif"
HATCH_STEP, HATCH_WIDTH = 8, 2  # pixels between the hatch's diagonal lines; their width
MIN_EXTENT = 0.25  # degrees, about a pixel: smaller islands are left out (atlas.webgeom)

EQUAL_EARTH = "EPSG:8857"  # Equal Earth (Šavrič, Patterson & Jenny 2018): equal-area, readable


def encode_sheet(world_json: dict[str, bytes], properties: Iterable[dict[str, Any]]) -> str:
    """The world view projected into the picture's map box, as JSON text (the sheet).

    Shapes are [iso3, polygons], each polygon a list of flat rings [x0, y0, x1, y1, …] in
    pixels (0.1 px), exterior first; biggest country first, so enclaves are drawn on top.
    Polygons under MIN_EXTENT (most of the world's small islands) would not fill a pixel: they
    are left out, but every country keeps its biggest polygon, so microstates still show.
    """
    from pyproj import Transformer

    project = Transformer.from_crs("EPSG:4326", EQUAL_EARTH, always_xy=True).transform
    drawn = sorted(p["iso3"] for p in properties if p.get("continent") != "Antarctica")
    projected: dict[str, list[list[list[tuple[float, float]]]]] = {}
    for key in drawn:
        polygons = visible_polygons(json.loads(world_json[key]), MIN_EXTENT)
        projected[key] = [[list(zip(*project(*zip(*ring[:-1], strict=True)), strict=True))
                           for ring in polygon] for polygon in polygons]
    exteriors = [p for polygons in projected.values() for poly in polygons for p in poly[0]]
    x0, x1 = min(p[0] for p in exteriors), max(p[0] for p in exteriors)
    y0, y1 = min(p[1] for p in exteriors), max(p[1] for p in exteriors)
    left, top, right, bottom = MAP_BOX
    scale = min((right - left) / (x1 - x0), (bottom - top) / (y1 - y0))
    dx = left + ((right - left) - scale * (x1 - x0)) / 2
    dy = top + ((bottom - top) - scale * (y1 - y0)) / 2
    shapes = []
    for key, polygons in projected.items():
        pixels = [[[round(v, 1) + 0.0 for x, y in ring
                    for v in (dx + (x - x0) * scale, dy + (y1 - y) * scale)]
                   for ring in polygon] for polygon in polygons]
        shapes.append((-sum(_area(polygon[0]) for polygon in pixels), key, pixels))
    ordered = sorted(shapes)
    lines = [json.dumps([key, pixels], separators=(",", ":")) for _area_, key, pixels in ordered]
    paths = [json.dumps([key, _svg_path(pixels)]) for _area_, key, pixels in ordered]
    return (f'{{"width":{WIDTH},"map_box":{json.dumps(list(MAP_BOX))},'
            '"shapes":[\n' + ",\n".join(lines) + "\n],\n"
            '"paths":[\n' + ",\n".join(paths) + "\n]}\n")


def _svg_path(polygons: list[list[list[float]]]) -> str:
    """A country's SVG path data: all rings (the even-odd rule leaves the holes open)."""
    return "".join("M" + " ".join(map(str, ring)) + "Z" for polygon in polygons for ring in polygon)


def _area(flat: list[float]) -> float:
    xs, ys = flat[0::2], flat[1::2]
    return abs(sum(xs[i - 1] * ys[i] - xs[i] * ys[i - 1] for i in range(len(xs)))) / 2


class Picture(NamedTuple):
    """What one layer's picture shows: a fill per country (None: no data) and the legend."""

    layer: str
    title: str
    fills: dict[str, str | None]
    legend: list[tuple[str, str | None, int]]  # label, colour (None: no data), count
    source: str  # one or two lines
    subtitle: str = ""  # what the layer measures

    @property
    def height(self) -> int:
        rows = -(-len(self.legend) // LEGEND_COLUMNS)
        return LEGEND_TOP + rows * LEGEND_ROW + FOOT

    def key(self) -> str:
        """Everything the picture depends on besides the sheet and the code."""
        return json.dumps([self.layer, self.title, self.fills, self.legend, self.source,
                           self.subtitle], sort_keys=True)


def picture(layer: LayerSpec | CompositeSpec, values: dict[str, Any], counts: dict[str, int],
            meta: dict[str, Any], publishers: list[str] = ()) -> Picture:
    """The picture of one layer or composite: `values` is each country's class value
    (None: no data), `counts` the layer's legend counts (join.coverage, as the site shows them)
    and `publishers` who published the sources its records cite, most cited first.
    The source line names the data's date, not its version hash, so editing one layer's records
    leaves the other layers' pictures (and their cache entries) unchanged."""
    colors = {c.value: c.color for c in layer.classes}
    fills = {key: None if value is None else colors[str(value)]
             for key, value in sorted(values.items())}
    legend: list[tuple[str, str | None, int]] = [
        (c.label, c.color, counts.get(c.value, 0)) for c in layer.classes]
    legend.append(("No data", None, counts.get("_no_data", 0)))
    named = "; ".join(publishers[:5]) + (f" and {len(publishers) - 5} more" if
                                         len(publishers) > 5 else "")
    where = f" ({meta['base_url']})" if meta.get("base_url") else ""
    source = (f"Sources: {named}." if named else "Sources: the atlas's records.") + "\n" + (
        f"{meta.get('title', 'DSR Atlas')}{where}, data of {meta.get('data_date', '')}: every "
        "value's sources on the atlas site. Boundaries: Natural Earth, de facto; Antarctica not "
        "shown.")
    subtitle = layer.description.split(". ")[0].rstrip(".")
    if len(subtitle) > 150:
        subtitle = subtitle[:147].rsplit(" ", 1)[0] + " …"
    return Picture(layer.id, layer.title, fills, legend, source, subtitle)


def _legend_cells(legend: list[tuple[str, str | None, int]]
                  ) -> Iterable[tuple[int, int, tuple[str, str | None, int]]]:
    width = (MAP_BOX[2] - MAP_BOX[0]) // LEGEND_COLUMNS
    rows = -(-len(legend) // LEGEND_COLUMNS)
    for i, item in enumerate(legend):  # down the first column, then the next: reading order
        col, row = divmod(i, rows)
        yield MAP_BOX[0] + col * width, LEGEND_TOP + row * LEGEND_ROW, item


def _legend_text(label: str, count: int) -> str:
    return f"{label} ({count} {'country' if count == 1 else 'countries'})"


@lru_cache(maxsize=4)
def _font(size: int) -> Any:
    from PIL import ImageFont

    return ImageFont.load_default(size=size)


#: Pictures up to this tall (a legend of twelve rows) share one hatch image, cropped.
HATCH_HEIGHT = LEGEND_TOP + 6 * LEGEND_ROW + FOOT


class Sheet:
    """The projected shapes (from the sheet's JSON text) and what every picture of them shares:
    the SVG paths, the index raster and the hatch, each made once per build."""

    def __init__(self, text: str):
        data = json.loads(text)
        if (data["width"], tuple(data["map_box"])) != (WIDTH, MAP_BOX):
            raise ValueError("made for another picture layout; run `atlas geodata`")
        self.shapes: list[tuple[str, list[list[list[float]]]]] = data["shapes"]
        self.keys: list[str] = [key for key, _polygons in self.shapes]
        #: Each country's SVG path data, written beside the shapes by `atlas geodata`.
        self.paths: dict[str, str] = dict(data["paths"])
        #: Countries too small to see at this scale (Singapore, Bahrain): drawn as a dot too.
        self.dots: dict[str, tuple[float, float]] = {}
        for key, polygons in self.shapes:
            xs = [v for poly in polygons for v in poly[0][0::2]]
            ys = [v for poly in polygons for v in poly[0][1::2]]
            if xs and max(max(xs) - min(xs), max(ys) - min(ys)) < DOT_BELOW:
                self.dots[key] = ((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2)

    @cached_property
    def raster(self) -> Any:
        """The map as an index image: each pixel's shape (2 + its place in `keys`), 0 for the
        background and 1 for a border, so that the map of a picture is one table lookup
        (Image.point). Mode "L" while the indices fit in a byte (they do for Natural Earth)."""
        from PIL import Image, ImageDraw

        mode = "L" if len(self.shapes) + 2 <= 256 else "I"
        image = Image.new(mode, (WIDTH, MAP_BOX[3] + 1), 0)
        draw = ImageDraw.Draw(image)
        for i, (_key, polygons) in enumerate(self.shapes, 2):
            for polygon in polygons:
                draw.polygon(polygon[0], fill=i)
                for hole in polygon[1:]:
                    draw.polygon(hole, fill=0)
        image.paste(1, mask=self.borders)
        return image

    @cached_property
    def borders(self) -> Any:
        """Every ring's outline, as a 1-bit image (drawn once, over each picture's fills)."""
        from PIL import Image, ImageDraw

        image = Image.new("1", (WIDTH, MAP_BOX[3] + 1), 0)
        draw = ImageDraw.Draw(image)
        for _key, polygons in self.shapes:
            for polygon in polygons:
                for ring in polygon:
                    draw.polygon(ring, outline=1)
        return image

    @cached_property
    def hatched(self) -> Any:
        """The raster on the hatch's lines only (0 elsewhere): where a shape without data shows
        the hatch."""
        from PIL import Image

        image = Image.new(self.raster.mode, self.raster.size, 0)
        image.paste(self.raster, mask=self.hatch_for(self.raster.height))
        return image

    @cached_property
    def hatch(self) -> Any:
        """Where the no-data hatch's diagonal lines fall, HATCH_HEIGHT tall (a 1-bit image)."""
        return _hatch(HATCH_HEIGHT)

    def hatch_for(self, height: int) -> Any:
        """The hatch for a picture `height` tall."""
        if height > self.hatch.height:
            return _hatch(height)
        return self.hatch if height == self.hatch.height else self.hatch.crop(
            (0, 0, WIDTH, height))


def _hatch(height: int) -> Any:
    from PIL import Image

    row = bytes(255 if x % HATCH_STEP < HATCH_WIDTH else 0 for x in range(WIDTH + height))
    strip = Image.frombytes("L", (WIDTH + height, 1), row).convert("1")
    # Row y is the strip shifted by y pixels (an affine map): lines at 45°.
    return strip.transform((WIDTH, height), Image.Transform.AFFINE, (1, 1, 0, 0, 0, 0))


def png(sheet: Sheet, pic: Picture) -> bytes:
    """The picture as a palette PNG, WIDTH pixels wide."""
    from PIL import ImageDraw

    fixed = [WHITE, BORDER, TEXT, MUTED, NO_DATA_BASE, NO_DATA_LINE]
    classes = sorted({c for _label, c, _count in pic.legend if c})  # own entries: a class
    index = {color: i for i, color in enumerate(classes, len(fixed))}  # never reads as no data
    white, border, text, muted, nodata, line = range(len(fixed))
    height = pic.height
    # The map: each shape's palette index looked up; below it (legend and source) white.
    lut = [white, border] + [nodata if pic.fills.get(key) is None else index[pic.fills[key]]
                             for key in sheet.keys]
    lut += [white] * ((256 if sheet.raster.mode == "L" else 65536) - len(lut))
    image = sheet.raster.point(lut, "L").crop((0, 0, WIDTH, height))  # crop pads with 0: white
    image.putpalette([int(c[i:i + 2], 16) for c in fixed + classes for i in (1, 3, 5)])
    # The no-data hatch on the map: the hatch-line pixels of the shapes without data (one lookup
    # in the hatched raster).
    on_line = [0, 0] + [255 if pic.fills.get(key) is None else 0 for key in sheet.keys]
    on_line += [0] * (len(lut) - len(on_line))
    image.paste(line, (0, 0, *sheet.hatched.size), mask=sheet.hatched.point(on_line, "L"))
    draw = ImageDraw.Draw(image)
    for key, (cx, cy) in sheet.dots.items():
        if pic.fills.get(key) is not None:
            draw.ellipse((cx - DOT_RADIUS, cy - DOT_RADIUS, cx + DOT_RADIUS, cy + DOT_RADIUS),
                         fill=index[pic.fills[key]], outline=border)
    draw.text((MAP_BOX[0], 20), pic.title, fill=text, font=_font(38))
    if pic.subtitle:
        draw.text((MAP_BOX[0], 64), pic.subtitle, fill=muted, font=_font(18))
    for x, y, (label, color, count) in _legend_cells(pic.legend):
        draw.rectangle((x, y + 2, x + 34, y + 24), fill=nodata if color is None else index[color],
                       outline=border)
        if color is None:  # the no-data swatch, hatched inside
            inside = (x + 1, y + 3, x + 34, y + 24)
            image.paste(line, inside, mask=sheet.hatch_for(height).crop(inside))
        draw.text((x + 44, y + 3), _legend_text(label, count), fill=text, font=_font(20))
    for n, line_text in enumerate(pic.source.split("\n")):
        draw.text((MAP_BOX[0], height - 56 + n * 22), line_text, fill=muted, font=_font(16))
    buf = io.BytesIO()
    buf.name = "picture.png"  # saving by file name loads the PNG plugin only (format= loads five)
    image.save(buf, compress_level=1, compress_type=zlib.Z_RLE)  # runs of a colour: fast, small
    return buf.getvalue()


def svg(sheet: Sheet, pic: Picture) -> str:
    """The same picture as SVG text: vector, for print."""
    e, height = html.escape, pic.height
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="{FONT_FAMILY}">',
        f"<title>{e(pic.title)}</title>",
        f'<defs><pattern id="nodata" width="{HATCH_STEP}" height="{HATCH_STEP}" '
        'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        f'<rect width="{HATCH_STEP}" height="{HATCH_STEP}" fill="{NO_DATA_BASE}"/>'
        f'<rect width="{HATCH_WIDTH}" height="{HATCH_STEP}" fill="{NO_DATA_LINE}"/>'
        "</pattern></defs>",
        f'<rect width="{WIDTH}" height="{height}" fill="{WHITE}"/>',
        f'<g stroke="{BORDER}" stroke-width="0.6" stroke-linejoin="round" fill-rule="evenodd">',
    ]
    for key, path in sheet.paths.items():
        fill = pic.fills.get(key) or "url(#nodata)"
        out.append(f'<path fill="{fill}" d="{path}"><title>{e(key)}</title></path>')
    for key, (cx, cy) in sheet.dots.items():
        if pic.fills.get(key) is not None:
            out.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{DOT_RADIUS}" '
                       f'fill="{pic.fills[key]}"><title>{e(key)}</title></circle>')
    out.append("</g>")
    out.append(f'<text x="{MAP_BOX[0]}" y="54" font-size="38" fill="{TEXT}">{e(pic.title)}</text>')
    if pic.subtitle:
        out.append(f'<text x="{MAP_BOX[0]}" y="80" font-size="18" fill="{MUTED}">'
                   f"{e(pic.subtitle)}</text>")
    for x, y, (label, color, count) in _legend_cells(pic.legend):
        out.append(f'<rect x="{x}" y="{y + 2}" width="34" height="22" '
                   f'fill="{color or "url(#nodata)"}" stroke="{BORDER}"/>'
                   f'<text x="{x + 44}" y="{y + 20}" font-size="20" fill="{TEXT}">'
                   f"{e(_legend_text(label, count))}</text>")
    for n, line_text in enumerate(pic.source.split("\n")):
        out.append(f'<text x="{MAP_BOX[0]}" y="{height - 42 + n * 22}" font-size="16" '
                   f'fill="{MUTED}">{e(line_text)}</text>')
    out.append("</svg>\n")
    return "\n".join(out)
