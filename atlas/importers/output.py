"""Writing an import: its folder `seeds/imported/<name>/` replaced whole, all at once, so a
failed import leaves the previous one, and the same inputs give the same bytes."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

from atlas.errors import AtlasError
from atlas.evidence.model import CITATION_COLUMNS, SOURCE_COLUMNS
from atlas.evidence.schema import LayerSpec
from atlas.importers.vocabulary import RECORD_COLUMNS

#: GCDF 3.0's publication date (AidData's dataset page), the date its records' pages carry.
PUBLISHED = {"3.0": "2023-11-06"}


def _csv(columns: tuple[str, ...], rows: list[dict[str, str]]) -> bytes:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def _existing_sources(seeds: Path) -> set[str]:
    try:
        text = (seeds / "sources.csv").read_text(encoding="utf-8-sig")
    except OSError:
        return set()
    return {row.get("id", "") for row in csv.DictReader(io.StringIO(text))}


def write(seeds: Path, name: str, spec: LayerSpec, records: list[dict[str, str]],
          meta: dict[str, Any], version: str, page: str) -> Path:
    """Write the import's files; return its folder."""
    known = _existing_sources(seeds)
    sources, citations = [], []
    for rec in sorted(records, key=lambda r: int(r["id"].split("-", 1)[1])):
        pid = rec["id"].split("-", 1)[1]
        sid = f"{name}-{pid}"
        if sid not in known:  # a source the seeds describe already is reused by its id
            sources.append({"id": sid, "title": rec["name"] or f"Project {pid}",
                            "author": "AidData", "publisher": "AidData (William & Mary)",
                            "date": PUBLISHED.get(version, ""), "url": page.format(id=pid),
                            "kind": "database",
                            "note": f"GCDF {version} record {pid}, imported by `atlas import`"})
        status = rec["source_status"] or "no status"
        citations.append({"layer": spec.id, "country": rec["id"], "source": sid,
                          "locator": f"GCDF {version} record {pid}",
                          "evidence": f"AidData's GCDF {version} lists this project "
                                      f"({status.lower()}"
                                      + (f", committed {rec['year']}" if rec["year"] else "")
                                      + ").",
                          "stance": "supports"})
    records = sorted(records, key=lambda r: int(r["id"].split("-", 1)[1]))
    files = {spec.file: _csv(RECORD_COLUMNS, records),
             "sources.csv": _csv(SOURCE_COLUMNS, sources),
             "citations.csv": _csv(CITATION_COLUMNS, citations),
             "import.json": (json.dumps(meta, indent=1, ensure_ascii=False, sort_keys=True)
                             + "\n").encode()}
    root = seeds / "imported"
    target = root / name
    if not re.fullmatch(r"[a-z0-9_-]+", name):
        raise AtlasError(f"{name!r} is not an import's name")
    tmp, old = root / f".{name}.tmp-{os.getpid()}", root / f".{name}.old-{os.getpid()}"
    try:
        root.mkdir(exist_ok=True)
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        for fname, data in files.items():
            (tmp / fname).write_bytes(data)
        if target.exists():
            target.rename(old)
        tmp.rename(target)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if old.exists() and not target.exists():
            old.rename(target)
        raise AtlasError(f"cannot write {target}: {exc.strerror or exc}") from None
    shutil.rmtree(old, ignore_errors=True)
    return target
