"""The layer configuration (`seeds/layers.toml`): every layer described as data, every value
checked, each problem at its line."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from atlas import text as texts
from atlas.evidence.classes import _CLASS_VALUE, _classes, _label
from atlas.evidence.composites import _composites
from atlas.evidence.schema import (
    _JS_KEYS,
    ATLAS_KEYS,
    CONFIDENCE,
    CONFIG_NAME,
    FIELD_KEYS,
    FIELD_TYPES,
    LAYER_KEYS,
    LOCATION_COLUMNS,
    MANY_COLUMNS,
    OWN_FILES,
    REPORT_FIELDS,
    ROWS,
    SCALES,
    TOP_KEYS,
    VOCABULARIES,
    ClassSpec,
    CompositeSpec,
    ConfidenceRule,
    Config,
    FieldSpec,
    LayerSpec,
)
from atlas.evidence.tableschema import output_columns
from atlas.evidence.thresholds import _thresholds
from atlas.evidence.tomlcheck import (
    _ID,
    _Check,
    _is_number,
    _known_keys,
    _name_ok,
    _read,
    _shown,
    _table_list,
    _text,
    check_texts,
)

_FILE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}\.csv")


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
    check_texts(raw, check, _label)  # after the settings' own checks: theirs say more
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
    located, point_color, point_mark = _points(entry, bad, fields)
    thresholds = _thresholds(entry, bad, classes, fields, many)
    if len(check.problems) > before:
        return None
    return LayerSpec(id=lid, title=title, file=file, value=value, scale=scale,  # type: ignore[arg-type]
                     description=description, classes=classes, fields=fields, rows=rows,
                     located=located, point_color=point_color, point_mark=point_mark,
                     thresholds=thresholds)


def _points(entry: dict[str, Any], bad: Callable[..., None],
            fields: tuple[FieldSpec, ...]) -> tuple[bool, str, str]:
    """`located` (records say where they are: LOCATION_COLUMNS), and the enum fields whose
    classes colour (`point_color`) and mark (`point_mark`) the points."""
    located = entry.get("located", False)
    if not isinstance(located, bool):
        bad("located", f"must be true or false, got {_shown(located)}")
        located = False
    names = []
    for key in ("point_color", "point_mark"):
        name = _text(entry, key, bad) or ""
        field = next((f for f in fields if f.name == name), None)
        if name and not located:
            bad(key, "is for a layer with located = true")
        elif name and (field is None or not field.classes):
            bad(key, f"{name!r} must name a field of type 'enum' with classes",
                f"fields: {', '.join(f.name for f in fields if f.classes) or 'none'}")
        elif key == "point_mark" and field is not None and not all(c.symbol
                                                                   for c in field.classes):
            bad(key, f"every class of {name!r} needs a symbol (one or two characters)")
        names.append(name)
    if located and any(f.name in LOCATION_COLUMNS for f in fields):
        bad("fields", f"{', '.join(LOCATION_COLUMNS)} are the location's own columns in a "
            "layer with located = true; do not redefine them")
    return located, names[0], names[1]


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
        own: tuple[ClassSpec, ...] = ()
        if "classes" in f:
            own = _classes(f, lambda key, message, hint="", item="", nth=1, name=name: bad(
                "fields", f"field {name!r}: {message}", hint, item or name, nth))
            if ftype != "enum":
                bad_field("classes are for a field of type = 'enum'")
            elif "values" in f:
                bad_field("give its values either as `values` or as `classes`, not both")
            values = tuple(c.value for c in own)
        elif values == "classes" or ftype == "class":
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
                             vocabulary=texts["vocabulary"], classes=own))
    names = {f.name for f in out}
    for f in out:
        if f.requires and (f.requires not in names or f.requires == f.name):
            bad("fields", f"field {f.name!r}: requires {f.requires!r}, which is not another "
                "field of this layer", item=f.name)
    return tuple(out)


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


def _meta(raw: dict[str, Any], check: _Check) -> dict[str, str]:
    """The `[atlas]` table: title, data_date, licence, licence_id (its SPDX identifier, for the
    Data Package), publisher, base_url (where the site will be published), documents (the
    folder of local source copies), report_url (where a reader reports a wrong value: an
    address with placeholders) and release_cadence (how often the data is released), all
    optional, as text."""
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
    if base and not (texts.is_url(base) and base.endswith("/")):
        bad("base_url", f"{base!r} is not an http(s) address ending in /",
            "e.g. https://example.org/atlas/")
    date = meta.get("data_date", "")
    if date and not texts.is_date(date):
        bad("data_date", f"{date!r} is not a date of the calendar written YYYY-MM-DD",
            "e.g. data_date = \"2026-11-23\" (the day the records were last checked)")
        meta.pop("data_date")
    report = meta.get("report_url", "")
    if report:
        named = set(re.findall(r"\{(\w*)\}", report))
        if not re.fullmatch(r"(https?://|mailto:)[^\s<>\"'`]+", report, re.IGNORECASE):
            bad("report_url", f"{report!r} is not an http(s) or mailto: address",
                "e.g. https://github.com/you/atlas/issues/new?title={layer}+{iso3}")
        elif named - set(REPORT_FIELDS):
            unknown = ", ".join(sorted(named - set(REPORT_FIELDS)))
            bad("report_url", f"unknown placeholder(s) {unknown}",
                f"placeholders: {', '.join('{' + f + '}' for f in REPORT_FIELDS)}")
    return meta


def confidence_rule(raw: dict[str, Any], check: _Check) -> ConfidenceRule:
    """Check the `[confidence]` table: `kinds` maps each source kind to a level."""
    table = raw.get("confidence")
    bad = check.table("confidence", "confidence")
    if not isinstance(table, dict) or not isinstance(table.get("kinds"), dict) \
            or not table["kinds"]:
        bad("kinds", "is required: a table of source kinds and the level each gives",
            "kinds = { government = \"high\", news = \"medium\" }")
        return ConfidenceRule({"unknown": "low"}, {})
    _known_keys(table, ("kinds", "help", "cap", "secondary", "cap_rule"), bad)
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
    cap, secondary, cap_rule = _cap(table, bad)
    return ConfidenceRule(kinds or {"unknown": "low"}, dict(helps), cap,
                          tuple(k for k in secondary if k in kinds), cap_rule)


def _cap(table: dict[str, Any], bad: Callable[..., None]) -> tuple[str, tuple[str, ...], str]:
    """`cap` (a level), `secondary` (source kinds) and `cap_rule` (the cap in words): a record
    resting on a single secondary source is held at the cap at most."""
    cap = table.get("cap", "")
    if cap not in ("", *CONFIDENCE):
        bad("cap", f"{_shown(cap)} must be one of {', '.join(CONFIDENCE)}")
        cap = ""
    secondary = table.get("secondary", [])
    if not isinstance(secondary, list) or not all(isinstance(k, str) for k in secondary):
        bad("secondary", "must be a list of source kinds", 'secondary = ["news", "think_tank"]')
        secondary = []
    for kind in secondary:
        if kind not in table["kinds"]:
            bad("secondary", f"{kind!r} is not one of the kinds",
                f"kinds: {', '.join(table['kinds'])}")
    cap_rule = table.get("cap_rule", "")
    if not isinstance(cap_rule, str):
        bad("cap_rule", f"must be text in quotes, got {_shown(cap_rule)}")
        cap_rule = ""
    if cap and not secondary:
        bad("secondary", "a cap needs the source kinds it applies to")
    if cap and not cap_rule.strip():
        bad("cap_rule", "a cap needs its rule in words (shown on the about page)")
    return cap, tuple(secondary), cap_rule


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
