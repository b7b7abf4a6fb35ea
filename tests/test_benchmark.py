"""The benchmark runs (on the small fixture seeds); its figures are not asserted as timings."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import synthetic
from tests.conftest import CHROMIUM, FIXTURE_SEEDS, REPO


def test_benchmark_runs_on_a_small_input(tmp_path: Path) -> None:
    """`python benchmarks/bench.py` as its users run it (its own process, with its own browser)."""
    figures = tmp_path / "figures.json"
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / "bench.py"), "--seeds",
                           str(FIXTURE_SEEDS), "--repeat", "1", "--no-scale", "--json",
                           str(figures)], capture_output=True, text=True, timeout=600, cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert "page bytes (gzip)" in done.stdout and "ratio" in done.stdout
    result = json.loads(figures.read_text(encoding="utf-8"))
    for side in ("baseline", "atlas"):
        assert {"page_bytes", "page_bytes_gzip", "cold_build_s", "noop_rebuild_s",
                "edit_rebuild_s", "edit_class_rebuild_s"} <= set(result[side])
    assert result["atlas"]["page_bytes"] < result["baseline"]["page_bytes"]
    assert ("drawn_s" in result["atlas"]) == CHROMIUM.exists()
    if CHROMIUM.exists():
        assert result["atlas"]["painted_s"] >= result["atlas"]["drawn_s"]
    assert result["single_file_bytes"] > 0


def test_the_synthetic_dataset_validates_and_builds(tmp_path: Path) -> None:
    """The scale rows' dataset is a valid atlas dataset: every project lands, none is refused."""
    from atlas import build

    seeds = synthetic.make(FIXTURE_SEEDS, tmp_path / "seeds", 500)
    dataset, _bounds, checked = build.validate(seeds)
    assert not checked.errors
    assert len(dataset.records["projects"]) == 500
    build.run(seeds, tmp_path / "site", pictures=False)
    assert (tmp_path / "site" / "index.html").is_file()


def test_the_synthetic_dataset_from_the_real_seeds_validates(tmp_path: Path) -> None:
    """The benchmarks start from seeds/ itself, whose projects have earlier steps and more."""
    from atlas import build

    seeds = synthetic.make(REPO / "seeds", tmp_path / "seeds", 50)
    _dataset, _bounds, checked = build.validate(seeds)
    assert not checked.errors, checked.errors[:3]


@pytest.mark.browser
def test_the_points_benchmarks_folium_pages_draw_offline(browser, tmp_path: Path) -> None:
    """Both folium sides of benchmarks/points.py draw their clusters from file:// with nothing
    fetched (they once threw: no maxZoom without tiles, and AwesomeMarkers not loaded)."""
    from benchmarks import points

    data = synthetic.make(FIXTURE_SEEDS, tmp_path / "seeds", 50)
    errors: list[str] = []
    for kind in ("marker", "fast"):
        subprocess.run(points.folium_site(data, tmp_path / kind, kind), check=True, timeout=300)
        page = browser.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:")
                   else (errors.append(r.request.url), r.abort()))
        page.goto((tmp_path / kind / "index.html").as_uri())
        page.wait_for_selector(".marker-cluster", timeout=30_000)
        assert errors == [], kind
        page.close()
