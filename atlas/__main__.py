"""`python -m atlas`: the same click command as the installed `atlas`."""

from atlas.cli import cli

if __name__ == "__main__":
    cli(prog_name="atlas")
