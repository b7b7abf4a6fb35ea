"""The Python API for notebooks: the validated records and the joined countries as frames.

    import atlas
    data = atlas.load("seeds")                  # validated records (raises on any error)
    atlas.layer_frame(data, "mou")              # one row per record: values, year, sources
    world = atlas.countries_frame(data)         # every country, every layer, with its shape
    world.plot(column="mou", legend=True)

The frames hold what the downloads hold: `countries_frame` is `data/atlas.csv` with the shapes
(`data/atlas.gpkg`), typed; no data is a missing value (<NA>), never zero or "none".
pandas and geopandas are imported inside the functions, so `import atlas` stays light.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from atlas.errors import AtlasError
from atlas.evidence.model import Dataset

_DTYPES = {"int": "Int64", "number": "Float64", "list": "object"}


def load(seeds: str | Path = "seeds", documents: str | Path | None = None,
         check_quotes: bool = True) -> Dataset:
    """Read and validate the records in `seeds` (layers.toml, the layer CSVs, sources and
    citations), as `atlas validate` does.

    Raises `atlas.errors.ValidationFailed` listing every error (its `.problems` are
    `Problem(path, line, field, message, hint)`); warnings do not stop it. `documents`: the
    folder of the sources' local text copies, to check quotes against.
    """
    from atlas import evidence

    return evidence.load_valid(Path(seeds), Path(documents) if documents else None,
                               check_quotes)


def _spec(dataset: Dataset, layer: str):  # -> LayerSpec
    for spec in dataset.layers:
        if spec.id == layer:
            return spec
    known = ", ".join(s.id for s in dataset.layers)
    raise AtlasError(f"unknown layer {layer!r} (layers: {known})")


def layer_frame(dataset: Dataset, layer: str):  # -> pandas.DataFrame
    """One layer's records, one row each (for `projects`, one per project), sorted by key.

    Columns: `iso3` and `country` (its English name; for `projects` first the row's `id`), the
    layer's fields (the value the map shows first), `year`, `confidence`, `confidence_reason`,
    `derived` (the derivation's generated part: rule, year's citation, confidence),
    `derivation` (the hand-written judgement), `note` and `sources` (a list of
    "<source id> <locator>"; `dataset.sources[id]` has the bibliography). List fields are
    Python lists; numbers are nullable (Int64, Float64).
    """
    import pandas as pd

    from atlas.world import boundaries

    spec = _spec(dataset, layer)
    names = {p["iso3"]: p["name"] for p in boundaries.load().properties}
    fields = sorted(spec.fields, key=lambda f: f.name != spec.value)
    rows = []
    for rec in sorted(dataset.records[spec.id].values(), key=lambda r: (r.key, r.id)):
        row: dict[str, Any] = {"id": rec.id} if spec.many else {}
        row.update({"iso3": rec.key, "country": names.get(rec.key, rec.written)})
        row.update({f.name: rec.values.get(f.name) for f in fields})
        row.update({"year": rec.year, "confidence": rec.confidence,
                    "confidence_reason": rec.confidence_reason, "derived": rec.derived,
                    "derivation": rec.derivation,
                    "note": rec.note,
                    "sources": [f"{c.source} {c.locator}" for c in rec.citations]})
        rows.append(row)
    columns = (["id"] if spec.many else []) + ["iso3", "country", *(f.name for f in fields),
                                                "year", "confidence", "confidence_reason",
                                                "derived", "derivation", "note", "sources"]
    frame = pd.DataFrame(rows, columns=columns)
    types = {f.name: _DTYPES.get(f.type, "string") for f in fields}
    types.update({c: "string" for c in columns if c not in types and c != "sources"},
                 year="Int64")
    return frame.astype(types)


def countries_frame(dataset: Dataset):  # -> geopandas.GeoDataFrame
    """Every country of the boundaries (250) with every layer's columns, as `data/atlas.csv`
    has them (lists '; '-joined), typed, with its shape (MultiPolygon, EPSG:4326).

    A country with no record in a layer has <NA> there (no data); `none` is a class value.
    """
    from atlas import join
    from atlas.evidence import tableschema
    from atlas.exports import gis, tables
    from atlas.world import boundaries

    bounds = boundaries.load()
    countries = join.join(bounds, dataset)
    table = tables.rows(countries, dataset.layers, dataset.composites)
    fields = tableschema.fields(dataset.layers, dataset.composites)
    return gis.frame(table, tables.columns(dataset.layers, dataset.composites), fields,
                     bounds.geometry_json)


def projects_frame(dataset: Dataset, layer: str = "projects"):  # -> geopandas.GeoDataFrame
    """Every record of a located layer (the projects) as a point, with the columns of
    `data/projects.csv` (place and precision, kind, status, years, companies, amount, origin,
    sources), typed, in EPSG:4326. A point AidData's shapes gave is included here (the frame
    is for your own analysis; publish it under ODbL, as the site's download does)."""
    import geopandas as gpd
    import pandas as pd
    from shapely.geometry import Point

    from atlas import join
    from atlas.evidence import tableschema
    from atlas.evidence.steps import step_field
    from atlas.exports import points
    from atlas.world import boundaries

    spec = _spec(dataset, layer)
    if not spec.located:
        raise AtlasError(f"layer {layer!r} has no places (located = true in layers.toml)")
    countries = join.join(boundaries.load(), dataset)
    located = [p for p in join.points(dataset, countries) if p.layer == spec.id]
    cols = tableschema.point_columns(spec)
    rows = [points.row(p, dataset.sources, field=step_field(spec)) for p in located]
    types = {"integer": "Int64", "number": "Float64", "string": "string"}
    data = {c.name: pd.array([r.get(c.name) for r in rows], dtype=types.get(c.type, "object"))
            if c.type != "string" or not any(isinstance(r.get(c.name), list) for r in rows)
            else [r.get(c.name) for r in rows] for c in cols}
    return gpd.GeoDataFrame(pd.DataFrame(data), geometry=[Point(p.lon, p.lat) for p in located],
                            crs="EPSG:4326")
