"""The live preview: renders in its worker, keeps the last good preview, survives its worker."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from briefing import render
from briefing.build import forked
from briefing.preview import Previewer, outputs_for
from briefing.preview.previewer import shown
from briefing.project.layout import client_ids

from .conftest import settings_for
from .preview_server import CLIENT, OTHER, lean_project, no_office

PNG = b"\x89PNG"


def run(root: Path, test: Callable[[Previewer], Awaitable[Any]], **settings: Any) -> Any:
    """``test(previewer)`` in an event loop, with a previewer whose worker ends afterwards."""
    previewer = Previewer(settings_for(root).model_copy(update=settings), CLIENT, no_office(root))

    async def main() -> Any:
        try:
            return await test(previewer)
        finally:
            previewer.close()

    return asyncio.run(main())


@pytest.fixture
def lean(tmp_path: Path) -> Path:
    """A project whose clients render quickly (the preview's tests render each a few times)."""
    return lean_project(tmp_path / "project")


def views(previewer: Previewer) -> dict[str, Any]:
    return {v.name: v for v in previewer.snapshot.views}


def test_a_rebuild_renders_in_the_worker_and_an_error_keeps_the_last_good_preview(
    lean: Path,
) -> None:
    async def test(previewer: Previewer) -> None:
        await previewer.rebuild()
        first = views(previewer)
        assert previewer.snapshot.number == 1 and not previewer.snapshot.errors
        assert first["pdf"].state == "ready" and first["pdf"].count > 5
        assert first["deck"].state == "outline" and first["deck"].outline[0][0] == "Maison Aurèle"
        png = await previewer.image("pdf", 1, 1)
        assert png is not None and png.startswith(PNG)
        assert await previewer.image("pdf", 1, first["pdf"].count + 1) is None  # 404, no 500
        assert await previewer.image("pdf", 7, 1) is None
        assert await previewer.image("nothing", 1, 1) is None
        client = lean / f"data/clients/{CLIENT}.yaml"
        good = client.read_text("utf-8")
        client.write_text(good.replace("industry: luxury", "industry: luxury\nindustry: fmcg"))
        await previewer.rebuild()
        assert previewer.snapshot.number == 1 and views(previewer) == first  # the last good one
        assert any(f"data/clients/{CLIENT}.yaml:" in line for line in previewer.snapshot.errors)
        assert (await previewer.image("pdf", 1, 2) or b"").startswith(PNG)
        client.write_text(good)
        await previewer.rebuild()
        assert previewer.snapshot.number == 2 and not previewer.snapshot.errors

    run(lean, test)
    assert not (lean / "out").exists() and not (lean / "state").exists()


def test_a_render_past_the_time_budget_stops_its_worker_and_a_new_one_takes_over(
    lean: Path,
    fresh_renders: None,
) -> None:
    """BRIEFING_RENDER_TIMEOUT applies to the preview: the endless template is stopped, its
    line is in the page, the last good pages are still served by the new worker."""
    template = lean / "templates/default/report.html.j2"
    good = template.read_text("utf-8")

    async def test(previewer: Previewer) -> None:
        await previewer.rebuild()  # warm: loading data on a busy machine may take longer
        previewer.worker.budget = forked.Budget(4, previewer.worker.budget.memory_mb)
        first = previewer.worker.process.pid
        endless = "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}"
        template.write_text(endless + good, "utf-8")
        await previewer.rebuild(["pdf"])
        assert previewer.snapshot.errors == (
            "render stopped: over BRIEFING_RENDER_TIMEOUT (4 s); look for a very long article "
            "or table, or a huge page size in report.css",
        )
        assert previewer.worker.process is None and not _alive(first)
        png = await previewer.image("pdf", 1, 3)  # a new worker, holding the shown PDF
        assert png is not None and png.startswith(PNG)
        template.write_text(good, "utf-8")
        previewer.worker.budget = forked.Budget(120, previewer.worker.budget.memory_mb)
        await previewer.rebuild(["pdf"])  # the new worker starts cold
        assert previewer.snapshot.number == 2 and not previewer.snapshot.errors

    run(lean, test)


def test_a_render_past_the_memory_budget_is_stopped(lean: Path) -> None:
    template = lean / "templates/default/report.html.j2"
    good = template.read_text("utf-8")

    async def test(previewer: Previewer) -> None:
        await previewer.rebuild()
        # many strings, each under the sandbox's 1 M item cap, together past the budget
        hoard = (
            "{% set ns = namespace(keep=[]) %}{% for i in range(3000) %}"
            "{% set ns.keep = ns.keep + [(client.name ~ i) * 40000] %}{% endfor %}"
            "{{ ns.keep | length }}"
        )
        template.write_text(hoard + good)
        await previewer.rebuild(["pdf"])
        assert len(previewer.snapshot.errors) == 1
        assert previewer.snapshot.errors[0].startswith(
            "render stopped: over BRIEFING_RENDER_MEMORY_MB (700 MB)"
        )
        assert (await previewer.image("pdf", 1, 1) or b"").startswith(PNG)

    run(lean, test, render_memory_mb=700)


def test_a_crashed_worker_is_shown_and_replaced(lean: Path, fresh_renders: None) -> None:
    """A segmentation fault in a library ends the worker only: the page says so, and the
    pages already shown are rasterised by the next worker."""

    async def test(previewer: Previewer) -> None:
        announced: list[str] = []
        previewer.announce = lambda: announced.append(previewer.notice)
        await previewer.rebuild()
        os.kill(previewer.worker.process.pid, signal.SIGSEGV)
        png = await previewer.image("pdf", 1, 4)
        assert png is not None and png.startswith(PNG)
        assert "the render worker crashed (killed by SIGSEGV)" in previewer.state()["notice"]
        await asyncio.sleep(0)  # the announcement from the worker's thread
        assert previewer.notice in announced  # the open pages hear of it
        await previewer.rebuild()
        assert previewer.state()["notice"] == "" and previewer.snapshot.number == 2

    run(lean, test)


def test_a_save_rebuilds_only_the_outputs_it_can_change() -> None:
    assert outputs_for({"/p/templates/x/report.css"}) == frozenset({"pdf"})
    assert outputs_for({"/p/templates/x/deck.yaml.j2", "/p/templates/x/master.pptx"}) == {"deck"}
    assert outputs_for({"/p/templates/x/report.css", "/p/data/clients/a.yaml"}) == {"pdf", "deck"}
    assert outputs_for({"/p/templates/x/theme.yaml"}) == {"pdf", "deck"}


def test_the_preview_follows_the_registry(monkeypatch: Any) -> None:
    """A new output with a preview kind appears, and its own files rebuild only it."""

    class Handout:
        name, label, kind, suffix, unit, preview = "handout", "Handout", "h", ".pdf", "pages", "pdf"
        templates = (render.Template("handout.html.j2", "html"),)
        theme_files = ("handout.css",)

    monkeypatch.setattr(render, "RENDERERS", [*render.RENDERERS, Handout()])
    assert [r.name for r in shown()] == ["pdf", "deck", "handout"]
    assert outputs_for({"/t/x/handout.css"}) == {"handout"}
    assert outputs_for({"/t/x/handout.html.j2", "/t/x/report.css"}) == {"handout", "pdf"}


def test_the_client_menu_lists_clients_not_their_translations(project: Path) -> None:
    assert (project / f"data/clients/{CLIENT}.zh-CN.yaml").is_file()
    assert CLIENT in client_ids(project)
    assert not [c for c in client_ids(project) if "." in c]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


class _CountingOffice:
    """An office that counts its conversions; its 'PDF' of a deck is the preview's own PDF."""

    available = True

    def __init__(self) -> None:
        self.converted: list[bytes] = []
        self.pages = b""

    async def convert(self, deck: bytes) -> bytes:
        self.converted.append(deck)
        return self.pages

    def close(self) -> None:
        pass


def test_switching_back_converts_no_deck_again(lean: Path) -> None:
    """A client or theme switched back to shows the deck LibreOffice made of the same bytes
    (the browser test switches twenty times; each conversion costs a LibreOffice run)."""
    office = _CountingOffice()
    previewer = Previewer(settings_for(lean), CLIENT, office)  # type: ignore[arg-type]

    async def settle() -> None:
        await previewer.rebuild()
        office.pages = previewer.worker.documents[("pdf", previewer.snapshot.number)]
        await asyncio.gather(*previewer._tasks)

    async def test() -> None:
        try:
            for client in (CLIENT, OTHER, CLIENT, OTHER):
                previewer.select(client, None)
                await settle()
                assert views(previewer)["deck"].state == "ready"
        finally:
            previewer.close()

    asyncio.run(test())
    assert len(office.converted) == 2 and office.converted[0] != office.converted[1]


def test_a_client_switched_back_to_shows_its_kept_render(lean: Path, tmp_path: Path) -> None:
    """The preview reuses renders like a build, in a folder of its own (its worker is one
    long-lived process): after a switch back, the page shows the kept PDF, here replaced by
    a one-page one, instead of rendering again."""
    import weasyprint

    from briefing.build import rendercache

    cache = tmp_path / "renders"
    previewer = Previewer(settings_for(lean, render_cache=str(cache)), CLIENT, no_office(lean))
    one_page = weasyprint.HTML(string="<p>kept</p>").write_pdf()

    async def test() -> None:
        try:
            await previewer.rebuild()
            assert views(previewer)["pdf"].count > 5
            for entry in (cache / "preview").iterdir():
                found = rendercache.read(entry.parent, entry.name, lean)
                if found is not None and found.data.startswith(b"%PDF"):
                    planted = render.Rendered(one_page, found.stats)
                    rendercache.write(entry.parent, entry.name, planted)
            for client in (OTHER, CLIENT):
                previewer.select(client, None)
                await previewer.rebuild()
            assert views(previewer)["pdf"].count == 1
        finally:
            previewer.close()

    asyncio.run(test())
    assert [p.name for p in cache.iterdir()] == ["preview"]  # none a build would read
