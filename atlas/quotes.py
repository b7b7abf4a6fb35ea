"""Checking that a citation's quote really stands in its document, at or near its locator."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import NamedTuple

#: How many lines either side of the locator a quote may stand.
NEAR = 3
_LINE_LOCATOR = re.compile(r"^L(\d+)(?:\s*[-–]\s*L?(\d+))?$")


def line_range(locator: str) -> tuple[int, int] | None:
    """'L12' → (12, 12); 'L12-14' → (12, 14); anything else (a section, a URL) → None."""
    m = _LINE_LOCATOR.match(locator.strip())
    if not m:
        return None
    start = int(m.group(1))
    end = int(m.group(2) or start)
    return (start, end) if end >= start else None


#: Typographic characters a copy-paste may change, and what they fold to.
_FOLD = (("‘", "'"), ("’", "'"), ("“", '"'), ("”", '"'), ("–", "-"), ("—", "-"), ("\u00a0", " "))


def _fold(text: str) -> str:
    for old, new in _FOLD:  # str.replace is far faster than str.translate on long texts
        text = text.replace(old, new)
    return text


def normalise(text: str) -> str:
    """Fold the differences a copy-paste introduces: Unicode form, quotes, dashes, white space."""
    text = _fold(unicodedata.normalize("NFKC", text))
    return " ".join(text.split()).casefold()


def document_lines(path: Path) -> tuple[str, ...]:
    """The document's lines, normalised."""
    raw = path.read_text(encoding="utf-8").splitlines()
    # One pass over the whole text (much faster than line by line); "\n" is never folded away.
    folded = _fold(unicodedata.normalize("NFKC", "\n".join(raw))).split("\n")
    if len(folded) != len(raw):  # cannot happen with NFKC, but line numbers must stay right
        return tuple(normalise(x) for x in raw)
    return tuple(" ".join(x.split()).casefold() for x in folded)


class QuoteCheck(NamedTuple):
    """Where a quote was found: ok near its locator, elsewhere (found_at), or nowhere."""

    ok: bool
    found_at: int | None = None


def check(lines: tuple[str, ...], locator: str, quote: str) -> QuoteCheck:
    """Is `quote` in the document within NEAR lines of the locator (anywhere if no line locator)?"""
    needle = normalise(quote)
    if not needle:
        return QuoteCheck(False)
    span = line_range(locator)
    if span is not None:
        for n in range(max(1, span[0] - NEAR), min(len(lines), span[1] + NEAR) + 1):
            if needle in lines[n - 1]:
                return QuoteCheck(True, n)
    hits = (i + 1 for i, line in enumerate(lines) if needle in line)
    first = next(hits, None)
    return QuoteCheck(span is None and first is not None, first)


class Documents:
    """The source documents as one load of the records reads them: each read once, on first use."""

    def __init__(self) -> None:
        self.lines: dict[Path, tuple[str, ...] | None] = {}

    def check(self, doc: Path, locator: str, quote: str) -> QuoteCheck | None:
        """Like check(), for a document file; None if the file is missing."""
        if doc not in self.lines:
            self.lines[doc] = document_lines(doc) if doc.is_file() else None
        lines = self.lines[doc]
        return None if lines is None else check(lines, locator, quote)
