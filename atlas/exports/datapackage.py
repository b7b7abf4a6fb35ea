"""`data/datapackage.json`: the downloads described as a Frictionless Data Package.

The files come from atlas.exports.catalog and the Table Schema from atlas.evidence.tableschema,
both derived from layers.toml, so the types and allowed class values a tool checks are the ones
`atlas validate` enforced. An empty cell is the no-data convention (`missingValues`).
Every resource carries its size and SHA-256, so a reader can tell a file was not altered.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from atlas.evidence.tableschema import NO_DATA
from atlas.exports.catalog import Download


def table_schema(cols: list[str], fields: dict[str, dict[str, Any]],
                 key: str = "iso3") -> dict[str, Any]:
    """The Table Schema of a CSV with these columns (in this order)."""
    return {"fields": [fields[c] for c in cols], "primaryKey": [key],
            "missingValues": [NO_DATA]}


def _integrity(data: bytes) -> dict[str, Any]:
    return {"bytes": len(data), "hash": f"sha256:{hashlib.sha256(data).hexdigest()}"}


def package(files: dict[str, bytes], downloads: list[Download],
            fields: dict[str, dict[str, Any]], meta: dict[str, Any],
            sources: list[dict[str, str]],
            record_fields: dict[str, dict[str, dict[str, Any]]] | None = None) -> bytes:
    """The descriptor for the `downloads` (atlas.exports.catalog) present in `files` ({name in
    data/: bytes}).

    `fields`: the table's columns as Table Schema fields (atlas.evidence.tableschema); `meta`:
    layers.toml's [atlas] table with data_version and release; `sources`: the bibliography as
    Data Package sources (title, path); `record_fields`: by located layer, the columns of its
    own table of records (tableschema.point_columns).
    """
    resources = []
    for d in downloads:
        if d.name not in files:
            continue
        if d.tabular:
            schema = (table_schema(list(d.columns), (record_fields or {})[d.layer], key="id")
                      if d.rows == "records" else table_schema(list(d.columns), fields))
            resource = {
                "name": d.name.rsplit(".", 1)[0], "path": d.name,
                "profile": "tabular-data-resource", "format": d.format,
                "mediatype": d.mediatype, "encoding": d.encoding, "description": d.description,
                **_integrity(files[d.name]), "schema": schema}
        else:
            resource = {"name": d.name.replace(".", "-"), "path": d.name,
                        "format": d.format, "mediatype": d.mediatype,
                        "description": d.description, **_integrity(files[d.name])}
        if d.licence:
            resource["licenses"] = [{"name": d.licence[0], "title": d.licence[1],
                                     "path": d.licence[2]}]
        resources.append(resource)
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
