"""A tight core, then an appendix (issue 30, item 3), measured on every sample's outputs.

The PDF's core runs from "The answer" to the page before the "Appendix" bookmark (the cover
and the contents are front matter): at most 14 pages for up to five recommended platforms, one
more per further platform. The deck's core is every slide before the "Appendix" divider: at
most 16, one more per further platform. The appendix holds the census of the other platforms,
the audiences, the further reading, the sources and the method."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from pptx import Presentation
from pypdf import PdfReader

from .conftest import SAMPLE_CLIENTS

PDF_CORE, DECK_CORE, PLATFORMS = 14, 16, 5
APPENDIX = {"en": "Appendix", "zh-CN": "附录"}
FIRST = {"en": "The answer", "zh-CN": "核心建议"}
IN_THE_APPENDIX = {
    "en": ["Every platform, accounted for", "Sources", "How the numbers are built"],
    "zh-CN": ["全平台评估", "数据来源", "数字如何得出"],
}


def editions(root: Path, client: str) -> list[tuple[str, str]]:
    """(language, file suffix) of each edition the client's build wrote."""
    folder = root / f"out/{client}"
    found = [("en", "")]
    if (folder / f"{client}-briefing.zh-CN.pdf").exists():
        found.append(("zh-CN", ".zh-CN"))
    return found


def recommended(root: Path, client: str, suffix: str) -> int:
    plan = json.loads((root / f"out/{client}/{client}-plan{suffix}.json").read_text("utf-8"))
    return sum(p["group"] == "recommended" for p in plan["platforms"])


def limit(base: int, platforms: int) -> int:
    return base + max(0, platforms - PLATFORMS)


@pytest.mark.parametrize("client", SAMPLE_CLIENTS)
def test_the_pdf_core_ends_at_the_appendix_bookmark(all_built: Path, client: str) -> None:
    for lang, suffix in editions(all_built, client):
        reader = PdfReader(all_built / f"out/{client}/{client}-briefing{suffix}.pdf")
        top = [o for o in reader.outline if not isinstance(o, list)]
        pages = {o.title: reader.get_destination_page_number(o) + 1 for o in top}
        assert APPENDIX[lang] in pages, (lang, list(pages))
        first, appendix = pages[FIRST[lang]], pages[APPENDIX[lang]]
        assert list(pages)[-1] == APPENDIX[lang]  # the appendix's sections nest below it
        core = appendix - first
        allowed = limit(PDF_CORE, recommended(all_built, client, suffix))
        assert core <= allowed, f"{client} {lang}: core of {core} pages, at most {allowed}"
        below = reader.outline[-1] if isinstance(reader.outline[-1], list) else []
        nested = [o.title for o in below if not isinstance(o, list)]  # articles nest deeper
        assert all(title in nested for title in IN_THE_APPENDIX[lang]), (lang, nested)


@pytest.mark.parametrize("client", SAMPLE_CLIENTS)
def test_the_deck_core_ends_at_the_appendix_divider(all_built: Path, client: str) -> None:
    for lang, suffix in editions(all_built, client):
        deck = Presentation(str(all_built / f"out/{client}/{client}-deck{suffix}.pptx"))
        slides = [
            (s._element.cSld.get("name"), s.shapes.title.text if s.shapes.title else "")
            for s in deck.slides
        ]
        dividers = [
            i for i, (role, title) in enumerate(slides)
            if role == "section" and title.startswith(APPENDIX[lang])
        ]  # fmt: skip
        assert len(dividers) == 1, (lang, slides)
        core = dividers[0]  # slides before the divider, the title slide included
        allowed = limit(DECK_CORE, recommended(all_built, client, suffix))
        assert core <= allowed, f"{client} {lang}: core of {core} slides, at most {allowed}"
        # the census of the other platforms follows the divider
        census = [i for i, (_, title) in enumerate(slides) if "do not suit" in title]
        assert lang != "en" or all(i > core for i in census), slides


@pytest.mark.parametrize("client", SAMPLE_CLIENTS)
def test_the_cover_band_reaches_both_edges(all_built: Path, client: str) -> None:
    """The band's colour runs into the first and the last pixel column of the cover."""
    pdf = all_built / f"out/{client}/{client}-briefing.pdf"
    ppm = subprocess.run(
        ["pdftoppm", "-r", "72", "-f", "1", "-l", "1", str(pdf)],
        capture_output=True,
        check=True,
    ).stdout
    width, height, data = _ppm(ppm)
    band = [y for y in range(height) if _dark(data, width, width // 2, y)]
    assert band, "no band on the cover"
    middle = band[len(band) // 2]
    # at 72 dpi a pixel is a point: A4's 595.28 pt make 596 columns, the last one mostly off
    # the page; a band 2 mm (5.7 pt) short would leave the last whole columns white
    assert _dark(data, width, 0, middle) and _dark(data, width, width - 2, middle)


def _ppm(data: bytes) -> tuple[int, int, bytes]:
    """A binary PPM (P6) as its size and pixels."""
    match = re.match(rb"(P6)\s+(\d+)\s+(\d+)\s+\d+\s", data)
    assert match, data[:20]
    return int(match[2]), int(match[3]), data[match.end() :]


def _dark(data: bytes, width: int, x: int, y: int) -> bool:
    """A pixel of the band (the theme's primary colour), not the white page."""
    r, g, b = data[(y * width + x) * 3 : (y * width + x) * 3 + 3]
    return r + g + b < 3 * 200 and max(r, g, b) - min(r, g, b) > 40


def _answer(pdf: Path) -> str:
    pages = [page.extract_text() or "" for page in PdfReader(pdf).pages[:5]]
    return " ".join(next(t for t in pages if "The plan spends" in t).split())


def test_the_answer_gives_the_plans_spend_and_forecast_against_the_target(all_built: Path) -> None:
    """The answer page had the shape of advice without its numbers: every client now reads what
    the plan spends and, for its first forecast goal, the forecast beside its own target."""
    answers = {}
    for client in SAMPLE_CLIENTS:
        plan = json.loads((all_built / f"out/{client}/{client}-plan.json").read_text("utf-8"))
        text = answers[client] = _answer(all_built / f"out/{client}/{client}-briefing.pdf")
        assert f"The plan spends {plan['budget']['total']:,} " in text, (client, text)
        lead = next((g for g in plan["goals"] if (g["forecast"] or {}).get("high")), None)
        if lead:
            low = f"{lead['forecast']['low']:,.0f}"
            assert f"we forecast {low} to " in text, (client, text)
            # a relative target ('30% more than last season') cannot be passed by a count
            if lead.get("baseline") is None and "%" in text.split("your target of")[-1][:12]:
                assert "passes it" not in text, (client, text)
    numbers = {c: t.split("The plan spends")[1][:120] for c, t in answers.items()}
    assert len(set(numbers.values())) == len(numbers), numbers  # no two clients read the same
