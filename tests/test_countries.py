"""Resolving what people write to boundary keys, and the Natural Earth crosswalk."""

from __future__ import annotations

import pycountry
import pytest

from atlas.world import boundaries, countries

KEYS = boundaries.load().keys


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("PAK", "PAK"), ("pk", "PAK"), ("Pakistan", "PAK"), ("  pakistan ", "PAK"),
        ("Türkiye", "TUR"), ("Turkey", "TUR"), ("TR", "TUR"),
        ("Lao PDR", "LAO"), ("Laos", "LAO"), ("Lao People's Democratic Republic", "LAO"),
        ("DR Congo", "COD"), ("Democratic Republic of the Congo", "COD"),
        ("Republic of the Congo", "COG"),
        ("Côte d'Ivoire", "CIV"), ("Côte d’Ivoire", "CIV"), ("Ivory Coast", "CIV"),
        ("Kosovo", "XKX"), ("XK", "XKX"), ("XKX", "XKX"),
        ("Taiwan", "TWN"), ("Hong Kong", "HKG"), ("Macao", "MAC"), ("Macau", "MAC"),
        ("Palestine", "PSE"), ("PSE", "PSE"), ("Western Sahara", "ESH"),
        ("South Sudan", "SSD"), ("UAE", "ARE"), ("United Arab Emirates", "ARE"),
        ("Vietnam", "VNM"), ("Viet Nam", "VNM"), ("Russia", "RUS"), ("Iran", "IRN"),
        ("South Korea", "KOR"), ("Eswatini", "SWZ"), ("Czechia", "CZE"),
    ],
)
def test_names_people_write_resolve(written: str, key: str) -> None:
    assert countries.resolve(written, KEYS).key == key


def test_unknown_name_gets_a_did_you_mean() -> None:
    res = countries.resolve("Pakistn", KEYS)
    assert res.key is None
    assert "unknown country 'Pakistn'" in res.message
    assert "did you mean" in res.hint and "PAK" in res.hint


@pytest.mark.parametrize("written", ["Congo", "Korea"])
def test_ambiguous_names_are_refused_with_the_options(written: str) -> None:
    res = countries.resolve(written, KEYS)
    assert res.key is None and "ambiguous" in res.message
    assert res.hint.count("(") == 2


@pytest.mark.parametrize(
    ("written", "part_of"), [("Northern Cyprus", "CYP"), ("Somaliland", "SOM")]
)
def test_entities_not_drawn_separately_say_so(written: str, part_of: str) -> None:
    res = countries.resolve(written, KEYS)
    assert res.key is None
    assert "not drawn separately" in res.message and part_of in res.message


def test_iso_code_without_a_polygon_is_reported() -> None:
    res = countries.resolve("SGP", frozenset({"PAK"}))
    assert res.key is None and "no polygon" in res.message


def test_every_boundary_key_is_iso_or_documented() -> None:
    for key in KEYS:
        assert pycountry.countries.get(alpha_3=key) or key in countries.NON_ISO_KEYS, key


def test_non_iso_keys_never_collide_with_iso_codes() -> None:
    for key in countries.NON_ISO_KEYS:
        assert pycountry.countries.get(alpha_3=key) is None, key


def test_crosswalk_targets_are_real_iso_codes() -> None:
    for adm0, iso3 in countries.ADM0_TO_ISO3.items():
        assert iso3 == "XKX" or pycountry.countries.get(alpha_3=iso3), (adm0, iso3)
        assert iso3 in KEYS


def test_dependencies_have_their_own_keys() -> None:
    """ISO_A3_EH repeats AUS, FRA, BRA; ADM0_A3 keeps the dependencies apart."""
    by_key = {f["properties"]["iso3"]: f["properties"] for f in boundaries.load().features}
    for key in ("IOA", "CSI", "ATC"):
        assert by_key[key]["sovereign"] == "Australia"
    assert by_key["CLP"]["sovereign"] == "France"
    assert by_key["AUS"]["name"] == "Australia"
    assert by_key["FRA"]["adm0_a3"] == "FRA"  # NE's ISO_A3 is -99 for France
    assert by_key["NOR"]["adm0_a3"] == "NOR"  # and for Norway


def test_chinese_names_are_corrected() -> None:
    by_key = {f["properties"]["iso3"]: f["properties"] for f in boundaries.load().features}
    assert by_key["TWN"]["name_zh"] == "台湾"
    assert by_key["PGA"]["name_zh"] == "南沙群岛"  # Natural Earth says 威克岛, Wake Island
    assert by_key["CHN"]["name_zh"] == "中华人民共和国"
