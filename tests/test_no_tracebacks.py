"""Every mistake and fault the audit found ends in one clear line and a non-zero exit:
the command line never shows a traceback unless asked with --debug."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from .conftest import RENDER_CACHE, REPO, copy_project

CLIENT = "maison-aurele"


def run(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "briefing", *args],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
        capture_output=True,
        text=True,
        timeout=180,
    )


def _fifo(root: Path) -> None:
    os.mkfifo(root / "data/clients/zz.yaml")


def _webp_deck_logo(root: Path) -> None:
    Image.new("RGB", (40, 20)).save(root / "assets/logos/bamboo-bridge.png", "WEBP")


def _text_as_png(root: Path) -> None:
    (root / "assets/logos/bamboo-bridge.png").write_text("not an image")


def _css(rule: str) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        css = root / "templates/default/report.css"
        css.write_text(rule + "\n" + css.read_text("utf-8"), "utf-8")

    return apply


def _impossible_date(root: Path) -> None:
    article = root / "data/articles/xiaohongshu-seeding.md"
    lines = article.read_text("utf-8").splitlines()
    lines = ["date: 2025-02-30" if line.startswith("date:") else line for line in lines]
    article.write_text("\n".join(lines) + "\n", "utf-8")


def _huge_logo(root: Path) -> None:
    Image.new("1", (10000, 9000)).save(root / "assets/logos/huge.png")
    client = root / f"data/clients/{CLIENT}.yaml"
    client.write_text(client.read_text("utf-8") + "logo: assets/logos/huge.png\n", "utf-8")


def _nothing(root: Path) -> None:
    pass


LOGO = "deck_logo: 'assets/logos/bamboo-bridge.png' is"
NOT_A_NUMBER = "(environment or .env): Input should be a valid number"
CASES = {  # the fault, the command, its environment, the exit code, its message's line
    "fifo in data": (
        _fifo, ["check"], {}, 1, "data/clients/zz.yaml: is a named pipe (FIFO), not a regular file"
    ),
    "webp bytes as the deck logo": (
        _webp_deck_logo, ["build", CLIENT], {}, 1, f"{LOGO} a WEBP image (named .png)"
    ),
    "text as the deck logo": (
        _text_as_png, ["build", CLIENT], {}, 1, f"{LOGO} not an image (Pillow cannot identify"
    ),
    "@import in report.css": (
        _css('@import url("file:///etc/hosts");'), ["build", CLIENT], {}, 1,
        "error: PDF: refused to read '/etc/hosts': outside templates/ and assets/",
    ),
    "font-size 1e9px": (  # WeasyPrint divides by zero (named), or a busy machine's budget ends
        _css("body { font-size: 1e9px }"), ["build", CLIENT], {}, 1,
        ("error: PDF: a size in the styles is out of range", "error: PDF: still rendering after"),
    ),
    "impossible date": (
        _impossible_date, ["check"], {}, 1,
        "data/articles/xiaohongshu-seeding.md:3:7: invalid YAML: '2025-02-30' is not valid: ",
    ),
    "90 megapixel logo": (
        _huge_logo, ["build", CLIENT], {}, 1,
        "logo: 'assets/logos/huge.png': is 10000 x 9000 pixels (90 megapixels), over the ",
    ),
    "non-numeric SMTP timeout": (
        _nothing, ["email", CLIENT], {"BRIEFING_SMTP_TIMEOUT": "abc"}, 2,
        f"error: BRIEFING_SMTP_TIMEOUT {NOT_A_NUMBER}",
    ),
    "non-numeric mail budget": (
        _nothing, ["email", CLIENT], {"BRIEFING_MAIL_MAX_MB": "20MB"}, 2,
        f"error: BRIEFING_MAIL_MAX_MB {NOT_A_NUMBER}",
    ),
    "render memory budget": (
        _nothing, ["build", CLIENT], {"BRIEFING_RENDER_MEMORY_MB": "64", RENDER_CACHE: "off"}, 1,
        "used more than 64 MB, so it was stopped (BRIEFING_RENDER_MEMORY_MB)",
    ),
    "nothing built to e-mail": (
        _nothing, ["email", CLIENT, "--dry-run"], {}, 3,
        "error: refusing to send: no build found in out/maison-aurele/",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_one_line_and_a_non_zero_exit(case: str, tmp_path: Path) -> None:
    """Each fault gives its own message, on one line (not merely some line with a colon)."""
    root = copy_project(tmp_path / "project", [CLIENT])
    prepare, args, env, code, message = CASES[case]
    prepare(root)
    result = run(root, *args, env=env)
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    either = (message,) if isinstance(message, str) else message
    lines = [line for line in result.stderr.splitlines() if any(m in line for m in either)]
    assert len(lines) == 1, result.stderr


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project", [CLIENT])
    _css("body { font-size: 1e9px }")(root)
    result = run(root, "--debug", "build", CLIENT)
    assert result.returncode == 1
    assert "Traceback" in result.stderr and "ZeroDivisionError" in result.stderr
