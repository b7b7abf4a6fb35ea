"""The `atlas` command line, through click's CliRunner."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

from click.testing import CliRunner

from atlas.cli import cli


def test_build_prints_where_to_open(runner: CliRunner, seeds: Path, tmp_path: Path) -> None:
    out = tmp_path / "my-site"
    result = runner.invoke(cli, ["build", "--seeds", str(seeds), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"open {(out / 'index.html').absolute().as_uri()}" in result.output
    assert (out / "data" / "atlas.geojson").is_file()


def test_build_works_from_any_directory(runner: CliRunner, seeds: Path, tmp_path: Path,
                                        monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "seeds").exists() or seeds.rename(tmp_path / "seeds")
    result = runner.invoke(cli, ["build"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "build" / "site" / "index.html").is_file()


def test_bad_record_fails_with_location_and_keeps_old_site(runner: CliRunner, seeds: Path,
                                                           tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert runner.invoke(cli, ["build", "--seeds", str(seeds), "--out", str(out)]).exit_code == 0
    index = (out / "index.html").read_bytes()
    mou = seeds / "mou.csv"
    mou.write_text(mou.read_text().replace("Türkiye", "Turkiye Republic of Narnia"))
    result = runner.invoke(cli, ["build", "--seeds", str(seeds), "--out", str(out)])
    assert result.exit_code == 1
    assert f"{mou}:3: country: unknown country 'Turkiye Republic of Narnia'" in result.output
    assert "left unchanged" in result.output
    assert (out / "index.html").read_bytes() == index


def test_validate_ok_and_failing(runner: CliRunner, seeds: Path) -> None:
    ok = runner.invoke(cli, ["validate", "--seeds", str(seeds)])
    assert ok.exit_code == 0 and "OK" in ok.output
    with (seeds / "sources.csv").open("a", encoding="utf-8") as f:
        f.write("spare,A spare source,,,,https://example.org/,news,,\n")
    strict = runner.invoke(cli, ["validate", "--seeds", str(seeds), "--strict"])
    assert strict.exit_code == 1 and "is not cited" in strict.output  # a warning
    (seeds / "cloud.csv").write_text("country,year\nPAK,2020\n")
    bad = runner.invoke(cli, ["validate", "--seeds", str(seeds)])
    assert bad.exit_code == 1
    assert "presence: required column is missing" in bad.output


def test_missing_seeds_folder(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["validate", "--seeds", str(tmp_path / "nope")])
    assert result.exit_code == 1 and "seeds folder not found" in result.output


def test_report_counts_coverage_and_flags_a_broken_quote(runner: CliRunner, seeds: Path) -> None:
    result = runner.invoke(cli, ["report", "--seeds", str(seeds)])
    assert result.exit_code == 0, result.output
    assert "mou          2 countries (digital_economy_initiative: 2)" in result.output
    assert "thibaut2026       9 records,    9 citations" in result.output
    assert "Quotes not found at their locator: 0" in result.output
    cit = seeds / "citations.csv"
    cit.write_text(cit.read_text().replace("Cuba frequently support", "Cuba rarely support"))
    broken = runner.invoke(cli, ["report", "--seeds", str(seeds)])
    assert broken.exit_code == 1
    assert "Quotes not found at their locator: 1" in broken.output
    assert "citations.csv:9: quote: not found in doc.txt at L373" in broken.output


def atlas_command(*args: str) -> subprocess.CompletedProcess[str]:
    """The `atlas` command as users run it, in its own process."""
    return subprocess.run([sys.executable, "-m", "atlas", *args], capture_output=True, text=True,
                          timeout=120)


def test_the_installed_command_is_the_click_group() -> None:
    """`atlas` is the click group itself, and runs as such."""
    scripts = {e.name: e.value for e in entry_points(group="console_scripts")}
    assert scripts["atlas"] == "atlas.cli:cli"
    installed = Path(sys.executable).with_name("atlas")
    shown = subprocess.run([str(installed), "--help"], capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0 and shown.stdout.startswith("Usage: atlas [OPTIONS] COMMAND")


def test_the_command_exits_with_its_status_and_all_its_output(runner: CliRunner, seeds: Path,
                                                              tmp_path: Path) -> None:
    """The command prints all its output and exits with its status, as click in-process does."""
    out = tmp_path / "site"
    built = atlas_command("build", "--seeds", str(seeds), "--out", str(out))
    assert built.returncode == 0, built.stderr
    assert built.stdout.endswith(f"open {(out / 'index.html').as_uri()}\n")
    again = atlas_command("build", "--seeds", str(seeds), "--out", str(out))
    assert again.returncode == 0 and "is up to date" in again.stdout
    listed = atlas_command("validate", "--seeds", str(seeds))
    in_process = runner.invoke(cli, ["validate", "--seeds", str(seeds)])
    assert listed.returncode == 0 and ": OK (0 warning(s))" in listed.stdout
    assert (listed.stdout, listed.stderr) == (in_process.stdout, in_process.stderr)
    failed = atlas_command("build", "--seeds", str(tmp_path / "nope"), "--out", str(out))
    assert failed.returncode == 1 and "seeds folder not found" in failed.stderr
    usage = atlas_command("build", "--no-such-option")
    assert usage.returncode == 2 and "No such option" in usage.stderr
    assert atlas_command("build", "--help").returncode == 0
