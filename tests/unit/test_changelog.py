"""Changelog fragments: the tree's fragments pass `antsibull-changelog lint` (the `changelog` stage of
tools/run-tests), and the same lint fails on a malformed fragment, so the stage can catch one."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LINT = [str(Path(sys.executable).parent / "antsibull-changelog"), "lint"]


def lint(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(LINT, cwd=root, capture_output=True, text=True, timeout=120)


def test_the_fragments_of_this_tree_pass_lint():
    proc = lint(REPO)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip() == "", proc.stdout


@pytest.mark.parametrize(
    ("fragment", "complaint"),
    [
        ("minor_changes: a string where a list belongs\n", "minor_changes"),
        ("new_stuff:\n  - a section the config does not know\n", "new_stuff"),
        ("bugfixes:\n  - ok\n  - {not: a string}\n", "bugfixes"),
        ("minor_changes: [unclosed\n", "fragment"),
    ],
)
def test_lint_fails_on_a_malformed_fragment(tmp_path, fragment, complaint):
    shutil.copy(REPO / "galaxy.yml", tmp_path / "galaxy.yml")
    (tmp_path / "changelogs" / "fragments").mkdir(parents=True)
    shutil.copy(REPO / "changelogs" / "config.yaml", tmp_path / "changelogs" / "config.yaml")
    (tmp_path / "changelogs" / "fragments" / "bad.yml").write_text(fragment)
    proc = lint(tmp_path)
    assert proc.returncode != 0, proc.stdout
    assert "bad.yml" in proc.stdout and complaint in proc.stdout.lower(), proc.stdout
