"""The preview's figures (issue 17), in one warm process on a throw-away copy of the project.

warm_build_s      both outputs rebuilt in memory by the preview's warm worker (load, PDF, deck)
warm_floor_s      a bare WeasyPrint render of the same HTML plus a bare python-pptx save of the
                  same deck, in the same warm process
warm_over_floor   the ratio of the two
preview_pdf_refresh_s   a CSS rule saved in the theme -> the new page image served
preview_deck_refresh_s  a deck.yaml.j2 change saved -> the new slide images served (LibreOffice)
Medians of 5 (builds) and of 3 (refreshes). Every figure renders (no reused renders).
"""

from __future__ import annotations

import io
import json
import socket
import statistics
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def warm_figures(root: Path, client: str) -> None:
    import asyncio

    import weasyprint
    from pptx import Presentation

    from briefing.build import pipeline as build
    from briefing.preview import Previewer
    from briefing.preview.office import Office
    from briefing.render import deck, html
    from briefing.settings import Settings
    from briefing.themes import i18n

    previewer = Previewer(Settings.load(root, render_cache="off"), client, Office(root / "none"))

    async def builds() -> list[float]:
        await previewer.rebuild()  # warm: the worker's imports, fonts, parsed data
        times = []
        for _ in range(5):
            started = time.perf_counter()
            await previewer.rebuild()
            times.append(time.perf_counter() - started)
        return times

    try:
        warm = statistics.median(asyncio.run(builds()))
    finally:
        previewer.close()
    prepared = build.prepare(previewer.settings, client)
    with i18n.language(prepared.catalog):
        document = html.render_html(prepared.briefing, prepared.theme)
        pptx = deck.render_deck(prepared.briefing, prepared.theme).data
    css = prepared.theme.css_variables() + "".join(
        p.read_text(encoding="utf-8") for p in prepared.theme.stylesheets()
    )
    document = document.replace("</head>", f"<style>{css}</style></head>")

    def floor_once() -> float:
        started = time.perf_counter()
        weasyprint.HTML(string=document, base_url=root.as_uri() + "/").write_pdf(
            pdf_variant="pdf/ua-1", optimize_images=True
        )
        Presentation(io.BytesIO(pptx)).save(io.BytesIO())
        return time.perf_counter() - started

    floor = statistics.median(floor_once() for _ in range(5))
    print(f"warm_build_s: {warm:.2f} s")
    print(f"warm_floor_s: {floor:.2f} s")
    print(f"warm_over_floor: {warm / floor:.2f} x")


def refresh_figures(root: Path, client: str) -> None:
    import secrets

    import uvicorn

    from briefing.preview import Previewer, create_app
    from briefing.preview.office import Office
    from briefing.settings import Settings

    office = Office(REPO)
    previewer = Previewer(Settings.load(root, render_cache="off"), client, office)
    token = secrets.token_urlsafe(24)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        create_app(previewer, token), host="127.0.0.1", port=port, log_level="error"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    AUTH["Authorization"] = f"token {token}"
    settled = ("ready", "outline")
    try:
        _wait(base, lambda s: s["number"] >= 1 and all(v["state"] in settled for v in s["outputs"]),
              300)  # fmt: skip
        css = root / "templates/default/report.css"
        plan = root / "templates/default/deck.yaml.j2"
        pdf_times, deck_times = [], []
        for n in range(3):
            state = _state(base)
            started = time.perf_counter()
            css.write_text(css.read_text("utf-8") + f"\n.bench-{n} {{ color: red; }}\n", "utf-8")
            new = _wait(base, lambda s, old=state["number"]: s["number"] > old, 60)
            _image(f"{base}/image/pdf/{_view(new, 'pdf')['number']}/1.png")
            pdf_times.append(time.perf_counter() - started)
            if not office.available:
                continue
            state = _state(base)
            started = time.perf_counter()
            text = plan.read_text("utf-8").replace("Thank you", f"Thank you{'!' * (n + 1)}")
            plan.write_text(text, "utf-8")
            old = _view(state, "deck")["number"]
            new = _wait(base, lambda s, old=old: _view(s, "deck")["number"] > old, 120)
            _image(f"{base}/image/deck/{_view(new, 'deck')['number']}/1.png")
            deck_times.append(time.perf_counter() - started)
        print(f"preview_pdf_refresh_s: {statistics.median(pdf_times):.2f} s")
        if deck_times:
            print(f"preview_deck_refresh_s: {statistics.median(deck_times):.2f} s")
        else:
            print("preview_deck_refresh_s: n/a (no LibreOffice helper: run `make preview` once)")
    finally:
        server.should_exit = True
        thread.join(timeout=60)


AUTH: dict[str, str] = {}  # the preview's secret, as a header


def _view(state: dict, name: str) -> dict:
    return next(v for v in state["outputs"] if v["name"] == name)


def _state(base: str) -> dict:
    request = urllib.request.Request(base + "/state", headers=AUTH)
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def _wait(base: str, ready, seconds: float) -> dict:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            state = _state(base)
            if ready(state):
                return state
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.02)
    raise SystemExit("the preview did not refresh in time")


def _image(url: str) -> None:
    with urllib.request.urlopen(urllib.request.Request(url, headers=AUTH), timeout=30) as response:
        assert response.read(8).startswith(b"\x89PNG")
