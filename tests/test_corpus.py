"""The corpus of the third reliability round (issue 26), one test per case: digits that are not
ASCII, control characters, unchecked dates and lengths, follow-on floods, one URL rule, `serve`
inside its folder, and system errors in one line. (Release files: tests/test_release_files.py.)

Each test says what the user saw before and asserts what they see now.
"""

from __future__ import annotations

import csv
import errno
import io
import os
import re
import socket
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

import atlas
from atlas import build, evidence, serve, text
from atlas.cli import cli
from atlas.errors import AtlasError, ValidationFailed
from atlas.evidence import model
from tests.conftest import REPO, edit_record


def run(*args: str) -> tuple[int, str]:
    """An `atlas` command: its status and output; never a traceback (an exception other than
    click's exit would be one)."""
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def site_files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file()}


def set_cell(path: Path, row: int, column: str, value: str) -> None:
    """Put `value` in `column` of data row `row` (1 = the first after the header)."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    rows[row][rows[0].index(column)] = value
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def built(seeds: Path, out: Path) -> dict[str, bytes]:
    build.run(seeds, out, pictures=False)
    return site_files(out)


# --- digits --------------------------------------------------------------------------------

@pytest.mark.parametrize("how", ["validate", "build", "atlas.load"])
def test_a_superscript_year_is_an_error_not_a_crash(seeds: Path, tmp_path: Path,
                                                    how: str) -> None:
    """Before: `str.isdigit()` took '²⁰²⁰', int() refused it: a ValueError traceback in
    validate, build and atlas.load. After: one problem with the file, line and field."""
    edit_record(seeds / "mou.csv", "Laos,", "2017", "²⁰²⁰")
    said = (f"{seeds / 'mou.csv'}:2: year: '²⁰²⁰' is not a year — write the digits 0–9 (this "
            "value uses other digits, e.g. superscript or Arabic-Indic ones)")
    if how == "atlas.load":
        with pytest.raises(ValidationFailed) as caught:
            atlas.load(seeds)
        assert said in str(caught.value).splitlines()
        return
    out = tmp_path / "site"
    args = ["--out", str(out)] if how == "build" else []
    code, output = run(how, "--seeds", str(seeds), *args)
    assert code == 1 and said in output.splitlines()
    assert not out.exists()


def test_arabic_indic_digits_are_refused_not_read(seeds: Path) -> None:
    """Before: '٢٠١٧' passed as the year 2017 and '٢٥' as a share of 25, silently. After: both
    refused, saying which digits to write."""
    edit_record(seeds / "mou.csv", "Laos,", "2017", "٢٠١٧")
    edit_record(seeds / "cloud.csv", "BRA,", ",25,", ",٢٥,")
    code, output = run("validate", "--seeds", str(seeds))
    assert code == 1
    assert "mou.csv:2: year: '٢٠١٧' is not a year — write the digits 0–9" in output
    assert "cloud.csv:3: share_pct: '٢٥' is not a number — write the digits 0–9" in output


def test_a_huge_line_number_in_a_locator_is_not_a_crash(seeds: Path) -> None:
    """Before: a locator 'L' and 5,000 digits crashed validate (int() refuses more than 4,300
    digits). After: refused as longer than a reader can use; and a long one within the limit
    is not taken for a line number (nor parsed)."""
    edit_record(seeds / "citations.csv", "cloud,BRA,", "L336", "L" + "9" * 5_000)
    code, output = run("validate", "--seeds", str(seeds))
    assert code == 1
    assert "citations.csv:3: locator: is 5,001 characters long; at most 500" in output
    edit_record(seeds / "citations.csv", "cloud,BRA,", "L" + "9" * 5_000, "L" + "9" * 450)
    assert run("validate", "--seeds", str(seeds))[0] == 0


def test_a_source_date_epoch_in_other_digits_is_ignored(seeds: Path, tmp_path: Path,
                                                        monkeypatch) -> None:
    """SOURCE_DATE_EPOCH='²' passed isdigit() and crashed int(); now the clock is used."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "²")
    build.run(seeds, tmp_path / "site", pictures=False)
    assert "build_date" not in (tmp_path / "site" / "data" / "atlas-data.js").read_text("utf-8")


# --- control characters --------------------------------------------------------------------

