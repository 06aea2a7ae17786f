"""The import contracts of `make lint` (pyproject.toml, [tool.importlinter]) hold, and would catch a break.

Each break is made in a copy of the three packages, so the contracts are shown to refuse the
import that the README's "Layout" forbids, not only to pass on today's code.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(tree / "pyproject.toml")],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for package in ("campaign", "guidance", "comments"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def add_import(module: Path, line: str) -> None:
    module.write_text(module.read_text() + f"\n{line}  # noqa\n")


def test_the_code_keeps_every_contract(tree):
    result = lint_imports(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        ("guidance/diff.py", "from comments import models", "guidance is not allowed to import comments"),
        ("guidance/views.py", "from campaign.pages import views", "guidance is not allowed to import campaign.pages"),
        (
            "comments/selectors.py",
            "from campaign.pages import views",
            "comments is not allowed to import campaign.pages",
        ),
        ("campaign/lib/cache.py", "from guidance import models", "campaign.lib is not allowed to import guidance"),
        (
            "comments/services.py",
            "from campaign.subscriptions import models",
            "comments is not allowed to import campaign.subscriptions",
        ),
        (
            "guidance/models.py",
            "from campaign.subscriptions import models",
            "guidance is not allowed to import campaign.subscriptions",
        ),
        (
            "campaign/pages/views.py",
            "from campaign.subscriptions import views",
            "campaign.pages is not allowed to import campaign.subscriptions",
        ),
        ("campaign/organisations/models.py", "from guidance import models", "campaign.organisations"),
        (
            "comments/services.py",
            "from comments import tasks",
            "comments.services is not allowed to import comments.tasks",
        ),
        ("comments/findings.py", "from comments import models", "comments.findings is not allowed to import"),
        ("comments/screening.py", "from comments import services", "comments.screening is not allowed to import"),
    ],
)
def test_a_forbidden_import_breaks_a_contract(tree, module, line, broken):
    add_import(tree / module, line)
    result = lint_imports(tree)
    assert result.returncode != 0
    assert broken in " ".join(result.stdout.split()), result.stdout
