"""Faults of the system, not of the data: a build stopped at every step of its swap, builds side
by side, a full or read-only disk, odd files in the seeds, an interrupt. Each ends in one clear
line and a non-zero exit; the previous site stays whole and the cache holds no half entry."""

from __future__ import annotations

import errno
import os
import pathlib
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from atlas import build, output
from atlas.cli import cli
from tests.conftest import edit_record


def site_files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file()}


def assert_clean(out: Path) -> None:
    """A sound site at `out`, no temporary or old copy beside it, no half cache entry."""
    assert output.read_marker(out) is not None
    assert [p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.")] == []
    cache = out.parent / build.CACHE_DIR / out.name
    assert [p.name for p in cache.iterdir() if p.name.startswith(".")] == []


STEPS = ("written", "old moved aside", "new moved in", "old removed")
KILLER = """
import os, sys
from pathlib import Path
from atlas import build, output

def stop(step):
    if step == sys.argv[1]:
        os._exit(9)

output._checkpoint = stop
build.run(Path(sys.argv[2]), Path(sys.argv[3]))
"""


@pytest.mark.parametrize("step", STEPS)
def test_a_build_stopped_at_each_step_of_its_swap_is_recovered(seeds: Path, tmp_path: Path,
                                                               step: str) -> None:
    out = tmp_path / "site"
    build.run(seeds, out)
    edit_record(seeds / "mou.csv", "Laos,", "2017", "2016")
    killed = subprocess.run([sys.executable, "-c", KILLER, step, str(seeds), str(out)],
                            capture_output=True, text=True, timeout=300)
    assert killed.returncode == 9, killed.stderr  # it really stopped there
    # A build that then fails first puts a site back (its "left unchanged" is true) ...
    edit_record(seeds / "mou.csv", "Laos,", "2016", "20x6")
    result = CliRunner().invoke(cli, ["build", "--seeds", str(seeds), "--out", str(out)])
    assert result.exit_code == 1 and "left unchanged" in result.output
    assert output.read_marker(out) is not None
    # ... and the next good one builds the current records.
    edit_record(seeds / "mou.csv", "Laos,", "20x6", "2016")
    build.run(seeds, out)
    assert_clean(out)
    assert '"year":2016' in (out / "data" / "atlas-data.js").read_text(encoding="utf-8")


def test_two_builds_into_one_folder_side_by_side(seeds: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    command = [sys.executable, "-m", "atlas", "build", "--force", "--seeds", str(seeds),
               "--out", str(out)]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True) for _ in range(2)]
    results = [(*p.communicate(timeout=300), p.returncode) for p in runs]
    for stdout, stderr, code in results:
        assert code == 0, stderr
        assert "built" in stdout and stderr == ""
    assert_clean(out)


def test_a_disk_that_fills_up_while_the_site_is_written(seeds: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "site"
    build.run(seeds, out)
    before = site_files(out)
    edit_record(seeds / "mou.csv", "Laos,", "2017", "2016")
    real_write = pathlib.Path.write_bytes
    written = []

    def write_bytes(self: Path, data: bytes) -> int:
        written.append(self)
        if len(written) > 5:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))
        return real_write(self, data)

    monkeypatch.setattr(pathlib.Path, "write_bytes", write_bytes)
    result = CliRunner().invoke(cli, ["build", "--seeds", str(seeds), "--out", str(out)])
    monkeypatch.undo()
    assert result.exit_code == 1, result.output
    assert "cannot write the site: No space left on device" in result.output
    assert site_files(out) == before
    assert_clean(out)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_output_folder(seeds: Path, tmp_path: Path) -> None:
    parent = tmp_path / "ro"
    parent.mkdir()
    parent.chmod(0o555)
    try:
        result = CliRunner().invoke(cli, ["build", "--seeds", str(seeds),
                                          "--out", str(parent / "site")])
    finally:
        parent.chmod(0o755)
    assert result.exit_code == 1
    assert "cannot write the site: Permission denied" in result.output


