"""The architecture holds: each part imports only the parts below it (docs/architecture.md),
modules stay small enough to read, and the build cache sees an edit in any sub-package."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO

PACKAGE = REPO / "atlas"
#: Each part and the parts it may import (besides itself and the package root's constants).
HELPERS = {"errors", "files", "clock", "output", "cache", "text"}
ENTRY = {"cli", "api", "serve", "geodata", "__main__"}
ALLOWED = {
    "helpers": {"helpers"},
    "world": {"helpers"},
    "evidence": {"helpers", "world"},
    "join": {"helpers", "world", "evidence"},
    "history": {"helpers", "world", "evidence"},
    "importers": {"helpers", "world", "evidence"},
    "exports": {"helpers", "world", "evidence", "join"},
    "site": {"helpers", "world", "evidence", "join", "history", "exports"},
    "build": {"helpers", "world", "evidence", "join", "history", "exports", "site"},
    "entry": {"helpers", "world", "evidence", "join", "history", "exports", "site", "build",
              "importers", "entry"},
}


def part(module: str) -> str:
    """The part a dotted module name (atlas.x.y) belongs to."""
    names = module.split(".")[1:]
    if not names or names == ["__init__"]:
        return "root"
    first = names[0]
    if first in HELPERS:
        return "helpers"
    if first in ENTRY:
        return "entry"
    return first  # build, join, evidence, world, history, exports, site


def module_name(path: Path) -> str:
    rel = path.relative_to(REPO).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path) -> list[tuple[int, str]]:
    """Every atlas module `path` imports (at the top or inside a function), with its line."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names if a.name.startswith("atlas")]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0 \
                and node.module.startswith("atlas"):
            if node.module == "atlas":  # from atlas import build, TITLE: modules or constants
                out += [(node.lineno, f"atlas.{a.name}") for a in node.names
                        if a.name[0].islower() and a.name != "package_dir"]
            else:
                out.append((node.lineno, node.module))
    return out


def test_every_part_imports_only_the_parts_below_it() -> None:
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        here = part(module_name(path))
        if here == "root":
            continue
        for line, target in imports(path):
            there = part(target)
            if there not in ("root", here) and there not in ALLOWED[here]:
                wrong.append(f"{path.relative_to(REPO)}:{line}: {here} imports {target} ({there})")
    assert wrong == []


def test_the_rules_catch_an_import_upwards() -> None:
    """The check can fail: evidence importing the site, or anything but an entry point
    importing build, is refused."""
    assert "site" not in ALLOWED[part("atlas.evidence.loader")]
    assert "build" not in ALLOWED[part("atlas.site.pages")]
    assert part("atlas.cli") == "entry" and "build" in ALLOWED["entry"]


def test_modules_stay_readable() -> None:
    """No Python module over about 450 lines, no script of the site over about 500."""
    long = [f"{p.relative_to(REPO)}: {n} lines" for p in sorted(PACKAGE.rglob("*.py"))
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 450]
    long += [f"{p.relative_to(REPO)}: {n} lines" for p in sorted(PACKAGE.rglob("*.js"))
             if (n := len(p.read_text(encoding="utf-8").splitlines())) > 500]
    assert long == []


def test_the_build_cache_sees_every_file_of_every_sub_package() -> None:
    from atlas import build

    hashed = set(build.code_files())
    every = {p for p in PACKAGE.rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    assert every <= hashed
    assert PACKAGE / "site" / "pages.py" in hashed  # a sub-package's module
    assert any(p.parent.name == "assets" for p in hashed)
