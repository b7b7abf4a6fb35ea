"""The layer configuration (`seeds/layers.toml`): every layer described as data."""

from __future__ import annotations

import datetime
import math
import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from atlas.errors import Problem, ValidationFailed, close_matches
from atlas.files import UnreadableFile, read_regular

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


#: Names the atlas makes or uses itself, which no layer, composite or field may take: the columns
#: every download row starts with, and the keys every object has in the site's JavaScript.
BASE_COLUMNS = ("iso3", "name", "name_zh")
_JS_KEYS = ("constructor", "prototype", "toString", "valueOf", "hasOwnProperty",
            "isPrototypeOf", "propertyIsEnumerable", "toLocaleString")
RESERVED_IDS = (*BASE_COLUMNS, *_JS_KEYS)
#: Files of the seeds folder that are not layer files.
OWN_FILES = ("sources.csv", "citations.csv", "companies.csv", "aggregates.csv")
#: A class value: written in records and in `;`-separated lists, used as a key by the site.
_CLASS_VALUE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}")
_FILE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}\.csv")
#: Every setting layers.toml may hold, table by table (anything else is a typo).
TOP_KEYS = ("atlas", "layer", "composite", "confidence", "codebook")
ATLAS_KEYS = ("title", "data_date", "licence", "licence_id", "publisher", "base_url",
              "documents")
LAYER_KEYS = ("id", "title", "file", "value", "scale", "rows", "description", "classes", "fields")
CLASS_KEYS = ("value", "label", "color", "min", "rule", "example")
FIELD_KEYS = ("name", "type", "required", "values", "min", "max", "requires", "help",
              "vocabulary")
COMPOSITE_KEYS = ("id", "title", "description", "min_components", "components", "classes")
COMPONENT_KEYS = ("layer", "weight", "scores")
#: Local copies and the configuration itself are read whole; a larger file is refused.
MAX_CONFIG_BYTES = 10_000_000

_HEADER = re.compile(r"^\s*\[\[?\s*([^\[\]#]+?)\s*\]\]?\s*(?:#.*)?$")


