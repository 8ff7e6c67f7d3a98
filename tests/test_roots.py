"""A broken file in data/ turns only the shipped-data checks red: tests of code build from
tests/roots/, so they stay green (shown on a copy of the project with a broken platform)."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from .conftest import REPO

CODE_TESTS = [  # a few quick ones that load, validate, rank, plan and render the sample data
    "tests/test_assemble.py",
    "tests/test_validate.py",
    "tests/test_plan.py::test_every_active_platform_lands_in_exactly_one_group",
]
DATA_CHECKS = "tests/test_shipped_data.py"


def copy_tracked(target: Path) -> Path:
    """The project's files as git knows them (no .venv, out/ or state/)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True
    ).stdout.split(b"\0")
    for name in filter(None, listed):
        source, dest = REPO / name.decode(), target / name.decode()
        if source.is_file():
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(source.read_bytes())
    return target


def outcomes(report: Path) -> dict[str, tuple[str, str]]:
    """'module::test' -> (passed, failed or skipped; the failure's text), from pytest's JUnit
    XML report."""
    found = {}
    for case in ET.parse(report).iter("testcase"):
        module = case.get("classname", "").rsplit(".", 1)[-1]
        result, text = "passed", ""
        for child in case:
            if child.tag in ("failure", "error"):
                result, text = "failed", child.text or ""
            elif child.tag == "skipped":
                result = "skipped"
        found[f"{module}::{case.get('name')}"] = (result, text)
    return found


def test_a_broken_data_file_fails_the_data_checks_and_no_code_test(tmp_path: Path) -> None:
    root = copy_tracked(tmp_path / "project")
    (root / "data/platforms/zz-broken.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    report = tmp_path / "report.xml"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:randomly",
            "-p",
            "no:cacheprovider",
            f"--junitxml={report}",
            *CODE_TESTS,
            DATA_CHECKS,
        ],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        timeout=900,
    )
    found = outcomes(report)
    code = {n: r for n, (r, _) in found.items() if not n.startswith("test_shipped_data::")}
    data = {n: r for n, (r, _) in found.items() if n.startswith("test_shipped_data::")}
    assert len(code) >= 20 and set(code.values()) == {"passed"}, result.stdout[-3000:]
    assert "skipped" not in data.values()
    verdict, text = found["test_shipped_data::test_the_shipped_data_is_valid"]
    assert verdict == "failed" and "data/platforms/zz-broken.yaml:2:1: invalid YAML" in text
