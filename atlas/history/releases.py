"""Data releases: committed snapshots of the values and their sources, and what changed.

`atlas release` writes `seeds/releases/<version>.json`: every record's values (the map value,
year, confidence, the layer's fields) and the sources it cites, with the version and date. The
snapshot is small and diff-friendly (one record a line). A release is never rewritten: what was
published under a version stays citable. `diff` compares two snapshots record by record.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, NamedTuple

from atlas import evidence
from atlas.errors import AtlasError
from atlas.evidence.model import Dataset, Record

RELEASES_DIR = "releases"
_VERSION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,31}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _valid_date(text: Any) -> bool:
    import datetime

    try:
        return bool(_DATE.match(text)) and bool(datetime.date.fromisoformat(text))
    except (TypeError, ValueError):
        return False


class Snapshot(NamedTuple):
    """Records as {(layer, key): entry} and the cited sources as {id: {title, …}}, with where
    they came from (a release's version and date, or a seeds folder)."""

    records: dict[tuple[str, str], dict[str, Any]]
    sources: dict[str, dict[str, str]]
    label: str
    version: str = ""
    date: str = ""
    data_version: str = ""


def _entry(layer: str, value_field: str, rec: Record) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if value_field:
        values[value_field] = rec.values.get(value_field)
    values.update({"year": rec.year, "confidence": rec.confidence})
    values.update({k: v for k, v in rec.values.items() if k != value_field})
    values["sources"] = [f"{c.source} {c.locator}" for c in rec.citations]
    return {"layer": layer, "key": rec.ref, "country": rec.key,
            "values": {k: v for k, v in values.items() if v not in (None, "", [])}}


def snapshot(dataset: Dataset, label: str = "") -> Snapshot:
    """The values and cited sources of a validated dataset."""
    records = {}
    for spec in dataset.layers:
        for rec in dataset.records[spec.id].values():
            records[(spec.id, rec.ref)] = _entry(spec.id, "" if spec.many else spec.value, rec)
    cited = {c.source for rec in dataset.records.values() for r in rec.values()
             for c in r.citations}
    sources = {}
    for sid in sorted(cited):
        s = dataset.sources[sid]
        sources[sid] = {k: v for k, v in (("title", s.title), ("publisher", s.publisher),
                                          ("date", s.date), ("url", s.url)) if v}
    return Snapshot(dict(sorted(records.items())), sources, label)


def dumps(snap: Snapshot) -> str:
    """The release file: the header, then one record and one source a line."""
    def one(obj: Any, sort: bool = True) -> str:
        return json.dumps(obj, ensure_ascii=False, sort_keys=sort)

    head = ",\n".join(f" {one(k)}: {one(v)}" for k, v in (
        ("version", snap.version), ("date", snap.date), ("data_version", snap.data_version)))
    # A record's values keep the layer's order (the map value first), as layers.toml has it.
    records = ",\n".join(f"  {one(e, sort=False)}" for e in snap.records.values())
    sources = ",\n".join(f"  {one(k)}: {one(v)}" for k, v in snap.sources.items())
    return f'{{\n{head},\n "records": [\n{records}\n ],\n "sources": {{\n{sources}\n }}\n}}\n'


def read(path: Path) -> Snapshot:
    """A release file; a clear error naming the file if it is not one."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        version, date = raw["version"], raw["date"]
        records = {}
        for e in raw["records"]:
            if not (isinstance(e["layer"], str) and isinstance(e["key"], str)
                    and isinstance(e["country"], str) and isinstance(e["values"], dict)):
                raise TypeError("a record needs layer, key, country (text) and values")
            records[(e["layer"], e["key"])] = e
        sources = {str(k): dict(v) for k, v in raw["sources"].items()}
    except OSError as exc:
        raise AtlasError(f"{path}: cannot read the release: {exc.strerror}") from exc
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise AtlasError(f"{path}: not a release file written by `atlas release` ({exc!r}); "
                         "restore it from version control") from exc
    if version != path.stem or not _valid_date(date):
        raise AtlasError(f"{path}: its version {version!r} must match the file name and its "
                         f"date {date!r} be YYYY-MM-DD; restore it from version control")
    return Snapshot(dict(sorted(records.items())), sources, version, version, date,
                    str(raw.get("data_version", "")))


def release_files(seeds: Path) -> list[Path]:
    """The release files in `seeds/releases/` (for the build's input hash)."""
    return sorted((seeds / RELEASES_DIR).glob("*.json"))


def load_all(seeds: Path) -> list[Snapshot]:
    """Every release, oldest first (by date, then version)."""
    return sorted((read(p) for p in release_files(seeds)), key=lambda s: (s.date, s.version))


def write(seeds: Path, current: Snapshot, version: str, date: str) -> Path:
    """Record `current` as release `version` of `date`. Refuses an existing version, a bad
    version or date, and a release identical to the latest one."""
    if not _VERSION.match(version):
        raise AtlasError(f"release version {version!r}: use letters, digits, '.', '-' or '_' "
                         "(e.g. 2026.11)")
    if not _valid_date(date):
        raise AtlasError(f"release date {date!r}: expected YYYY-MM-DD (e.g. 2026-11-23)")
    path = seeds / RELEASES_DIR / f"{version}.json"
    if path.exists():
        raise AtlasError(f"{path} exists: a release is never rewritten; choose another "
                         f"--version (e.g. {version}.1)")
    earlier = load_all(seeds)
    if earlier and not any(diff(earlier[-1], current).values()):
        raise AtlasError(f"nothing changed since release {earlier[-1].version}; no release "
                         "written")
    snap = current._replace(version=version, date=date, label=version)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(dumps(snap), encoding="utf-8")
    tmp.replace(path)
    return path


def diff(old: Snapshot | None, new: Snapshot) -> dict[str, list[dict[str, Any]]]:
    """Records added, removed and changed from `old` (None: nothing) to `new`, each with its
    values (for a change, every value that differs as [old, new]) and its sources
    ("<source id> <locator>"; the snapshots' `sources` tables say what each id is)."""
    before = old.records if old else {}
    out: dict[str, list[dict[str, Any]]] = {"added": [], "removed": [], "changed": []}
    for key in sorted(set(before) | set(new.records)):
        a, b = before.get(key), new.records.get(key)
        if a == b:
            continue
        head = {"layer": key[0], "key": key[1], "country": (b or a or {})["country"]}
        if a is None or b is None:
            kind, values = ("added", b["values"]) if a is None else ("removed", a["values"])
            out[kind].append({**head, "values": values, "sources": values.get("sources", [])})
            continue
        va = {"country": a["country"], **a["values"]}
        vb = {"country": b["country"], **b["values"]}
        changes = {k: [va.get(k), vb.get(k)] for k in [*va, *(k for k in vb if k not in va)]
                   if va.get(k) != vb.get(k)}
        out["changed"].append({**head, "changes": changes, "sources": vb.get("sources", [])})
    return out


def from_seeds(seeds: Path) -> Snapshot:
    """The snapshot of a seeds folder's records, validated (errors raise ValidationFailed)."""
    return snapshot(evidence.load_valid(seeds), label=str(seeds))


def resolve(what: str, seeds: Path) -> Snapshot:
    """A snapshot named on the command line: a seeds folder, a release file, or a version in
    `seeds/releases/`."""
    path = Path(what)
    if path.is_dir():
        return from_seeds(path)
    if path.is_file():
        return read(path)
    candidate = seeds / RELEASES_DIR / f"{what}.json"
    if candidate.is_file():
        return read(candidate)
    known = ", ".join(s.stem for s in release_files(seeds)) or "none yet"
    raise AtlasError(f"{what!r} is neither a seeds folder, a release file nor a release in "
                     f"{seeds / RELEASES_DIR} (releases: {known})")
