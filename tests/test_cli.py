"""The command line: `python -m briefing.cli` works like `briefing`, and it starts light."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .conftest import copy_project


def test_python_m_briefing_cli_works_like_briefing(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project", ["maison-aurele"])
    env = {**os.environ, "BRIEFING_ROOT": str(root)}
    done = subprocess.run(
        [sys.executable, "-m", "briefing.cli", "list"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("maison-aurele ")


def test_the_cli_starts_without_the_heavy_modules() -> None:
    """`briefing --version` and `--help` import no renderer, model or web module."""
    code = (
        "import sys; from briefing import cli; cli.main(['--help']); cli.main(['--version']); "
        "heavy = ('weasyprint', 'pptx', 'pydantic', 'briefing.project.model', 'jinja2', "
        "'starlette', 'yaml'); print([m for m in sys.modules if m.startswith(heavy)])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "[]"
