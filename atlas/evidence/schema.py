"""The codebook's shape: layers, fields, classes, composites and the confidence rule as typed
values (read and checked from `seeds/layers.toml` by atlas.evidence.codebook)."""

from __future__ import annotations

from typing import Any, NamedTuple

#: The atlas's title where layers.toml's [atlas] table gives none.
TITLE = "DSR Atlas: China's Digital Silk Road"
CONFIG_NAME = "layers.toml"
FIELD_TYPES = ("class", "enum", "list", "text", "int", "number", "date")
SCALES = ("categorical", "ordinal")
#: Columns every records file has, in the order a new file should list them.
COMMON_COLUMNS = ("country", "year", "confidence", "confidence_reason", "derivation", "note")
#: Layers with `rows = "many"` (several records per country, e.g. projects) also need an id.
MANY_COLUMNS = ("id", *COMMON_COLUMNS)
ROWS = ("one", "many")
#: Layers with `located = true` also say where each record is (atlas.evidence.locations).
LOCATION_COLUMNS = ("precision", "place", "city", "lon", "lat")
#: How precisely a record's point is known, most precise first.
PRECISIONS = ("exact", "approximate", "city", "admin", "country")
CONFIDENCE = ("low", "medium", "high")  # in order: a second independent source raises one step
VOCABULARIES = ("", "companies")


class ClassSpec(NamedTuple):
    """One class of a layer: the stored value, its legend label and its fill colour."""

    value: str
    label: str
    color: str
    min: float | None = None  # count/composite layers: the class from this many rows (or score) up
    rule: str = ""  # the codebook: what a source must say for a country to get this value
    example: str = ""  # one short example of the rule applied
    symbol: str = ""  # a point's mark on the map (a kind of project), one or two characters

    def to_json(self) -> dict[str, Any]:
        """A field's class for the site (a composite's and a layer's are written by them)."""
        return {"value": self.value, "label": self.label, "color": self.color,
                **({"symbol": self.symbol} if self.symbol else {}),
                **({"rule": self.rule} if self.rule else {})}


class Threshold(NamedTuple):
    """The written rule that separates two neighbouring classes of a layer's value (or of an
    enum field's classes, `field`): what a source must say for the stronger of the two."""

    between: tuple[str, str]
    rule: str
    field: str = ""  # "" for the class the map colours by; else an enum field with classes

    def to_json(self) -> dict[str, Any]:
        return {"between": list(self.between), "rule": self.rule,
                **({"field": self.field} if self.field else {})}


class FieldSpec(NamedTuple):
    """One layer-specific column of a records file."""

    name: str
    type: str
    required: bool = False
    values: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    requires: str = ""
    help: str = ""
    vocabulary: str = ""  # "companies": each item must name a company in companies.csv
    classes: tuple[ClassSpec, ...] = ()  # an enum's values with labels, colours and rules


class LayerSpec(NamedTuple):
    """A map layer: where its records live, their fields, and how the map shows them."""

    id: str
    title: str
    file: str
    value: str
    scale: str
    description: str
    classes: tuple[ClassSpec, ...]
    fields: tuple[FieldSpec, ...]
    rows: str = "one"
    located: bool = False  # each record has a place (LOCATION_COLUMNS) and is drawn as a point
    point_color: str = ""  # the enum field whose classes colour the points (e.g. status)
    point_mark: str = ""  # the enum field whose classes' symbols mark the points (e.g. kind)
    #: the rule between each pair of neighbouring classes (atlas.evidence.thresholds)
    thresholds: tuple[Threshold, ...] = ()

    @property
    def many(self) -> bool:
        """Several records per country (the map shows how many)."""
        return self.rows == "many"

    def class_for_count(self, n: int) -> str:
        """The class of a country with `n` records in a count layer."""
        return class_at(self.classes, n, default=str(n))

    @property
    def class_values(self) -> tuple[str, ...]:
        return tuple(c.value for c in self.classes)

    @property
    def columns(self) -> tuple[str, ...]:
        return ((MANY_COLUMNS if self.many else COMMON_COLUMNS)
                + (LOCATION_COLUMNS if self.located else ())
                + tuple(f.name for f in self.fields))

    def field(self, name: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.name == name), None)

    def to_json(self) -> dict[str, Any]:
        """What the site needs to know about the layer."""
        return {
            "id": self.id,
            "title": self.title,
            "value": self.value,
            "scale": self.scale,
            "rows": self.rows,
            "description": self.description,
            "classes": [{"value": c.value, "label": c.label, "color": c.color,
                         **({"rule": c.rule} if c.rule else {})} for c in self.classes],
            "fields": [{"name": f.name, "type": f.type, "help": f.help,
                        **({"classes": [c.to_json() for c in f.classes]} if f.classes else {})}
                       for f in self.fields],
            **({"located": True, "point_color": self.point_color,
                "point_mark": self.point_mark} if self.located else {}),
            **({"thresholds": [t.to_json() for t in self.thresholds]}
               if self.thresholds else {}),
        }


def class_at(classes: tuple[ClassSpec, ...], x: float, default: str) -> str:
    """The class with the highest `min` that `x` reaches (count and composite layers)."""
    fitting = [c for c in classes if c.min is not None and c.min <= x]
    return max(fitting, key=lambda c: c.min or 0).value if fitting else default


#: Names the atlas makes or uses itself, which no layer, composite or field may take: the columns
#: every download row starts with, and the keys every object has in the site's JavaScript.
BASE_COLUMNS = ("iso3", "name", "name_zh", "region", "subregion")
_JS_KEYS = ("constructor", "prototype", "toString", "valueOf", "hasOwnProperty",
            "isPrototypeOf", "propertyIsEnumerable", "toLocaleString")


