"""The one orchestrator: records → validated table → joined countries → site files → `build/`.

A build is written into a temporary directory beside the target and swapped into place only when
complete, so a failed or interrupted build leaves the previous site untouched.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from atlas import __version__
from atlas.errors import AtlasError, Problem, ValidationFailed

MARKER = ".atlas-build"
TITLE = "DSR Atlas: China's Digital Silk Road"


@dataclass
class Checked:
    """The outcome of validation: the dataset (when usable) and every problem found."""

    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if not p.warning]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.warning]


def validate(seeds: Path, check_quotes: bool = True):  # -> tuple[Dataset, Boundaries, Checked]
    """Load everything and collect every problem; raise ValidationFailed only for a bad config."""
    from atlas import boundaries, config, records

    if not seeds.is_dir():
        raise AtlasError(f"{seeds}: seeds folder not found (use --seeds DIR)")
    layers = config.load(seeds)
    bounds = boundaries.load()
    dataset, problems = records.load(seeds, layers, bounds.keys, check_quotes)
    return dataset, bounds, Checked(problems)


def data_version(seeds: Path) -> str:
    """A short content hash of the records and configuration: changes when the data changes."""
    digest = hashlib.sha256()
    for path in sorted(seeds.glob("*")):
        if path.is_file() and path.suffix in (".csv", ".toml"):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def run(seeds: Path, out: Path, tiles: str | None = None, strict: bool = False) -> Checked:
    """Validate, then build the whole site into `out` atomically. Returns the warnings."""
    from atlas import export, join, site

    dataset, bounds, checked = validate(seeds)
    failing = checked.problems if strict else checked.errors
    if failing:
        raise ValidationFailed(checked.problems if strict else checked.errors)
    countries = join.join(bounds, dataset)
    meta = {"title": TITLE, "data_version": data_version(seeds), "atlas_version": __version__}
    files: dict[str, bytes] = site.files(bounds, dataset, countries, meta, tiles)
    for name, text in export.files(bounds, countries, dataset.layers).items():
        files[name] = text.encode("utf-8")
    files[MARKER] = f"dsr-atlas {__version__}\n".encode()
    write_atomically(out, files)
    return checked


def check_target(out: Path) -> None:
    """Refuse to replace a non-empty directory that is not a previous atlas build."""
    if out.exists() and not out.is_dir():
        raise AtlasError(f"{out}: exists and is not a directory")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise AtlasError(
            f"{out}: not empty and not a previous atlas build (no {MARKER}); refusing to replace "
            "it — choose an empty or new --out directory"
        )


def write_atomically(out: Path, files: dict[str, bytes]) -> None:
    """Write all files into a temp dir beside `out`, then swap it into place."""
    out = out.absolute()
    check_target(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        for name, data in sorted(files.items()):
            path = tmp / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        os.chmod(tmp, 0o755)
        old = out.parent / f".{out.name}.old-{os.getpid()}"
        if out.exists():
            out.rename(old)
        tmp.rename(out)
        if old.exists():
            shutil.rmtree(old)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
