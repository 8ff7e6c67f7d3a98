"""Nothing in data or templates can make a build read outside the project or use the network."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from briefing.build.pipeline import build
from briefing.errors import DataError, RenderError
from briefing.render.pdf import render_pdf
from briefing.themes.theme import resolve

from .conftest import settings_for, write


@pytest.fixture
def listener() -> Iterator[tuple[int, list[bytes]]]:
    """A TCP server on 127.0.0.1 that records any connection made to it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    seen: list[bytes] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            seen.append(conn.recv(1024))
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], seen
    stop.set()
    thread.join()
    server.close()


def article(root: Path, body: str) -> None:
    write(
        root / "data/articles/evil.md",
        f"""
        ---
        title: Evil
        date: 2025-01-01
        author: Someone
        industries: [luxury]
        ---
        Intro.

        {body}
    """,
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("![x](file:///etc/passwd)", "link 'file:///etc/passwd': only https and mailto"),
        (
            "![x](http://127.0.0.1:{port}/a.png)",
            "image 'http://127.0.0.1:{port}/a.png': images must be files under assets/",
        ),
        ("[x](http://127.0.0.1:{port}/)", "only https and mailto links are allowed"),
        ("[x](https://127.0.0.1:{port}/)", "links to local or private addresses"),
        ("![x](assets/../../etc/passwd)", "images must be files under assets/"),
    ],
)
def test_article_urls_fail_the_build_without_a_request(
    project: Path, listener: tuple[int, list[bytes]], body: str, message: str
) -> None:
    port, seen = listener
    article(project, body.format(port=port))
    with pytest.raises(DataError) as caught:
        build(settings_for(project), "maison-aurele")
    [problem] = caught.value.problems
    assert str(problem).startswith("data/articles/evil.md:9: ")
    assert message.format(port=port) in str(problem)
    assert seen == []
    assert not (project / "out").exists()


@pytest.mark.parametrize(
    "html",
    [
        '<img src="file:///etc/passwd" alt="">',
        '<img src="http://127.0.0.1:{port}/x.png" alt="">',
        '<link rel="stylesheet" href="http://127.0.0.1:{port}/x.css">',
        '<style>@import url("http://127.0.0.1:{port}/x.css");</style>',
        '<a rel="attachment" href="file:///etc/hostname">x</a>',
        '<img src="../../../../etc/passwd" alt="">',
    ],
)
def test_pdf_renderer_refuses_anything_outside_the_project(
    project: Path, listener: tuple[int, list[bytes]], html: str
) -> None:
    port, seen = listener
    theme = resolve("default", project)
    with pytest.raises(RenderError, match=r"refused to|outside templates/ and assets/"):
        render_pdf(f"<html><body><p>x</p>{html.format(port=port)}</body></html>", theme)
    assert seen == []


def test_missing_asset_is_an_error_not_a_blank(project: Path) -> None:
    theme = resolve("default", project)
    with pytest.raises(RenderError, match=r"assets/logos/nope\.png: no such file \(referenced by"):
        render_pdf('<img src="assets/logos/nope.png" alt="logo">', theme)


def test_missing_fast_subsetter_refuses_to_render(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import weasyprint.pdf.fonts

    from briefing.errors import SystemDependencyError

    monkeypatch.setattr(weasyprint.pdf.fonts, "harfbuzz_subset", None)
    with pytest.raises(SystemDependencyError, match="libharfbuzz-subset0 is missing"):
        render_pdf("<p>微信</p>", resolve("default", project))
