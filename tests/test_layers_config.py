"""layers.toml is checked as strictly as a record: every bad value is a `file:line: field:` error
from build, validate and report, never a traceback; names the atlas makes are reserved."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from atlas.cli import cli
from atlas.evidence import codebook, tableschema
from atlas.exports import tables

#: A problem line: the file, a line number (a whole-file problem may have none), the message.
PROBLEM = re.compile(r"^(?P<file>[^:\n]+?)(?::(?P<line>\d+))?: (?:warning: )?\S")


def edit(seeds: Path, old: str, new: str, count: int = 1) -> None:
    path = seeds / "layers.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def line_of(seeds: Path, text: str) -> int:
    lines = (seeds / "layers.toml").read_text(encoding="utf-8").splitlines()
    return [n for n, line in enumerate(lines, 1) if text in line][-1]


HIGH = '{ value = "high", label = "0.7 and above", color = "#A50F15", min = 0.7 }'
# (what is done to layers.toml, the text on its line afterwards, what the error says)
HOSTILE = [
    ('layer = "cloud", weight = 1', 'layer = "cloud", weight = "heavy"', "weight = \"heavy\"",
     "composite.footprint.components: cloud: weight must be a number above 0, got text"),
    ("weight = 1", "weight = 0", 'layer = "cloud", weight = 0',
     "cloud: weight must be a number above 0, got a number 0"),
    ('layer = "mou", weight = 1', 'layer = "mou", weight = true', 'layer = "mou", weight = true',
     "mou: weight must be a number above 0, got true/false"),
    (HIGH, '{ value = "high", label = "0.7 and above", min = 0.7 }', 'label = "0.7 and above"',
     "composite.footprint.classes: class 'high': color is required"),
    (HIGH, HIGH.replace("#A50F15", "red"), '"red"', "class 'high': colour 'red' must be #RRGGBB"),
    (HIGH, HIGH.replace("min = 0.7", 'min = "0.7"'), 'min = "0.7"',
     "class 'high': min must be a score from 0 to 1 (where the class starts), got text '0.7'"),
    ("min_components = 2", "min_components = 0", "min_components = 0",
     "composite.footprint.min_components: must be a whole number from 1"),
    ("min_components = 2", 'min_components = "two"', "min_components =",
     "min_components: must be a whole number from 1 to the number of components (4), got text"),
    ("scores = { high = 1.0,", "scores = { high = 'x',", "scores = { high = 'x',",
     "forum: scores must give each of its class values a number from 0 to 1"),
    ("low = 0.3, none = 0.0 }", "low = 0.3 }", "low = 0.3 }", "forum: scores must give each of "
     "its class values a number from 0 to 1 (unknown: none; missing: none)"),
    ('title = "DSR footprint index (composite)"', "title = 5", "title = 5",
     "composite.footprint.title: must be text in quotes, got a number 5"),
    ('id = "footprint"', 'id = "cloud_index"', 'id = "cloud_index"',
     "composite.cloud_index: id 'cloud_index' begins with 'cloud_', which names the columns "
     "of 'cloud'"),
    ('id = "mou"', 'id = "iso3"', 'id = "iso3"', "layer.iso3.id: layer id 'iso3' is reserved"),
    ('id = "mou"', 'id = "name_zh"', 'id = "name_zh"', "layer id 'name_zh' is reserved"),
    ('id = "mou"', 'id = "mou\\n"', 'id = "mou\\n"',
     "layer #2.id: layer id 'mou\\n' must be lower-case letters"),
    ('{ name = "parties", type = "text"', '{ name = "sources", type = "text"', 'name = "sources"',
     "layer.mou: field 'sources' makes the download column 'mou_sources', which layer 'mou' "
     "makes too"),
    ('{ name = "instrument_name", type = "text"', '{ name = "parties", type = "text"',
     'name = "parties"', "layer.mou.fields: field 'parties': appears twice"),
    ('{ name = "parties", type = "text"', '{ name = "year", type = "text"', 'name = "year"',
     "field 'year': is a common column of every records file"),
    ('{ value = "medium", label', '{ value = "high", label', '{ value = "high", label = "Medium',
     "layer.forum.classes: class value 'high' appears twice"),
    ('{ value = "none", label', '{ value = "_no_data", label', 'value = "_no_data"',
     "class value '_no_data' must be text of letters, digits"),
    ('{ value = "none", label', '{ value = "constructor", label', 'value = "constructor"',
     "class value 'constructor' must be text"),
    ('{ value = "none", label', '{ value = "a;b", label', 'value = "a;b"',
     "class value 'a;b' must be text"),
    ('file = "mou.csv"', 'file = "cloud.csv"', 'file = "cloud.csv"',
     "layer.mou.file: 'cloud.csv' is already the file of another layer"),
    ('file = "mou.csv"', 'file = "sources.csv"', 'file = "sources.csv"',
     "layer.mou.file: 'sources.csv' must be a .csv file name in the seeds folder, other than"),
    ('file = "mou.csv"', 'file = "../mou.csv"', 'file = "../mou.csv"', "must be a .csv file name"),
    ('color = "#0072B2"', 'colour = "#0072B2"', 'colour = "#0072B2"',
     "unknown setting 'colour' — did you mean 'color'?"),
    ('scale = "ordinal"', 'scale = 2', 'scale = 2', "layer.mou.scale: must be text in quotes"),
    ('scale = "ordinal"', 'scale = "loud"', 'scale = "loud"', "'loud' must be one of"),
    ('value = "instrument"', 'value = "parties"', 'value = "parties"',
     "layer.mou.value: the field the map colours by, 'parties', must have type = 'class'"),
    ("min = 0, max = 100", "min = 100, max = 0", "min = 100, max = 0",
     "field 'share_pct': min 100 is above max 0"),
    ("min = 0, max = 100", 'min = "0", max = 100', 'min = "0"', "field 'share_pct': min must be "
     "a number"),
    ('required = true, help = "strongest signed', 'required = "yes", help = "strongest signed',
     'required = "yes"', "field 'instrument': required must be true or false"),
    ('requires = "share_measure"', 'requires = "share_pct"', 'requires = "share_pct"',
     "requires 'share_pct', which is not another field"),
    ('type = "list", values = "classes"', 'type = "list", values = [1, 2]', "values = [1, 2]",
     "field 'others': values must be a list of texts"),
    ('publisher = "DSR Atlas contributors"', "publisher = []", "publisher = []",
     "atlas.publisher: must be text in quotes, got a list"),
    ('publisher = "DSR Atlas contributors"', 'base_url = "javascript:alert(1)//"',
     "base_url", "atlas.base_url: 'javascript:alert(1)//' is not an http(s) address"),
    ('publisher = "DSR Atlas contributors"', 'publsher = "x"', 'publsher = "x"',
     "atlas.publsher: unknown setting 'publsher' — did you mean 'publisher'?"),
    ("[atlas]", "[atlas]\n[atlas.extra]", "[atlas.extra]", "unknown setting 'extra'"),
    ('news = "medium"', 'news = "sure"', 'news = "sure"',
     "confidence.kinds: news: 'sure' must be one of low, medium, high"),
    ("[codebook]\nrules = [", "[codebook]\nrules = [1,", "rules = [1,",
     "codebook.rules: must be a list of texts"),
    ("[[composite]]", "[[composite]]\nextra = 1", "extra = 1", "unknown setting 'extra'"),
    ('id = "cloud"', 'id = "cloud"\nid = "again"', 'id = "again"',
     "not valid TOML: Cannot overwrite"),
]


@pytest.mark.parametrize(("old", "new", "on_line", "message"), HOSTILE,
                         ids=[h[3][:40] for h in HOSTILE])
def test_a_bad_layers_toml_is_a_line_not_a_traceback(seeds: Path, tmp_path: Path, old: str,
                                                      new: str, on_line: str,
                                                      message: str) -> None:
    edit(seeds, old, new)
    expected = f"{seeds / 'layers.toml'}:{line_of(seeds, on_line)}: "
    for command in (["validate"], ["report"], ["build", "--out", str(tmp_path / "site")]):
        result = CliRunner().invoke(cli, [*command, "--seeds", str(seeds)])
        assert result.exit_code == 1, (command, result.output)
        assert not isinstance(result.exception, Exception) or isinstance(
            result.exception, SystemExit), result.exception
        assert any(line.startswith(expected) and message in line
                   for line in result.output.replace("Error: ", "").splitlines()), result.output
    assert not (tmp_path / "site").exists()


def test_a_toml_date_is_a_data_date(seeds: Path) -> None:
    edit(seeds, 'data_date = "2026-11-23"', "data_date = 2026-11-23")
    assert codebook.load_all(seeds).meta["data_date"] == "2026-11-23"


def test_layer_written_as_a_single_table(seeds: Path) -> None:
    text = (seeds / "layers.toml").read_text(encoding="utf-8")
    head = text.split("[[layer]]")[0]
    (seeds / "layers.toml").write_text(head + '[layer]\nid = "cloud"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", "--seeds", str(seeds)])
    assert result.exit_code == 1
    assert "layer: must be written [[layer]] (a list of tables), not [layer]" in result.output


@pytest.mark.parametrize("kind", ["folder", "fifo", "device", "binary"])
def test_layers_toml_that_is_not_a_text_file(seeds: Path, kind: str) -> None:
    path = seeds / "layers.toml"
    path.unlink()
    if kind == "folder":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":
        path.symlink_to("/dev/zero")
    else:
        path.write_bytes(b"\xff\xfe[layer]\x00")
    result = CliRunner().invoke(cli, ["validate", "--seeds", str(seeds)])  # returns: no hang
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {path}: ")
    assert {"folder": "is a folder", "fifo": "not a regular file", "device": "not a regular file",
            "binary": "not UTF-8"}[kind] in result.output


def test_the_reserved_check_knows_every_download_column() -> None:
    """tableschema.output_columns is what tables.columns writes (so the collision check sees every
    column the downloads will have)."""
    cfg = codebook.load_all(Path(__file__).parent.parent / "seeds")
    made = [c for c, _ in tableschema.output_columns(cfg.layers, cfg.composites)]
    assert made == tables.columns(cfg.layers, cfg.composites)
    assert len(set(made)) == len(made)


# Property-based: random layers.toml and CSV content never break `validate`.

def run_validate(seeds: Path) -> None:
    """`atlas validate`: success, or every line a problem at a file of the seeds folder."""
    result = CliRunner().invoke(cli, ["validate", "--seeds", str(seeds)])
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    if result.exit_code == 1:
        lines = result.output.replace("Error: ", "").splitlines()
        problems = [line for line in lines if not re.match(r"^\d+ (error|problem)", line)]
        assert problems, result.output
        for line in problems:
            m = PROBLEM.match(line)
            assert m and Path(m["file"]).parent == seeds, line


TOML_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.floats(allow_nan=True)
    | st.text(max_size=8) | st.sampled_from(["cloud", "#FFFFFF", "region", "class", "iso3"]),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.sampled_from(["id", "value", "label", "color", "min", "weight",
                                       "scores", "layer", "name", "type", "x"]), inner,
                      max_size=4),
    max_leaves=8)
KEYS = ["id", "title", "file", "value", "scale", "classes", "fields", "rows", "min_components",
        "components", "weight", "scores", "color", "min", "label", "name", "type", "values",
        "kinds", "base_url", "data_date", "rules", "unknown"]


def toml_value(value: object) -> str:
    """A Python value as TOML (None: an empty inline table)."""
    if value is None:
        return "{}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if value != value else ("inf" if value == float("inf") else
                                             "-inf" if value == float("-inf") else repr(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return '"' + value.encode("unicode_escape").decode("ascii").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"


@settings(max_examples=200, deadline=timedelta(seconds=10),
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(table=st.sampled_from(["[[layer]]", "[[composite]]", "[atlas]", "[confidence]",
                              "[codebook]"]),
       n=st.integers(1, 4), key=st.sampled_from(KEYS), value=TOML_VALUES)
def test_random_settings_in_layers_toml(seeds: Path, table: str, n: int, key: str,
                                        value: object) -> None:
    """Set one key of the `n`th such table to a random value (or add it)."""
    path = seeds / "layers.toml"
    original = path.read_text(encoding="utf-8")
    parts = original.split(table)
    try:
        if len(parts) > n:
            body = parts[n]
            line = re.compile(rf"^{key} = .*$", re.M)
            new = f"{key} = {toml_value(value)}"
            parts[n] = line.sub(lambda _m: new, body, 1) if line.search(body) \
                else "\n" + new + body
            path.write_text(table.join(parts), encoding="utf-8")
        run_validate(seeds)
    finally:
        path.write_text(original, encoding="utf-8")


@settings(max_examples=200, deadline=timedelta(seconds=10),
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(["mou.csv", "cloud.csv", "projects.csv", "sources.csv",
                             "citations.csv", "companies.csv", "aggregates.csv"]),
       lines=st.lists(st.text(alphabet=st.sampled_from(list(',"\n\r;=-@ aLAOé\x00\ufeff0123')),
                              max_size=30), max_size=5),
       keep_header=st.booleans(), raw=st.binary(max_size=20))
def test_random_csv_content(seeds: Path, name: str, lines: list[str], keep_header: bool,
                            raw: bytes) -> None:
    path = seeds / name
    original = path.read_bytes() if path.exists() else None
    try:
        header = (original or b"").split(b"\n", 1)[0] + b"\n" if keep_header else b""
        path.write_bytes(header + "\n".join(lines).encode("utf-8") + raw)
        run_validate(seeds)
    finally:
        if original is None:
            path.unlink()
        else:
            path.write_bytes(original)