def test_a_nul_in_a_document_name_is_one_line_in_validate_build_and_serve(
        seeds: Path, tmp_path: Path) -> None:
    """Before: `atlas build` crashed (the input hash opened the path before validation) and
    `serve` asked the user to report a bug. After: the same one problem everywhere, and the
    site as it was."""
    out = tmp_path / "site"
    before = built(seeds, out)
    set_cell(seeds / "sources.csv", 1, "document", "doc\0.txt")
    said = (f"{seeds / 'sources.csv'}:2: document: contains a NUL byte (at character 4), which "
            "no reader can see")
    code, output = run("validate", "--seeds", str(seeds))
    assert code == 1 and said in output
    assert output.count("sources.csv:2: document") == 1  # not also "must be a .txt file name"
    code, output = run("build", "--seeds", str(seeds), "--out", str(out))
    assert code == 1 and said in output and f"{out} left unchanged" in output
    assert site_files(out) == before
    messages: list[str] = []
    assert not serve.rebuild(seeds, out, messages.append)
    assert said in messages[0] and "please report" not in messages[0]


def test_a_nul_in_a_value_never_reaches_the_pages_or_downloads(seeds: Path,
                                                               tmp_path: Path) -> None:
    """Before: a NUL in a note went into the pages, the CSV and the GeoPackage. After: refused;
    the build stops with the site as it was."""
    out = tmp_path / "site"
    before = built(seeds, out)
    set_cell(seeds / "mou.csv", 1, "note", "signed\0 in Beijing")
    with pytest.raises(ValidationFailed) as caught:
        build.run(seeds, out, pictures=False)
    assert f"{seeds / 'mou.csv'}:2: note: contains a NUL byte (at character 7)" in str(
        caught.value)
    assert site_files(out) == before
    assert not any(b"\0 in Beijing" in data for data in before.values())


def test_a_nul_in_a_country_is_one_problem_for_its_row(seeds: Path) -> None:
    """The control character is the problem: not also 'unknown country', nor its citations."""
    set_cell(seeds / "mou.csv", 1, "country", "La\0os")
    _, problems = evidence.load(seeds)
    errors = [str(p) for p in problems.errors]
    assert errors == [f"{seeds / 'mou.csv'}:2: country: contains a NUL byte (at character 3), "
                      "which no reader can see — delete it (it is invisible in most editors: "
                      "retype the value, or search for it with your editor's regular "
                      "expressions)"]


def test_control_characters_in_layers_toml_are_refused(seeds: Path) -> None:
    """TOML can spell a NUL (\\u0000) in any string; the [atlas] table is copied into every
    page. Before: accepted. After: refused at its line."""
    toml = seeds / "layers.toml"
    source = toml.read_text(encoding="utf-8")
    toml.write_text(source.replace('publisher = "DSR Atlas contributors"',
                                   'publisher = "DSR Atlas\\u0000 contributors"'), "utf-8")
    code, output = run("validate", "--seeds", str(seeds))
    line = source.splitlines().index('publisher = "DSR Atlas contributors"') + 1
    assert code == 1
    assert (f"{toml}:{line}: atlas.publisher: contains a NUL byte (at character 10), which no "
            "reader can see") in output


def test_a_line_break_in_a_name_but_not_in_a_note(seeds: Path) -> None:
    """A paragraph may have line breaks (a spreadsheet's Alt+Enter); a name is one line."""
    set_cell(seeds / "mou.csv", 1, "note", "first line\nsecond line")
    set_cell(seeds / "mou.csv", 2, "instrument_name", "BRI Digital Economy\nInitiative")
    # (the note's line break makes the second row start at line 4)
    code, output = run("validate", "--seeds", str(seeds))
    assert code == 1
    assert [x for x in output.splitlines() if x.startswith(str(seeds))] == [
        f"{seeds / 'mou.csv'}:4: instrument_name: contains a line break (at character 20); this "
        "value is one line — write it on one line (a line break belongs in note)"]


# --- dates and lengths ---------------------------------------------------------------------

@pytest.mark.parametrize("date", ["2026-02-30", "yesterday", "2026-2-3"])
def test_data_date_must_be_a_day_of_the_calendar(seeds: Path, date: str) -> None:
    """Before: data_date = "2026-02-30" or "yesterday" passed and was published. After:
    refused at its line, with an example."""
    toml = seeds / "layers.toml"
    source = toml.read_text(encoding="utf-8")
    toml.write_text(source.replace('data_date = "2026-11-23"', f'data_date = "{date}"'), "utf-8")
    code, output = run("validate", "--seeds", str(seeds))
    line = source.splitlines().index('data_date = "2026-11-23"') + 1
    assert code == 1
    assert (f"{toml}:{line}: atlas.data_date: {date!r} is not a date of the calendar written "
            "YYYY-MM-DD — e.g. data_date = \"2026-11-23\"") in output


@pytest.mark.parametrize(("date", "bad"), [("2026-02-30", "2026-02-30"),
                                           ("2026-13", "2026-13"),
                                           ("2025-06-01 (posted 2025-06-31)", "2025-06-31")])
