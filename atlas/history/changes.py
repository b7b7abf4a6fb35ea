"""What changed: `data/changes.json` and `atlas diff`'s lines (the page is atlas.site.changes).

Per release (newest first) the records added, removed and changed since the release before, then
the current unreleased changes since the latest release. Everything is ordered by layer and key,
and nothing depends on the time of the build: the same inputs give the same files.
"""

from __future__ import annotations

import json
from typing import Any

from atlas.history.releases import Snapshot, diff

KINDS = ("added", "removed", "changed")


def history(releases: list[Snapshot], current: Snapshot,
            names: dict[str, str]) -> dict[str, Any]:
    """Every release's changes and the unreleased ones, as plain data (changes.json)."""
    def named(d: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
        for entries in d.values():
            for x in entries:
                x["name"] = names.get(x["country"], x["country"])
        return {**d, "counts": {k: len(d[k]) for k in KINDS}}

    out = []
    for i, snap in enumerate(releases):
        before = releases[i - 1] if i else None
        out.append({"version": snap.version, "date": snap.date,
                    "data_version": snap.data_version,
                    "previous": before.version if before else None,
                    **named(diff(before, snap))})
    latest = releases[-1] if releases else None
    unreleased = {"since": latest.version if latest else None,
                  **named(diff(latest, current))}
    sources: dict[str, dict[str, str]] = {}
    for snap in [*releases, current]:  # the latest description of each source wins
        sources.update(snap.sources)
    return {"releases": out[::-1], "unreleased": unreleased, "sources": dict(sorted(
        sources.items()))}


def to_json(hist: dict[str, Any]) -> bytes:
    """changes.json: compact (an indent would make json use its slow pure-Python encoder)."""
    return (json.dumps(hist, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
            + "\n").encode()


def show(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def values_text(values: dict[str, Any]) -> str:
    return "; ".join(f"{k} {show(v)}" for k, v in values.items() if k != "sources")


def lines(d: dict[str, list[dict[str, Any]]], old: str, new: str) -> list[str]:
    """`atlas diff`'s output: a summary, then one line per record (+ added, - removed,
    ~ changed with old → new), each with its sources."""
    out = [f"{old} → {new}: " + ", ".join(f"{len(d[k])} {k}" for k in KINDS)]
    for kind, mark in zip(KINDS, "+-~", strict=True):
        for x in d[kind]:
            where = f"{x['layer']} {x['key']}" + (
                f" ({x['country']})" if x["key"] != x["country"] else "")
            if kind == "changed":
                what = "; ".join(f"{k}: {show(a)} → {show(b)}"
                                 for k, (a, b) in x["changes"].items() if k != "sources")
                if "sources" in x["changes"]:
                    what += ("; " if what else "") + "sources changed"
            else:
                what = values_text(x["values"])
            cited = "; ".join(x["sources"])
            out.append(f"{mark} {where}: {what} [sources: {cited}]")
    return out
