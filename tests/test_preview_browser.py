"""The preview in a real browser (Debian's chromium), driven as the designer drives it."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from .preview_server import (
    CLIENT,
    OTHER,
    REPO,
    PreviewProcess,
    lean_project,
    needs_office,
    state,
    until,
    view,
)

CHROMIUM = shutil.which("chromium")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")

EVERY_IMAGE = """async () => {
  const state = await (await fetch("/state")).json();
  const urls = state.outputs.filter((v) => v.number).flatMap((v) =>
    Array.from({ length: v.count + 1 }, (_, i) => `/image/${v.name}/${v.number}/${i + 1}.png`));
  const answers = await Promise.all(urls.map((u) => fetch(u).then((r) => r.status)));
  return urls.map((u, i) => [u, answers[i]]);
}"""


def launch(playwright: Any) -> Any:
    args = ["--no-sandbox", "--disable-background-networking", "--disable-component-update"]
    return playwright.chromium.launch(executable_path=CHROMIUM, args=args)


@pytest.mark.slow
@needs_chromium
@needs_office
def test_saves_every_image_at_once_and_twenty_switches_break_nothing(tmp_path: Path) -> None:
    """Five rounds of: save a data file, then ask for every page and slide at once (one past
    the end too); then switch client and theme 20 times. No 5xx, no traceback, still alive."""
    from playwright.sync_api import sync_playwright

    project = lean_project(tmp_path / "project")
    (project / ".venv-uno").symlink_to(REPO / ".venv-uno")
    preview = PreviewProcess(project, tmp_path / "preview.log")
    data = project / f"data/clients/{CLIENT}.yaml"
    failures: list[str] = []
    try:
        with sync_playwright() as playwright:
            browser = launch(playwright)
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.on("response", lambda r: r.status >= 500 and failures.append(r.url))
            page.goto(preview.url)
            now = _settled(preview, CLIENT)
            for round_ in range(5):
                data.write_text(data.read_text("utf-8") + f"\n# saved {round_}\n", "utf-8")
                answers = page.evaluate(EVERY_IMAGE)  # while it rebuilds: old or 404, no 500
                now = _settled(preview, CLIENT, after=now["number"])
                answers += page.evaluate(EVERY_IMAGE)
                failures += [f"{url} {status}" for url, status in answers if status >= 500]
                last = [(url, status) for url, status in answers[-4:]]
                assert [s for _, s in answers if s == 200], answers
                assert any(s == 404 for _, s in last)  # one past the end
            page.screenshot(path=str(tmp_path / "preview.png"))
            picks = [("client", OTHER), ("theme", "meridian"), ("client", CLIENT),
                     ("theme", "")] * 5  # fmt: skip
            for menu, value in picks:
                page.select_option(f"#{menu}", value)
                answers = page.evaluate(EVERY_IMAGE)
                failures += [f"{url} {status}" for url, status in answers if status >= 500]
            final = _settled(preview, CLIENT, theme="")
            assert not final["errors"]
            page.wait_for_function(f"document.body.dataset.client === '{CLIENT}'")
            browser.close()
        assert preview.process.poll() is None  # alive
    finally:
        preview.stop()
    log = preview.log.read_text("utf-8", "replace")
    assert not failures, failures
    assert "Traceback" not in log and "Segmentation" not in log, log


def _settled(
    preview: PreviewProcess, client: str, after: int = 0, theme: str | None = None
) -> dict[str, Any]:
    """The state once a build newer than ``after`` of ``client`` shows every output."""

    def done() -> dict[str, Any] | None:
        now = state(preview.base, preview.token)
        ready = all(v["state"] == "ready" for v in now["outputs"])
        wanted = now["client"] == client and (theme is None or now["theme"] == theme)
        pdf_built = view(now, "pdf")["number"] == now["number"]
        return now if ready and wanted and pdf_built and now["number"] > after else None

    return until(done, 600, "the preview did not settle", 0.25)
