"""The Downloads menu in Firefox (Debian's firefox-esr, driven over WebDriver BiDi by
puppeteer-core from `.ci/node`, which `.ci/run` installs; Playwright cannot drive a stock
Firefox): every file downloads, with its bytes, from file:// as over http, without Firefox
asking what to do with it, and the page asks nothing of another host."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO, http_server

pytestmark = pytest.mark.browser
FIREFOX = Path("/usr/bin/firefox-esr")
NODE_MODULES = REPO / ".ci" / "node" / "node_modules"
SCRIPT = Path(__file__).parent / "firefox" / "downloads.mjs"
MENU = {"data/atlas.geojson", "data/datapackage.json", "data/changes.json", "data/atlas-data.zip",
        "data/atlas.csv", "data/atlas.gpkg"}


def node() -> str:
    """The node that runs the script; skips where Firefox or puppeteer-core is missing."""
    if not FIREFOX.exists():
        pytest.skip(f"no Firefox at {FIREFOX} (install Debian's 'firefox-esr'; .ci/run does)")
    if not (NODE_MODULES / "puppeteer-core").is_dir():
        pytest.skip("puppeteer-core is not installed in .ci/node (.ci/run installs it with npm)")
    found = shutil.which("node")
    if not found:
        pytest.skip("no node to run puppeteer-core (Debian's 'nodejs')")
    return found


def _stop_firefox(pidfile: Path, profile: Path) -> None:
    """Kill the Firefox the script started if it outlived the script (a crash, a timeout): the
    process group of the pid it wrote, only while that pid is still a Firefox of `profile`."""
    try:
        pid = int(pidfile.read_text())
        if str(profile) in Path(f"/proc/{pid}/cmdline").read_text(errors="replace"):
            os.killpg(pid, signal.SIGKILL)
    except (OSError, ValueError):
        pass  # no pid written, or that Firefox is gone


def firefox_downloads(runs: dict[str, str], tmp: Path) -> dict:
    """One Firefox, from a new profile in `tmp`, opens each of `runs` ({label: url}) in turn and
    clicks every file of the Downloads menu (tests/firefox/downloads.mjs): what happened, each
    run's files in `tmp`/downloads/<label>/."""
    run = node()
    (tmp / "downloads").mkdir()
    pidfile, profile, config = tmp / "firefox.pid", tmp / "profile", tmp / "config.json"
    config.write_text(json.dumps({
        "node_modules": str(NODE_MODULES), "firefox": str(FIREFOX),
        "runs": [{"label": label, "url": url} for label, url in runs.items()],
        "profile": str(profile), "downloads": str(tmp / "downloads"), "pidfile": str(pidfile),
        "timeout_ms": 240_000}), encoding="utf-8")
    process = subprocess.Popen([run, str(SCRIPT), str(config)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = process.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, err = process.communicate()
        pytest.fail(f"Firefox took more than 300 s: {err[-2000:]}")
    finally:
        _stop_firefox(pidfile, profile)
    lines = out.strip().splitlines()
    assert lines, f"the script printed nothing (exit {process.returncode}): {err[-3000:]}"
    report = json.loads(lines[-1])
    assert process.returncode == 0 and report["errors"] == [], (report["errors"], err[-3000:])
    assert report["version"].startswith("firefox/")
    return report


@pytest.fixture(scope="module")
def firefox(built_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """The built site's Downloads menu clicked through in Firefox from file://, then over http
    (the site served on 127.0.0.1, as `atlas serve` or any web server does): {label: run}."""
    tmp = tmp_path_factory.mktemp("firefox")
    with http_server(built_site) as served:
        report = firefox_downloads({"file": (built_site / "index.html").as_uri(),
                                    "http": served + "index.html"}, tmp)
    yield {r["label"]: {**r, "downloads": tmp / "downloads" / r["label"], "served": served}
           for r in report["runs"]}


def assert_every_file_downloaded(run: dict, site: Path) -> None:
    """Every file of the menu: one download event with its name, ended complete, not a question
    from Firefox, the file's bytes in the download folder, and the page still the map."""
    assert set(run["hrefs"]) >= MENU, run["hrefs"]
    assert [f["href"] for f in run["files"]] == run["hrefs"]
    for f in run["files"]:
        name = f["href"].removeprefix("data/")
        assert not f["asked"], f"Firefox asked what to do with {name} instead of saving it"
        assert f["began"] == [name] and f["ended"] == ["complete"], f
        assert f["saved"] == [name], f
        assert (run["downloads"] / name).read_bytes() == (site / "data" / name).read_bytes(), name
        assert f["url"].endswith("/index.html"), f  # still the map, not the file shown
    assert run["errors"] == []


def test_firefox_downloads_every_file_of_the_menu_from_file(firefox: dict,
                                                            built_site: Path) -> None:
    run = firefox["file"]
    assert_every_file_downloaded(run, built_site)
    # Firefox does not report file:// requests, so any address seen is another host's; the
    # probe the script makes last shows that such a request is seen.
    others = [u for u in run["requests"] if not u.startswith(("data:", "blob:"))]
    assert others == [run["probe"]]


def test_firefox_downloads_every_file_of_the_menu_over_http(firefox: dict,
                                                            built_site: Path) -> None:
    run = firefox["http"]
    assert_every_file_downloaded(run, built_site)
    assert run["served"] + "data/atlas-data.js" in run["requests"]
    others = [u for u in run["requests"] if not u.startswith((run["served"], "data:", "blob:"))]
    assert others == [run["probe"]]
