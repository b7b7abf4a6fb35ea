"""`python -m atlas` and the `atlas` command: the CLI, with an interrupt at any moment (even
while the CLI is still being imported) ending in one line instead of a traceback."""

import sys


def main() -> None:
    try:
        from atlas.cli import cli

        cli()
    except KeyboardInterrupt:
        sys.stderr.write("interrupted; nothing was changed\n")
        sys.exit(130)


if __name__ == "__main__":
    main()
