"""The benchmark runs (on the small fixture seeds); its figures are not asserted as timings."""

from __future__ import annotations

from pathlib import Path

from benchmarks import bench, synthetic
from tests.conftest import CHROMIUM, FIXTURE_SEEDS


def test_benchmark_runs_on_a_small_input(tmp_path: Path) -> None:
    result = bench.run(FIXTURE_SEEDS, repeat=1, browser=CHROMIUM.exists(), work=tmp_path,
                       with_scale=False)
    for side in ("baseline", "atlas"):
        assert {"page_bytes", "page_bytes_gzip", "cold_build_s", "noop_rebuild_s",
                "edit_rebuild_s", "edit_class_rebuild_s"} <= set(result[side])
    assert result["atlas"]["page_bytes"] < result["baseline"]["page_bytes"]
    assert ("drawn_s" in result["atlas"]) == CHROMIUM.exists()
    if CHROMIUM.exists():
        assert result["atlas"]["painted_s"] >= result["atlas"]["drawn_s"]
    assert result["single_file_bytes"] > 0
    text = bench.report(result)
    assert "page bytes (gzip)" in text and "ratio" in text


def test_the_synthetic_dataset_validates_and_builds(tmp_path: Path) -> None:
    """The scale rows' dataset is a valid atlas dataset: every project lands, none is refused."""
    from atlas import build

    seeds = synthetic.make(FIXTURE_SEEDS, tmp_path / "seeds", 500)
    dataset, _bounds, checked = build.validate(seeds)
    assert not checked.errors
    assert len(dataset.records["projects"]) == 500
    build.run(seeds, tmp_path / "site", pictures=False)
    assert (tmp_path / "site" / "index.html").is_file()
