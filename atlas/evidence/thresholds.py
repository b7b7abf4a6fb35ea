"""A layer's written thresholds (layers.toml, `thresholds`): the rule that separates each pair of
neighbouring classes, checked so that every pair has exactly one and no rule names a class the
layer does not have.

The class order is the order of `classes` (strongest first). A layer that colours by a class
needs a threshold between every two neighbours; an enum field with classes (a project's
`status`) needs them once any threshold names it. Count layers' own classes follow from `min`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from atlas.errors import close_matches
from atlas.evidence.schema import ClassSpec, FieldSpec, Threshold
from atlas.evidence.tomlcheck import _known_keys, _shown, _table_list

KEYS = Threshold._fields


def pairs(classes: tuple[ClassSpec, ...]) -> list[tuple[str, str]]:
    """The neighbouring pairs of a class order, strongest first."""
    values = [c.value for c in classes]
    return list(zip(values, values[1:], strict=False))


def _thresholds(entry: dict[str, Any], bad: Callable[..., None], classes: tuple[ClassSpec, ...],
                fields: tuple[FieldSpec, ...], many: bool) -> tuple[Threshold, ...]:
    """The `thresholds` list of one layer, every neighbouring pair written once."""
    out: list[Threshold] = []
    orders: dict[str, tuple[ClassSpec, ...]] = {} if many else {"": classes}
    for t in _table_list(entry, "thresholds", bad):
        _known_keys(t, KEYS, lambda key, message, hint="": bad("thresholds", message, hint))
        field = t.get("field", "")
        between, rule = t.get("between"), t.get("rule")
        if not isinstance(field, str):
            bad("thresholds", f"field must be text in quotes, got {_shown(field)}")
            continue
        if field:
            spec = next((f for f in fields if f.name == field and f.classes), None)
            if spec is None:
                bad("thresholds", f"field {field!r} is not an enum field with classes of this "
                    "layer", "fields: " + (", ".join(f.name for f in fields if f.classes)
                                           or "none"))
                continue
            order = spec.classes
        elif many:
            bad("thresholds", "a count layer's classes follow from `min`; a threshold here "
                "names the enum field it separates", 'e.g. field = "status"')
            continue
        else:
            order = classes
        values = [c.value for c in order]
        where = f"the classes of {field!r}" if field else "the layer's classes"
        if not (isinstance(between, list) and len(between) == 2
                and all(isinstance(v, str) for v in between)):
            bad("thresholds", f"between must be two class values, got {_shown(between)}",
                'e.g. between = ["deployed_verified", "deployed_reported"]')
            continue
        unknown = [v for v in between if v not in values]
        if unknown:
            close = close_matches(unknown[0], values, n=1)
            bad("thresholds", f"unknown class {unknown[0]!r} in between = {between} (not one "
                f"of {where}: {', '.join(values)})",
                f"did you mean {close[0]!r}?" if close else "")
            continue
        a, b = sorted(between, key=values.index)
        if values.index(b) - values.index(a) != 1:
            bad("thresholds", f"{a!r} and {b!r} are not neighbours in {where}; a threshold "
                "separates two classes next to each other",
                "neighbours: " + "; ".join(f"{x}/{y}" for x, y in pairs(order)))
            continue
        if not isinstance(rule, str) or not rule.strip():
            bad("thresholds", f"between {a!r} and {b!r}: rule is required (text in quotes: "
                "what a source must say for the first rather than the second)")
            continue
        if any(x.field == field and x.between == (a, b) for x in out):
            bad("thresholds", f"two thresholds between {a!r} and {b!r}; keep one")
            continue
        orders[field] = order
        out.append(Threshold((a, b), rule.strip(), field))
    for field, order in sorted(orders.items()):
        missing = [(a, b) for a, b in pairs(order)
                   if not any(x.field == field and x.between == (a, b) for x in out)]
        if missing:
            what = f" of field {field!r}" if field else ""
            named = "; ".join(f"{a!r}/{b!r}" for a, b in missing)
            a, b = missing[0]
            bad("thresholds", f"no threshold between {named}{what}: every two neighbouring "
                "classes need the written rule that separates them",
                f'add {{ {"field = " + repr(field) + ", " if field else ""}between = '
                f'["{a}", "{b}"], rule = "…" }} to thresholds, and one for each other pair')
    keyed = {(f, p): n for n, (f, p) in enumerate(
        (f, p) for f, order in sorted(orders.items()) for p in pairs(order))}
    return tuple(sorted(out, key=lambda x: keyed.get((x.field, x.between), len(keyed))))


def between(spec_thresholds: tuple[Threshold, ...], value: str,
            field: str = "") -> list[Threshold]:
    """The thresholds that bound `value` (above it, then below it)."""
    return sorted((t for t in spec_thresholds if t.field == field and value in t.between),
                  key=lambda t: t.between[0] == value)
