"""Data releases: committed snapshots of the values and their sources, and what changed.

`atlas release` writes `seeds/releases/<version>.json`: every record's values (the map value,
year, confidence, the layer's fields) and the sources it cites, with the version and date. The
snapshot is small and diff-friendly (one record a line). A release is never rewritten: what was
published under a version stays citable. `diff` compares two snapshots record by record.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any, NamedTuple

from atlas import evidence, text
from atlas.errors import AtlasError
from atlas.evidence.model import Dataset, Record
from atlas.files import write_whole
from atlas.history import releasefile

RELEASES_DIR = "releases"


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
    if rec.location is not None:  # where a project is, as written (a moved point is a change)
        loc = rec.location
        values.update({"precision": loc.precision, "place": loc.place, "city": loc.city,
                       "lon": loc.lon, "lat": loc.lat})
    values["sources"] = [f"{c.source} {c.locator}" for c in rec.citations]
    # then those of its earlier steps (steps.csv) that the record does not cite itself
    values["sources"] += [ref for ref in dict.fromkeys(
        f"{c.source} {c.locator}" for s in rec.steps for c in s.citations)
        if ref not in values["sources"]]
    if rec.steps:  # earlier classes, oldest first: a change like any other value
        values["steps"] = [f"{s.value} {s.year}" for s in rec.steps]
    return {"layer": layer, "key": rec.ref, "country": rec.key,
            "values": {k: v for k, v in values.items() if v not in (None, "", [])}}


def snapshot(dataset: Dataset, label: str = "") -> Snapshot:
    """The values and cited sources of a validated dataset."""
    records = {}
    for spec in dataset.layers:
        for rec in dataset.records[spec.id].values():
            records[(spec.id, rec.ref)] = _entry(spec.id, "" if spec.many else spec.value, rec)
    cited = {c.source for rec in dataset.records.values() for r in rec.values()
             for c in (*r.citations, *(c for s in r.steps for c in s.citations))}
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
    """A release file, read safely and checked against the shape `atlas release` writes
    (atlas.history.releasefile); a one-line AtlasError naming the file and field if it is not
    one."""
    raw = releasefile.read(path)
    return Snapshot(raw["records"], raw["sources"], raw["version"], raw["version"], raw["date"],
                    raw["data_version"])


def version_key(version: str) -> tuple[tuple[int, int, str], ...]:
    """How versions sort: part by part (split at '.', '-' and '_'), numbers as numbers, so that
    2026.12.9 comes before 2026.12.10 (as text it would come after); a number before text.
    Versions with the same key (2026.12.9 and 2026.12.09) are the same version."""
    return tuple((0, int(part), "") if part.isascii() and part.isdigit() else (1, 0, part)
                 for part in re.split(r"[._-]", version))


def release_files(seeds: Path) -> list[Path]:
    """The release files in `seeds/releases/` (for the build's input hash), whatever they are:
    read() refuses one that is not a regular file. A releases folder that cannot be listed is
    an error, not "no release yet" (the changes page would say there never was one)."""
    folder = seeds / RELEASES_DIR
    try:
        with os.scandir(folder) as entries:
            names = sorted(e.name for e in entries if e.name.endswith(".json"))
    except FileNotFoundError:
        return []
    except NotADirectoryError:
        raise AtlasError(f"{folder}: is not a folder; the releases are kept in a folder of "
                         "that name (or remove it)") from None
    except OSError as exc:
        raise AtlasError(f"{folder}: cannot list the releases: {exc.strerror or exc}") from None
    return [folder / name for name in names]


def load_all(seeds: Path) -> list[Snapshot]:
    """Every release, oldest first: in the order of their versions (version_key). Two files of
    one version are refused."""
    snaps = sorted((read(p) for p in release_files(seeds)), key=lambda s: version_key(s.version))
    for before, after in zip(snaps, snaps[1:], strict=False):
        if version_key(before.version) == version_key(after.version):
            raise AtlasError(f"{seeds / RELEASES_DIR}: {before.version}.json and "
                             f"{after.version}.json are the same version; remove one")
    return snaps


def write(seeds: Path, current: Snapshot, version: str, date: str) -> Path:
    """Record `current` as release `version` of `date`. Refuses a bad version or date, one that
    exists (or is the same version written otherwise), one that does not come after the latest
    release, and a release identical to the latest one. The file appears whole or not at all."""
    if not releasefile.VERSION.fullmatch(version):
        raise AtlasError(f"release version {version!r}: use letters, digits, '.', '-' or '_' "
                         "(e.g. 2026.11)")
    if not text.is_date(date):
        raise AtlasError(f"release date {date!r}: expected YYYY-MM-DD (e.g. 2026-11-23)")
    path = seeds / RELEASES_DIR / f"{version}.json"
    if path.exists() or path.is_symlink():
        raise AtlasError(f"{path} exists: a release is never rewritten; choose another "
                         f"--version (e.g. {version}.1)")
    earlier = load_all(seeds)
    same = [s.version for s in earlier if version_key(s.version) == version_key(version)]
    if same:
        raise AtlasError(f"release version {version!r} is release {same[0]} written otherwise; "
                         f"choose another --version (e.g. {same[0]}.1)")
    if earlier:
        latest = earlier[-1]
        if version_key(version) < version_key(latest.version):
            raise AtlasError(f"release version {version!r} comes before the latest release, "
                             f"{latest.version}; choose a later --version (e.g. "
                             f"{latest.version}.1)")
        if date < latest.date:
            raise AtlasError(f"release date {date} is before the latest release's "
                             f"({latest.version}, {latest.date}); give --date {latest.date} "
                             "or later")
        if not any(diff(latest, current).values()):
            raise AtlasError(f"nothing changed since release {latest.version}; no release "
                             "written")
    snap = current._replace(version=version, date=date, label=version)
    try:
        write_whole(path, dumps(snap).encode("utf-8"))
    except OSError as exc:
        raise AtlasError(f"cannot write the release {path}: {exc.strerror or exc}; nothing was "
                         "written") from None
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
    if path.exists() or path.is_symlink():  # read() says why it cannot be used, if it cannot
        return read(path)
    candidate = seeds / RELEASES_DIR / f"{what}.json"
    if candidate.exists() or candidate.is_symlink():
        return read(candidate)
    known = ", ".join(sorted((s.stem for s in release_files(seeds)), key=version_key)) \
        or "none yet"
    raise AtlasError(f"{what!r} is neither a seeds folder, a release file nor a release in "
                     f"{seeds / RELEASES_DIR} (releases: {known})")
