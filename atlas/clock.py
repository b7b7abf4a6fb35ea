"""The one notion of 'now': SOURCE_DATE_EPOCH when set (reproducible builds), else the clock."""

from __future__ import annotations

import os
import time


def current_year() -> int:
    """This year, or the year of SOURCE_DATE_EPOCH when set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    seconds = int(epoch) if epoch and epoch.isdigit() else time.time()
    return time.gmtime(seconds).tm_year
