"""Domain errors. The library raises these; only the CLI turns them into exit codes."""

from __future__ import annotations

from typing import NamedTuple


class AtlasError(Exception):
    """A problem the user can fix; its message is shown as-is."""


#: Control characters from the user's files, shown escaped: a problem is always one line.
_ONE_LINE = {c: repr(chr(c))[1:-1] for c in (*range(32), 127)}


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
        return f"{where}:{kind}{field} {self.message}{hint}".translate(_ONE_LINE)


class Problems(list[Problem]):
    """The problems one reading of the seeds found, errors and warnings together."""

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self if not p.warning]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self if p.warning]

    def raise_errors(self) -> None:
        """Raise ValidationFailed with every error, if there is one (warnings pass)."""
        if self.errors:
            raise ValidationFailed(self.errors)


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
