"""Country keys: the Natural Earth crosswalk and the resolver for names people really write.

Every boundary and every record is keyed by one code, `iso3`: the ISO 3166-1 alpha-3 code where one
exists, a widely used user-assigned code for Kosovo (XKX), and Natural Earth's own ADM0_A3 code for
the few polygons that have no ISO code (e.g. CSI Coral Sea Is.), so that no record ever paints a
dependency or disputed area with its sovereign's value.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import NamedTuple

from atlas.errors import close_matches

#: Natural Earth ADM0_A3 codes that differ from the ISO 3166-1 alpha-3 code of the same entity.
ADM0_TO_ISO3: dict[str, str] = {
    "PSX": "PSE",  # Palestine (NE: West Bank + Gaza as one polygon set)
    "SDS": "SSD",  # South Sudan
    "SAH": "ESH",  # Western Sahara (drawn by NE as its own polygon)
    "ALD": "ALA",  # Åland
    "KOS": "XKX",  # Kosovo: no ISO code; XKX is the code the EU and World Bank use
}

#: Polygons with no ISO 3166-1 code keep their Natural Earth ADM0_A3 code as key.
NON_ISO_KEYS: dict[str, str] = {
    "XKX": "Kosovo",
    "ESB": "Dhekelia (UK Sovereign Base Area)",
    "WSB": "Akrotiri (UK Sovereign Base Area)",
    "USG": "Guantanamo Bay US Naval Base",
    "BRI": "Brazilian Island (indeterminate)",
    "BRT": "Bir Tawil (indeterminate)",
    "IOA": "Indian Ocean Ter. (Australia)",
    "CSI": "Coral Sea Is. (Australia)",
    "ATC": "Ashmore and Cartier Is. (Australia)",
    "CLP": "Clipperton I. (France)",
    "PGA": "Spratly Is. (indeterminate)",
    "SCR": "Scarborough Reef (indeterminate)",
}

#: Natural Earth NAME_ZH errors, corrected (checked by tests/test_countries.py).
NAME_ZH_FIXES: dict[str, str] = {
    "PGA": "南沙群岛",  # NE has 威克岛 (Wake Island) for the Spratly Islands
    "TWN": "台湾",  # NE has 中华民国 (Republic of China)
    "IOA": "澳属印度洋领地",  # NE mixes traditional characters into a simplified name
}

#: Entities that people write but that these boundaries do not draw separately.
NOT_DRAWN: dict[str, str] = {
    "northern cyprus": "CYP",
    "turkish republic of northern cyprus": "CYP",
    "trnc": "CYP",
    "somaliland": "SOM",
}

#: Names people write that pycountry does not resolve (or resolves wrongly), lower-cased.
ALIASES: dict[str, str] = {
    "türkiye": "TUR",
    "turkiye": "TUR",
    "turkey": "TUR",
    "lao pdr": "LAO",
    "laos": "LAO",
    "lao": "LAO",
    "dr congo": "COD",
    "drc": "COD",
    "d.r. congo": "COD",
    "democratic republic of the congo": "COD",
    "congo-kinshasa": "COD",
    "congo, dem. rep.": "COD",
    "republic of the congo": "COG",
    "congo-brazzaville": "COG",
    "congo, rep.": "COG",
    "côte d'ivoire": "CIV",
    "cote d'ivoire": "CIV",
    "côte d’ivoire": "CIV",
    "ivory coast": "CIV",
    "kosovo": "XKX",
    "xk": "XKX",
    "taiwan": "TWN",
    "chinese taipei": "TWN",
    "hong kong": "HKG",
    "hong kong sar": "HKG",
    "macao": "MAC",
    "macau": "MAC",
    "palestine": "PSE",
    "state of palestine": "PSE",
    "western sahara": "ESH",
    "russia": "RUS",
    "iran": "IRN",
    "syria": "SYR",
    "vietnam": "VNM",
    "viet nam": "VNM",
    "south korea": "KOR",
    "republic of korea": "KOR",
    "north korea": "PRK",
    "dprk": "PRK",
    "uae": "ARE",
    "the uae": "ARE",
    "uk": "GBR",
    "britain": "GBR",
    "great britain": "GBR",
    "usa": "USA",
    "us": "USA",
    "u.s.": "USA",
    "united states": "USA",
    "america": "USA",
    "bolivia": "BOL",
    "venezuela": "VEN",
    "tanzania": "TZA",
    "moldova": "MDA",
    "brunei": "BRN",
    "czech republic": "CZE",
    "cape verde": "CPV",
    "swaziland": "SWZ",
    "burma": "MMR",
    "east timor": "TLS",
    "micronesia": "FSM",
    "the gambia": "GMB",
    "gambia": "GMB",
    "the bahamas": "BHS",
    "vatican": "VAT",
    "holy see": "VAT",
    "kyrgyz republic": "KGZ",
    "slovak republic": "SVK",
    "egypt, arab rep.": "EGY",
    "north macedonia": "MKD",
    "macedonia": "MKD",
    "eswatini": "SWZ",
    "the philippines": "PHL",
    "the netherlands": "NLD",
    "saint martin": "MAF",
}


#: Names that mean more than one country; the user must choose.
AMBIGUOUS: dict[str, tuple[str, ...]] = {
    "congo": ("COG", "COD"),
    "korea": ("KOR", "PRK"),
    "virgin islands": ("VGB", "VIR"),
    "sudan and south sudan": ("SDN", "SSD"),
}


def key_for_adm0(adm0_a3: str) -> str:
    """The atlas key of a Natural Earth polygon, from its unique ADM0_A3 code."""
    return ADM0_TO_ISO3.get(adm0_a3, adm0_a3)


class Resolution(NamedTuple):
    """The outcome of resolving one written country: a key, or an explanation with a hint."""

    key: str | None
    message: str = ""
    hint: str = ""


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFC", text).strip().lower()
    return " ".join(text.replace("’", "'").split())


@lru_cache(maxsize=1)
def _name_index() -> dict[str, str]:
    """Lower-cased names and codes known to pycountry, plus our aliases → alpha-3."""
    import pycountry

    index: dict[str, str] = {}
    for c in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            value = getattr(c, attr, None)
            if value:
                index[_fold(value)] = c.alpha_3
    index.update(ALIASES)
    return index


def resolve(written: str, known_keys: frozenset[str] | set[str]) -> Resolution:
    """Resolve what a user wrote (ISO alpha-3, alpha-2 or a name) to a boundary key.

    `known_keys` are the keys present in the boundaries; a code that pycountry knows but that has
    no polygon (e.g. a tiny island dropped by the source) is reported, not silently dropped.
    """
    text = _fold(written)
    if not text:
        return Resolution(None, "country is empty", "write an ISO code such as PAK, or a name")
    if text in NOT_DRAWN:
        target = NOT_DRAWN[text]
        return Resolution(
            None,
            f"{written.strip()!r} is not drawn separately by the Natural Earth boundaries "
            f"this atlas uses (German point of view); it is part of {target}",
            f"record it under {target} with a note, or leave it out (see README, Boundaries)",
        )
    upper = text.upper()
    if len(upper) == 3 and upper in known_keys and ALIASES.get(text, upper) == upper:
        return Resolution(upper)  # the common case: an ISO code (no pycountry import needed)
    import pycountry

    if text in AMBIGUOUS:
        options = " or ".join(f"{pycountry_name(k)} ({k})" for k in AMBIGUOUS[text])
        message = f"ambiguous country {written.strip()!r}"
        return Resolution(None, message, f"did you mean {options}?")
    key = _name_index().get(text)
    if key is None and len(upper) == 3 and upper.isalpha():
        if upper in known_keys or pycountry.countries.get(alpha_3=upper):
            key = upper
    elif key is None and len(upper) == 2 and upper.isalpha():
        found = pycountry.countries.get(alpha_2=upper)
        key = found.alpha_3 if found else None
    if key is None:
        return Resolution(None, f"unknown country {written.strip()!r}", _suggest(text))
    if key not in known_keys:
        return Resolution(
            None,
            f"{written.strip()!r} ({key}) has no polygon in the boundaries",
            "check geodata/ or leave this country out",
        )
    return Resolution(key)


def _suggest(text: str) -> str:
    """A 'did you mean' from aliases, pycountry names and pycountry's fuzzy search."""
    import pycountry

    index = _name_index()
    close = close_matches(text, list(index), n=3, cutoff=0.75)
    names = [f"{pycountry_name(index[c])} ({index[c]})" for c in close]
    if not names and len(text) > 3:
        try:
            hits = pycountry.countries.search_fuzzy(text)[:3]
        except LookupError:
            hits = []
        names = [f"{h.name} ({h.alpha_3})" for h in hits]
    names = list(dict.fromkeys(names))
    if names:
        return "did you mean " + " or ".join(names) + "?"
    return "write an ISO 3166 alpha-3 code (e.g. PAK) or an English short name"


def pycountry_name(key: str) -> str:
    """A readable name for a key, for messages."""
    import pycountry

    if key in NON_ISO_KEYS:
        return NON_ISO_KEYS[key]
    found = pycountry.countries.get(alpha_3=key)
    return getattr(found, "common_name", None) or (found.name if found else key)
