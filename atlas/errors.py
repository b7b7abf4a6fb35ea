"""Domain errors. The library raises these; only the CLI turns them into exit codes."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from typing import NamedTuple


class AtlasError(Exception):
    """A problem the user can fix; its message is shown as-is."""


#: Control characters from the user's files (and the Unicode line separators), shown escaped: a
#: problem is always one line.
_ONE_LINE = {c: repr(chr(c))[1:-1] for c in (*range(32), *range(127, 160), 0x2028, 0x2029,
                                                  0xFEFF)}


def one_line(text: str) -> str:
    """`text` with every character that could break a line (or hide itself) shown escaped."""
    return text.translate(_ONE_LINE)


class Problem(NamedTuple):
    """One thing wrong (or suspicious) in the user's files, with where it is."""

    path: str
    line: int
    field: str
    message: str
    hint: str = ""
    warning: bool = False

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        field = f" {self.field}:" if self.field else ""
        kind = " warning:" if self.warning else ""
        hint = f" — {self.hint}" if self.hint else ""
        return one_line(f"{where}:{kind}{field} {self.message}{hint}")


class Problems(list[Problem]):
    """The problems one reading of the seeds found, errors and warnings together."""

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self if not p.warning]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self if p.warning]

    def trimmed(self, limit: int) -> Problems:
        """These problems as the user should read them: one error per cell (a cell with a NUL
        byte is not also an unknown country), and at most `limit` errors and `limit` warnings
        per file, the first found, then one line counting the rest (5,000 follow-on errors
        would bury the one that matters)."""
        out, seen = Problems(), set()
        listed: dict[tuple[str, bool], int] = {}
        left: dict[tuple[str, bool], int] = {}
        for p in self:
            cell = (p.path, p.line, p.field)
            if not p.warning and p.line and p.field:
                if cell in seen:
                    continue
                seen.add(cell)
            kind = (p.path, p.warning)
            if listed.get(kind, 0) >= limit:
                left[kind] = left.get(kind, 0) + 1
                continue
            listed[kind] = listed.get(kind, 0) + 1
            out.append(p)
        for (path, warning), n in left.items():
            what = "warning(s)" if warning else "error(s)"
            out.append(Problem(path, 0, "", f"{n:,} more {what} in this file not listed (the "
                               f"first {limit} found are)", "fix those first: the rest often "
                               "follow from them", warning))
        return out

    def raise_errors(self) -> None:
        """Raise ValidationFailed with every error, if there is one (warnings pass)."""
        if self.errors:
            raise ValidationFailed(self.errors)


#: The problems of the reading under way: every reader of the seeds reports to it, so no list is
#: passed from function to function.
_COLLECTOR: ContextVar[Problems | None] = ContextVar("problems", default=None)


@contextlib.contextmanager
def collecting() -> Iterator[Problems]:
    """Collect the problems of one reading of the seeds (atlas.evidence.load)."""
    problems = Problems()
    token = _COLLECTOR.set(problems)
    try:
        yield problems
    finally:
        _COLLECTOR.reset(token)


def collector() -> Problems:
    """The problems of the reading under way (see collecting)."""
    problems = _COLLECTOR.get()
    if problems is None:
        raise RuntimeError("the seeds are read inside errors.collecting()")
    return problems


class ValidationFailed(AtlasError):
    """Raised once with every problem found, so the user sees them all at once."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        errors = [p for p in self.problems if not p.warning]
        lines = [str(p) for p in self.problems]
        summary = f"{len(errors)} error(s), {len(self.problems) - len(errors)} warning(s)"
        super().__init__("\n".join([*lines, summary]))


def close_matches(word: str, options: list[str] | tuple[str, ...], n: int = 1,
                  cutoff: float = 0.6) -> list[str]:
    """The options closest to `word`, for a "did you mean" (difflib, imported only when needed:
    a build with no problems never needs it)."""
    import difflib

    return difflib.get_close_matches(word, options, n=n, cutoff=cutoff)
