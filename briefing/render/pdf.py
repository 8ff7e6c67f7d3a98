"""HTML -> PDF with WeasyPrint, reading only files under templates/ and assets/."""

from __future__ import annotations

import io
import logging
import mimetypes
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from briefing import files
from briefing.constants import DEFAULT_PDF_VARIANT, PdfVariant
from briefing.errors import DataError, Problem, RenderError, SystemDependencyError, relative
from briefing.log import LOGGER
from briefing.render import fit
from briefing.render.base import Preview, Rendered, Template
from briefing.render.context import report_context
from briefing.render.fit import FacePair
from briefing.render.html import render_html
from briefing.themes.theme import Theme

if TYPE_CHECKING:
    from briefing.project.model import Briefing
    from briefing.settings import Settings


def _weasyprint() -> Any:  # imported late: ~0.5 s, and only the PDF step needs it
    import weasyprint
    import weasyprint.urls

    return weasyprint


def check_system(theme: Theme) -> None:
    """Refuse to render when fast subsetting or the theme's fonts are missing."""
    from weasyprint.pdf.fonts import harfbuzz_subset

    if not harfbuzz_subset:
        raise SystemDependencyError(
            "libharfbuzz-subset0 is missing: WeasyPrint would fall back to a subsetter that makes "
            "Chinese briefings ~6x slower. Install it: apt-get install libharfbuzz-subset0"
        )
    for family in theme.tokens.fonts.families():
        fit.font_file(family)  # raises, naming the font and the package to install


def project_fetcher(root: Path) -> Any:
    """A URL fetcher that serves regular files under templates/ and assets/, and nothing else."""
    weasyprint = _weasyprint()
    fatal = weasyprint.urls.FatalURLFetchingError
    allowed = ((root / "templates").resolve(), (root / "assets").resolve())

    base: Any = weasyprint.urls.URLFetcher  # a name mypy takes as a base (WeasyPrint is untyped)

    class ProjectFetcher(base):
        def fetch(self, url: str, headers: object = None) -> object:
            scheme = url.split(":", 1)[0].lower()
            if scheme == "data" and len(url) < files.LIMITS["asset"]:
                return super().fetch(url, headers)
            if scheme != "file":
                raise fatal(
                    f"refused to fetch '{url[:200]}': a build reads only files under "
                    "templates/ and assets/ and never uses the network"
                )
            path = Path(url2pathname(urlsplit(url).path))
            if not any(path.resolve().is_relative_to(folder) for folder in allowed):
                shown = relative(path, root)
                raise fatal(f"refused to read '{shown}': outside templates/ and assets/")
            try:
                data = files.read_bytes(path, allowed, root, files.LIMITS["asset"])
            except files.FileRefused as exc:
                raise fatal(f"{exc} (referenced by a template or article)") from None
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return weasyprint.urls.URLFetcherResponse(url, data, {"Content-Type": mime})

    return ProjectFetcher(
        allowed_protocols=("file", "data"), allow_redirects=False, fail_on_errors=True, timeout=5
    )


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    pages: int


def render_pdf(html: str, theme: Theme, variant: PdfVariant = DEFAULT_PDF_VARIANT) -> RenderedPdf:
    """Lay out and write the PDF in memory; any WeasyPrint warning fails the build.

    The default variant, PDF/UA-1, makes a tagged PDF (structure for screen readers).
    """
    weasyprint = _weasyprint()
    collector = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collector)
    try:
        document, options = layout(html, theme, variant)
        buffer = io.BytesIO()
        document.write_pdf(buffer, **options)
    except weasyprint.urls.FatalURLFetchingError as exc:
        raise RenderError(f"PDF: {exc.__cause__ or exc}") from None
    except (ZeroDivisionError, OverflowError) as exc:  # e.g. `font-size: 1e9px`
        sheets = ", ".join(relative(path, theme.root) for path in theme.stylesheets())
        raise RenderError(
            f"PDF: a size in the styles is out of range ({type(exc).__name__}: {exc}); look "
            f"for a huge font-size, width, margin or line-height in {sheets} or a template's "
            "style attribute"
        ) from None
    finally:
        logger.removeHandler(collector)
    if collector.messages:
        raise RenderError(
            "PDF: WeasyPrint reported problems:\n  " + "\n  ".join(collector.messages)
        )
    return RenderedPdf(buffer.getvalue(), len(document.pages))


