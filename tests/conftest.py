"""Shared fixtures: a CLI runner, a copy of the fixture seeds, a built site, and a real browser."""

from __future__ import annotations

import contextlib
import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

FIXTURE_SEEDS = Path(__file__).parent / "fixtures" / "seeds"
REPO = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")


def edit_record(path: Path, row_start: str, old: str, new: str) -> None:
    """In a records file, replace `old` with `new` in the row that starts with `row_start`."""
    text = path.read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith(row_start))
    assert old in row, (row, old)
    path.write_text(text.replace(row, row.replace(old, new, 1)), encoding="utf-8")


def wait_for_panel(page: object, iso3: str) -> None:
    """Wait until the details panel shows `iso3` with its records (loaded when it first opens)."""
    page.wait_for_selector(f"#atlas-panel[data-country='{iso3}']:not([aria-busy]) h2",
                           timeout=30_000)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Files of a folder, without a line on stderr for each request."""

    def log_message(self, *_args: object) -> None:
        pass


@contextlib.contextmanager
def http_server(directory: Path) -> Iterator[str]:
    """`directory` served over http on 127.0.0.1 (a free port) while the block runs: its
    address, "http://127.0.0.1:<port>/"."""
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    """A writable copy of the small fixture seed set (real facts from the DFRLab brief)."""
    target = tmp_path / "seeds"
    shutil.copytree(FIXTURE_SEEDS, target)
    return target


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture seeds built once into a site directory."""
    from atlas import build

    out = tmp_path_factory.mktemp("site") / "site"
    build.run(FIXTURE_SEEDS, out)
    return out


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's Chromium driven by Playwright, headless; skipped only where it is missing."""
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (install Debian's 'chromium' package)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run"],
        )
        yield b
        b.close()


class OfflinePage:
    """A page whose requests to anything but file:// are blocked and recorded, with errors."""

    def __init__(self, browser: object, viewport: dict[str, int] | None = None):
        self.page = browser.new_page(viewport=viewport or {"width": 1280, "height": 800})
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.route("**/*", self._route)

    def _route(self, route: object) -> None:
        url = route.request.url
        if url.startswith("file:"):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def open(self, path: Path, fragment: str = "") -> object:
        self.page.goto(path.as_uri() + fragment)
        self.page.wait_for_selector("body[data-atlas-ready]", timeout=30_000)
        return self.page


@pytest.fixture
def offline_page(browser: object) -> Iterator[OfflinePage]:
    page = OfflinePage(browser)
    yield page
    page.page.close()
