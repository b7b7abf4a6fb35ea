"""The `atlas` command (and `python -m atlas`): the click CLI (atlas.cli), started quickly.

`atlas build` starts its painter process before click and the rest are imported (atlas.painter),
and every command ends with os._exit once its output is flushed: tearing the interpreter down
(collecting and freeing every module and object) would add about 10 ms to a command that takes
0.1 s.
"""

from __future__ import annotations

import contextlib
import os
import sys


def main() -> None:
    """Run the CLI with the process's arguments, then exit at once with its status."""
    if sys.argv[1:2] == ["build"] and "--no-pictures" not in sys.argv:
        from atlas import painter

        painter.start_early()
    status: object = 0
    try:
        from atlas.cli import cli

        cli.main()  # always ends in SystemExit (click's standalone mode)
    except SystemExit as end:
        status = end.code
    finally:
        if "atlas.painter" in sys.modules:
            sys.modules["atlas.painter"].stop_early()
    if not isinstance(status, int | None):  # as Python does for sys.exit("message")
        print(status, file=sys.stderr)
        status = 1
    for stream in (sys.stdout, sys.stderr):
        # A closed pipe (`atlas report | head`): the rest of the output was not wanted.
        with contextlib.suppress(OSError):
            stream.flush()
    os._exit(status or 0)


if __name__ == "__main__":
    main()