def layout(
    html: str, theme: Theme, variant: PdfVariant = DEFAULT_PDF_VARIANT
) -> tuple[Any, dict[str, Any]]:
    """The laid-out WeasyPrint document (pages and their boxes) and the options to write it
    with; `briefing.qa` inspects the same layout the PDF is written from."""
    weasyprint = _weasyprint()
    from weasyprint.text.fonts import FontConfiguration

    check_system(theme)
    fetcher = project_fetcher(theme.root)
    fonts = FontConfiguration()  # so @font-face in report.css can use assets/fonts/
    css_paths = theme.stylesheets()  # parent first: a child's rules win
    stylesheets = [
        weasyprint.CSS(string=theme.css_variables(), url_fetcher=fetcher, font_config=fonts),
        *(
            weasyprint.CSS(
                string=theme.read_text(path),
                base_url=path.as_uri(),
                url_fetcher=fetcher,
                font_config=fonts,
            )
            for path in css_paths
        ),
    ]
    options: dict[str, Any] = {"pdf_variant": variant} if variant != "none" else {"pdf_tags": True}
    options.update(stylesheets=stylesheets, optimize_images=True)
    document = weasyprint.HTML(
        string=html, base_url=theme.root.as_uri() + "/", url_fetcher=fetcher
    ).render(font_config=fonts, **options)
    _check_page_sizes(document, css_paths[-1], theme)
    return document, options


MAX_PAGE_MM = 1200  # a little over A0's long side: anything larger is a typo in @page


def _check_page_sizes(document: object, css_path: Path, theme: Theme) -> None:
    for number, page in enumerate(document.pages, 1):  # type: ignore[attr-defined]
        width, height = (px * 25.4 / 96 for px in (page.width, page.height))
        if max(width, height) > MAX_PAGE_MM:
            raise RenderError(
                f"PDF: page {number} is {width:.0f} x {height:.0f} mm, over the "
                f"{MAX_PAGE_MM} mm limit; check @page size in {relative(css_path, theme.root)}"
            )


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def missing_glyphs(html: str, theme: Theme) -> set[str]:
    """Characters in the document that neither the Latin nor the CJK font can draw."""
    parser = _TextOnly()
    parser.feed(html)
    fonts = FacePair(theme.tokens.fonts.latin, theme.tokens.fonts.cjk)
    return fit.missing_glyphs("".join(parser.parts), fonts)


def glyph_warnings(html: str, theme: Theme, strict: bool) -> list[str]:
    """Characters no theme font can draw would print as boxes: warn, or fail with --strict."""
    missing = missing_glyphs(html, theme)
    if not missing:
        return []
    shown = " ".join(f"{ch} (U+{ord(ch):04X})" for ch in sorted(missing))
    message = (
        f"theme '{theme.name}': fonts {theme.tokens.fonts.latin!r} and "
        f"{theme.tokens.fonts.cjk!r} have no glyph for {shown}"
    )
    if strict:
        raise DataError(
            [Problem(f"templates/{theme.name}/theme.yaml", message)],
            what="themes (--strict: missing glyphs)",
        )
    LOGGER.warning("%s", message)
    return [message]


class PdfRenderer:
    """The briefing: report.html.j2 and report.css, laid out by WeasyPrint."""

    name = "pdf"
    label = "PDF"
    kind = "briefing"
    suffix = ".pdf"
    mime = "application/pdf"
    unit = "pages"
    attach = True
    preview: Preview = "pdf"
    templates: tuple[Template, ...] = (Template("report.html.j2", "html"),)
    theme_files: tuple[str, ...] = ("report.css",)

    def context(self, briefing: Briefing, theme: Theme) -> dict[str, Any]:
        return report_context(briefing, theme)

    def render(self, briefing: Briefing, theme: Theme, settings: Settings) -> Rendered:
        html = render_html(briefing, theme)
        warnings = glyph_warnings(html, theme, settings.strict)
        rendered = render_pdf(html, theme, settings.pdf_variant)
        return Rendered(rendered.data, {"pages": rendered.pages}, tuple(warnings))


PDF = PdfRenderer()
