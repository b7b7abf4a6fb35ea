"""The layer configuration (`seeds/layers.toml`): every layer described as data."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, NamedTuple

from atlas.errors import Problem, ValidationFailed

CONFIG_NAME = "layers.toml"
FIELD_TYPES = ("class", "enum", "list", "text", "int", "number")
SCALES = ("categorical", "ordinal")
_ID = re.compile(r"^[a-z][a-z0-9_]{0,30}$")
_COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")

#: Columns every records file has, in the order a new file should list them.
COMMON_COLUMNS = ("country", "year", "confidence", "confidence_reason", "derivation", "note")
#: Layers with `rows = "many"` (several records per country, e.g. projects) also need an id.
MANY_COLUMNS = ("id", *COMMON_COLUMNS)
ROWS = ("one", "many")
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
        return (MANY_COLUMNS if self.many else COMMON_COLUMNS) + tuple(f.name for f in self.fields)

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
            "fields": [{"name": f.name, "type": f.type, "help": f.help} for f in self.fields],
        }


def class_at(classes: tuple[ClassSpec, ...], x: float, default: str) -> str:
    """The class with the highest `min` that `x` reaches (count and composite layers)."""
    fitting = [c for c in classes if c.min is not None and c.min <= x]
    return max(fitting, key=lambda c: c.min or 0).value if fitting else default


def read(seeds: Path) -> dict[str, Any]:
    """Parse `layers.toml` once; a missing or malformed file is a ValidationFailed."""
    import tomllib

    path = seeds / CONFIG_NAME
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValidationFailed(
            [Problem(str(path), 0, "", "layer configuration not found", "copy seeds/layers.toml")]
        ) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValidationFailed([Problem(str(path), 0, "", f"not valid TOML: {exc}")]) from None


def load(seeds: Path) -> tuple[LayerSpec, ...]:
    """Read and check the `[[layer]]` tables; raise ValidationFailed listing every problem."""
    return _layers(read(seeds), str(seeds / CONFIG_NAME))


class Config(NamedTuple):
    """Everything `layers.toml` says."""

    layers: tuple[LayerSpec, ...]
    composites: tuple[CompositeSpec, ...]
    meta: dict[str, str]
    confidence: ConfidenceRule
    rules: tuple[str, ...]  # the codebook's general rules


def load_all(seeds: Path) -> Config:
    """Layers, composites, the `[atlas]` table, the confidence rule and the codebook's general
    rules, from one reading of `layers.toml`."""
    raw, shown = read(seeds), str(seeds / CONFIG_NAME)
    layers = _layers(raw, shown)
    return Config(layers, _composites(raw, shown, layers), _meta(raw, shown),
                  confidence_rule(raw, shown), codebook_rules(raw, shown))


def _layers(raw: dict[str, Any], shown: str) -> tuple[LayerSpec, ...]:
    problems: list[Problem] = []
    layers: list[LayerSpec] = []
    seen: set[str] = set()
    entries = raw.get("layer")
    if not isinstance(entries, list) or not entries:
        raise ValidationFailed([Problem(shown, 0, "layer", "no [[layer]] tables defined")])
    for n, entry in enumerate(entries, 1):
        where = f"layer #{n}"
        spec = _layer(entry, where, shown, problems)
        if spec is None:
            continue
        if spec.id in seen:
            problems.append(Problem(shown, 0, f"{where}.id", f"duplicate layer id {spec.id!r}"))
        seen.add(spec.id)
        layers.append(spec)
    if problems:
        raise ValidationFailed(problems)
    return tuple(layers)


def _layer(entry: Any, where: str, shown: str, problems: list[Problem]) -> LayerSpec | None:
    def bad(field: str, message: str) -> None:
        problems.append(Problem(shown, 0, f"{where}.{field}", message))

    if not isinstance(entry, dict):
        bad("", "must be a table")
        return None
    before = len(problems)
    for key in ("id", "title", "file", "value", "scale"):
        if not isinstance(entry.get(key), str) or not entry.get(key):
            bad(key, "is required (a string)")
    if problems[before:]:
        return None
    if not _ID.match(entry["id"]):
        bad("id", "must be lower-case letters, digits and _ (e.g. 'safe_city')")
    if entry["scale"] not in SCALES:
        bad("scale", f"must be one of {', '.join(SCALES)}")
    if not entry["file"].endswith(".csv") or "/" in entry["file"] or "\\" in entry["file"]:
        bad("file", "must be a .csv file name in the seeds folder")
    classes: list[ClassSpec] = []
    for c in entry.get("classes", []):
        if not (isinstance(c, dict) and {"value", "label", "color"} <= set(c)):
            bad("classes", "each class needs value, label and color")
            continue
        if not _COLOR.match(str(c["color"])):
            bad("classes", f"colour {c['color']!r} must be #RRGGBB")
        low = c.get("min")
        if low is not None and (not isinstance(low, int) or low < 1):
            bad("classes", f"class {c['value']!r}: min must be a whole number ≥ 1")
            low = None
        for key in ("rule", "example"):
            if not isinstance(c.get(key, ""), str):
                bad("classes", f"class {c['value']!r}: {key} must be text")
        if entry.get("rows", "one") != "many" and not str(c.get("rule", "")).strip():
            bad("classes", f"class {c['value']!r} has no `rule` (the codebook: what a source "
                "must say for a country to get this value)")
        classes.append(ClassSpec(str(c["value"]), str(c["label"]), str(c["color"]).upper(), low,
                                 str(c.get("rule", "")), str(c.get("example", ""))))
    if not classes:
        bad("classes", "at least one class is required")
    fields: list[FieldSpec] = []
    for f in entry.get("fields", []):
        if not (isinstance(f, dict) and isinstance(f.get("name"), str)):
            bad("fields", "each field needs a name")
            continue
        ftype = f.get("type", "text")
        if ftype not in FIELD_TYPES:
            bad("fields", f"field {f['name']!r}: type must be one of {', '.join(FIELD_TYPES)}")
        values = f.get("values", ())
        if values == "classes" or ftype == "class":
            values = tuple(c.value for c in classes)
        fields.append(
            FieldSpec(
                name=f["name"],
                type=ftype,
                required=bool(f.get("required", False)),
                values=tuple(values),
                min=f.get("min"),
                max=f.get("max"),
                requires=f.get("requires", ""),
                help=f.get("help", ""),
                vocabulary=str(f.get("vocabulary", "")),
            )
        )
        if fields[-1].vocabulary not in VOCABULARIES:
            bad("fields", f"field {f['name']!r}: vocabulary must be one of "
                f"{', '.join(v for v in VOCABULARIES if v)}")
    rows = entry.get("rows", "one")
    if rows not in ROWS:
        bad("rows", f"must be one of {', '.join(ROWS)}")
    names = {f.name for f in fields}
    if rows == "many":
        if entry["value"] != "count":
            bad("value", "a layer with rows = 'many' shows the count: value = 'count'")
        if any(c.min is None for c in classes):
            bad("classes", "a count layer needs `min` on every class")
    elif entry["value"] not in names:
        bad("value", f"{entry['value']!r} is not one of the layer's fields")
    for name in names & set(MANY_COLUMNS):
        bad("fields", f"{name!r} is a common column; do not redefine it")
    return LayerSpec(
        id=entry["id"],
        title=entry["title"],
        file=entry["file"],
        value=entry["value"],
        scale=entry["scale"],
        description=str(entry.get("description", "")),
        classes=tuple(classes),
        fields=tuple(fields),
        rows=rows,
    )


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


def _composites(raw: dict[str, Any], shown: str,
                layers: tuple[LayerSpec, ...]) -> tuple[CompositeSpec, ...]:
    """Check the `[[composite]]` tables."""
    problems: list[Problem] = []
    by_id = {s.id: s for s in layers}
    out = []
    for n, entry in enumerate(raw.get("composite", []), 1):
        where = f"composite #{n}"

        def bad(field: str, message: str, where: str = where) -> None:
            problems.append(Problem(shown, 0, f"{where}.{field}", message))

        if not isinstance(entry, dict) or not _ID.match(str(entry.get("id", ""))):
            bad("id", "is required: lower-case letters, digits and _")
            continue
        if entry["id"] in by_id:
            bad("id", f"{entry['id']!r} is already a layer id")
        components = []
        for comp in entry.get("components", []):
            spec = by_id.get(comp.get("layer"))
            if spec is None:
                bad("components", f"unknown layer {comp.get('layer')!r}")
                continue
            scores = {str(k): float(v) for k, v in comp.get("scores", {}).items()}
            wrong = set(scores) - set(spec.class_values)
            if wrong or not all(0 <= v <= 1 for v in scores.values()):
                bad("components", f"{spec.id}: scores must map its class values to 0–1 "
                    f"(unknown: {', '.join(sorted(wrong)) or 'none'})")
            components.append(Component(spec.id, float(comp.get("weight", 1)), scores))
        classes = tuple(ClassSpec(str(c["value"]), str(c["label"]), str(c["color"]).upper(),
                                  c.get("min")) for c in entry.get("classes", []))
        if not components or not classes:
            bad("", "needs components and classes")
            continue
        out.append(CompositeSpec(entry["id"], str(entry.get("title", entry["id"])),
                                 str(entry.get("description", "")),
                                 int(entry.get("min_components", 1)), tuple(components), classes))
    if problems:
        raise ValidationFailed(problems)
    return tuple(out)


def _meta(raw: dict[str, Any], shown: str) -> dict[str, str]:
    """The `[atlas]` table: title, data_date, licence, licence_id (its SPDX identifier, for the
    Data Package), publisher, base_url (where the site will be published) and documents (the
    folder of local source copies), all optional, as text."""
    table = raw.get("atlas", {})
    if not isinstance(table, dict):
        raise ValidationFailed([Problem(shown, 0, "atlas", "must be a table")])
    keep = ("title", "data_date", "licence", "licence_id", "publisher", "base_url", "documents")
    meta = {k: str(v) for k, v in table.items() if k in keep}
    base = meta.get("base_url", "")
    if base and not re.match(r"^https?://[^\s<>\"'`]+/$", base):
        raise ValidationFailed([Problem(shown, 0, "atlas.base_url",
                                        f"{base!r} is not an http(s) address ending in /",
                                        "e.g. https://example.org/atlas/")])
    return meta


class ConfidenceRule(NamedTuple):
    """How a record's confidence follows from its sources (layers.toml, `[confidence]`): each
    source kind gives a level; the best supporting source sets it, and sources from more than
    one publisher (independent) raise it one step."""

    kinds: dict[str, str]
    help: dict[str, str]

    def level(self, kinds_by_publisher: dict[str, set[str]]) -> tuple[str, str]:
        """The level and a one-line reason, for the supporting sources' kinds by publisher."""
        kinds = sorted({k for ks in kinds_by_publisher.values() for k in ks},
                       key=lambda k: -CONFIDENCE.index(self.kinds[k]))
        if not kinds:
            return "low", "no supporting source"
        best = CONFIDENCE.index(self.kinds[kinds[0]])
        reason = f"best source: {kinds[0].replace('_', ' ')} ({CONFIDENCE[best]})"
        if len(kinds_by_publisher) > 1 and best < len(CONFIDENCE) - 1:
            best += 1
            reason += f"; {len(kinds_by_publisher)} independent publishers: one step up"
        elif len(kinds_by_publisher) > 1:
            reason += f"; {len(kinds_by_publisher)} independent publishers"
        return CONFIDENCE[best], reason


