"""Load the committed country boundaries (`geodata/countries.geojson`) shipped with atlas."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from atlas.errors import AtlasError

FILE_NAME = "countries.geojson"


def default_path() -> Path:
    """The installed copy (wheel) or, in a source checkout, the repository's `geodata/`."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_geodata" / FILE_NAME, here.parent / "geodata" / FILE_NAME):
        if candidate.is_file():
            return candidate
    raise AtlasError(f"boundaries not found: {FILE_NAME}; run `atlas geodata` to derive them")


@dataclass(frozen=True)
class Boundaries:
    """Country features keyed by `iso3`, plus the raw text (hashed for incremental builds)."""

    path: Path
    features: tuple[dict[str, Any], ...]

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(f["properties"]["iso3"] for f in self.features)

    def props(self, key: str) -> dict[str, Any]:
        return next(f["properties"] for f in self.features if f["properties"]["iso3"] == key)


def load(path: Path | None = None) -> Boundaries:
    """Read and sanity-check the boundaries file."""
    path = path or default_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise AtlasError(f"{path}: cannot read boundaries: {exc}") from exc
    features = tuple(data.get("features", ()))
    keys = [f["properties"]["iso3"] for f in features]
    if not features or len(set(keys)) != len(keys):
        raise AtlasError(f"{path}: boundaries must have features with unique iso3 keys")
    return Boundaries(path, features)