def test_an_iso_source_date_must_be_a_day_of_the_calendar(seeds: Path, date: str,
                                                          bad: str) -> None:
    """Before: a source dated 2026-02-30 was accepted. After: refused; free text around a real
    date ('c. 2019', '2025-06 (AP wire)') stays allowed."""
    set_cell(seeds / "sources.csv", 1, "date", date)
    code, output = run("validate", "--seeds", str(seeds))
    assert code == 1
    assert (f"{seeds / 'sources.csv'}:2: date: {bad!r} is not a date of the calendar — write "
            "YYYY-MM-DD") in output
    set_cell(seeds / "sources.csv", 1, "date", "2025-06 (AP wire)")
    assert run("validate", "--seeds", str(seeds))[0] == 0


def test_a_publisher_longer_than_a_reader_can_use_is_refused(seeds: Path) -> None:
    """Before: a 120,000-character publisher was copied into every page (9 MB → 80 MB). After:
    refused, in sources.csv and in layers.toml alike."""
    set_cell(seeds / "sources.csv", 1, "publisher", "P" * 120_000)
    toml = seeds / "layers.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(
        'publisher = "DSR Atlas contributors"', f'publisher = "{"Q" * 120_000}"'), "utf-8")
    code, output = run("validate", "--seeds", str(seeds))
    assert code == 1 and "atlas.publisher: is 120,000 characters long; at most 500" in output
    toml.write_text((REPO / "tests/fixtures/seeds/layers.toml").read_text("utf-8"), "utf-8")
    code, output = run("validate", "--seeds", str(seeds))
    assert code == 1
    assert (f"{seeds / 'sources.csv'}:2: publisher: is 120,000 characters long; at most 500 are "
            "shown to a reader — shorten it") in output


# --- follow-on errors ----------------------------------------------------------------------

def test_follow_on_errors_are_capped_with_a_count(seeds: Path, monkeypatch) -> None:
    """Before: past the row limit, every row read became a 'has no citation' error (5,468 of
    them after the one that mattered). After: the file's first errors, the row limit among them,
    then one line counting the rest."""
    from atlas.evidence import records

    monkeypatch.setattr(records, "MAX_ROWS", 1_000)  # the real limit, 250,000 rows, is slow
    head = (seeds / "projects.csv").read_text(encoding="utf-8").splitlines()[0]
    columns = head.split(",")
    assert columns[:6] == ["id", "country", "kind", "name", "companies", "year"]
    cells = {"kind": "data_centre", "year": "2020", "precision": "country", "country": "PAK"}
    rows = [",".join({**cells, "id": f"p{n}", "name": f"Project {n}"}.get(c, "")
                     for c in columns) for n in range(1_010)]
    (seeds / "projects.csv").write_text("\n".join([head, *rows]) + "\n", encoding="utf-8")
    _, problems = evidence.load(seeds)
    mine = [p for p in problems.errors if p.path == str(seeds / "projects.csv")]
    assert len(mine) == model.MAX_PROBLEMS + 2
    assert any("more than 1,000 rows" in p.message for p in mine)
    counted = [p for p in mine if "not listed" in p.message]
    assert [str(p) for p in counted] == [
        f"{seeds / 'projects.csv'}: {1_001 - (model.MAX_PROBLEMS + 1):,} more error(s) in this "
        f"file not listed (the first {model.MAX_PROBLEMS + 1} found are) — fix those first: the "
        "rest often follow from them"]


# --- one URL rule --------------------------------------------------------------------------

def test_an_upper_case_https_address_is_a_link_everywhere(seeds: Path, tmp_path: Path) -> None:
    """Before: HTTPS://… was a link on the map and plain text on the static pages. After: the
    validator, the pages and the map apply one rule."""
    set_cell(seeds / "sources.csv", 1, "url", "HTTPS://WWW.ATLANTICCOUNCIL.ORG/")
    assert run("validate", "--seeds", str(seeds))[0] == 0
    build.run(seeds, tmp_path / "site", pictures=False)
    about = (tmp_path / "site" / "about.html").read_text(encoding="utf-8")
    assert '<a href="HTTPS://WWW.ATLANTICCOUNCIL.ORG/" rel="noopener noreferrer"' in about
    country = (tmp_path / "site" / "country" / "LAO.html").read_text(encoding="utf-8")
    assert '<a href="HTTPS://WWW.ATLANTICCOUNCIL.ORG/"' in country


def map_url_rules() -> list[str]:
    """The regular expressions safeUrl() uses in the map's scripts (in whichever script and at
    whatever indentation it lives)."""
    found = []
    for script in sorted((REPO / "atlas" / "site" / "assets").rglob("*.js")):
        source = script.read_text(encoding="utf-8")
        found += re.findall(r"function safeUrl\([^)]*\)\s*\{[^}]*?/(\^[^\n]*?\$)/(\w*)\.test",
                            source)
    return found


