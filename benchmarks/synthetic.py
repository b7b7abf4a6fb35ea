"""A synthetic dataset of AidData's size, for the benchmark's scale rows.

`make(seeds, out, projects)` copies a seeds folder and replaces its many-rows layer (projects)
with `projects` rows spread over every country, each with two citations of a synthetic source
(a URL, no local copy). The values are made up and say nothing about the world: the folder is
for timing only, and every source's note says so.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from atlas.evidence import codebook, locations, schema
from atlas.world import boundaries


def _value(field: schema.FieldSpec, spec: schema.LayerSpec, n: int) -> str:
    if field.vocabulary:  # a name the vocabulary knows (companies.csv is copied with the seeds)
        return ""
    choices = spec.class_values if field.type == "class" else field.values
    if choices:
        return choices[n % len(choices)]
    if field.type in ("int", "number"):
        return str(int(field.min or 0) + n % 10)
    if field.type == "date":
        return f"{2014 + n % 12}-{1 + n % 12:02d}-01"
    return f"synthetic {field.name} {n}"


def make(seeds: Path, out: Path, projects: int) -> Path:
    """Write the synthetic seeds folder at `out` (replaced if present) and return it."""
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(seeds, out)
    spec = next(s for s in codebook.load_all(out).layers if s.many)
    bounds = boundaries.load()
    keys = sorted(bounds.keys)
    shapes = locations.Shapes(bounds.geometry_json)
    inside = {k: shapes.representative(k) for k in keys} if spec.located else {}
    with (out / "sources.csv").open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        source_columns = reader.fieldnames or []
        sources = list(reader)
    for i in range(2):
        row = dict.fromkeys(source_columns, "")
        row.update(id=f"synthetic{i}", title=f"Synthetic source {i}", date="2026",
                   url=f"https://example.org/synthetic/{i}",
                   note="made up by benchmarks/synthetic.py, for timing only")
        if "kind" in row:
            row["kind"] = "database"
        if "publisher" in row:
            row["publisher"] = "DSR Atlas benchmark"
        sources.append(row)
    with (out / "sources.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, source_columns)
        writer.writeheader()
        writer.writerows(sources)
    with (out / "citations.csv").open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        citation_columns = reader.fieldnames or []
        citations = [r for r in reader if r["layer"] != spec.id]
    rows = []
    for n in range(projects):
        row = {c: "" for c in spec.columns}
        row.update(id=f"synthetic-{n:06d}", country=keys[n % len(keys)],
                   year=str(2013 + n % 12))
        for field in spec.fields:
            row[field.name] = _value(field, spec, n)
        if spec.located and inside.get(row["country"]):  # near a point inside the country
            lon, lat = inside[row["country"]]
            row.update(precision=("exact", "approximate")[n % 2],
                       lon=f"{lon + ((n * 37) % 41 - 20) / 100:.5f}",
                       lat=f"{lat + ((n * 53) % 41 - 20) / 100:.5f}")
        elif spec.located:
            row["precision"] = "country"
        if "confidence" in row and "confidence_reason" in row and not _computed(citation_columns):
            row.update(confidence="low", confidence_reason="synthetic")
        rows.append(row)
        for i in range(2):
            cite = dict.fromkeys(citation_columns, "")
            cite.update(layer=spec.id, country=row["id"], source=f"synthetic{i}",
                        locator=f"row {n}")
            if "evidence" in cite:
                cite["evidence"] = f"Synthetic evidence {n}/{i}, for timing only."
            else:
                cite["quote"] = f"synthetic quote {n}/{i}"
            citations.append(cite)
    with (out / spec.file).open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, spec.columns)
        writer.writeheader()
        writer.writerows(rows)
    with (out / "citations.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, citation_columns)
        writer.writeheader()
        writer.writerows(citations)
    steps = out / "steps.csv"
    if steps.exists():  # the real projects' earlier steps go with the real projects
        with steps.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            step_columns = reader.fieldnames or []
            kept = [r for r in reader if r["layer"] != spec.id]
        with steps.open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, step_columns)
            writer.writeheader()
            writer.writerows(kept)
    return out


def _computed(citation_columns: list[str]) -> bool:
    """Whether this schema computes confidence from the sources (citations carry evidence)."""
    return "evidence" in citation_columns
