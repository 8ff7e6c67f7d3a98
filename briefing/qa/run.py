"""Build generated briefs in temp project roots and check every invariant on each.

Each brief gets its own copy of the project (data without the clients, templates, assets) and
is checked and built through the real command line (``python -m briefing check`` and
``build``), so a crash or a traceback is seen as a user would see it. The outputs are then
read back: the plan JSON, the PDF's text (pypdfium2) and layout (WeasyPrint's boxes of the
same HTML), the deck (python-pptx, and LibreOffice when asked).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefing.project import layout
from briefing.qa import invariants
from briefing.qa.generate import Brief, Generator

LOCATED = re.compile(r"^(data|templates)/[^:\s]+:\d+(:\d+)?: ")
CRASH = re.compile(r"Traceback|\.j2\b|\(rendered\)|--debug|Error: ")


@dataclass
class Result:
    """One brief's outcome: per invariant, None (not run) or its failure lines."""

    seed: int
    index: int
    cell: str
    client_id: str
    status: str  # built, refused, failed
    checks: dict[str, list[str] | None] = field(default_factory=dict)
    seconds: float = 0.0
    message: str = ""

    def command(self, date: dt.date) -> str:
        """Rebuilds this brief into out/qa/<id>/ (client files and outputs)."""
        return f"make qa-briefs SEED={self.seed} ONLY={self.index} DATE={date}"


def epoch(date: dt.date) -> int:
    return int(dt.datetime.combine(date, dt.time(), dt.UTC).timestamp())


def make_generator(source: Path, date: dt.date) -> Generator:
    """A generator over ``source``'s playbooks, with the layout limit of each theme."""
    from briefing.project import load, validate

    project = load.load_project(source)
    kb, _ = validate.validate(project)
    themes = sorted(p.parent.name for p in (source / "templates").glob("*/theme.yaml"))
    zh = {  # the Chinese playbooks' texts, by industry id
        stem.partition(".")[0]: doc.data or {}
        for stem, doc in project.siblings["industries"].items()
        if stem.endswith(".zh-CN")
    }
    return Generator(kb, date, themes, zh)


def title_fits(source: Path) -> Any:
    """``fits(theme, name)``: the client name fits the theme's title slide (measured)."""
    from briefing.render import deck
    from briefing.themes import theme as themes

    resolved: dict[str, Any] = {}

    def fits(name: str, text: str) -> bool:
        if name not in resolved:
            resolved[name] = themes.resolve(name, source)
        return deck.title_slide_problem(resolved[name], text) is None

    return fits


def copy_project(source: Path, target: Path) -> Path:
    """A project root with ``source``'s data (no clients), templates and assets."""
    ignore = shutil.ignore_patterns("clients", "__pycache__")
    shutil.copytree(source / layout.DATA, target / layout.DATA, ignore=ignore)
    (target / layout.data_folder("clients")).mkdir()
    shutil.copytree(source / "templates", target / "templates", ignore=ignore)
    shutil.copytree(source / "assets", target / "assets")
    return target


def cli(root: Path, date: dt.date, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("BRIEFING_")}
    # Correctness, not speed: on a loaded machine a render may pass the default 120 s budget.
    env.update(
        SOURCE_DATE_EPOCH=str(epoch(date)), BRIEFING_ROOT=str(root), BRIEFING_RENDER_TIMEOUT="900"
    )
    command = [sys.executable, "-m", "briefing", *args]
    return subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, check=False)


def run_brief(
    source: Path, brief: Brief, date: dt.date, deck_lo: bool, keep: Path | None = None
) -> Result:
    """Check, build and read back one brief in a temp project root."""
    started = time.perf_counter()
    result = Result(brief.seed, brief.index, str(brief.cell), brief.client_id, "built")
    with tempfile.TemporaryDirectory(prefix="qa-brief-") as tmp:
        root = copy_project(source, Path(tmp) / "project")
        brief.write(root / layout.data_folder("clients"))
        checked = cli(root, date, "check")
        if checked.returncode != 0:
            result.status = "refused"
            result.checks["builds"] = _refusal_problems(checked)
            result.message = _first(checked.stderr)
        else:
            built = cli(root, date, "build", brief.client_id, "--force")
            problems = [line for line in built.stderr.splitlines() if CRASH.search(line)]
            if built.returncode != 0:  # the error lines, not the progress or the warnings
                problems += [line for line in built.stderr.splitlines() if _error(line)][:3]
                problems.append(_last(built.stderr))
            result.checks["builds"] = list(dict.fromkeys(problems))
            if built.returncode != 0:
                result.status, result.message = "failed", _last(built.stderr)
            else:
                _check_outputs(result, root, brief.client_id, date, deck_lo, Path(tmp))
        if keep is not None:
            _keep(root, brief.client_id, keep)
    result.seconds = time.perf_counter() - started
    return result


