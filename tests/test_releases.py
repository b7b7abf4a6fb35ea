"""Releases: `atlas release` snapshots, `atlas diff`, and the site's changes page."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from atlas import build
from atlas.cli import cli
from tests.conftest import REPO, edit_record


def release(runner: CliRunner, seeds: Path, *args: str):
    return runner.invoke(cli, ["release", "--seeds", str(seeds), *args])


def test_release_writes_a_snapshot_once(runner: CliRunner, seeds: Path) -> None:
    result = release(runner, seeds)
    assert result.exit_code == 0, result.output
    path = seeds / "releases" / "2026.11.json"  # version and date from layers.toml's data_date
    snap = json.loads(path.read_text(encoding="utf-8"))
    assert (snap["version"], snap["date"]) == ("2026.11", "2026-11-23")
    by_key = {(r["layer"], r["key"]): r["values"] for r in snap["records"]}
    assert by_key[("cloud", "BRA")]["presence"] == "market_share"
    assert by_key[("cloud", "BRA")]["share_pct"] == 25
    assert by_key[("mou", "TUR")]["sources"] == ["thibaut2026 L150"]
    assert snap["sources"]["thibaut2026"]["url"].startswith("https://")
    again = release(runner, seeds, "--version", "2026.12")
    assert again.exit_code == 1
    assert "nothing changed since release 2026.11; no release written" in again.output
    same = release(runner, seeds)
    assert same.exit_code == 1 and "exists: a release is never rewritten" in same.output
    bad = release(runner, seeds, "--version", "2026/12", "--date", "2026-13-01")
    assert bad.exit_code == 1 and "use letters, digits" in bad.output
    bad = release(runner, seeds, "--version", "2026.13", "--date", "2026-13-01")
    assert bad.exit_code == 1 and "expected YYYY-MM-DD" in bad.output
    assert json.loads(path.read_text(encoding="utf-8")) == snap


def test_release_refuses_invalid_records(runner: CliRunner, seeds: Path) -> None:
    edit_record(seeds / "cloud.csv", "BRA,", ",25,", ",250,")
    result = release(runner, seeds)
    assert result.exit_code == 1
    assert "no release written" in result.output and "share_pct" in result.output
    assert not (seeds / "releases").exists()


def test_diff_prints_old_and_new_values_with_sources(runner: CliRunner, seeds: Path,
                                                     tmp_path: Path) -> None:
    old = shutil.copytree(seeds, tmp_path / "old")
    assert release(runner, seeds).exit_code == 0
    edit_record(seeds / "cloud.csv", "BRA,", ",market_share,", ",planned,")
    result = runner.invoke(cli, ["diff", "--seeds", str(seeds)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"2026.11 → {seeds}: 0 added, 0 removed, 1 changed"
    assert lines[1:] == ["~ cloud BRA: presence: market_share → planned [sources: "
                         "thibaut2026 L336]"]
    folders = runner.invoke(cli, ["diff", str(old), str(seeds)])
    assert folders.output.splitlines()[1:] == lines[1:]
    unknown = runner.invoke(cli, ["diff", "2025.01", "--seeds", str(seeds)])
    assert unknown.exit_code == 1 and "releases: 2026.11" in unknown.output


def test_changes_page_lists_each_release_and_the_unreleased_changes(
        runner: CliRunner, seeds: Path, tmp_path: Path) -> None:
    assert release(runner, seeds).exit_code == 0
    edit_record(seeds / "mou.csv", "Laos,", ",digital_economy_initiative,", ",dsr_mou,")
    build.run(seeds, tmp_path / "a")
    build.run(seeds, tmp_path / "b")
    changes = json.loads((tmp_path / "a" / "data" / "changes.json").read_text(encoding="utf-8"))
    first = changes["releases"][0]
    assert first["version"] == "2026.11" and first["previous"] is None
    assert first["counts"] == {"added": 9, "removed": 0, "changed": 0}  # every fixture record
    un = changes["unreleased"]
    assert un["since"] == "2026.11" and un["counts"] == {"added": 0, "removed": 0, "changed": 1}
    change = un["changed"][0]
    assert (change["layer"], change["key"], change["name"]) == ("mou", "LAO", "Laos")
    assert change["changes"] == {"instrument": ["digital_economy_initiative", "dsr_mou"]}
    assert change["sources"] == ["thibaut2026 L150"]
    assert changes["sources"]["thibaut2026"]["url"].startswith("https://")
    page = (tmp_path / "a" / "changes.html").read_text(encoding="utf-8")
    assert "Unreleased changes since release 2026.11" in page
    assert "<del>digital_economy_initiative</del> → <ins>dsr_mou</ins>" in page
    assert "Release 2026.11, 2026-11-23" in page
    assert f'href="{changes["sources"]["thibaut2026"]["url"]}"' in page
    for name in ("changes.html", "data/changes.json"):  # same inputs, same page
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    package = json.loads((tmp_path / "a" / "data" / "datapackage.json").read_text())
    assert "release" not in package  # the data is not the release's any more


def test_a_damaged_release_stops_the_build_and_names_the_file(
        runner: CliRunner, seeds: Path, tmp_path: Path) -> None:
    assert release(runner, seeds).exit_code == 0
    path = seeds / "releases" / "2026.11.json"
    path.write_text(path.read_text(encoding="utf-8")[:200], encoding="utf-8")
    result = runner.invoke(cli, ["build", "--seeds", str(seeds), "--out", str(tmp_path / "s")])
    assert result.exit_code == 1
    assert f"{path}: line 6: not valid JSON (Expecting value)" in result.output
    assert "not a release as `atlas release` writes it" in result.output
    assert "Traceback" not in result.output


def test_the_committed_first_release_reads_back() -> None:
    from atlas.history import releases

    (first, *_) = releases.load_all(REPO / "seeds")
    assert (first.version, first.date) == ("2026.11", "2026-11-29")
    assert len(first.records) >= 215 and set(first.sources) >= {"thibaut2026", "paudel2025"}


def test_a_new_release_rebuilds_the_changes_page(runner: CliRunner, seeds: Path,
                                                 tmp_path: Path) -> None:
    """A release changes no record, yet the next build is not skipped as up to date."""
    out = tmp_path / "site"
    build.run(seeds, out)
    assert "(no release yet)" in (out / "changes.html").read_text(encoding="utf-8")
    assert release(runner, seeds).exit_code == 0
    assert not build.run(seeds, out).up_to_date
    page = (out / "changes.html").read_text(encoding="utf-8")
    assert "Unreleased changes since release 2026.11" in page
    package = json.loads((out / "data" / "datapackage.json").read_text(encoding="utf-8"))
    assert package["release"] == "2026.11"


def test_citation_cff_the_latest_release_and_the_about_page_agree(tmp_path: Path) -> None:
    """CITATION.cff names the latest release; a build of that release's records cites it on
    the about page with the same title, authors, version and date."""
    import yaml

    from atlas.evidence import codebook
    from atlas.history import releases

    cff = yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))
    latest = releases.load_all(REPO / "seeds")[-1]
    meta = codebook.load_all(REPO / "seeds").meta
    assert (cff["version"], str(cff["date-released"])) == (latest.version, latest.date)
    assert cff["title"] == meta["title"] and cff["license"] == meta["licence_id"]
    assert [a["name"] for a in cff["authors"]] == [meta["publisher"]]
    build.run(REPO / "seeds", tmp_path / "site", pictures=False)
    about = (tmp_path / "site" / "about.html").read_text(encoding="utf-8")
    cite = about.split('<span id="cite">', 1)[1].split("</span> Each", 1)[0]
    assert cff["title"].replace("'", "&#x27;") in cite and meta["publisher"] in cite
    assert f'release <span id="release">{latest.version}</span>' in cite
    assert f"({latest.date})" in cite


def test_the_about_page_says_when_records_changed_since_the_release(seeds: Path,
                                                                     tmp_path: Path) -> None:
    runner = CliRunner()
    assert release(runner, seeds).exit_code == 0
    build.run(seeds, tmp_path / "a", pictures=False)
    assert 'id="release"' in (tmp_path / "a" / "about.html").read_text(encoding="utf-8")
    edit_record(seeds / "mou.csv", "Laos,", ",2017,", ",2018,")
    build.run(seeds, tmp_path / "b", pictures=False)
    about = (tmp_path / "b" / "about.html").read_text(encoding="utf-8")
    assert 'id="release"' not in about and "changes made since the last release" in about