def confidence_rule(raw: dict[str, Any], shown: str) -> ConfidenceRule:
    """Check the `[confidence]` table: `kinds` maps each source kind to a level."""
    table = raw.get("confidence")
    if not isinstance(table, dict) or not isinstance(table.get("kinds"), dict) \
            or not table["kinds"]:
        raise ValidationFailed([Problem(shown, 0, "confidence.kinds", "is required: a table of "
                                        "source kinds and the level each gives, e.g. "
                                        "{ government = \"high\", news = \"medium\" }")])
    problems = []
    kinds: dict[str, str] = {}
    for kind, level in table["kinds"].items():
        if not _ID.match(kind) or level not in CONFIDENCE:
            problems.append(Problem(shown, 0, f"confidence.kinds.{kind}",
                                    f"{level!r} must be one of {', '.join(CONFIDENCE)} (and the "
                                    "kind lower-case letters, digits and _)"))
        kinds[kind] = str(level)
    helps = table.get("help", {})
    if not isinstance(helps, dict):
        problems.append(Problem(shown, 0, "confidence.help", "must be a table of texts"))
        helps = {}
    if problems:
        raise ValidationFailed(problems)
    return ConfidenceRule(kinds, {str(k): str(v) for k, v in helps.items()})


def codebook_rules(raw: dict[str, Any], shown: str) -> tuple[str, ...]:
    """The `[codebook]` table's general `rules` (texts that apply to every layer)."""
    rules = raw.get("codebook", {}).get("rules", []) if isinstance(raw.get("codebook"),
                                                                   dict) else []
    if not isinstance(rules, list) or not all(isinstance(r, str) for r in rules):
        raise ValidationFailed([Problem(shown, 0, "codebook.rules", "must be a list of texts")])
    return tuple(rules)
