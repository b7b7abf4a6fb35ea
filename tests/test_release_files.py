"""Release files (seeds/releases/*.json) are read as safely as seed files and checked against
their schema; versions are ordered by their numbers; a release is written whole or not at all.

One test per case of the third reliability round (issue 26). A command that could hang runs in
a subprocess with a timeout, so a regression fails the test instead of stopping the suite.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from atlas import build, serve
from atlas.cli import cli
from atlas.history import releases
from tests.conftest import REPO, edit_record


def release(seeds: Path, *args: str):
    return CliRunner().invoke(cli, ["release", "--seeds", str(seeds), *args])


def atlas(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """The `atlas` command in its own process (from this checkout), with a time limit."""
    return subprocess.run([sys.executable, "-m", "atlas", *args], capture_output=True,
                          text=True, timeout=timeout, cwd=REPO)


def site_files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file()}


def one_error_line(text: str) -> str:
    """The one line of an error (after click's "Error: " or, for a build, after the line saying
    the site stays), asserting there is no traceback."""
    assert "Traceback" not in text, text
    lines = [x for x in text.splitlines() if x.strip()]
    return lines[-1].removeprefix("Error: ")


@pytest.fixture
def released(seeds: Path) -> Path:
    """The fixture seeds with their first release (2026.11) written."""
    assert release(seeds).exit_code == 0
    return seeds / "releases" / "2026.11.json"


# --- release files that are not files --------------------------------------------------------

def test_a_fifo_among_the_releases_does_not_hang_diff(seeds: Path, released: Path) -> None:
    """Before: `atlas diff` waited forever for a writer. After: one line naming the file."""
    fifo = released.with_name("2026.12.json")
    os.mkfifo(fifo)
    done = atlas("diff", "--seeds", str(seeds), timeout=60)
    assert done.returncode == 1
    assert one_error_line(done.stderr) == (
        f"{fifo}: is not a regular file (a pipe, device or socket); a release is a file "
        "`atlas release` wrote — restore it from version control or remove it")


def test_a_fifo_among_the_releases_does_not_hang_build(seeds: Path, released: Path,
                                                       tmp_path: Path) -> None:
    """Before: `atlas build` hung holding the build lock. After: one line, the site as it was,
    the lock free (the next build, once the FIFO is gone, runs)."""
    out = tmp_path / "site"
    build.run(seeds, out, pictures=False)
    before = site_files(out)
    fifo = released.with_name("2026.12.json")
    os.mkfifo(fifo)
    done = atlas("build", "--seeds", str(seeds), "--out", str(out), "--no-pictures", timeout=120)
    assert done.returncode == 1
    assert f"{fifo}: is not a regular file" in one_error_line(done.stderr)
    assert site_files(out) == before
    fifo.unlink()
    edit_record(seeds / "mou.csv", "Laos,", "2017", "2016")
    assert atlas("build", "--seeds", str(seeds), "--out", str(out), "--no-pictures",
                 timeout=120).returncode == 0


def test_the_watcher_reports_a_fifo_release_and_rebuilds_once_it_is_gone(
        seeds: Path, released: Path, tmp_path: Path) -> None:
    """Before: the watcher of `atlas serve` stayed stuck on the FIFO, even after it was removed.
    After: it says the file is not one, goes on watching, and builds when it is gone."""
    out = tmp_path / "site"
    messages: list[str] = []
    assert serve.rebuild(seeds, out, messages.append)
    stop = threading.Event()
    watcher = threading.Thread(target=serve.watch, args=(seeds, out, 0.05, messages.append,
                                                          stop), daemon=True)
    watcher.start()
    fifo = released.with_name("2026.12.json")
    try:
        os.mkfifo(fifo)

        def said() -> bool:  # the watcher may have looked first after the FIFO came: touch
            (seeds / "mou.csv").touch()
            return any("is not a regular file" in m for m in messages)

        _wait_for(said)
        failed = next(m for m in messages if "is not a regular file" in m)
        assert failed.splitlines()[1].startswith(f"{fifo}: is not a regular file")
        assert "please report" not in failed
        assert watcher.is_alive()
        fifo.unlink()  # the site there was built from exactly what is left: nothing to rebuild
        _wait_for(lambda: messages[-1] == "up to date")
        edit_record(seeds / "mou.csv", "Laos,", "2017", "2016")
        _wait_for(lambda: messages[-1] == f"rebuilt {out}")
    finally:
        stop.set()
        watcher.join(timeout=10)
    assert not watcher.is_alive()


def _wait_for(predicate, seconds: float = 60) -> None:
    end = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.05)


def test_a_link_to_dev_zero_as_a_release_is_refused(seeds: Path, released: Path) -> None:
    """Before: read until memory ran out. After: one line, at once."""
    link = released.with_name("2026.12.json")
    link.symlink_to("/dev/zero")
    done = atlas("diff", "--seeds", str(seeds), timeout=60)
    assert done.returncode == 1
    assert one_error_line(done.stderr).startswith(f"{link}: is not a regular file")


def test_a_release_larger_than_any_release_is_refused(seeds: Path, released: Path) -> None:
    """Before: a 150 MB release file was read. After: refused by its size, unread."""
    big = released.with_name("2026.12.json")
    with big.open("wb") as f:
        f.truncate(150_000_000)  # sparse: takes no room on the disk
    result = CliRunner().invoke(cli, ["diff", "--seeds", str(seeds)])
    assert result.exit_code == 1
    assert f"{big}: is 150,000,000 bytes; the atlas reads files of at most 100,000,000 bytes" \
        in one_error_line(result.output)


# --- hostile content -----------------------------------------------------------------------

def _records_and_sources(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _number_where_text_belongs(raw: dict) -> str:
    raw["records"][0]["layer"] = 7
    return "records[0].layer: expected text, got a number"


def _record_without_sources(raw: dict) -> str:
    del raw["records"][0]["values"]["sources"]
    return ("records[0].values.sources: a record needs its sources: a list of \"<source id> "
            "<locator>\" texts")


def _url_that_is_a_number(raw: dict) -> str:
    raw["sources"]["thibaut2026"]["url"] = 12345
    return "sources.thibaut2026.url: expected text, got a number"


def _deeply_nested_array(raw: dict) -> str:
    raw["records"][0]["values"]["note"] = "NESTED"
    return "nested deeper than a release file ever is"


def _nul_in_a_title(raw: dict) -> str:
    raw["sources"]["thibaut2026"]["title"] = "AI cooperation\u0000"
    return "sources.thibaut2026.title: contains a NUL byte (at character 15)"


def _a_javascript_url(raw: dict) -> str:
    raw["sources"]["thibaut2026"]["url"] = "javascript:alert(1)"
    return "sources.thibaut2026.url: 'javascript:alert(1)' is not an http(s) link"


def _a_second_record_for_one_key(raw: dict) -> str:
    raw["records"].append(raw["records"][0])
    first = raw["records"][0]
    return f"records[{len(raw['records']) - 1}]: a second record for {first['layer']} " \
        f"{first['key']}"


def _not_a_number(raw: dict) -> str:
    raw["records"][0]["values"]["year"] = "NAN"
    return "not a release's JSON (NaN is not a number a release holds)"


HOSTILE = {f.__name__.lstrip("_"): f for f in (
    _number_where_text_belongs, _record_without_sources, _url_that_is_a_number,
    _deeply_nested_array, _nul_in_a_title, _a_javascript_url, _a_second_record_for_one_key,
    _not_a_number)}


@pytest.mark.parametrize("case", sorted(HOSTILE))
@pytest.mark.parametrize("command", ["build", "diff"])
def test_hostile_release_json_is_one_line(seeds: Path, released: Path, tmp_path: Path,
                                          case: str, command: str) -> None:
    """Before: a traceback from `atlas build` and `atlas diff`. After: one line naming the file
    and the field; the site as it was."""
    raw = _records_and_sources(released)
    said = HOSTILE[case](raw)
    text = json.dumps(raw, ensure_ascii=False)
    text = text.replace('"NESTED"', "[" * 100_000 + "]" * 100_000).replace('"NAN"', "NaN")
    released.write_text(text, encoding="utf-8")
    out = tmp_path / "site"
    args = ["--seeds", str(seeds)] + (["--out", str(out), "--no-pictures"]
                                      if command == "build" else [])
    result = CliRunner().invoke(cli, [command, *args])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    line = one_error_line(result.output)
    assert line.startswith(f"{released}:") and said in line, line
    assert "restore it from version control" in line
    assert not out.exists()


# --- the order of releases -----------------------------------------------------------------

def _three_releases(seeds: Path) -> None:
    """2026.12.9 and 2026.12.10 on one date after 2026.11, each with a change of its own."""
    assert release(seeds, "--version", "2026.11").exit_code == 0
    edit_record(seeds / "mou.csv", "Laos,", "2017", "2016")
    assert release(seeds, "--version", "2026.12.9", "--date", "2026-12-01").exit_code == 0
    edit_record(seeds / "mou.csv", "Laos,", "2016", "2015")
    done = release(seeds, "--version", "2026.12.10", "--date", "2026-12-01")
    assert done.exit_code == 0, done.output


def test_versions_are_ordered_by_their_numbers(seeds: Path) -> None:
    """Before: 2026.12.10 sorted before 2026.12.9 (as text), so `atlas diff` called the changes
    of 2026.12.10 unreleased. After: the latest is 2026.12.10, and nothing is unreleased."""
    _three_releases(seeds)
    assert [s.version for s in releases.load_all(seeds)] == ["2026.11", "2026.12.9",
                                                             "2026.12.10"]
    result = CliRunner().invoke(cli, ["diff", "--seeds", str(seeds)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [f"2026.12.10 → {seeds}: 0 added, 0 removed, "
                                          "0 changed"]


def test_a_release_identical_to_the_latest_is_refused(seeds: Path) -> None:
    """Before: compared with 2026.12.9 (the 'latest' as text), a copy of 2026.12.10 was
    written. After: refused, nothing written."""
    _three_releases(seeds)
    done = release(seeds, "--version", "2026.12.11", "--date", "2026-12-01")
    assert done.exit_code == 1
    assert "nothing changed since release 2026.12.10; no release written" in done.output
    assert not (seeds / "releases" / "2026.12.11.json").exists()


def test_a_duplicate_version_is_refused(seeds: Path) -> None:
    """2026.12.09 is 2026.12.9 written otherwise: refused when written, and refused when two
    files of one version are found."""
    _three_releases(seeds)
    edit_record(seeds / "mou.csv", "Laos,", "2015", "2014")
    done = release(seeds, "--version", "2026.12.09", "--date", "2026-12-01")
    assert done.exit_code == 1
    assert "release version '2026.12.09' is release 2026.12.9 written otherwise" in done.output
    folder = seeds / "releases"
    copy = json.loads((folder / "2026.12.9.json").read_text(encoding="utf-8"))
    copy["version"] = "2026.12.09"
    (folder / "2026.12.09.json").write_text(json.dumps(copy), encoding="utf-8")
    result = CliRunner().invoke(cli, ["diff", "--seeds", str(seeds)])
    assert result.exit_code == 1
    assert one_error_line(result.output) == (
        f"{folder}: 2026.12.09.json and 2026.12.9.json are the same version; remove one")


def test_a_version_before_the_latest_is_refused(seeds: Path) -> None:
    """A release numbered before the latest would not be the latest: refused."""
    _three_releases(seeds)
    edit_record(seeds / "mou.csv", "Laos,", "2015", "2014")
    done = release(seeds, "--version", "2026.12.2", "--date", "2026-12-02")
    assert done.exit_code == 1
    assert "comes before the latest release, 2026.12.10" in done.output
    done = release(seeds, "--version", "2026.12.11", "--date", "2026-11-30")
    assert done.exit_code == 1
    assert "release date 2026-11-30 is before the latest release's" in done.output


def test_the_changes_page_diffs_each_release_against_its_predecessor(seeds: Path,
                                                                     tmp_path: Path) -> None:
    """Before: 2026.12.10 was diffed against 2026.11 and 2026.12.9 against 2026.12.10. After:
    each release against the one before it in version order."""
    _three_releases(seeds)
    build.run(seeds, tmp_path / "site", pictures=False)
    changes = json.loads((tmp_path / "site" / "data" / "changes.json").read_text("utf-8"))
    order = [(r["version"], r["previous"]) for r in changes["releases"]]
    assert order == [("2026.12.10", "2026.12.9"), ("2026.12.9", "2026.11"), ("2026.11", None)]
    latest = changes["releases"][0]
    assert latest["changed"][0]["changes"]["year"] == [2016, 2015]
    assert changes["unreleased"]["since"] == "2026.12.10"
    assert changes["unreleased"]["counts"] == {"added": 0, "removed": 0, "changed": 0}


# --- writing a release ---------------------------------------------------------------------

def test_a_release_on_a_full_disk_is_one_line_and_leaves_no_file(seeds: Path,
                                                                 monkeypatch) -> None:
    """Before: a traceback, and an empty temporary file left in seeds/releases/. After: one
    line, status 1, no file at all (the disk says it is full when the data is flushed)."""
    def full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    result = release(seeds)
    monkeypatch.undo()
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    path = seeds / "releases" / "2026.11.json"
    assert one_error_line(result.output) == (f"cannot write the release {path}: No space left "
                                             "on device; nothing was written")
    assert list((seeds / "releases").iterdir()) == []
    assert release(seeds).exit_code == 0  # the next try, with room, writes it


def test_an_interrupted_release_leaves_no_file(seeds: Path, monkeypatch) -> None:
    """Ctrl-C while the release is written: status 130, no file, no temporary file."""
    def interrupted(_fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    result = release(seeds)
    monkeypatch.undo()
    assert result.exit_code == 130 and result.output == "interrupted\n"
    assert list((seeds / "releases").iterdir()) == []


def test_the_committed_releases_pass_the_schema() -> None:
    """The schema is that of the files `atlas release` writes: the project's own pass it."""
    snaps = releases.load_all(REPO / "seeds")
    assert [s.version for s in snaps][:2] == ["2026.11", "2026.11.1"]


def test_a_releases_folder_that_is_a_file_is_refused(seeds: Path, tmp_path: Path) -> None:
    """A `releases` that is not a folder is said, not taken for "no release yet" (the changes
    page would then say there never was a release)."""
    (seeds / "releases").write_text("not a folder")
    result = CliRunner().invoke(cli, ["build", "--seeds", str(seeds), "--out",
                                      str(tmp_path / "site"), "--no-pictures"])
    assert result.exit_code == 1
    assert one_error_line(result.output) == (
        f"{seeds / 'releases'}: is not a folder; the releases are kept in a folder of that name "
        "(or remove it)")