def test_the_map_and_the_validator_share_one_url_pattern() -> None:
    """The map's safeUrl() is the same pattern, case-insensitive, as atlas.text.URL."""
    rules = map_url_rules()
    assert rules, "safeUrl() not found in site/assets/*.js"
    for pattern, flags in rules:
        assert pattern.replace("\\/", "/") == text.URL_PATTERN and flags == "i"


CANDIDATES = ["https://example.org/", "HTTPS://EXAMPLE.ORG/A", "Http://x", "https:/x",
              "javascript:alert(1)", "https://a b", "https://a<b", "https://a'b", "https://a`b",
              'https://a"b', "ftp://x", " https://x", "https://", "https://x\n"] + [
    f"https://a{c}b" for c in "\u00a0\u1680\u2000\u2007\u200a\u2028\u2029\u202f\u205f\u3000"
    "\u180e\u200b\u0085\u001c\u00ad\u2060"]


@pytest.mark.browser
def test_the_map_decides_links_as_the_validator_does(browser) -> None:
    """Every candidate a validated file could hold (no control character) is a link on the map
    exactly when atlas.text says so: JavaScript's \\s and Python's differ only on characters
    the text rules refuse."""
    [(pattern, flags)] = map_url_rules()
    page = browser.new_page()
    try:
        decided = page.evaluate(f"xs => xs.map(x => /{pattern}/{flags}.test(x))", CANDIDATES)
    finally:
        page.close()
    python = [text.is_url(x) for x in CANDIDATES]
    held = [x for x in CANDIDATES if not text.problem(x)]
    assert [d for d, x in zip(decided, CANDIDATES, strict=True) if x in held] == \
        [p for p, x in zip(python, CANDIDATES, strict=True) if x in held]
    assert python[:3] == [True, True, True] and not any(python[4:12])


# --- serve ---------------------------------------------------------------------------------

def _get(port: int, path: str) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(f"GET {path} HTTP/1.0\r\n\r\n".encode())
        return s.recv(200)


def test_serve_serves_regular_files_inside_its_folder_only(tmp_path: Path) -> None:
    """Before: a symbolic link placed in the output folder was followed to a file outside it.
    After: 404 for it, for a FIFO (which would hold the request) and for a folder listing."""
    site, secret = tmp_path / "site", tmp_path / "secret.txt"
    (site / "data").mkdir(parents=True)
    (site / "index.html").write_text("the site")
    secret.write_text("not for the web")
    (site / "leak.txt").symlink_to(secret)
    (site / "inside.txt").symlink_to(site / "index.html")
    os.mkfifo(site / "pipe.js")
    server = serve.make_server(site, "127.0.0.1", 0)
    port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        assert _get(port, "/index.html").split(b" ")[1] == b"200"
        assert _get(port, "/").split(b" ")[1] == b"200"
        assert _get(port, "/inside.txt").split(b" ")[1] == b"200"  # a link within: fine
        for path in ("/leak.txt", "/pipe.js", "/data/", "/../secret.txt"):
            answer = _get(port, path)
            assert answer.split(b" ")[1] == b"404", (path, answer)
            assert b"not for the web" not in answer
    finally:
        server.shutdown()
        server.server_close()


# --- system errors -------------------------------------------------------------------------

@pytest.mark.parametrize("command", [["validate"], ["report"], ["diff", "seeds", "seeds"],
                                     ["release"], ["build", "--no-pictures"]])
def test_a_system_error_in_any_command_is_one_line(seeds: Path, tmp_path: Path, monkeypatch,
                                                   command: list[str]) -> None:
    """An OSError no command expected (here: the seeds cannot be listed) is one line and
    status 1, never a traceback."""
    from atlas.evidence import loader

    def denied(*_args, **_kwargs):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(seeds))

    monkeypatch.setattr(loader, "load", denied)
    monkeypatch.chdir(tmp_path)
    args = [a.replace("seeds", str(seeds)) for a in command]
    out = ["--out", str(tmp_path / "site")] if command[0] == "build" else []
    code, output = run(*args, "--seeds", str(seeds), *out)
    assert code == 1
    assert output.splitlines()[-1].endswith(f"Permission denied ({seeds})")
    assert not (tmp_path / "site").exists() and not (seeds / "releases").exists()


def test_a_tampered_marker_is_refused_not_a_crash(seeds: Path, tmp_path: Path) -> None:
    """The marker's sizes are read with the digits 0–9 only: '²' is not a size."""
    out = tmp_path / "site"
    build.run(seeds, out, pictures=False)
    marker = out / ".atlas-build"
    marker.write_text(re.sub(r"(?m)^[0-9]+ index\.html$", "² index.html",
                             marker.read_text("utf-8")), "utf-8")
    with pytest.raises(AtlasError, match="not an atlas build"):
        build.run(seeds, out, pictures=False)
