"""Checking that a citation's quote really stands in its document, at or near its locator."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import NamedTuple

from atlas.files import UnreadableFile, read_regular

#: How many lines either side of the locator a quote may stand.
NEAR = 3
#: Line numbers in the digits 0–9 (\d would take any script's digits) and of a sensible size.
_LINE_LOCATOR = re.compile(r"^L([0-9]{1,9})(?:\s*[-–]\s*L?([0-9]{1,9}))?$")


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


def text_lines(text: str) -> tuple[str, ...]:
    """A document's lines, normalised."""
    raw = text.splitlines()
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


class DocumentError(Exception):
    """A local copy that cannot be read as a document (too big, not a file, not UTF-8, …)."""


#: Local copies are text documents; a larger file is refused rather than read into memory.
MAX_DOCUMENT_BYTES = 20_000_000


class Documents:
    """The sources' local text copies in one folder (`root`), as one load of the records reads
    them: each read once, on first use; none outside the folder, nor a special file."""

    def __init__(self, root: Path) -> None:
        self.root = root
        #: Each copy's lines once read; None: not in the folder; the error if it cannot be read.
        self.lines: dict[str, tuple[str, ...] | DocumentError | None] = {}
        self.missing: set[str] = set()  # sources whose copy is not there (filled by the caller)

    def _read(self, name: str) -> tuple[str, ...] | None:
        path = self.root / name
        try:
            if not path.exists():
                return None
            real, root = path.resolve(), self.root.resolve()
            if root not in real.parents:
                raise DocumentError(f"{name} leads outside {self.root}")
            return text_lines(read_regular(real, MAX_DOCUMENT_BYTES).decode("utf-8"))
        except UnreadableFile as exc:
            raise DocumentError(f"{path} {exc}") from None
        except UnicodeDecodeError as exc:
            raise DocumentError(f"{path} is not UTF-8 text (byte {exc.start})") from None
        except OSError as exc:
            raise DocumentError(f"{path}: {exc.strerror}") from None
        except ValueError:  # a NUL byte in the name (validation refuses it; this is a backstop)
            raise DocumentError(f"{name!r} is not a file name") from None

    def check(self, name: str, locator: str, quote: str) -> QuoteCheck | None:
        """Like check(), for the local copy `name`; None if it is not in the folder."""
        if name not in self.lines:
            try:
                self.lines[name] = self._read(name)
            except DocumentError as exc:
                self.lines[name] = exc  # every citation of it is told why, not "missing"
        lines = self.lines[name]
        if isinstance(lines, DocumentError):
            raise lines
        return None if lines is None else check(lines, locator, quote)