def test_a_read_only_disk(seeds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing can be made on the disk of the site (as a read-only mount behaves, even for
    root): one line, and the site as it was."""
    out = tmp_path / "site"
    build.run(seeds, out)
    before = site_files(out)
    edit_record(seeds / "mou.csv", "Laos,", "2017", "2016")
    real_mkdir, real_open = os.mkdir, os.open

    def read_only(path: object, *args: object, **kwargs: object) -> None:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))

    def open_read_only(path: object, flags: int, *args: object, **kwargs: object) -> int:
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            read_only(path)
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "mkdir", read_only)
    monkeypatch.setattr(os, "open", open_read_only)
    result = CliRunner().invoke(cli, ["build", "--seeds", str(seeds), "--out", str(out)])
    monkeypatch.setattr(os, "mkdir", real_mkdir)
    monkeypatch.setattr(os, "open", real_open)
    assert result.exit_code == 1, result.output
    assert "cannot write the site: Read-only file system" in result.output
    assert site_files(out) == before
    assert_clean(out)


def test_out_under_a_file(seeds: Path, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    result = CliRunner().invoke(cli, ["build", "--seeds", str(seeds),
                                      "--out", str(tmp_path / "file" / "site")])
    assert result.exit_code == 1
    assert result.output.startswith("Error: build failed;")
    assert "cannot write the site: Not a directory" in result.output
    assert (tmp_path / "file").read_text() == "not a folder"


@pytest.mark.parametrize("kind", ["folder", "fifo", "device"])
def test_a_seed_file_that_is_not_a_file(seeds: Path, tmp_path: Path, kind: str) -> None:
    out = tmp_path / "site"
    build.run(seeds, out)
    before = site_files(out)
    for name in ("mou.csv", "sources.csv"):
        path = seeds / name
        path.unlink()
        if kind == "folder":
            path.mkdir()
        elif kind == "fifo":
            os.mkfifo(path)
        else:
            path.symlink_to("/dev/zero")
    for command in (["validate"], ["report"], ["build", "--out", str(out)]):
        result = CliRunner().invoke(cli, [*command, "--seeds", str(seeds)])  # returns: no hang
        assert result.exit_code == 1, result.output
        assert f"{seeds / 'mou.csv'}: is " in result.output
    assert site_files(out) == before


def test_a_document_that_is_not_utf8(seeds: Path) -> None:
    doc = next(p for p in seeds.glob("*.txt"))
    doc.write_bytes(doc.read_bytes() + b"\xff\xfe")
    result = CliRunner().invoke(cli, ["validate", "--seeds", str(seeds)])
    assert result.exit_code == 1
    assert f"{doc} is not UTF-8 text" in result.output
    assert "are not in" not in result.output  # every citation of it says why, none "missing"
    assert result.exception is None or isinstance(result.exception, SystemExit)


def _holds_open(pid: int, path: Path) -> bool:
    """Whether process `pid` has `path` open (Linux: its /proc/<pid>/fd links)."""
    try:
        return any(os.readlink(f"/proc/{pid}/fd/{fd}") == str(path)
                   for fd in os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return False


@pytest.mark.parametrize("after", [0.0, 0.005, 0.015, 0.03, 0.2])
def test_an_interrupt_during_a_build(seeds: Path, tmp_path: Path, after: float) -> None:
    """Ctrl-C at any moment of a build (from the moment it takes its lock, `after` seconds
    later): one line, status 130, the site as it was — or, if it finished first, the edit built
    whole. Never a traceback."""
    out = tmp_path / "site"
    build.run(seeds, out)
    before = site_files(out)
    edit_record(seeds / "mou.csv", "Laos,", "2017", "2016")
    lock = tmp_path / build.CACHE_DIR / "site.lock"
    proc = subprocess.Popen([sys.executable, "-m", "atlas", "build", "--seeds", str(seeds),
                             "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    deadline = time.monotonic() + 60
    while proc.poll() is None and not _holds_open(proc.pid, lock):
        assert time.monotonic() < deadline, "the build never took its lock"
        time.sleep(0.002)
    time.sleep(after)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=120)
    assert "Traceback" not in stderr, stderr
    if proc.returncode == 0 or "built" in stdout:  # it finished first (the signal may still
        # stop Python while it exits): then it built the edit, whole, and said so
        assert "built" in stdout and build.run(seeds, out).up_to_date
        assert proc.returncode in (0, -signal.SIGINT) or (
            proc.returncode == 130 and "already holds the new site" in stderr)
    else:  # status 130 (a shell shows the same 130 when Python, exiting, is stopped by it)
        assert proc.returncode in (130, -signal.SIGINT), stderr
        assert len(stderr.strip().splitlines()) == 1 and "interrupted" in stderr
        if "already holds the new site" in stderr:  # stopped while cleaning up after the swap
            assert site_files(out) != before
            assert build.run(seeds, out).up_to_date  # the next build finds it whole
        else:
            assert "left unchanged" in stderr and site_files(out) == before
    assert_clean(out)


@pytest.mark.parametrize(("step", "said"), [("written", "left unchanged"),
                                            ("new moved in", "already holds the new site")])
def test_an_interrupt_says_which_site_it_left(seeds: Path, tmp_path: Path, step: str,
                                              said: str, monkeypatch) -> None:
    """Interrupted before the swap, the old site stays; interrupted after it (removing the old
    copy), the new one is in place: the one line says which."""
    out = tmp_path / "site"
    build.run(seeds, out)
    before = site_files(out)
    edit_record(seeds / "mou.csv", "Laos,", "2017", "2016")

    def stop(at: str) -> None:
        if at == step:
            raise KeyboardInterrupt

    monkeypatch.setattr(output, "_checkpoint", stop)
    result = CliRunner().invoke(cli, ["build", "--seeds", str(seeds), "--out", str(out)])
    assert result.exit_code == 130
    assert result.output == f"interrupted; {out} {said}\n"
    assert (site_files(out) == before) == (said == "left unchanged")


def test_an_interrupt_while_a_build_reports_says_the_site_is_new(seeds: Path, tmp_path: Path,
                                                                  monkeypatch) -> None:
    """Ctrl-C after the build is done, while it lists its warnings: the new site is in place,
    and the one line says so."""
    out = tmp_path / "site"
    build.run(seeds, out)
    before = site_files(out)
    edit_record(seeds / "mou.csv", "Laos,", "2017", "2016")

    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    from atlas import cli as cli_module

    monkeypatch.setattr(cli_module, "_report", interrupted)
    result = CliRunner().invoke(cli, ["build", "--seeds", str(seeds), "--out", str(out)])
    assert result.exit_code == 130
    assert result.output == f"interrupted; {out} already holds the new site\n"
    assert site_files(out) != before and build.run(seeds, out).up_to_date


def test_an_interrupt_in_any_command_is_one_line(seeds: Path, monkeypatch) -> None:
    """Ctrl-C while validating: one line and status 130, not click's "Aborted!" (status 1)."""
    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    from atlas import evidence

    monkeypatch.setattr(evidence, "load", interrupted)
    result = CliRunner().invoke(cli, ["validate", "--seeds", str(seeds)])
    assert result.exit_code == 130
    assert result.output == "interrupted\n"
