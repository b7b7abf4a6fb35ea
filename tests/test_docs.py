"""The README's commands are the ones CI runs, and every command is documented."""

from __future__ import annotations

import re
from pathlib import Path

from atlas.cli import cli

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")


def shell_blocks() -> list[str]:
    return re.findall(r"```sh\n(.*?)```", README, flags=re.S)


def test_ci_runs_exactly_the_readme_test_command() -> None:
    test_command = shell_blocks()[1].strip()
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert ci[-1] == test_command


def test_readme_build_command_builds_the_atlas() -> None:
    assert shell_blocks()[0].strip().endswith(".venv/bin/atlas build")


def test_every_command_is_documented_and_has_help() -> None:
    for name, command in cli.commands.items():
        assert f"atlas {name}" in README, name
        assert command.help, name