RESERVED_IDS = (*BASE_COLUMNS, *_JS_KEYS)
#: Files of the seeds folder that are not layer files.
OWN_FILES = ("sources.csv", "citations.csv", "companies.csv", "aggregates.csv", "steps.csv")
#: Every setting layers.toml may hold, table by table (anything else is a typo). The tables
#: that describe a layer, class, field, composite or component hold exactly its fields (below).
TOP_KEYS = ("atlas", "layer", "composite", "confidence", "codebook")
ATLAS_KEYS = ("title", "data_date", "licence", "licence_id", "publisher", "base_url",
              "documents", "report_url", "release_cadence")
#: What a report_url may name, filled in for the value a reader reports a problem with.
REPORT_FIELDS = ("layer", "country", "iso3", "value", "data_version")

#: Local copies and the configuration itself are read whole; a larger file is refused.
MAX_CONFIG_BYTES = 10_000_000


class Config(NamedTuple):
    """Everything `layers.toml` says."""

    layers: tuple[LayerSpec, ...]
    composites: tuple[CompositeSpec, ...]
    meta: dict[str, str]
    confidence: ConfidenceRule
    rules: tuple[str, ...]  # the codebook's general rules


class Component(NamedTuple):
    """One layer in a composite: its weight and the score (0–1) of each of its class values."""

    layer: str
    weight: float
    scores: dict[str, float]


class CompositeSpec(NamedTuple):
    """A layer computed from others: the weighted mean of the components a country has data for.

    A missing component is left out of the mean (not counted as zero); a country needs at least
    `min_components` to get a score.
    """

    id: str
    title: str
    description: str
    min_components: int
    components: tuple[Component, ...]
    classes: tuple[ClassSpec, ...]

    def score(self, values: dict[str, Any]) -> dict[str, Any] | None:
        """The score and its explanation for one country's {layer: class value}, or None."""
        parts = []
        for c in self.components:
            value = values.get(c.layer)
            parts.append({"layer": c.layer, "weight": c.weight, "value": value,
                          "score": None if value is None else c.scores.get(str(value))})
        present = [p for p in parts if p["score"] is not None]
        if len(present) < self.min_components:
            return None
        total = sum(p["weight"] for p in present)
        score = round(sum(p["weight"] * p["score"] for p in present) / total, 3)
        cls = class_at(self.classes, score, default=self.classes[0].value)
        return {"value": cls, "score": score, "components": parts,
                "missing": [p["layer"] for p in parts if p["score"] is None]}

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "title": self.title, "value": "score", "scale": "ordinal",
            "rows": "composite", "description": self.description, "fields": [],
            "min_components": self.min_components,
            "components": [c._asdict() for c in self.components],
            "classes": [{"value": c.value, "label": c.label, "color": c.color, "min": c.min}
                        for c in self.classes],
        }


class ConfidenceRule(NamedTuple):
    """How a record's confidence follows from its sources (layers.toml, `[confidence]`): each
    source kind gives a level; the best supporting source sets it, and sources from more than
    one publisher (independent) raise it one step. A record resting on a single publisher whose
    sources are all of a `secondary` kind (whatever the number of passages) is held at `cap`
    at most."""

    kinds: dict[str, str]
    help: dict[str, str]
    cap: str = ""  # "" for no cap
    secondary: tuple[str, ...] = ()  # kinds that report others' acts rather than their own
    cap_rule: str = ""  # the cap in words, for the about page

    def capped(self, kinds_by_publisher: dict[str, set[str]]) -> bool:
        """Whether the cap holds a record down: one independent publisher, every supporting
        source of a secondary kind, one of which alone would give more than the cap."""
        kinds = {k for ks in kinds_by_publisher.values() for k in ks}
        return (bool(self.cap) and len(kinds_by_publisher) == 1 and bool(kinds)
                and kinds <= set(self.secondary)
                and max(CONFIDENCE.index(self.kinds[k]) for k in kinds)
                > CONFIDENCE.index(self.cap))

    def level(self, kinds_by_publisher: dict[str, set[str]]) -> tuple[str, str]:
        """The level and a one-line reason, for the supporting sources' kinds by publisher."""
        # Ties between kinds of one level are broken by name, never by set order: the reason
        # is printed on the pages, whose versions must not change from one process to the next.
        kinds = sorted({k for ks in kinds_by_publisher.values() for k in ks},
                       key=lambda k: (-CONFIDENCE.index(self.kinds[k]), k))
        if not kinds:
            return "low", "no supporting source"
        best = CONFIDENCE.index(self.kinds[kinds[0]])
        reason = f"best source: {kinds[0].replace('_', ' ')} ({CONFIDENCE[best]})"
        if self.capped(kinds_by_publisher):
            return self.cap, (f"{reason}; a single secondary source: capped at {self.cap}")
        if len(kinds_by_publisher) > 1 and best < len(CONFIDENCE) - 1:
            best += 1
            reason += f"; {len(kinds_by_publisher)} independent publishers: one step up"
        elif len(kinds_by_publisher) > 1:
            reason += f"; {len(kinds_by_publisher)} independent publishers"
        return CONFIDENCE[best], reason


LAYER_KEYS = LayerSpec._fields
CLASS_KEYS = ClassSpec._fields
FIELD_KEYS = FieldSpec._fields
COMPOSITE_KEYS = CompositeSpec._fields
COMPONENT_KEYS = Component._fields
