"""Article bodies: only safe links, images that are project assets, no control characters."""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from urllib.parse import urlsplit

from markdown_it import MarkdownIt

from briefing.errors import Problem
from briefing.project import images
from briefing.project.fields import control_character
from briefing.project.load import Document

MARKDOWN = MarkdownIt("js-default")  # raw HTML off: an article cannot inject tags


def check_body_text(doc: Document) -> list[Problem]:
    """Control and bidi-override characters would print as boxes or reorder text silently."""
    problems = []
    for number, line in enumerate(doc.body.splitlines(), doc.body_line):
        for col, ch in enumerate(line, 1):
            problem = control_character(ch)
            if problem:
                problems.append(Problem(doc.rel, problem, number, col))
    return problems


def check_markdown_links(doc: Document, root: Path) -> list[Problem]:
    """Images must be files under assets/; links must be https or mailto to a public host."""
    problems = []
    body_start = doc.body_line
    for token in MARKDOWN.parse(doc.body):
        for child in token.children or []:
            url = child.attrs.get("src") if child.type == "image" else child.attrs.get("href")
            if url is None:
                continue
            image = child.type == "image"
            reason = _bad_image(str(url), root) if image else _bad_link(str(url))
            if reason:
                within = token.content[: max(token.content.find(str(url)), 0)].count("\n")
                line = body_start + (token.map[0] if token.map else 0) + within
                noun = "image" if image else "link"
                problems.append(Problem(doc.rel, f"{noun} '{url}': {reason}", line))
    # markdown-it drops links it deems unsafe (file:, javascript:) before we see them.
    for match in re.finditer(r"\]\(\s*<?((?:file|javascript|data|ftp):[^)\s>]*)", doc.body):
        line = body_start + doc.body.count("\n", 0, match.start())
        problems.append(
            Problem(
                doc.rel,
                f"link '{match[1]}': only https and mailto links "
                "and images under assets/ are allowed",
                line,
            )
        )
    return problems


def image_paths(body: str) -> list[str]:
    """The files under assets/ an article's markdown shows (its pages depend on them)."""
    return [
        urlsplit(str(child.attrs["src"])).path
        for token in MARKDOWN.parse(body)
        for child in token.children or []
        if child.type == "image" and child.attrs.get("src")
    ]


def _bad_image(url: str, root: Path) -> str | None:
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return "images must be files under assets/ (no URLs: a build never fetches)"
    if not url.startswith("assets/") or ".." in Path(url).parts:
        return "images must be files under assets/ (e.g. assets/images/qr.png)"
    return images.asset_problem(root, parts.path)


def _bad_link(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme == "mailto" or (not parts.scheme and not parts.netloc):
        return None
    if parts.scheme != "https":
        return f"only https and mailto links are allowed (got '{parts.scheme or url}')"
    host = (parts.hostname or "").lower()
    try:
        if not ipaddress.ip_address(host).is_global:
            return "links to local or private addresses are not allowed"
    except ValueError:
        if host == "localhost" or host.endswith(".localhost") or not host:
            return "links to local or private addresses are not allowed"
    return None
