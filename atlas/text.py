"""The rules for text from the user's files, one set for every reader: which characters a value
may hold, how long it may be, which digits make a number, what is a date, what is a link.

The seeds' CSV files, layers.toml and the release files all pass their values through here, and
the pages decide what is a link with the same rule as the validator (the map's script repeats
URL_PATTERN; tests/test_corpus.py checks the two are the same text).
"""

from __future__ import annotations

import datetime
import re

#: A link: http or https in any case, then no white space, quote, backtick or angle bracket (the
#: characters that would end an attribute or be taken for markup). The map's safeUrl() in
#: site/assets/*.js holds the same pattern, with the same case-insensitive flag.
URL_PATTERN = r"""^https?://[^\s<>"'`]+$"""
URL = re.compile(URL_PATTERN, re.IGNORECASE)

#: What a reader can use. A name or title fits on a line or two; a note or an explanation is a
#: few paragraphs; browsers and servers all take links of up to about 2,000 characters. Longer
#: values are mistakes (a pasted document, a runaway formula) that would be copied into every
#: page that shows them.
MAX_LINE = 500
MAX_TEXT = 4_000
MAX_URL = 2_000

#: Characters no value may hold: the C0 and C1 control characters (NUL among them) and DEL, lone
#: surrogates (JSON can spell them; no file can store them as UTF-8) and the byte-order mark
#: (invisible inside a value; it is also the one character JavaScript's \s counts as white space
#: and Python's does not, so refusing it keeps URL_PATTERN one rule in both). Tab and line
#: breaks are allowed in paragraphs (ALWAYS_REFUSED) but not in names (ONE_LINE_REFUSED).
ALWAYS_REFUSED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufeff]")
ONE_LINE_REFUSED = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufeff]")

_ASCII_INT = re.compile(r"[+-]?[0-9]+")
_ASCII_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
#: A date written the ISO way inside a longer text ("2026-02-30 (posted …)"): YYYY-MM or
#: YYYY-MM-DD, not part of a longer run of digits and dashes.
_ISO_IN_TEXT = re.compile(r"(?<![0-9-])([0-9]{4})-([0-9]{2})(?:-([0-9]{2}))?(?![0-9-])")


def is_url(text: object) -> bool:
    """Whether `text` is a link the atlas shows as one (pages, map, validator alike)."""
    return isinstance(text, str) and not ONE_LINE_REFUSED.search(text) and bool(URL.match(text))


def _character(c: str) -> str:
    names = {"\x00": "a NUL byte", "\t": "a tab", "\n": "a line break", "\r": "a line break",
             "\x7f": "a DEL character", "\ufeff": "a byte-order mark (U+FEFF)"}
    return names.get(c, f"the control character U+{ord(c):04X}")


def problem(text: str, *, multiline: bool = False, limit: int = MAX_LINE) -> str | None:
    """What is wrong with a value from the user's files, or None: a character no reader can see
    or use, or more characters than `limit`. `multiline`: a paragraph, where tabs and line breaks
    are white space."""
    bad = (ALWAYS_REFUSED if multiline else ONE_LINE_REFUSED).search(text)
    if bad and bad.group() in "\t\n\r":
        return (f"contains {_character(bad.group())} (at character {bad.start() + 1}); this "
                "value is one line")
    if bad:
        return (f"contains {_character(bad.group())} (at character {bad.start() + 1}), which no "
                "reader can see")
    if len(text) > limit:
        return f"is {len(text):,} characters long; at most {limit:,} are shown to a reader"
    return None


def hint(message: str) -> str:
    """The suggestion that goes with problem()'s `message`."""
    if "one line" in message:
        return "write it on one line (a line break belongs in note)"
    if message.startswith("contains"):
        return ("delete it (it is invisible in most editors: retype the value, or search for it "
                "with your editor's regular expressions)")
    return "shorten it: a name or title in a line, longer explanations in note"


def non_ascii_digits(text: str) -> bool:
    """Whether `text` holds digits other than 0–9 (superscript ², Arabic-Indic ٢, …), which
    Python's int() and str.isdigit() partly accept and a reader may not."""
    return any(c.isdigit() and not ("0" <= c <= "9") for c in text)


def digits_hint(text: str) -> str:
    return ("write the digits 0–9 (this value uses other digits, e.g. superscript or "
            "Arabic-Indic ones)" if non_ascii_digits(text) else "")


def parse_int(text: str) -> int:
    """A whole number written with the digits 0–9 (and an optional sign); ValueError otherwise
    (int() alone accepts '٢٥', '2_5' and ' 25 ')."""
    if not _ASCII_INT.fullmatch(text) or len(text) > 30:
        raise ValueError(text)
    return int(text)


def parse_number(text: str) -> float:
    """A number written with the digits 0–9, a decimal point and an optional exponent;
    ValueError otherwise (float() alone accepts 'nan', 'inf', '١٢' and '1_0')."""
    if not _ASCII_NUMBER.fullmatch(text) or len(text) > 60:
        raise ValueError(text)
    return float(text)


def is_date(text: object) -> bool:
    """Whether `text` is a day of the calendar written YYYY-MM-DD (no 30 February)."""
    if not isinstance(text, str) or not _ISO_DATE.fullmatch(text):
        return False
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def bad_iso_date(text: str) -> str | None:
    """The first date written the ISO way (YYYY-MM-DD or YYYY-MM) in `text` that is not one of
    the calendar, or None: '2026-02-30', '2026-13'."""
    for m in _ISO_IN_TEXT.finditer(text):
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3) or 1)
        try:
            datetime.date(year, month, day)
        except ValueError:
            return m.group(0)
    return None
