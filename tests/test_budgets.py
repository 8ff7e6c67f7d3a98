"""Budgets and limits at every stage: a template line cannot make gigabytes, and a client's
PowerPoint template is imported only within limits (zip members, sizes, pictures), stripped
of what must not ship in the agency's decks (OLE objects, macros, links to files and shares)."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import REPO, copy_project

CLIENT = "maison-aurele"


@pytest.fixture
def small(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project", [CLIENT])


def briefing(root: Path, *args: str, timeout: float = 120) -> tuple[int, str, float]:
    """The CLI in its own process, under a 3 GB address-space cap (a bomb that gets through
    fails there, not on the machine) and a 300 MB render budget: rc, stderr, seconds."""
    cap = 3 * 2**30
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "briefing", *args],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(REPO), "BRIEFING_RENDER_MEMORY_MB": "300"},
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (cap, cap)),
    )
    return result.returncode, result.stderr, time.monotonic() - started


BOMBS = [
    ('{% set big = "ab" * 1400000000 %}<!-- {{ big | length }} -->', "2,800,000,000 items"),
    ("{% set big = b.client.name * 250000000 %}<!-- {{ big | length }} -->", "items, over"),
    ('{{ "%999999999s" % "x" }}', "a '%' format width over"),
    ("{{ (7 ** 99999999) | string | length }}", "'**' would make a number of"),
]


@pytest.mark.parametrize(("line", "said"), BOMBS, ids=["constant", "name", "format", "power"])
def test_a_template_line_cannot_make_gigabytes(small: Path, line: str, said: str) -> None:
    """Refused quickly, at its line, within a small memory budget (one such line took a build
    to 10.8 GB: Jinja folded the constant at compile time, outside any budget)."""
    template = small / "templates/default/report.html.j2"
    lines = template.read_text("utf-8").splitlines()
    template.write_text("\n".join([*lines, line]) + "\n", "utf-8")
    code, err, took = briefing(small, "build", CLIENT)
    assert code == 1, err
    assert f"templates/default/report.html.j2:{len(lines) + 1}: " in err
    assert said in err
    assert took < 60
    assert not (small / "out" / CLIENT).exists()
    code, err, _ = briefing(small, "theme", "check", "default")  # renders every template
    assert code == 1
    assert f"templates/default/report.html.j2:{len(lines) + 1}: SecurityError: " in err


def test_ordinary_arithmetic_and_formats_still_work() -> None:
    from briefing import templating

    env = templating._Sandbox()
    assert env.from_string('{{ "-" * 3 }}{{ 2 ** 10 }}{{ "%5.1f" % 2.25 }}').render() == (
        "---1024  2.2"
    )
