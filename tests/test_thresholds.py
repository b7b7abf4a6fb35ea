"""Written thresholds and the single-source cap: every two neighbouring classes of a layer have
the written rule that separates them (layers.toml, `thresholds`), refused when one is missing or
names a class the layer does not have; the about page shows them; a record resting on a single
secondary source is held at the cap."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from atlas import evidence
from atlas.cli import cli
from atlas.evidence import codebook

SEEDS = Path(__file__).parent.parent / "seeds"
PAIR = '{ between = ["deployed_verified", "deployed_reported"], rule = "'


def validate(seeds: Path) -> str:
    result = CliRunner().invoke(cli, ["validate", "--seeds", str(seeds)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    return result.output


def rewrite(seeds: Path, old: str, new: str) -> None:
    path = seeds / "layers.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_every_layer_of_the_atlas_writes_every_neighbouring_pair() -> None:
    for spec in codebook.load_all(SEEDS).layers:
        order = [c.value for c in spec.classes]
        written = {t.between for t in spec.thresholds if not t.field}
        if not spec.many:
            assert written == set(zip(order, order[1:], strict=False)), spec.id
    projects = next(s for s in codebook.load_all(SEEDS).layers if s.id == "projects")
    statuses = [c.value for c in projects.field("status").classes]
    assert {t.between for t in projects.thresholds if t.field == "status"} == \
        set(zip(statuses, statuses[1:], strict=False))


def test_a_missing_threshold_is_refused_at_its_layer(seeds: Path) -> None:
    text = (seeds / "layers.toml").read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if PAIR in x)
    rewrite(seeds, line + "\n", "")
    out = validate(seeds)
    assert ("layer.safe_city.thresholds: no threshold between 'deployed_verified'/"
            "'deployed_reported'") in out
    assert 'add { between = ["deployed_verified", "deployed_reported"]' in out


@pytest.mark.parametrize("between,said", [
    ('["deployed_verified", "deployed_reportd"]', "unknown class 'deployed_reportd'"),
    ('["deployed_verified", "announced"]', "'deployed_verified' and 'announced' are not "
     "neighbours"),
    ('"deployed_verified"', "between must be two class values"),
])
def test_a_threshold_naming_a_wrong_class_is_refused(seeds: Path, between: str,
                                                     said: str) -> None:
    rewrite(seeds, PAIR, '{ between = ' + between + ', rule = "')
    out = validate(seeds)
    assert said in out and "layer.safe_city.thresholds" in out
    if "unknown" in said:
        assert "did you mean 'deployed_reported'?" in out


def test_a_pair_written_twice_is_refused(seeds: Path) -> None:
    rewrite(seeds, PAIR, '{ between = ["deployed_reported", "deployed_verified"], rule = "x" },\n'
            + PAIR)
    assert "two thresholds between 'deployed_verified' and 'deployed_reported'" in \
        validate(seeds)


def test_the_about_page_shows_every_threshold(built_site: Path) -> None:
    about = (built_site / "about.html").read_text(encoding="utf-8")
    assert 'id="rule-threshold-safe_city-deployed_verified-deployed_reported"' in about
    assert "An official statement relayed by news counts as verified" in about
    assert 'id="rule-threshold-projects-status-under_construction-operating"' in about
    assert "at most medium" in about  # the cap, in words


NEW = ("report1,Cloud report,A. Author,Some Institute,2024,https://example.org/r,{kind},,",
       "report2,Cloud brief,B. Author,Other Institute,2024,https://example.org/b,{kind},,")


def add(seeds: Path, kind: str, rows: list[str]) -> None:
    with (seeds / "sources.csv").open("a", encoding="utf-8") as f:
        f.write("".join(s.format(kind=kind) + "\n" for s in NEW))
    with (seeds / "citations.csv").open("a", encoding="utf-8") as f:
        f.write("".join(r + "\n" for r in rows))
    text = (seeds / "cloud.csv").read_text(encoding="utf-8")
    (seeds / "cloud.csv").write_text(text + "Japan,2024,,,,,services,,,\n", encoding="utf-8")


@pytest.mark.parametrize("kind,rows,level,capped", [
    ("think_tank", ["cloud,JPN,report1,p. 3,Japan"], "medium", True),
    # more passages (an endnote, a second mention) of the one source: still one source
    ("think_tank", ["cloud,JPN,report1,p. 3,Japan", "cloud,JPN,report1,p. 9,Tokyo"], "medium",
     True),
    # a second, independent publisher lifts the cap (and raises the level a step)
    ("think_tank", ["cloud,JPN,report1,p. 3,Japan", "cloud,JPN,report2,p. 1,Tokyo"], "high",
     False),
    ("government", ["cloud,JPN,report1,p. 3,Japan"], "high", False),
    ("news", ["cloud,JPN,report1,p. 3,Japan"], "medium", False),
])
def test_a_single_secondary_source_is_capped(seeds: Path, kind: str, rows: list[str],
                                                       level: str, capped: bool) -> None:
    add(seeds, kind, rows)
    dataset, problems = evidence.load(seeds)
    assert not problems.errors, problems.errors
    rec = dataset.records["cloud"]["JPN"]
    assert rec.confidence == level
    assert ("capped at medium" in rec.confidence_reason) is capped
