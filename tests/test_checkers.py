"""Every page the atlas writes passes html-validate (the checker `.ci/run` installs from npm):
no error of ours, on the map page, the about and changes pages, and every country page."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO


def html_validate() -> str:
    local = REPO / ".ci" / "node" / "node_modules" / ".bin" / "html-validate"
    found = str(local) if local.exists() else shutil.which("html-validate")
    if not found:
        pytest.skip("html-validate is not installed (.ci/run installs it with npm)")
    return found


def test_every_generated_page_passes_html_validate(tmp_path: Path) -> None:
    from atlas import build

    out = tmp_path / "site"
    build.run(REPO / "seeds", out, pictures=False)
    pages = [out / "index.html", out / "about.html", out / "changes.html",
             *sorted((out / "country").glob("*.html"))]
    done = subprocess.run([html_validate(), "--formatter", "text", *map(str, pages)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-1000:]


def test_the_checker_fails_a_page_with_an_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html>\n<html lang="en"><head><title>x</title></head><body>'
                   '<p id="a.b">x</p></body></html>\n', encoding="utf-8")
    done = subprocess.run([html_validate(), str(bad)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode != 0 and "valid-id" in done.stdout
