"""`python -m atlas`: the same as the `atlas` command."""

from atlas.cli import cli

if __name__ == "__main__":
    cli()
