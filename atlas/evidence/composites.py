"""The `[[composite]]` tables of layers.toml: indices computed from other layers' classes,
each weight and score checked."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from atlas.errors import close_matches
from atlas.evidence.classes import _classes, _label
from atlas.evidence.schema import (
    COMPONENT_KEYS,
    COMPOSITE_KEYS,
    Component,
    CompositeSpec,
    LayerSpec,
)
from atlas.evidence.tomlcheck import (
    _Check,
    _is_number,
    _known_keys,
    _name_ok,
    _shown,
    _table_list,
    _text,
)


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
