"""Points from AidData's shapes (GeoGCDF): one point surely inside each project's shape, with
the best precision of its OpenStreetMap links.

Shapes come as a folder of per-project GeoJSON files (`<id>.geojson`), or one combined GeoJSON
or GeoPackage whose features carry the project id (property `id`). A point is the shape's
representative point (a centroid can fall outside a route's thin ribbon). A point outside its
project's country is not used: the project stays at country level, and the count says so.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path
from typing import Any

from atlas.errors import AtlasError
from atlas.evidence import locations
from atlas.files import UnreadableFile, read_regular
from atlas.world.boundaries import Boundaries

MAX_BYTES = 2_000_000_000  # the combined GeoPackage of every shape
#: AidData's precision codes → the atlas's, best first.
PRECISION = (("precise", "exact"), ("approximate", "approximate"), ("adm", "admin"))


def precision(text: str) -> str:
    """The best precision in a list such as "ADM4, adm4, PRECISE" ("approximate" if none)."""
    codes = [c.strip().casefold() for c in str(text or "").split(",") if c.strip()]
    for code, ours in PRECISION:
        if any(c.startswith(code) for c in codes):
            return ours
    return "approximate"


def _features(path: Path) -> dict[str, dict[str, Any]]:
    """The features of a combined file, by project id."""
    if path.suffix.casefold() == ".gpkg":
        try:
            import pyogrio
            from shapely.geometry import mapping

            frame = pyogrio.read_dataframe(path)
        except Exception as exc:  # GDAL's errors are many; each is one line here
            raise AtlasError(f"{path}: not a readable GeoPackage: {exc}") from None
        key = next((c for c in ("id", "AidData.Record.ID", "AidData Record ID")
                    if c in frame.columns), None)
        if key is None:
            raise AtlasError(f"{path}: no column 'id' (the AidData Record ID) in its table")
        out = {}
        for _i, row in frame.iterrows():
            props = {k: row[k] for k in frame.columns if k != "geometry"}
            out[str(row[key]).removesuffix(".0")] = {
                "geometry": mapping(row["geometry"]) if row["geometry"] is not None else None,
                "properties": props}
        return out
    collection = _json(path)
    out = {}
    for n, feature in enumerate(collection.get("features") or [], 1):
        props = feature.get("properties") or {}
        fid = props.get("id", feature.get("id"))
        if fid is None:
            raise AtlasError(f"{path}: feature {n} has no 'id' (the AidData Record ID)")
        out[str(fid).removesuffix(".0")] = feature
    return out


def _json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(read_regular(path, MAX_BYTES).decode("utf-8-sig"))
    except (OSError, UnreadableFile) as exc:
        raise AtlasError(f"{path}: cannot read it: {getattr(exc, 'strerror', None) or exc}"
                         ) from None
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise AtlasError(f"{path}: not GeoJSON: {str(exc)[:200]}") from None
    if not isinstance(data, dict) or data.get("type") not in ("FeatureCollection", "Feature"):
        raise AtlasError(f"{path}: not a GeoJSON FeatureCollection")
    return data if data["type"] == "FeatureCollection" else {"features": [data]}


def _point(feature: dict[str, Any]) -> tuple[float, float] | None:
    from shapely.geometry import shape

    try:
        geom = shape(feature["geometry"]) if feature.get("geometry") else None
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    if geom is None or geom.is_empty:
        return None
    point = geom.representative_point()
    return round(point.x, locations.DECIMALS), round(point.y, locations.DECIMALS)


def locate(path: Path, records: list[dict[str, str]], bounds: Boundaries) -> Counter[str]:
    """Give the records (projects.csv rows with id aiddata-<n>) the points of their shapes."""
    folder = path.is_dir()
    if not folder and not path.is_file():
        raise AtlasError(f"{path}: no such file or folder of shapes")
    features = {} if folder else _features(path)
    shapes = locations.Shapes(bounds.geometry_json)
    counts: Counter[str] = Counter()
    for rec in records:
        pid = rec["id"].split("-", 1)[1]
        if folder:
            one = path / f"{pid}.geojson"
            feature = (_json(one).get("features") or [None])[0] if one.is_file() else None
        else:
            feature = features.get(pid)
        if feature is None:
            counts["no shape"] += 1
            continue
        point = _point(feature)
        if point is None:
            counts["an empty or broken shape"] += 1
            continue
        off = shapes.distance(rec["country"], point)
        if off is not None and off > locations.NEAR_DEGREES:
            counts["a shape outside its country (kept at country level)"] += 1
            continue
        props = feature.get("properties") or {}
        rec["precision"] = precision(props.get("osm_precision_list")
                                     or props.get("Level.of.precision")
                                     or rec.get("_precision") or "")
        rec["lon"], rec["lat"] = (f"{point[0]:.5f}", f"{point[1]:.5f}")
        rec["place"] = ""
        counts[rec["precision"]] += 1
    return counts


def digest(path: Path) -> dict[str, Any]:
    """The shapes' hash: the file's, or the folder's files' names and contents."""
    h = hashlib.sha256()
    if path.is_dir():
        files = sorted(path.glob("*.geojson"))
        for f in files:
            h.update(f.name.encode() + b"\0" + hashlib.sha256(f.read_bytes()).digest())
        return {"files": len(files), "sha256": h.hexdigest()}
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return {"sha256": h.hexdigest()}
