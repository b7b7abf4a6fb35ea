"""`data/datapackage.json`: the downloads described as a Frictionless Data Package.

The Table Schema is derived from layers.toml, so the types and allowed class values a tool checks
are the ones `atlas validate` enforced. An empty cell is the no-data convention (`missingValues`).
Every resource carries its size and SHA-256, so a reader can tell a file was not altered.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from atlas.evidence.schema import CONFIDENCE, CompositeSpec, FieldSpec, LayerSpec

NO_DATA = ""  # how the CSVs write "no data" (no record): an empty cell
_KEY = {"name": "iso3", "type": "string", "title": "Country key",
        "description": "ISO 3166-1 alpha-3 (Kosovo XKX; polygons without an ISO code keep "
                       "Natural Earth's ADM0_A3)",
        "constraints": {"required": True, "unique": True, "pattern": "[A-Z]{3}"}}
_LIST = "a list, '; '-separated"


def _field(name: str, ftype: str, description: str, **constraints: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name, "type": ftype, "description": description}
    kept = {k: v for k, v in constraints.items() if v is not None}
    if kept:
        out["constraints"] = kept
    return out


def _layer_field(spec: LayerSpec, f: FieldSpec) -> dict[str, Any]:
    name = f"{spec.id}_{f.name}"
    if f.type in ("class", "enum"):
        return _field(name, "string", f.help, enum=list(f.values))
    if f.type in ("int", "number"):
        return _field(name, "integer" if f.type == "int" else "number", f.help,
                      minimum=f.min, maximum=f.max)
    return _field(name, "string", f"{f.help} ({_LIST})" if f.type == "list" else f.help)


def table_fields(layers: tuple[LayerSpec, ...],
                 composites: tuple[CompositeSpec, ...] = ()) -> dict[str, dict[str, Any]]:
    """Every column of the downloads' table (atlas.export.columns) as a Table Schema field."""
    out = {"iso3": _KEY,
           "name": _field("name", "string", "English name (Natural Earth)", required=True),
           "name_zh": _field("name_zh", "string", "Chinese name (Natural Earth, corrected)")}
    for spec in layers:
        lid = spec.id
        fields = [_field(lid, "string", f"{spec.title}: the value the map shows; empty = no data",
                         enum=list(spec.class_values)),
                  _field(f"{lid}_year", "integer", "the year the fact refers to")]
        if spec.many:
            fields += [_field(f"{lid}_count", "integer", "how many rows the sources name",
                              minimum=1),
                       _field(f"{lid}_items", "string", f"the rows' ids ({_LIST})")]
        else:
            fields.append(_field(f"{lid}_confidence", "string", "computed from the sources' kinds",
                                 enum=list(CONFIDENCE)))
        fields.append(_field(f"{lid}_sources", "string",
                             f"'<source id> <locator>' ({_LIST}); see the package's sources"))
        fields += [_layer_field(spec, f) for f in spec.fields if f.name != spec.value]
        out.update({f["name"]: f for f in fields})
    for comp in composites:
        for f in (_field(comp.id, "string", f"{comp.title}: the class of the score",
                         enum=[c.value for c in comp.classes]),
                  _field(f"{comp.id}_score", "number", "0–1; empty = too few layers with data",
                         minimum=0, maximum=1),
                  _field(f"{comp.id}_missing", "string", f"layers left out ({_LIST})")):
            out[f["name"]] = f
    return out


def table_schema(cols: list[str], fields: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The Table Schema of a CSV with these columns (in this order)."""
    return {"fields": [fields[c] for c in cols], "primaryKey": ["iso3"],
            "missingValues": [NO_DATA]}


def _integrity(data: bytes) -> dict[str, Any]:
    return {"bytes": len(data), "hash": f"sha256:{hashlib.sha256(data).hexdigest()}"}


#: Non-tabular downloads: file name → (format, media type, description).
OTHER_FILES = {
    "atlas.geojson": ("geojson", "application/geo+json",
                      "Every country (RFC 7946, WGS 84) with every layer's columns, as atlas.csv"),
    "atlas.gpkg": ("gpkg", "application/geopackage+sqlite3",
                   "GeoPackage for QGIS, R and GDAL: one table `atlas`, MultiPolygon, EPSG:4326, "
                   "the columns of atlas.csv"),
    "changes.json": ("json", "application/json",
                     "What changed in each release and since the last one (old → new, with "
                     "sources)"),
}


def package(files: dict[str, bytes], tables: dict[str, list[str]],
            fields: dict[str, dict[str, Any]], meta: dict[str, Any],
            sources: list[dict[str, str]]) -> bytes:
    """The descriptor for the downloads in `files` ({name in data/: bytes}).

    `tables`: each CSV's columns; `meta`: layers.toml's [atlas] table with data_version and
    release; `sources`: the bibliography as Data Package sources (title, path).
    """
    resources = []
    for name, cols in tables.items():
        stem = name.rsplit(".", 1)[0]
        excel = stem.endswith("-excel")
        resources.append({
            "name": stem, "path": name, "profile": "tabular-data-resource", "format": "csv",
            "mediatype": "text/csv", "encoding": "utf-8-sig" if excel else "utf-8",
            "description": (
                "atlas.csv with a byte-order mark, for spreadsheets that assume a local "
                "encoding otherwise" if excel else
                "Every country with every layer's value" if stem == "atlas" else
                f"Every country with the {stem} layer's columns; join to atlas.gpkg or "
                "atlas.geojson by iso3 for the shapes"),
            **_integrity(files[name]), "schema": table_schema(cols, fields)})
    for name, (fmt, mediatype, description) in OTHER_FILES.items():
        if name in files:
            resources.append({"name": name.replace(".", "-"), "path": name, "format": fmt,
                              "mediatype": mediatype, "description": description,
                              **_integrity(files[name])})
    licence_id = meta.get("licence_id", "")
    licence = ({"name": licence_id, "path": f"https://spdx.org/licenses/{licence_id}.html",
                "title": meta.get("licence", licence_id)} if licence_id
               else {"name": "other", "title": meta.get("licence", "see the about page")})
    descriptor = {
        "profile": "data-package",
        "name": "dsr-atlas",
        "title": meta.get("title", "DSR Atlas"),
        "description": "Cited country records on China's Digital Silk Road, by layer, joined to "
                       "Natural Earth boundaries. No data (no record) is an empty cell; the "
                       "class `none` means a source says there is none.",
        "version": meta.get("data_version", ""),
        "created": f"{meta['data_date']}T00:00:00Z" if meta.get("data_date") else None,
        "release": meta.get("release") or None,
        "licenses": [licence],
        "contributors": [{"title": meta.get("publisher", "DSR Atlas contributors"),
                          "role": "publisher"}],
        "sources": sources,
        "resources": resources,
    }
    descriptor = {k: v for k, v in descriptor.items() if v is not None}
    return (json.dumps(descriptor, ensure_ascii=False, indent=1, sort_keys=False) + "\n").encode()


def sources(dataset_sources: dict[str, Any]) -> list[dict[str, str]]:
    """The bibliography as Data Package sources, with Natural Earth for the boundaries."""
    out = [{"title": "Natural Earth 1:10m Admin 0 – Countries, 5.1.1 (German point of view); "
                     "public domain", "path": "https://www.naturalearthdata.com/"}]
    for s in sorted(dataset_sources.values(), key=lambda s: s.id):
        entry = {"title": f"[{s.id}] {s.title}", "path": s.url}
        out.append({k: v for k, v in entry.items() if v})
    return out
