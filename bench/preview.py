"""The preview's figures (issue 17), in one warm process on a throw-away copy of the project.

warm_build_s      both outputs rebuilt in memory by the warm previewer (load, PDF, deck)
warm_floor_s      a bare WeasyPrint render of the same HTML plus a bare python-pptx save of the
                  same deck, in the same warm process
warm_over_floor   the ratio of the two
preview_pdf_refresh_s   a CSS rule saved in the theme -> the new page image served
preview_deck_refresh_s  a deck.yaml.j2 change saved -> the new slide images served (LibreOffice)
Medians of 5 (builds) and of 3 (refreshes).
"""

from __future__ import annotations

import io
import json
import statistics
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def warm_figures(root: Path, client: str) -> None:
    import weasyprint
    from pptx import Presentation

    from briefing import build
    from briefing.preview import LibreOffice, Previewer
    from briefing.render import deck, html
    from briefing.settings import Settings

    previewer = Previewer(Settings.load(root), client, LibreOffice(root / "none"))
    previewer.rebuild()
    previewer.render_slides()  # warm: imports, fonts, parsed data

    def build_both() -> float:
        started = time.perf_counter()
        previewer.rebuild()
        previewer.render_slides()
        return time.perf_counter() - started

    warm = statistics.median(build_both() for _ in range(5))
    prepared = build.prepare(previewer.settings, client)
    document = html.render_html(prepared.briefing, prepared.theme)
    css = prepared.theme.css_variables() + "".join(
        p.read_text(encoding="utf-8") for p in prepared.theme.stylesheets()
    )
    document = document.replace("</head>", f"<style>{css}</style></head>")
    pptx = deck.render_deck(prepared.briefing, prepared.theme).data

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
    import uvicorn

    from briefing.preview import LibreOffice, Previewer, create_app, free_port
    from briefing.settings import Settings

    office = LibreOffice(REPO)
    previewer = Previewer(Settings.load(root), client, office)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(previewer), host="127.0.0.1", port=port, log_level="error")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(base, lambda s: s["number"] >= 1 and s["deck_state"] in ("ready", "outline"), 180)
        css = root / "templates/default/report.css"
        plan = root / "templates/default/deck.yaml.j2"
        pdf_times, deck_times = [], []
        for n in range(3):
            state = _state(base)
            started = time.perf_counter()
            css.write_text(css.read_text("utf-8") + f"\n.bench-{n} {{ color: red; }}\n", "utf-8")
            new = _wait(base, lambda s, old=state["number"]: s["number"] > old, 60)
            _image(f"{base}/page/{new['number']}/1.png")
            pdf_times.append(time.perf_counter() - started)
            _wait(base, lambda s: s["deck_state"] in ("ready", "outline"), 60)
            if not office.available:
                continue
            state = _state(base)
            started = time.perf_counter()
            text = plan.read_text("utf-8").replace("Thank you", f"Thank you{'!' * (n + 1)}")
            plan.write_text(text, "utf-8")
            new = _wait(
                base,
                lambda s, old=state["deck_number"]: (
                    s["deck_number"] > old and s["deck_state"] == "ready"
                ),
                60,
            )
            _image(f"{base}/slide/{new['deck_number']}/1.png")
            deck_times.append(time.perf_counter() - started)
        print(f"preview_pdf_refresh_s: {statistics.median(pdf_times):.2f} s")
        if deck_times:
            print(f"preview_deck_refresh_s: {statistics.median(deck_times):.2f} s")
        else:
            print("preview_deck_refresh_s: n/a (no LibreOffice server: run `make preview` once)")
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def _state(base: str) -> dict:
    with urllib.request.urlopen(base + "/state", timeout=10) as response:
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
    with urllib.request.urlopen(url, timeout=30) as response:
        assert response.read(8).startswith(b"\x89PNG")