class _Lines:
    """Where things stand in layers.toml, for the problems' line numbers (tomllib gives values,
    not lines): a table's header, a key in it, or an item (`value = "x"`) in one of its arrays."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.heads = [(i, m.group(1)) for i, line in enumerate(self.lines, 1)
                      if (m := _HEADER.match(line))]

    def of(self, table: str = "", n: int = 1, key: str = "", item: str = "",
           nth: int = 1) -> int:
        """The line of the `n`th `table` (empty: the top), of `key` in it, of `item` after."""
        if table:
            starts = [i for i, name in self.heads if name == table]
            if len(starts) < n:
                return 1
            start = starts[n - 1]
        else:
            start = 0
        end = next((i for i, _ in self.heads if i > start), len(self.lines) + 1)
        found = max(start, 1)
        if key:
            pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
            sub = f"{table}.{key}" if table else key  # a sub-table [table.key]
            found = next((i for i in range(start + 1, end)
                          if pattern.match(self.lines[i - 1])),
                         next((i for i, name in self.heads if name == sub), found))
        if item:
            pattern = re.compile(rf"(?:^|[{{,\s])(?:value|name|layer)\s*=\s*[\"']"
                                 rf"{re.escape(item)}[\"']")
            hits = [i for i in range(found, end) if pattern.search(self.lines[i - 1])]
            found = hits[min(nth, len(hits)) - 1] if hits else found
        return found


class _Check:
    """The problems of one reading of layers.toml, each at its line."""

    def __init__(self, shown: str, lines: _Lines) -> None:
        self.shown, self.lines = shown, lines
        self.problems: list[Problem] = []

    def bad(self, field: str, message: str, hint: str = "", *, table: str = "", n: int = 1,
            key: str = "", item: str = "", nth: int = 1) -> None:
        self.problems.append(Problem(self.shown, self.lines.of(table, n, key, item, nth),
                                     field, message, hint))

    def table(self, label: str, table: str, n: int = 1) -> Callable[..., None]:
        """A `bad(key, message, hint="", item="", nth=1)` for one table: the field is
        `label.key`, the line that of the `nth` `item` under `key`."""
        def bad(key: str, message: str, hint: str = "", item: str = "", nth: int = 1) -> None:
            self.bad(f"{label}.{key}" if key else label, message, hint, table=table, n=n,
                     key=key, item=item, nth=nth)
        return bad

    def raise_if_any(self) -> None:
        if self.problems:
            raise ValidationFailed(self.problems)


def _shown(value: Any) -> str:
    """A value as the user wrote it, named by its TOML type, for "got …"."""
    kind = ("true/false" if isinstance(value, bool) else "a number"
            if isinstance(value, int | float) else "text" if isinstance(value, str)
            else "a list" if isinstance(value, list) else "a table"
            if isinstance(value, dict) else "a date")
    text = repr(value)
    return f"{kind} {text if len(text) <= 60 else text[:57] + '...'}"


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) \
        and math.isfinite(value)


def _known_keys(entry: dict[str, Any], known: tuple[str, ...], bad: Callable[..., None]) -> None:
    for key in entry:
        if key not in known:
            close = close_matches(key, known, n=1)
            bad(key, f"unknown setting {key!r}",
                f"did you mean {close[0]!r}?" if close else f"known: {', '.join(known)}")


def _text(entry: dict[str, Any], key: str, bad: Callable[..., None], required: bool = False,
          default: str = "") -> str | None:
    """`entry[key]` if it is text; else a problem, and None (required) or `default`."""
    value = entry.get(key)
    if value is None or (required and isinstance(value, str) and not value.strip()):
        if required:
            bad(key, "is required (text in quotes)")
            return None
        return default
    if not isinstance(value, str):
        bad(key, f"must be text in quotes, got {_shown(value)}")
        return None if required else default
    return value


def _table_list(entry: dict[str, Any], key: str, bad: Callable[..., None]) -> list[dict]:
    """`entry[key]` as a list of tables (each `{ … }`); problems for anything else."""
    value = entry.get(key, [])
    if not isinstance(value, list):
        bad(key, f"must be a list of tables [{{ … }}, …], got {_shown(value)}")
        return []
    good = [v for v in value if isinstance(v, dict)]
    if len(good) < len(value):
        bad(key, "each item must be a table { … }")
    return good


def _name_ok(name: str, what: str, field: str, bad: Callable[..., None],
             reserved: tuple[str, ...] = RESERVED_IDS) -> bool:
    """A layer id, composite id or field name: a slug, not one the atlas uses itself (a field's
    columns are prefixed with its layer's id, so only the JavaScript keys are reserved)."""
    if not _ID.fullmatch(name):
        bad(field, f"{what} {name!r} must be lower-case letters, digits and _, starting with a "
            "letter, at most 31 characters", "e.g. 'safe_city'")
        return False
    if name in reserved:
        bad(field, f"{what} {name!r} is reserved (the downloads' own columns are "
            f"{', '.join(BASE_COLUMNS)})", "choose another name")
        return False
    return True


def _read(seeds: Path) -> tuple[dict[str, Any], _Lines]:
    """layers.toml parsed, and where its settings stand (for line numbers)."""
    path = seeds / CONFIG_NAME
    try:
        text = read_regular(path, MAX_CONFIG_BYTES).decode("utf-8-sig")
        return tomllib.loads(text), _Lines(text)
    except FileNotFoundError:
        raise ValidationFailed(
            [Problem(str(path), 0, "", "layer configuration not found", "copy seeds/layers.toml")]
        ) from None
    except UnreadableFile as exc:
        raise ValidationFailed([Problem(str(path), 0, "", str(exc))]) from None
    except OSError as exc:
        raise ValidationFailed([Problem(str(path), 0, "", f"cannot read it: "
                                        f"{exc.strerror or exc}")]) from None
    except UnicodeDecodeError as exc:
        raise ValidationFailed([Problem(str(path), 0, "", f"not UTF-8 (byte {exc.start})",
                                        "save it as UTF-8")]) from None
    except (tomllib.TOMLDecodeError, RecursionError) as exc:
        found = re.search(r"line (\d+)", str(exc))
        raise ValidationFailed([Problem(str(path), int(found.group(1)) if found else 1, "",
                                        f"not valid TOML: {str(exc)[:200]}")]) from None


class Config(NamedTuple):
    """Everything `layers.toml` says."""

    layers: tuple[LayerSpec, ...]
    composites: tuple[CompositeSpec, ...]
    meta: dict[str, str]
    confidence: ConfidenceRule
    rules: tuple[str, ...]  # the codebook's general rules


def load_all(seeds: Path) -> Config:
    """Layers, composites, the `[atlas]` table, the confidence rule and the codebook's general
    rules, from one reading of `layers.toml`, every value checked; raise ValidationFailed with
    every problem, each at its line."""
    raw, lines = _read(seeds)
    check = _Check(str(seeds / CONFIG_NAME), lines)
    _known_keys(raw, TOP_KEYS, lambda key, message, hint="": check.bad(key, message, hint,
                                                                        key=key))
    layers = _layers(raw, check)
    composites = _composites(raw, check, layers)
    _collisions(layers, composites, check)
    config = Config(layers, composites, _meta(raw, check), confidence_rule(raw, check),
                    codebook_rules(raw, check))
    check.raise_if_any()
    return config


def _layers(raw: dict[str, Any], check: _Check) -> tuple[LayerSpec, ...]:
    entries = raw.get("layer")
    if isinstance(entries, dict):
        check.bad("layer", "must be written [[layer]] (a list of tables), not [layer]",
                  table="layer")
        return ()
    if not isinstance(entries, list) or not entries:
        check.bad("layer", "no [[layer]] tables defined", "see README.md, 'Layers and records'")
        return ()
    layers: list[LayerSpec] = []
    for n, entry in enumerate(entries, 1):
        spec = _layer(entry, n, check)
        if spec is None:
            continue
        bad = check.table(f"layer.{spec.id}", "layer", n)
        if spec.id in {s.id for s in layers}:
            bad("id", f"duplicate layer id {spec.id!r}")
        elif spec.file in {s.file for s in layers}:
            bad("file", f"{spec.file!r} is already the file of another layer")
        else:
            layers.append(spec)
    return tuple(layers)


def _label(entry: dict[str, Any], kind: str, n: int) -> str:
    """How problems name the n-th `[[kind]]` table: by its id when it has a valid one."""
    raw_id = entry.get("id")
    return f"{kind}.{raw_id}" if isinstance(raw_id, str) and _ID.fullmatch(raw_id) \
        else f"{kind} #{n}"


def _layer(entry: Any, n: int, check: _Check) -> LayerSpec | None:
    """One `[[layer]]` table, or None (with its problems) when it cannot be used."""
    if not isinstance(entry, dict):
        check.bad(f"layer #{n}", "must be a table", table="layer", n=n)
        return None
    bad = check.table(_label(entry, "layer", n), "layer", n)
    before = len(check.problems)
    _known_keys(entry, LAYER_KEYS, bad)
    lid, title, file, value, scale = (_text(entry, k, bad, required=True)
                                      for k in ("id", "title", "file", "value", "scale"))
    rows = _text(entry, "rows", bad, default="one")
    description = _text(entry, "description", bad) or ""
    if lid is not None:
        _name_ok(lid, "layer id", "id", bad)
    if scale is not None and scale not in SCALES:
        bad("scale", f"{scale!r} must be one of {', '.join(SCALES)}")
    if rows not in ROWS:
        bad("rows", f"{rows!r} must be one of {', '.join(ROWS)}")
    if file is not None and (not _FILE.fullmatch(file) or file in OWN_FILES):
        bad("file", f"{file!r} must be a .csv file name in the seeds folder, other than "
            f"{', '.join(OWN_FILES)}", "e.g. 'cloud.csv'")
    many = rows == "many"
    classes = _classes(entry, bad, count=many)
    fields = _fields(entry, bad, classes, many)
    if value is not None:
        field = next((f for f in fields if f.name == value), None)
        if many and value != "count":
            bad("value", "a layer with rows = 'many' shows the count: value = 'count'")
        elif not many and field is None:
            bad("value", f"{value!r} is not one of the layer's fields",
                f"fields: {', '.join(f.name for f in fields) or 'none'}")
        elif not many and field is not None and field.type != "class":
            bad("value", f"the field the map colours by, {value!r}, must have type = 'class'")
    if len(check.problems) > before:
        return None
    return LayerSpec(id=lid, title=title, file=file, value=value, scale=scale,  # type: ignore[arg-type]
                     description=description, classes=classes, fields=fields, rows=rows)


def _classes(entry: dict[str, Any], bad: Callable[..., None], count: bool = False,
             composite: bool = False) -> tuple[ClassSpec, ...]:
    """The `classes` list: value, label, colour; `min` where the class is reached by a count
    (a whole number ≥ 1) or a composite score (0–1)."""
    out: list[ClassSpec] = []
    for c in _table_list(entry, "classes", bad):
        _known_keys(c, CLASS_KEYS, lambda key, message, hint="", c=c: bad(
            "classes", f"class {c.get('value')!r}: {message}", hint, str(c.get("value", ""))))
        value = c.get("value")
        if not isinstance(value, str) or not _CLASS_VALUE.fullmatch(value) \
                or value in _JS_KEYS:
            bad("classes", f"class value {value!r} must be text of letters, digits and _ . + -"
                " (not starting with one of _ . + -)", "e.g. value = \"data_centre\"",
                str(value))
            continue
        if value in {x.value for x in out}:
            bad("classes", f"class value {value!r} appears twice", item=value, nth=2)
            continue

        def bad_class(message: str, value: str = value) -> None:
            bad("classes", f"class {value!r}: {message}", item=value)

        texts = {}
        for key in ("label", "color", "rule", "example"):
            text = c.get(key, "" if key in ("rule", "example") else None)
            if not isinstance(text, str) or (key in ("label", "color") and not text.strip()):
                bad_class(f"{key} is required (text in quotes)" if text is None
                          else f"{key} must be text in quotes, got {_shown(text)}")
                text = ""
            texts[key] = text
        if texts["color"] and not _COLOR.fullmatch(texts["color"]):
            bad_class(f"colour {texts['color']!r} must be #RRGGBB", )
        low = c.get("min")
        if composite and not (_is_number(low) and 0 <= low <= 1):
            bad_class(f"min must be a score from 0 to 1 (where the class starts), got "
                      f"{_shown(low) if low is not None else 'nothing'}")
            low = None
        elif count and not (isinstance(low, int) and not isinstance(low, bool) and low >= 1):
            bad_class("min must be a whole number ≥ 1 (the count where the class starts)")
            low = None
        elif not (count or composite) and low is not None:
            bad_class("min is only for count layers (rows = 'many') and composites")
        if not (count or composite) and not texts["rule"].strip():
            bad_class("has no `rule` (the codebook: what a source must say for a country to "
                      "get this value)")
        out.append(ClassSpec(value, texts["label"], texts["color"].upper(), low,
                             texts["rule"], texts["example"]))
    if not out:
        bad("classes", "at least one class is required")
    return tuple(out)


def _fields(entry: dict[str, Any], bad: Callable[..., None], classes: tuple[ClassSpec, ...],
            many: bool) -> tuple[FieldSpec, ...]:
    """The `fields` list: each a column of the layer's records file, with its type."""
    out: list[FieldSpec] = []
    for f in _table_list(entry, "fields", bad):
        name = f.get("name")
        if not isinstance(name, str) or not _name_ok(name, "field name", "fields", bad,
                                                         _JS_KEYS):
            if not isinstance(name, str):
                bad("fields", f"each field needs a name (text), got {_shown(name)}")
            continue

        def bad_field(message: str, hint: str = "", name: str = name) -> None:
            bad("fields", f"field {name!r}: {message}", hint, name)

        _known_keys(f, FIELD_KEYS, lambda key, message, hint="": bad_field(message, hint))
        if name in MANY_COLUMNS:
            bad_field("is a common column of every records file; do not redefine it")
            continue
        if name in {x.name for x in out}:
            bad("fields", f"field {name!r}: appears twice", item=name, nth=2)
            continue
        ftype = f.get("type", "text")
        if ftype not in FIELD_TYPES:
            bad_field(f"type must be one of {', '.join(FIELD_TYPES)}, got {_shown(ftype)}")
            continue
        texts = {}
        for key in ("requires", "help", "vocabulary"):
            text = f.get(key, "")
            if not isinstance(text, str):
                bad_field(f"{key} must be text in quotes, got {_shown(text)}")
                text = ""
            texts[key] = text
        required = f.get("required", False)
        if not isinstance(required, bool):
            bad_field(f"required must be true or false, got {_shown(required)}")
        values = f.get("values", ())
        if values == "classes" or ftype == "class":
            values = tuple(c.value for c in classes)
        elif not (isinstance(values, list | tuple)
                  and all(isinstance(v, str) and _CLASS_VALUE.fullmatch(v) for v in values)):
            bad_field("values must be a list of texts (letters, digits and _ . + -) or "
                      "\"classes\"")
            values = ()
        elif len(set(values)) < len(values):
            bad_field("values repeat")
        if ftype == "enum" and not values:
            bad_field("an enum needs its values", "values = [\"a\", \"b\"]")
        bounds = []
        for key in ("min", "max"):
            bound = f.get(key)
            if bound is not None and (ftype not in ("int", "number") or not _is_number(bound)):
                bad_field(f"{key} must be a number, for type int or number; got "
                          f"{_shown(bound)}")
                bound = None
            bounds.append(bound)
        if None not in bounds and bounds[0] > bounds[1]:
            bad_field(f"min {bounds[0]} is above max {bounds[1]}")
        if texts["vocabulary"] not in VOCABULARIES:
            bad_field(f"vocabulary must be one of {', '.join(v for v in VOCABULARIES if v)}")
        elif texts["vocabulary"] and ftype != "list":
            bad_field("a vocabulary applies to a field of type = 'list'")
        out.append(FieldSpec(name=name, type=ftype, required=required is True,
                             values=tuple(values), min=bounds[0], max=bounds[1],
                             requires=texts["requires"], help=texts["help"],
                             vocabulary=texts["vocabulary"]))
    names = {f.name for f in out}
    for f in out:
        if f.requires and (f.requires not in names or f.requires == f.name):
            bad("fields", f"field {f.name!r}: requires {f.requires!r}, which is not another "
                "field of this layer", item=f.name)
    return tuple(out)


def output_columns(layers: tuple[LayerSpec, ...], composites: tuple[CompositeSpec, ...] = ()
                   ) -> list[tuple[str, str]]:
    """Every column of the downloads, in their order (atlas.export.columns), with the layer or
    composite that makes it: two makers of one column would overwrite each other."""
    cols = [(c, "") for c in BASE_COLUMNS]
    for spec in layers:
        own = ["", "_year", "_count", "_items", "_sources"] if spec.many else \
            ["", "_year", "_confidence", "_sources",
             *(f"_{f.name}" for f in spec.fields if f.name != spec.value)]
        cols += [(spec.id + suffix, spec.id) for suffix in own]
    for comp in composites:
        cols += [(comp.id + suffix, comp.id) for suffix in ("", "_score", "_missing")]
    return cols


def _collisions(layers: tuple[LayerSpec, ...], composites: tuple[CompositeSpec, ...],
                check: _Check) -> None:
    """Refuse names that would make one download column twice, or a layer id that begins with
    another's id and `_` (the other layer's own download would take its columns)."""
    where = {s.id: ("layer", n) for n, s in enumerate(layers, 1)}
    where.update({c.id: ("composite", n) for n, c in enumerate(composites, 1)})
    made: dict[str, str] = {}
    fields = {f"{s.id}_{f.name}": f.name for s in layers for f in s.fields}
    for column, maker in output_columns(layers, composites):
        if column in made:
            table, n = where[maker]
            field = fields.get(column, "") if column.startswith(maker + "_") else ""
            check.bad(f"{table}.{maker}", f"{'field ' + repr(field) if field else 'its id'} "
                      f"makes the download column {column!r}, which "
                      f"{'layer ' + repr(made[column]) if made[column] else 'the atlas'} "
                      "makes too", "rename it", table=table, n=n,
                      key="fields" if field else "id", item=field)
        made.setdefault(column, maker)
    for a in where:
        for b in where:
            if a != b and a.startswith(b + "_"):
                table, n = where[a]
                check.bad(f"{table}.{a}", f"id {a!r} begins with {b + '_'!r}, which names the "
                          f"columns of {b!r}", "choose an id that does not", table=table, n=n,
                          key="id")


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




def _composites(raw: dict[str, Any], check: _Check,
                layers: tuple[LayerSpec, ...]) -> tuple[CompositeSpec, ...]:
    """The `[[composite]]` tables, every value checked."""
    by_id = {s.id: s for s in layers}
    entries = raw.get("composite", [])
    if not isinstance(entries, list):
        check.bad("composite", "must be written [[composite]] (a list of tables)",
                  table="composite")
        return ()
    out: list[CompositeSpec] = []
    for n, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            check.bad(f"composite #{n}", "must be a table", table="composite", n=n)
            continue
        bad = check.table(_label(entry, "composite", n), "composite", n)
        before = len(check.problems)
        _known_keys(entry, COMPOSITE_KEYS, bad)
        cid = _text(entry, "id", bad, required=True)
        if cid is not None and _name_ok(cid, "composite id", "id", bad):
            if cid in by_id:
                bad("id", f"{cid!r} is already a layer id")
            elif cid in {c.id for c in out}:
                bad("id", f"duplicate composite id {cid!r}")
        title = _text(entry, "title", bad, default=str(cid))
        description = _text(entry, "description", bad) or ""
        components = _components(entry, bad, by_id, _named_layers(raw))
        least = entry.get("min_components", 1)
        if not (isinstance(least, int) and not isinstance(least, bool)
                and 1 <= least <= max(len(components), 1)):
            bad("min_components", f"must be a whole number from 1 to the number of components "
                f"({len(components)}), got {_shown(least)}")
        classes = _classes(entry, bad, composite=True)
        if len(check.problems) > before:
            continue
        out.append(CompositeSpec(cid, title, description, least,  # type: ignore[arg-type]
                                 components, classes))
    return tuple(out)


def _named_layers(raw: dict[str, Any]) -> set[str]:
    """Every layer id written in the file, including those of layers refused for a problem."""
    entries = raw.get("layer")
    return {str(e.get("id")) for e in entries if isinstance(e, dict)} \
        if isinstance(entries, list) else set()


def _components(entry: dict[str, Any], bad: Callable[..., None],
                by_id: dict[str, LayerSpec], named: set[str]) -> tuple[Component, ...]:
    """A composite's components: a known layer each (once), a weight > 0 and a score from 0 to 1
    for every class value of the layer. A component whose layer has problems of its own is
    left to those (not called unknown)."""
    out: list[Component] = []
    tables = _table_list(entry, "components", bad)
    if not tables:
        bad("components", "at least one component is required",
            "{ layer = \"cloud\", weight = 1, scores = { … } }")
    for comp in tables:
        _known_keys(comp, COMPONENT_KEYS, lambda key, message, hint="", comp=comp: bad(
            "components", message, hint, str(comp.get("layer", ""))))
        lid = comp.get("layer")
        spec = by_id.get(lid) if isinstance(lid, str) else None
        if spec is None and lid in named:
            continue
        if spec is None:
            close = close_matches(str(lid), list(by_id), n=1)
            bad("components", f"unknown layer {lid!r}",
                f"did you mean {close[0]!r}?" if close else f"layers: {', '.join(by_id)}",
                str(lid))
            continue
        if lid in {c.layer for c in out}:
            bad("components", f"layer {lid!r} is a component twice", item=lid)
            continue
        weight = comp.get("weight", 1)
        if not (_is_number(weight) and weight > 0):
            bad("components", f"{lid}: weight must be a number above 0, got {_shown(weight)}",
                item=lid)
            continue
        scores = comp.get("scores")
        if not isinstance(scores, dict):
            bad("components", f"{lid}: scores must be a table {{ class value = score, … }}, got "
                f"{_shown(scores)}", item=lid)
            continue
        wrong = sorted(set(scores) - set(spec.class_values))
        missing = [v for v in spec.class_values if v not in scores]
        numbers = all(_is_number(v) and 0 <= v <= 1 for v in scores.values())
        if wrong or missing or not numbers:
            bad("components", f"{lid}: scores must give each of its class values a number from "
                f"0 to 1 (unknown: {', '.join(wrong) or 'none'}; missing: "
                f"{', '.join(missing) or 'none'}"
                f"{'' if numbers else '; a score that is not a number from 0 to 1'})", item=lid)
            continue
        out.append(Component(lid, float(weight), {str(k): float(v) for k, v in scores.items()}))
    return tuple(out)


def _meta(raw: dict[str, Any], check: _Check) -> dict[str, str]:
    """The `[atlas]` table: title, data_date, licence, licence_id (its SPDX identifier, for the
    Data Package), publisher, base_url (where the site will be published) and documents (the
    folder of local source copies), all optional, as text."""
    table = raw.get("atlas", {})
    bad = check.table("atlas", "atlas")
    if not isinstance(table, dict):
        bad("", "must be a table [atlas]")
        return {}
    _known_keys(table, ATLAS_KEYS, bad)
    meta: dict[str, str] = {}
    for key in ATLAS_KEYS:
        value = table.get(key)
        if isinstance(value, datetime.date) and key == "data_date":
            value = value.isoformat()
        if value is not None:
            text = _text({key: value}, key, bad)
            if text:
                meta[key] = text
    base = meta.get("base_url", "")
    if base and not re.fullmatch(r"https?://[^\s<>\"'`]+/", base):
        bad("base_url", f"{base!r} is not an http(s) address ending in /",
            "e.g. https://example.org/atlas/")
    return meta
class ConfidenceRule(NamedTuple):
    """How a record's confidence follows from its sources (layers.toml, `[confidence]`): each
    source kind gives a level; the best supporting source sets it, and sources from more than
    one publisher (independent) raise it one step."""

    kinds: dict[str, str]
    help: dict[str, str]

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
        if len(kinds_by_publisher) > 1 and best < len(CONFIDENCE) - 1:
            best += 1
            reason += f"; {len(kinds_by_publisher)} independent publishers: one step up"
        elif len(kinds_by_publisher) > 1:
            reason += f"; {len(kinds_by_publisher)} independent publishers"
        return CONFIDENCE[best], reason




def confidence_rule(raw: dict[str, Any], check: _Check) -> ConfidenceRule:
    """Check the `[confidence]` table: `kinds` maps each source kind to a level."""
    table = raw.get("confidence")
    bad = check.table("confidence", "confidence")
    if not isinstance(table, dict) or not isinstance(table.get("kinds"), dict) \
            or not table["kinds"]:
        bad("kinds", "is required: a table of source kinds and the level each gives",
            "kinds = { government = \"high\", news = \"medium\" }")
        return ConfidenceRule({"unknown": "low"}, {})
    _known_keys(table, ("kinds", "help"), bad)
    kinds: dict[str, str] = {}
    for kind, level in table["kinds"].items():
        if not _ID.fullmatch(kind) or level not in CONFIDENCE:
            bad("kinds", f"{kind}: {level!r} must be one of {', '.join(CONFIDENCE)} (and the "
                "kind lower-case letters, digits and _)")
        else:
            kinds[kind] = level
    helps = table.get("help", {})
    if not isinstance(helps, dict) or not all(isinstance(v, str) for v in helps.values()):
        bad("help", "must be a table of texts, one per kind")
        helps = {}
    for kind in helps:
        if kind not in table["kinds"]:
            bad("help", f"{kind!r} is not one of the kinds")
    return ConfidenceRule(kinds or {"unknown": "low"}, dict(helps))


def codebook_rules(raw: dict[str, Any], check: _Check) -> tuple[str, ...]:
    """The `[codebook]` table's general `rules` (texts that apply to every layer)."""
    table = raw.get("codebook", {})
    bad = check.table("codebook", "codebook")
    if not isinstance(table, dict):
        bad("", "must be a table [codebook]")
        return ()
    _known_keys(table, ("rules",), bad)
    rules = table.get("rules", [])
    if not isinstance(rules, list) or not all(isinstance(r, str) for r in rules):
        bad("rules", "must be a list of texts")
        return ()
    return tuple(rules)
