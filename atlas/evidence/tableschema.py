"""The records as one table, one row per country: every column, in order, with its type, its
description and the layer or composite that makes it.

This is the one schema of the downloads: the CSV and GeoJSON writers take its order, the
GeoPackage and the Data Package its types and descriptions, and layers.toml's checks refuse two
layers that would make one column.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from atlas.evidence.schema import CONFIDENCE, PRECISIONS, CompositeSpec, FieldSpec, LayerSpec

#: How the CSVs write "no data" (no record): an empty cell.
NO_DATA = ""
_LIST = "a list, '; '-separated"
_DERIVED = ("the derivation's part generated from the record: the rule that gave the class, the "
            "citation that gave the year, what set, raised or capped the confidence")
_JUDGEMENT = "the derivation's hand-written part: the judgement the rules leave to a person"


class Column(NamedTuple):
    """One column of the table: its name, its Table Schema type and description, its
    constraints, and the layer or composite that makes it ("" for the country's own)."""

    name: str
    type: str
    description: str
    maker: str = ""
    constraints: tuple[tuple[str, Any], ...] = ()
    title: str = ""

    def field(self) -> dict[str, Any]:
        """The column as a Frictionless Table Schema field."""
        out: dict[str, Any] = {"name": self.name, "type": self.type}
        if self.title:
            out["title"] = self.title
        out["description"] = self.description
        kept = {k: v for k, v in self.constraints if v is not None}
        if kept:
            out["constraints"] = kept
        return out


def _col(name: str, ftype: str, description: str, maker: str = "", title: str = "",
         **constraints: Any) -> Column:
    return Column(name, ftype, description, maker, tuple(constraints.items()), title)


def _field_column(spec: LayerSpec, f: FieldSpec, prefix: bool = True) -> Column:
    name = f"{spec.id}_{f.name}" if prefix else f.name
    if f.type in ("class", "enum"):
        return _col(name, "string", f.help, spec.id, enum=list(f.values))
    if f.type in ("int", "number"):
        return _col(name, "integer" if f.type == "int" else "number", f.help, spec.id,
                    minimum=f.min, maximum=f.max)
    return _col(name, "string", f"{f.help} ({_LIST})" if f.type == "list" else f.help, spec.id)


def _base() -> list[Column]:
    return [
        _col("iso3", "string", "ISO 3166-1 alpha-3 (Kosovo XKX; polygons without an ISO code "
             "keep Natural Earth's ADM0_A3)", title="Country key", required=True, unique=True,
             pattern="[A-Z]{3}"),
        _col("name", "string", "English name (Natural Earth)", required=True),
        _col("name_zh", "string", "Chinese name (Natural Earth, corrected)"),
        _col("region", "string", "the continent (Natural Earth), as the site's filter has it"),
        _col("subregion", "string", "the sub-region (Natural Earth, UN geoscheme)"),
    ]


def columns(layers: tuple[LayerSpec, ...],
            composites: tuple[CompositeSpec, ...] = ()) -> list[Column]:
    """Every column of the table, in the downloads' order."""
    cols = _base()
    for spec in layers:
        lid = spec.id
        cols += [_col(lid, "string", f"{spec.title}: the value the map shows; empty = no data",
                      lid, enum=list(spec.class_values)),
                 _col(f"{lid}_year", "integer", "the year the fact refers to", lid)]
        if spec.many:
            cols += [_col(f"{lid}_count", "integer", "how many rows the sources name", lid,
                          minimum=1),
                     _col(f"{lid}_items", "string", f"the rows' ids ({_LIST})", lid)]
        else:
            cols += [_col(f"{lid}_confidence", "string", "computed from the sources' kinds",
                          lid, enum=list(CONFIDENCE)),
                     _col(f"{lid}_steps", "string", "the class in force year by year, oldest "
                          "first, as '<class> <year>' ('; '-separated), ending with the value "
                          "and year above; empty = no earlier step (the value holds from its "
                          "year). Each step's sources: the country page", lid)]
        cols.append(_col(f"{lid}_sources", "string",
                         f"'<source id> <locator>' ({_LIST}); see the package's sources", lid))
        if not spec.many:  # a many-row layer's rows are listed by id, their fields not spread
            cols += [_field_column(spec, f) for f in spec.fields if f.name != spec.value]
            cols += [_col(f"{lid}_derived", "string", _DERIVED, lid),
                     _col(f"{lid}_derivation", "string", _JUDGEMENT, lid)]
    for comp in composites:
        cols += [_col(comp.id, "string", f"{comp.title}: the class of the score", comp.id,
                      enum=[c.value for c in comp.classes]),
                 _col(f"{comp.id}_score", "number", "0–1; empty = too few layers with data",
                      comp.id, minimum=0, maximum=1),
                 _col(f"{comp.id}_missing", "string", f"layers left out ({_LIST})", comp.id)]
    return cols


def output_columns(layers: tuple[LayerSpec, ...], composites: tuple[CompositeSpec, ...] = ()
                   ) -> list[tuple[str, str]]:
    """Every column's name and maker, in order: two makers of one column would overwrite each
    other (layers.toml's checks refuse that)."""
    return [(c.name, c.maker) for c in columns(layers, composites)]


def fields(layers: tuple[LayerSpec, ...],
           composites: tuple[CompositeSpec, ...] = ()) -> dict[str, dict[str, Any]]:
    """Every column as a Table Schema field, by name (a later maker of a name wins, as in the
    rows; a valid configuration has none)."""
    return {c.name: c.field() for c in columns(layers, composites)}


def point_columns(spec: LayerSpec) -> list[Column]:
    """Every column of a located layer's own table (`data/<layer>.csv`, one row per record,
    e.g. per project) and of its points' properties, in order."""
    lid = spec.id
    cols = [_col("id", "string", "the record's id", lid, required=True, unique=True),
            _col("iso3", "string", "the country's key (as in atlas.csv)", lid, required=True,
                 pattern="[A-Z]{3}"),
            _col("country", "string", "the country's English name (Natural Earth)", lid),
            *_base()[3:5],
            _col("lon", "number", "longitude of the point drawn (WGS 84); empty where another "
                 "licence holds it (see the note of the package)", lid, minimum=-180,
                 maximum=180),
            _col("lat", "number", "latitude of the point drawn (WGS 84)", lid, minimum=-90,
                 maximum=90),
            _col("precision", "string", "how precisely the place is known; 'country': the "
                 "sources name no place and the point is the country's", lid,
                 enum=list(PRECISIONS)),
            _col("place", "string", "the place as the sources name it", lid),
            _col("city", "string", "the city the point stands for (GeoNames)", lid)]
    cols += [_field_column(spec, f, prefix=False) for f in spec.fields]
    cols += [_col("year", "integer", "the year the record refers to", lid),
             _col("steps", "string", f"the {spec.point_color or 'class'} year by year where the "
                  "record has earlier steps, oldest first, as '<class> <year>' ('; '-separated), "
                  "ending with its own; empty = no earlier step", lid),
             _col("confidence", "string", "computed from the sources' kinds", lid,
                  enum=list(CONFIDENCE)),
             _col("origin", "string", "'' for a hand-entered record, else the database it was "
                  "imported from (aiddata)", lid),
             _col("derived", "string", _DERIVED, lid),
             _col("derivation", "string", _JUDGEMENT, lid),
             _col("source_urls", "string", f"the sources' addresses ({_LIST})", lid),
             _col("sources", "string",
                  f"'<source id> <locator>' ({_LIST}); see the package's sources", lid)]
    return cols
