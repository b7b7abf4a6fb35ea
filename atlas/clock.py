"""The one notion of 'now': SOURCE_DATE_EPOCH when set (reproducible builds), else the clock."""

from __future__ import annotations

import os
import re
import time


def epoch() -> int | None:
    """SOURCE_DATE_EPOCH in seconds, when it is set to a whole number of them (digits 0–9 only:
    str.isdigit() also takes '²', which int() refuses) of a year the calendar can show; else
    None (the clock is used)."""
    text = os.environ.get("SOURCE_DATE_EPOCH", "")
    return int(text) if re.fullmatch(r"[0-9]{1,11}", text) else None


def current_year() -> int:
    """This year, or the year of SOURCE_DATE_EPOCH when set."""
    seconds = epoch()
    return time.gmtime(time.time() if seconds is None else seconds).tm_year
