"""Load the committed country boundaries (`geodata/countries.geojson`) shipped with atlas."""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path
from typing import Any

from atlas.errors import AtlasError

FILE_NAME = "countries.geojson"
WORLD_NAME = "countries-world.geojson"
#: The browser's encodings of the two levels (atlas.webgeom), written by `atlas geodata`.
WEB_NAMES = {"detail": "countries.web.json", "world": "countries-world.web.json"}
#: The world view projected for the report pictures (atlas.pictures), written by `atlas geodata`.
PICTURE_NAME = "countries-world.picture.json"
#: The countries' shapes and names as a GeoPackage, written by GDAL in `atlas geodata`; a build
#: adds the values with SQLite (atlas.gis), so it never loads the geo stack.
GPKG_NAME = "countries.gpkg"
_HEAD, _MID, _TAIL = b'{"geometry":', b',"properties":', b',"type":"Feature"}'


def default_path() -> Path:
    """The installed copy (wheel) or, in a source checkout, the repository's `geodata/`."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "_geodata" / FILE_NAME, package.parent / "geodata" / FILE_NAME):
        if candidate.is_file():
            return candidate
    raise AtlasError(f"boundaries not found: {FILE_NAME}; run `atlas geodata` to derive them")


def files(path: Path | None = None) -> list[Path]:
    """The boundaries file and those `atlas geodata` derives beside it: everything a build reads
    of the boundaries (the keys of what is made from them)."""
    path = path or default_path()
    names = [WORLD_NAME, *WEB_NAMES.values(), PICTURE_NAME, GPKG_NAME]
    return [path, *(path.with_name(name) for name in names)]


class Boundaries:
    """Country properties keyed by `iso3`, with each geometry kept as its JSON (UTF-8 bytes).

    Geometry is parsed only when asked for (`features`): a build needs just the properties and
    the JSON, which keeps rebuilds fast.
    """

    def __init__(self, path: Path, properties: tuple[dict[str, Any], ...],
                 geometry_json: dict[str, bytes]):
        self.path = path
        self.properties = properties
        self.geometry_json = geometry_json

    @cached_property
    def world_json(self) -> dict[str, bytes]:
        """The coarse world-view geometry (0.2°) as JSON by iso3, from the file beside."""
        path = self.path.with_name(WORLD_NAME)
        try:
            split = _split_lines(path.read_bytes())
        except OSError as exc:
            raise AtlasError(f"{path}: cannot read the world view: {exc}") from exc
        if split is None or {p["iso3"] for p in split[0]} != self.keys:
            raise AtlasError(f"{path}: must have the same countries as {self.path.name}; "
                             "run `atlas geodata`")
        return split[1]

    def web(self, level: str) -> str:
        """The browser encoding of a level ("detail" or "world"), as `atlas geodata` wrote it
        beside the boundaries (atlas.webgeom)."""
        return _derived(self.path.with_name(WEB_NAMES[level]))

    def gpkg_template(self) -> bytes:
        """The GeoPackage of the shapes and names beside these boundaries (see GPKG_NAME)."""
        return gpkg_template(self.path)

    @cached_property
    def keys(self) -> frozenset[str]:
        return frozenset(p["iso3"] for p in self.properties)

    @cached_property
    def features(self) -> tuple[dict[str, Any], ...]:
        return tuple(
            {"type": "Feature", "properties": p,
             "geometry": json.loads(self.geometry_json[p["iso3"]])}
            for p in self.properties
        )


def picture_sheet(path: Path | None = None) -> str:
    """The world view projected for the pictures (atlas.pictures), as `atlas geodata` wrote it
    beside the boundaries."""
    return _derived((path or default_path()).with_name(PICTURE_NAME))


def gpkg_template(path: Path | None = None) -> bytes:
    """The GeoPackage of the shapes and names (see GPKG_NAME), as `atlas geodata` wrote it."""
    path = (path or default_path()).with_name(GPKG_NAME)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise AtlasError(f"{path}: cannot read it ({exc}); run `atlas geodata` to derive "
                         "the boundaries again") from exc


def _derived(path: Path) -> str:
    """A file `atlas geodata` derives beside the boundaries (a test checks each equals a fresh
    derivation)."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise AtlasError(f"{path}: cannot read it ({exc}); run `atlas geodata` to derive "
                         "the boundaries again") from exc


def _split_lines(data: bytes) -> tuple[list[dict[str, Any]], dict[str, bytes]] | None:
    """Read the one-feature-a-line layout `atlas geodata` writes; None for any other layout.

    Works on the bytes: only the small properties are decoded, never the geometry, and each
    geometry is copied out of `data` once.
    """
    if not data.startswith(b'{"type":"FeatureCollection"'):
        return None
    texts: list[bytes] = []  # each feature's properties, as JSON
    shapes: list[bytes] = []  # each feature's geometry, as JSON
    start = data.find(b"\n") + 1  # the first feature's line; the last line is "]}"
    while start and not data.startswith(b"]", start):
        end = data.find(b"\n", start)
        if end < 0:
            return None
        stop = end
        while stop > start and data[stop - 1] in b",\r":
            stop -= 1
        mid = data.find(_MID, start, stop)  # geometry JSON never holds this text
        if mid < 0 or not data.startswith(_HEAD, start) or not data.endswith(_TAIL, mid, stop):
            return None
        texts.append(data[mid + len(_MID):stop - len(_TAIL)])
        shapes.append(data[start + len(_HEAD):mid])
        start = end + 1
    props: list[dict[str, Any]] = json.loads(b"[" + b",".join(texts) + b"]")  # one parse
    geometry = {p["iso3"]: shape for p, shape in zip(props, shapes, strict=True)}
    return (props, geometry) if props else None


def load(path: Path | None = None) -> Boundaries:
    """Read and sanity-check the boundaries file."""
    path = path or default_path()
    try:
        data = path.read_bytes()
        split = _split_lines(data)
        if split is None:
            features = json.loads(data).get("features", [])
            props = [f["properties"] for f in features]
            geometry = {f["properties"]["iso3"]:
                        json.dumps(f["geometry"], separators=(",", ":")).encode()
                        for f in features}
        else:
            props, geometry = split
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise AtlasError(f"{path}: cannot read boundaries: {exc}") from exc
    keys = [p.get("iso3") for p in props]
    if not props or None in keys or len(set(keys)) != len(keys):
        raise AtlasError(f"{path}: boundaries must have features with unique iso3 keys")
    return Boundaries(path, tuple(props), geometry)
