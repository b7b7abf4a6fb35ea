"""Reading `layers.toml` and saying what is wrong in it: each problem at its line (tomllib gives
values, not lines), each value named by its TOML type."""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from atlas import text
from atlas.errors import Problem, ValidationFailed, close_matches
from atlas.evidence.schema import BASE_COLUMNS, CONFIG_NAME, MAX_CONFIG_BYTES, RESERVED_IDS
from atlas.files import UnreadableFile, read_regular

_ID = re.compile(r"^[a-z][a-z0-9_]{0,30}$")
_HEADER = re.compile(r"^\s*\[\[?\s*([^\[\]#]+?)\s*\]\]?\s*(?:#.*)?$")


class _Lines:
    """Where things stand in layers.toml, for the problems' line numbers (tomllib gives values,
    not lines): a table's header, a key in it, or an item (`value = "x"`) in one of its arrays."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.heads = [(i, m.group(1)) for i, line in enumerate(self.lines, 1)
                      if (m := _HEADER.match(line))]

    def of(self, table: str = "", n: int = 1, key: str = "", item: str = "",
           nth: int = 1) -> int:
        """The line of the `n`th `table` (empty: the top), of `key` in it, of `item` after."""
        if table:
            starts = [i for i, name in self.heads if name == table]
            if len(starts) < n:
                return 1
            start = starts[n - 1]
        else:
            start = 0
        end = next((i for i, _ in self.heads if i > start), len(self.lines) + 1)
        found = max(start, 1)
        if key:
            pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
            sub = f"{table}.{key}" if table else key  # a sub-table [table.key]
            found = next((i for i in range(start + 1, end)
                          if pattern.match(self.lines[i - 1])),
                         next((i for i, name in self.heads if name == sub), found))
        if item:
            pattern = re.compile(rf"(?:^|[{{,\s])(?:value|name|layer)\s*=\s*[\"']"
                                 rf"{re.escape(item)}[\"']")
            hits = [i for i in range(found, end) if pattern.search(self.lines[i - 1])]
            found = hits[min(nth, len(hits)) - 1] if hits else found
        return found


class _Check:
    """The problems of one reading of layers.toml, each at its line."""

    def __init__(self, shown: str, lines: _Lines) -> None:
        self.shown, self.lines = shown, lines
        self.problems: list[Problem] = []

    def bad(self, field: str, message: str, hint: str = "", *, table: str = "", n: int = 1,
            key: str = "", item: str = "", nth: int = 1) -> None:
        self.problems.append(Problem(self.shown, self.lines.of(table, n, key, item, nth),
                                     field, message, hint))

    def table(self, label: str, table: str, n: int = 1) -> Callable[..., None]:
        """A `bad(key, message, hint="", item="", nth=1)` for one table: the field is
        `label.key`, the line that of the `nth` `item` under `key`."""
        def bad(key: str, message: str, hint: str = "", item: str = "", nth: int = 1) -> None:
            self.bad(f"{label}.{key}" if key else label, message, hint, table=table, n=n,
                     key=key, item=item, nth=nth)
        return bad

    def raise_if_any(self) -> None:
        """ValidationFailed with every problem, one per setting (a layer id with a NUL byte is
        not also an id of the wrong shape)."""
        if self.problems:
            one = {(p.line, p.field): p for p in reversed(self.problems)}
            raise ValidationFailed(list(one.values()))


#: Settings that hold paragraphs (line breaks allowed, up to text.MAX_TEXT characters); every
#: other text in layers.toml is a name or a short value (text.MAX_LINE).
PARAGRAPH_KEYS = frozenset({"description", "rule", "rules", "example", "help"})


def _first_bad_text(value: Any, where: str, multiline: bool) -> tuple[str, str] | None:
    """The first text in `value` (a setting, perhaps a list or table of them) that no reader
    can use, as (where it is, what is wrong)."""
    if isinstance(value, str):
        wrong = text.problem(value, multiline=multiline,
                             limit=text.MAX_TEXT if multiline else text.MAX_LINE)
        return (where, wrong) if wrong else None
    items = value.items() if isinstance(value, dict) else enumerate(value) \
        if isinstance(value, list) else ()
    for key, item in items:
        inner = f"{where}.{key}" if isinstance(key, str) else f"{where}[{key}]"
        found = _first_bad_text(item, inner, multiline or key in PARAGRAPH_KEYS)
        if found:
            return found
    return None


def check_texts(raw: dict[str, Any], check: _Check, label: Callable[[Any, str, int], str]
                ) -> None:
    """Every text of layers.toml without control characters and no longer than a reader can
    use, whatever setting holds it; each problem at the line of its setting. TOML can spell a
    NUL byte (\\u0000) in any string, and the [atlas] table is copied into every page."""
    for top, value in raw.items():
        entries = value if isinstance(value, list) else [value]
        for n, entry in enumerate(entries, 1):
            if not isinstance(entry, dict):
                continue
            name = label(entry, top, n) if isinstance(value, list) else top
            for key, setting in entry.items():
                found = _first_bad_text(setting, f"{name}.{key}", key in PARAGRAPH_KEYS)
                if found:
                    where, wrong = found
                    check.bad(where, wrong, text.hint(wrong), table=top, n=n, key=key)


def _shown(value: Any) -> str:
    """A value as the user wrote it, named by its TOML type, for "got …"."""
    kind = ("true/false" if isinstance(value, bool) else "a number"
            if isinstance(value, int | float) else "text" if isinstance(value, str)
            else "a list" if isinstance(value, list) else "a table"
            if isinstance(value, dict) else "a date")
    text = repr(value)
    return f"{kind} {text if len(text) <= 60 else text[:57] + '...'}"


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) \
        and math.isfinite(value)


def _known_keys(entry: dict[str, Any], known: tuple[str, ...], bad: Callable[..., None]) -> None:
    for key in entry:
        if key not in known:
            close = close_matches(key, known, n=1)
            bad(key, f"unknown setting {key!r}",
                f"did you mean {close[0]!r}?" if close else f"known: {', '.join(known)}")


def _text(entry: dict[str, Any], key: str, bad: Callable[..., None], required: bool = False,
          default: str = "") -> str | None:
    """`entry[key]` if it is text; else a problem, and None (required) or `default`."""
    value = entry.get(key)
    if value is None or (required and isinstance(value, str) and not value.strip()):
        if required:
            bad(key, "is required (text in quotes)")
            return None
        return default
    if not isinstance(value, str):
        bad(key, f"must be text in quotes, got {_shown(value)}")
        return None if required else default
    return value


def _table_list(entry: dict[str, Any], key: str, bad: Callable[..., None]) -> list[dict]:
    """`entry[key]` as a list of tables (each `{ … }`); problems for anything else."""
    value = entry.get(key, [])
    if not isinstance(value, list):
        bad(key, f"must be a list of tables [{{ … }}, …], got {_shown(value)}")
        return []
    good = [v for v in value if isinstance(v, dict)]
    if len(good) < len(value):
        bad(key, "each item must be a table { … }")
    return good


def _name_ok(name: str, what: str, field: str, bad: Callable[..., None],
             reserved: tuple[str, ...] = RESERVED_IDS) -> bool:
    """A layer id, composite id or field name: a slug, not one the atlas uses itself (a field's
    columns are prefixed with its layer's id, so only the JavaScript keys are reserved)."""
    if not _ID.fullmatch(name):
        bad(field, f"{what} {name!r} must be lower-case letters, digits and _, starting with a "
            "letter, at most 31 characters", "e.g. 'safe_city'")
        return False
    if name in reserved:
        bad(field, f"{what} {name!r} is reserved (the downloads' own columns are "
            f"{', '.join(BASE_COLUMNS)})", "choose another name")
        return False
    return True


def _read(seeds: Path) -> tuple[dict[str, Any], _Lines]:
    """layers.toml parsed, and where its settings stand (for line numbers)."""
    path = seeds / CONFIG_NAME
    try:
        text = read_regular(path, MAX_CONFIG_BYTES).decode("utf-8-sig")
        return tomllib.loads(text), _Lines(text)
    except FileNotFoundError:
        raise ValidationFailed(
            [Problem(str(path), 0, "", "layer configuration not found", "copy seeds/layers.toml")]
        ) from None
    except UnreadableFile as exc:
        raise ValidationFailed([Problem(str(path), 0, "", str(exc))]) from None
    except OSError as exc:
        raise ValidationFailed([Problem(str(path), 0, "", f"cannot read it: "
                                        f"{exc.strerror or exc}")]) from None
    except UnicodeDecodeError as exc:
        raise ValidationFailed([Problem(str(path), 0, "", f"not UTF-8 (byte {exc.start})",
                                        "save it as UTF-8")]) from None
    except (tomllib.TOMLDecodeError, RecursionError) as exc:
        found = re.search(r"line (\d+)", str(exc))
        raise ValidationFailed([Problem(str(path), int(found.group(1)) if found else 1, "",
                                        f"not valid TOML: {str(exc)[:200]}")]) from None
