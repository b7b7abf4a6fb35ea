"""The classes of a layer or composite in layers.toml (value, label, colour, threshold, rule),
checked; shared by the layers' and the composites' readers."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from atlas.evidence.schema import _JS_KEYS, CLASS_KEYS, ClassSpec
from atlas.evidence.tomlcheck import _ID, _is_number, _known_keys, _shown, _table_list

_COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")
#: A class value: written in records and in `;`-separated lists, used as a key by the site.
_CLASS_VALUE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}")


def _label(entry: dict[str, Any], kind: str, n: int) -> str:
    """How problems name the n-th `[[kind]]` table: by its id when it has a valid one."""
    raw_id = entry.get("id")
    return f"{kind}.{raw_id}" if isinstance(raw_id, str) and _ID.fullmatch(raw_id) \
        else f"{kind} #{n}"


def _classes(entry: dict[str, Any], bad: Callable[..., None], count: bool = False,
             composite: bool = False) -> tuple[ClassSpec, ...]:
    """The `classes` list: value, label, colour; `min` where the class is reached by a count
    (a whole number ≥ 1) or a composite score (0–1)."""
    out: list[ClassSpec] = []
    for c in _table_list(entry, "classes", bad):
        _known_keys(c, CLASS_KEYS, lambda key, message, hint="", c=c: bad(
            "classes", f"class {c.get('value')!r}: {message}", hint, str(c.get("value", ""))))
        value = c.get("value")
        if not isinstance(value, str) or not _CLASS_VALUE.fullmatch(value) \
                or value in _JS_KEYS:
            bad("classes", f"class value {value!r} must be text of letters, digits and _ . + -"
                " (not starting with one of _ . + -)", "e.g. value = \"data_centre\"",
                str(value))
            continue
        if value in {x.value for x in out}:
            bad("classes", f"class value {value!r} appears twice", item=value, nth=2)
            continue

        def bad_class(message: str, value: str = value) -> None:
            bad("classes", f"class {value!r}: {message}", item=value)

        texts = {}
        for key in ("label", "color", "rule", "example"):
            text = c.get(key, "" if key in ("rule", "example") else None)
            if not isinstance(text, str) or (key in ("label", "color") and not text.strip()):
                bad_class(f"{key} is required (text in quotes)" if text is None
                          else f"{key} must be text in quotes, got {_shown(text)}")
                text = ""
            texts[key] = text
        if texts["color"] and not _COLOR.fullmatch(texts["color"]):
            bad_class(f"colour {texts['color']!r} must be #RRGGBB", )
        low = c.get("min")
        if composite and not (_is_number(low) and 0 <= low <= 1):
            bad_class(f"min must be a score from 0 to 1 (where the class starts), got "
                      f"{_shown(low) if low is not None else 'nothing'}")
            low = None
        elif count and not (isinstance(low, int) and not isinstance(low, bool) and low >= 1):
            bad_class("min must be a whole number ≥ 1 (the count where the class starts)")
            low = None
        elif not (count or composite) and low is not None:
            bad_class("min is only for count layers (rows = 'many') and composites")
        if not (count or composite) and not texts["rule"].strip():
            bad_class("has no `rule` (the codebook: what a source must say for a country to "
                      "get this value)")
        symbol = c.get("symbol", "")
        if not isinstance(symbol, str) or len(symbol) > 2 or (symbol and not symbol.isprintable()):
            bad_class(f"symbol must be text of one or two characters, got {_shown(symbol)}")
            symbol = ""
        out.append(ClassSpec(value, texts["label"], texts["color"].upper(), low,
                             texts["rule"], texts["example"], symbol))
    if not out:
        bad("classes", "at least one class is required")
    return tuple(out)