def _check_outputs(
    result: Result, root: Path, client_id: str, date: dt.date, deck_lo: bool, work: Path
) -> None:
    """Every invariant on a built brief; a brief whose outputs cannot be read back fails
    alone (its line in the report), never the whole run."""
    try:
        outputs = read_outputs(root, client_id, date, deck_lo, work)
    except Exception as exc:  # a defect to report with its brief, like a failed build
        result.status, result.message = "failed", f"reading the outputs back: {exc}"
        result.checks["builds"] = [result.message]
        return
    for name, check in invariants.CHECKS.items():
        result.checks[name] = check(outputs)


def _refusal_problems(checked: subprocess.CompletedProcess[str]) -> list[str]:
    """A refusal is acceptable when every line is located (path:line:col) or the summary."""
    lines = [line for line in checked.stderr.splitlines() if line.strip()]
    bad = [
        line
        for line in lines
        if CRASH.search(line) or not (LOCATED.match(line) or line.startswith("Aborted:"))
    ]
    return bad or ([] if lines else ["refused without a message"])


def _error(line: str) -> bool:
    return (
        bool(line.strip())
        and not line.startswith(("Step ", "Aborted"))
        and "older than" not in line
    )


def _first(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[0] if lines else ""


def _last(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def _keep(root: Path, client_id: str, keep: Path) -> None:
    target = keep / client_id
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for path in (root / layout.data_folder("clients")).glob("*.yaml"):
        if path.name.startswith(f"{client_id}."):  # the brief and its translations only
            shutil.copy2(path, target)
    built = root / "out" / client_id
    if built.is_dir():
        shutil.copytree(built, target, dirs_exist_ok=True)


def read_outputs(
    root: Path, client_id: str, date: dt.date, deck_lo: bool, work: Path
) -> invariants.Outputs:
    """Every edition's outputs of a built brief, read back for the checks."""
    from briefing.build import pipeline as build
    from briefing.settings import Settings

    settings = Settings.load(root, SOURCE_DATE_EPOCH=epoch(date))
    knowledge = build.load_knowledge(settings)
    client = knowledge.kb.clients[client_id]
    industry = knowledge.kb.industries[client.industry]
    out = invariants.Outputs(client, industry, knowledge.kb.platforms)
    folder = root / "out" / client_id
    for lang in client.editions:
        edition, dirs = read_edition(settings.with_flags(lang=lang), client_id, folder, lang)
        if deck_lo:
            from briefing.tools.deckcheck import check_deck

            edition.deck_checks = check_deck(_named(folder, "deck", ".pptx", lang), work / lang)
        out.editions.append(edition)
        if lang != "en":
            out.template_text = invariants.template_fragments(dirs)
    return out


def _named(folder: Path, kind: str, suffix: str, lang: str) -> Path:
    from briefing.build import manifest

    return folder / manifest.output_name(folder.name, kind, suffix, lang)


def read_edition(
    settings: Any, client_id: str, folder: Path, lang: str
) -> tuple[invariants.Edition, list[Path]]:
    from pptx import Presentation

    from briefing.build import pipeline as build
    from briefing.qa import layout
    from briefing.render.html import render_html
    from briefing.render.pdf import layout as lay_out
    from briefing.themes import i18n

    prepared = build.prepare(settings, client_id)
    with i18n.language(prepared.catalog):
        html = render_html(prepared.briefing, prepared.theme)
        document, _ = lay_out(html, prepared.theme, "none")
    plan = json.loads(_named(folder, "plan", ".json", lang).read_text(encoding="utf-8"))
    deck = Presentation(str(_named(folder, "deck", ".pptx", lang)))  # read once, used thrice
    tables, empty = deck_structure(deck)
    edition = invariants.Edition(
        lang=lang,
        plan=plan,
        pdf_text=pdf_text(_named(folder, "briefing", ".pdf", lang)),
        deck_text=deck_text(deck),
        pages=layout.pages(document),
        deck_tables=tables,
        empty_slides=empty,
        cells=html_cells(html) + deck_cells(deck),
    )
    return edition, list(prepared.theme.dirs)


def html_cells(html: str) -> list[str]:
    """The text of every table cell of the PDF's HTML."""
    import lxml.html

    return [cell.text_content() for cell in lxml.html.fromstring(html).iter("td", "th")]


def deck_cells(deck: Any) -> list[str]:
    """The text of every table cell of the deck (a python-pptx Presentation)."""
    return [
        cell.text
        for slide in deck.slides
        for shape in slide.shapes
        if getattr(shape, "has_table", False) and shape.has_table
        for row in shape.table.rows
        for cell in row.cells
    ]


def pdf_text(path: Path) -> list[str]:
    import pypdfium2

    document = pypdfium2.PdfDocument(str(path))
    try:
        pages = []
        for page in document:
            textpage = page.get_textpage()
            pages.append(textpage.get_text_range().replace("\r\n", "\n").replace("\ufffe", ""))
            textpage.close()
            page.close()
        return pages
    finally:
        document.close()


def _shape_text(shape: Any) -> list[str]:
    if shape.has_text_frame:
        return [shape.text_frame.text]
    if getattr(shape, "has_table", False) and shape.has_table:
        return [cell.text for row in shape.table.rows for cell in row.cells]
    if shape.shape_type == 6:  # a group
        return [t for child in shape.shapes for t in _shape_text(child)]
    return []


def deck_text(deck: Any) -> list[str]:
    """Each slide's text (a python-pptx Presentation)."""
    return [
        "\n".join(t for shape in slide.shapes for t in _shape_text(shape)) for slide in deck.slides
    ]


CONTINUED = re.compile(
    r"[(\uff08](\d+)(?: of |/|\s*/\s*)\d+[)\uff09]"
)  # (2 of 3), zh: full-width (2/3)


def deck_structure(deck: Any) -> tuple[list[tuple[str, int]], list[str]]:
    """Continued slides' tables (title, body rows), and content slides with nothing but a
    title (a python-pptx Presentation)."""
    from briefing.render.deck import CONTENT_ROLES

    tables, empty = [], []
    for slide in deck.slides:
        title = slide.shapes.title.text_frame.text if slide.shapes.title is not None else ""
        role = slide._element.cSld.get("name") or "content"
        body = [s for s in slide.shapes if s != slide.shapes.title and not _footer(s)]
        if role in CONTENT_ROLES and not any(_has_content(s) for s in body):
            empty.append(" ".join(title.split())[:60])
        match = CONTINUED.search(title)
        if match and match.group(1) != "1":
            for shape in body:
                if getattr(shape, "has_table", False) and shape.has_table:
                    tables.append((" ".join(title.split())[:60], len(shape.table.rows) - 1))
    return tables, empty


def _footer(shape: Any) -> bool:
    from pptx.enum.shapes import PP_PLACEHOLDER

    if not shape.is_placeholder:
        return False
    kind = shape.placeholder_format.type
    return kind in (PP_PLACEHOLDER.SLIDE_NUMBER, PP_PLACEHOLDER.DATE, PP_PLACEHOLDER.FOOTER)


def _has_content(shape: Any) -> bool:
    if getattr(shape, "has_chart", False) and shape.has_chart:
        return True
    if shape.shape_type == 13:  # a picture
        return True
    return any(t.strip() for t in _shape_text(shape))


@dataclass
class Run:
    seed: int
    date: dt.date
    results: list[Result]
    cells: list[str]
    seconds: float


def run(
    source: Path,
    seed: int,
    count: int,
    date: dt.date,
    *,
    only: list[int] | None = None,
    jobs: int = 1,
    deck_lo: bool = False,
    keep: Path | None = None,
) -> Run:
    """Generate and check ``count`` briefs (or the indexes ``only``) from ``seed``."""
    started = time.perf_counter()
    generator = make_generator(source, date)
    fits = title_fits(source)
    briefs = [generator.brief(seed, i, fits) for i in (only or range(count))]
    args = [(source, b, date, deck_lo, keep) for b in briefs]
    if jobs > 1:
        with ProcessPoolExecutor(jobs) as pool:
            results = list(pool.map(_run_one, args))
    else:
        results = [_run_one(a) for a in args]
    return Run(
        seed, date, results, [str(c) for c in generator.cells], time.perf_counter() - started
    )


def _run_one(args: tuple[Any, ...]) -> Result:
    return run_brief(*args)
