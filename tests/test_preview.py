"""The live preview: warm rebuilds in memory, errors in the page, a real browser."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from briefing.preview import BOTH, LibreOffice, Previewer, create_app, outputs_for

from .conftest import settings_for

CLIENT = "maison-aurele"
CHROMIUM = shutil.which("chromium")


def previewer_for(root: Path, office: LibreOffice | None = None) -> Previewer:
    return Previewer(settings_for(root), CLIENT, office or LibreOffice(root / "no-such-dir"))


def test_a_rebuild_renders_in_memory_and_an_error_keeps_the_last_good_preview(
    project: Path,
) -> None:
    previewer = previewer_for(project)
    first = previewer.rebuild()
    assert first.number == 1 and first.pages > 5 and not first.errors
    first = previewer.render_slides()
    assert first.deck_state == "outline" and first.outline[0][0] == "Maison Aurèle"
    png = previewer.image("page", 1, 1)
    assert png is not None and png.startswith(b"\x89PNG")
    assert previewer.image("page", 1, first.pages + 1) is None
    client = project / f"data/clients/{CLIENT}.yaml"
    good = client.read_text("utf-8")
    client.write_text(good.replace("industry: luxury", "industry: luxury\nindustry: fmcg"))
    broken = previewer.rebuild()
    assert broken.number == 1 and broken.pdf == first.pdf  # the last good preview stays
    assert any(line.startswith(f"data/clients/{CLIENT}.yaml:") for line in broken.errors)
    client.write_text(good)
    fixed = previewer.rebuild()
    assert fixed.number == 2 and not fixed.errors
    assert not (project / "out").exists() and not (project / "state").exists()


REPO_OFFICE = LibreOffice(Path(__file__).resolve().parent.parent)  # .venv-uno, from make


@pytest.mark.skipif(not REPO_OFFICE.available, reason="no .venv-uno (make test sets it up)")
def test_slides_are_the_real_deck_rendered_by_a_warm_libreoffice(project: Path) -> None:
    office = LibreOffice(Path(__file__).resolve().parent.parent)
    previewer = previewer_for(project, office)
    try:
        previewer.rebuild()
        first = previewer.render_slides()
        assert first.deck_state == "ready" and first.slides > 10
        png = previewer.image("slide", first.deck_number, 1)
        assert png is not None and png.startswith(b"\x89PNG")
        server = office.process
        previewer.rebuild(frozenset({"deck"}))  # a deck template save: the deck only
        second = previewer.render_slides()
        assert second.deck_number == first.deck_number + 1 and second.number == first.number
        assert office.process is server and server.poll() is None  # warm: the same server
    finally:
        office.stop()
    assert office.process is None


def test_a_save_rebuilds_only_the_outputs_it_can_change() -> None:
    assert outputs_for({"/p/templates/x/report.css"}) == frozenset({"pdf"})
    assert outputs_for({"/p/templates/x/deck.yaml.j2", "/p/templates/x/master.pptx"}) == {"deck"}
    assert outputs_for({"/p/templates/x/report.css", "/p/data/clients/a.yaml"}) == BOTH
    assert outputs_for({"/p/templates/x/theme.yaml"}) == BOTH


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def server(project: Path) -> Iterator[tuple[str, Path]]:
    """The preview app for a test project, served by uvicorn in a thread."""
    import uvicorn

    app = create_app(previewer_for(project))  # slides as the outline: the browser test is fast
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not running.started:
        assert time.monotonic() < deadline, "the preview server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", project
    running.should_exit = True
    thread.join(timeout=30)


def test_only_the_pages_own_routes_are_served(server: tuple[str, Path]) -> None:
    import urllib.error
    import urllib.request

    base, _ = server
    for path in ("/../../etc/passwd", "/page/1/..%2F..%2Fetc%2Fpasswd.png", "/data/x.png",
                 "/page/x/1.png", "/templates/default/theme.yaml", "/page/999/1.png"):  # fmt: skip
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(base + path, timeout=10)
        caught.value.close()
        assert caught.value.code in (404, 405), path


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
def test_the_page_follows_saves_in_a_real_browser(server: tuple[str, Path]) -> None:
    """Change a theme colour: a new page image; break a data file: its error line in the page
    above the last good preview; fix it: the error goes."""
    from playwright.sync_api import sync_playwright

    base, root = server
    theme = root / "templates/default/theme.yaml"
    client = root / f"data/clients/{CLIENT}.yaml"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.goto(base + "/")
        page.wait_for_function("document.body.dataset.build === '1'", timeout=60_000)
        cover = page.locator("#pages img").first
        cover.wait_for()
        page.wait_for_function("document.querySelector('#pages img').naturalWidth > 0")
        before = page.request.get(base + cover.get_attribute("src")).body()
        page.evaluate("window.scrollTo(0, 1500)")
        scrolled = page.evaluate("window.scrollY")

        theme.write_text(theme.read_text("utf-8").replace("#B3261E", "#1E7B34"))
        page.wait_for_function("document.body.dataset.build === '2'", timeout=60_000)
        assert cover.get_attribute("src") == "/page/2/1.png"
        assert scrolled > 1000 and page.evaluate("window.scrollY") == scrolled  # kept
        page.wait_for_function("document.querySelector('#pages img').naturalWidth > 0")
        after = page.request.get(base + "/page/2/1.png").body()
        assert after.startswith(b"\x89PNG") and after != before

        good = client.read_text("utf-8")
        client.write_text(good.replace("industry: luxury", "industry: luxyry"))
        errors = page.locator("#errors")
        errors.wait_for(state="visible", timeout=60_000)
        assert f"data/clients/{CLIENT}.yaml:" in page.locator("#error-lines").inner_text()
        assert "luxyry" in page.locator("#error-lines").inner_text()
        assert cover.get_attribute("src") == "/page/2/1.png"  # the last good preview stays

        client.write_text(good)
        errors.wait_for(state="hidden", timeout=60_000)
        page.wait_for_function("document.body.dataset.build === '3'")

        page.select_option("#client", "nordlys-travel")  # the switcher rebuilds another client
        page.wait_for_function(
            "document.body.dataset.client === 'nordlys-travel' "
            "&& document.body.dataset.build === '4'",
            timeout=60_000,
        )
        browser.close()
