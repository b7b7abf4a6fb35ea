"""Join validated records onto the boundaries: one row per country, every layer's value or None."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, NamedTuple

from atlas.evidence.model import Dataset, Record
from atlas.evidence.schema import LayerSpec
from atlas.world.boundaries import Boundaries


class Country(NamedTuple):
    """A boundary with its records. A layer missing from `layers` has no data (not 'none').

    `records` holds the typed records by layer (a layer with several per country: sorted by
    id), which the downloads are written from; `layers` the same as plain data for the page
    (texts made readable), and each composite's score."""

    iso3: str
    name: str
    name_zh: str
    continent: str
    subregion: str
    layers: dict[str, dict[str, Any]]
    records: dict[str, tuple[Record, ...]] = {}


#: A word that could be a source id: a run of letters, digits, '_' and '-' (with inner dots),
#: not glued to another such run. Source ids are whole words of this kind.
_WORD = re.compile(r"(?<![\w-])[A-Za-z0-9][\w-]*(?:\.[\w-]+)*")


def labeller(labels: dict[str, str]) -> Callable[[str], str]:
    """A function that gives text written by the records' authors with each source id
    (`thibaut2026`) replaced by the source's short label (`Thibaut 2026`): ids are for the
    files, labels for readers."""
    if not labels:
        return lambda text: text
    # Within a dotted word ("thibaut2026.L150"), an id may be any run of its parts.
    parts = re.compile(r"(?<![\w-])(" + "|".join(
        re.escape(k) for k in sorted(labels, key=len, reverse=True)) + r")(?![\w-])")

    def swap(word: re.Match[str]) -> str:
        text = word.group(0)
        if text in labels:
            return labels[text]
        return parts.sub(lambda m: labels[m.group(1)], text) if "." in text else text

    # Looking words up is much quicker than matching every id at every character.
    return lambda text: _WORD.sub(swap, text) if text else text


def readable(dataset: Dataset) -> Callable[[str], str]:
    """The labeller of the dataset's sources: what every page and note a reader sees uses."""
    return labeller({sid: src.label for sid, src in dataset.sources.items()})


def record_json(record: Record, value_field: str,
                readable: Callable[[str], str] = str) -> dict[str, Any]:
    """A record as plain data: the map value, its year, details and citations (its texts made
    `readable`, see labeller())."""
    return {
        "value": record.values.get(value_field),
        "year": record.year,
        "confidence": record.confidence,
        "confidence_reason": readable(record.confidence_reason),
        "derivation": readable(record.derivation),
        "derived": readable(record.derived),
        "note": readable(record.note),
        "fields": {k: v for k, v in record.values.items() if k != value_field},
        "citations": [c._asdict() for c in record.citations],
        **({"location": record.location.to_json()} if record.location else {}),
        **({"origin": record.origin} if record.origin else {}),
        **({"steps": [{"value": s.value, "year": s.year, "confidence": s.confidence,
                       "citations": [c._asdict() for c in s.citations]} for s in record.steps]}
           if record.steps else {}),
    }


def many_json(spec: LayerSpec, items: list[Record],
              readable: Callable[[str], str] = str) -> dict[str, Any]:
    """A country's records in a layer with several per country: the count class and the items."""
    years = [r.year for r in items if r.year is not None]
    return {
        "value": spec.class_for_count(len(items)),
        "count": len(items),
        "year": max(years) if years else None,
        "items": [{"id": r.id, **record_json(r, "", readable)}
                  for r in sorted(items, key=lambda r: r.id)],
    }


def join(boundaries: Boundaries, dataset: Dataset) -> tuple[Country, ...]:
    """Every boundary once, sorted by key, with the records that land on it."""
    texts = readable(dataset)
    by_country: dict[str, dict[str, list[Record]]] = {}
    for spec in dataset.layers:
        if spec.many:
            for rec in dataset.records[spec.id].values():
                by_country.setdefault(spec.id, {}).setdefault(rec.key, []).append(rec)
    out = []
    for p in sorted(boundaries.properties, key=lambda p: p["iso3"]):
        layers: dict[str, dict[str, Any]] = {}
        typed: dict[str, tuple[Record, ...]] = {}
        for spec in dataset.layers:
            if spec.many:
                items = by_country.get(spec.id, {}).get(p["iso3"])
                if items:
                    layers[spec.id] = many_json(spec, items, texts)
                    typed[spec.id] = tuple(sorted(items, key=lambda r: r.id))
            elif p["iso3"] in dataset.records[spec.id]:
                rec = dataset.records[spec.id][p["iso3"]]
                layers[spec.id] = record_json(rec, spec.value, texts)
                typed[spec.id] = (rec,)
        values = {lid: rec["value"] for lid, rec in layers.items()}
        for comp in dataset.composites:
            scored = comp.score(values)
            if scored is not None:
                layers[comp.id] = scored
        out.append(Country(p["iso3"], p["name"], p.get("name_zh") or "", p.get("continent") or "",
                           p.get("subregion") or "", layers, typed))
    return tuple(out)


def coverage(countries: tuple[Country, ...], layer_ids: list[str]) -> dict[str, dict[str, int]]:
    """Per layer: how many countries have data, and how many per class value."""
    out: dict[str, dict[str, int]] = {}
    for lid in layer_ids:
        counts: dict[str, int] = {"_with_data": 0, "_no_data": 0}
        for c in countries:
            rec = c.layers.get(lid)
            if rec is None:
                counts["_no_data"] += 1
                continue
            counts["_with_data"] += 1
            counts[str(rec["value"])] = counts.get(str(rec["value"]), 0) + 1
        out[lid] = counts
    return out


class Point(NamedTuple):
    """A located record (a project) where the map draws it, with what its downloads say."""

    layer: str
    id: str
    iso3: str
    country: str
    lon: float
    lat: float
    record: Record
    region: str = ""
    subregion: str = ""

    @property
    def licensed(self) -> bool:
        """Derived from another database's shapes under its own licence (AidData's, from
        OpenStreetMap: ODbL), so published in a file of its own."""
        return bool(self.record.origin) and self.record.location.precision != "country"


def points(dataset: Dataset, countries: tuple[Country, ...]) -> tuple[Point, ...]:
    """Every located record with its point, by layer and id."""
    names = {c.iso3: c for c in countries}
    out = []
    for spec in dataset.layers:
        if not spec.located:
            continue
        for rid, rec in sorted(dataset.records[spec.id].items()):
            if rec.location is None or rec.location.point is None:
                continue
            lon, lat = rec.location.point
            c = names.get(rec.key)
            out.append(Point(spec.id, rid, rec.key, c.name if c else rec.key, lon, lat, rec,
                             c.continent if c else "", c.subregion if c else ""))
    return tuple(out)
