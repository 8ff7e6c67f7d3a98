"""Jinja over the theme chain: the sandboxed environments, the contained loader, rendering
with located errors, and checking templates without a build.

A name like ``report.html.j2`` is the first file along the chain; ``default/report.html.j2``
is that theme's own file, so a child template can ``{% extends "default/report.html.j2" %}``
and override only the blocks it changes.
"""

from __future__ import annotations

import functools
import math
import os
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import Any, Literal

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup, escape

from briefing.errors import Problem, TemplateError, relative
from briefing.project.translate import tidy_spacing
from briefing.themes import filters, i18n
from briefing.themes.theme import NotInTheme, ThemeFolders

TemplateKind = Literal["html", "yaml", "text"]

MAX_PRODUCT = 10**6  # items a template's `*` may make ("ab" * n, [x] * n), digits of `**`
_FORMAT_WIDTH = re.compile(r"%[-#0 +]*(\d+)(?:\.(\d+))?")


class _Sandbox(ImmutableSandboxedEnvironment):
    """The sandbox, with a size cap on what `*`, `**` and `%` can make: one template line such
    as ``{% set big = "ab" * 1400000000 %}`` took a build to 10.8 GB. Intercepting them also
    stops Jinja folding such a constant at compile time, where no render budget applies."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        _check_size(operator, left, right)
        return super().call_binop(context, operator, left, right)


def _check_size(operator: str, left: Any, right: Any) -> None:
    if operator == "*":
        for sequence, times in ((left, right), (right, left)):
            if not (isinstance(sequence, str | list | tuple) and isinstance(times, int)):
                continue
            if len(sequence) * times > MAX_PRODUCT:
                raise jinja2.sandbox.SecurityError(
                    f"'*' would make {len(sequence) * times:,} items, over the "
                    f"{MAX_PRODUCT:,} a template may make"
                )
    elif operator == "**" and isinstance(left, int) and isinstance(right, int):
        digits = right * math.log10(abs(left)) if abs(left) > 1 else 0
        if digits > MAX_PRODUCT:
            raise jinja2.sandbox.SecurityError(f"'**' would make a number of {digits:,.0f} digits")
    elif operator == "%" and isinstance(left, str):
        widths = (int(n) for m in _FORMAT_WIDTH.finditer(left) for n in m.groups() if n)
        if any(width > MAX_PRODUCT for width in widths):
            raise jinja2.sandbox.SecurityError(
                f"a '%' format width over {MAX_PRODUCT:,} characters"
            )


def environment(
    theme: ThemeFolders,
    kind: TemplateKind,
    undefined: type[jinja2.Undefined] = jinja2.StrictUndefined,
) -> jinja2.Environment:
    """The environment for ``kind`` over ``theme``'s chain, kept per process: compiled
    templates are reused, and a template whose file changed is read again (a warm process,
    like the preview, sees every save)."""
    # A class hashes by identity, as lru_cache needs; mypy judges by its instances' __hash__,
    # which StrictUndefined makes raise.
    return _environment(theme.root, theme.dirs, theme.name, kind, undefined)  # type: ignore[arg-type]


@functools.lru_cache(maxsize=64)
def _environment(
    root: Path,
    dirs: tuple[Path, ...],
    name: str,
    kind: TemplateKind,
    undefined: type[jinja2.Undefined],
) -> jinja2.Environment:
    theme = ThemeFolders(name=name, dirs=dirs, root=root)
    return _new_environment(theme, kind, undefined)


def _new_environment(
    theme: ThemeFolders, kind: TemplateKind, undefined: type[jinja2.Undefined]
) -> jinja2.Environment:
    """A sandboxed Jinja environment over the theme chain; strict about undefined names.

    ``html`` templates autoescape everything. The deck plan is ``yaml``: every ``{{ }}`` is
    written as a quoted JSON scalar, so a client called ``"Foo: Bar"`` cannot break or inject
    slide fields. ``text`` (the plain-text e-mail) is written as is.
    """
    env = _Sandbox(
        loader=_ContainedLoader(theme),
        autoescape=kind == "html",
        undefined=undefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=filters.yaml_scalar if kind == "yaml" else None,
        extensions=["jinja2.ext.i18n"],
    )
    # `_("…")`, `ngettext` and `{% trans %}` (newstyle: a block's variables passed by name) all
    # call the globals below, which look the language up when they run (one environment per
    # theme serves every edition) and fill by `fill`, escaping a catalog's text in HTML (see
    # `_filled`). The extension's own callables are installed only for its newstyle switch.
    env.install_gettext_callables(  # type: ignore[attr-defined]
        _gettext, _ngettext, newstyle=True
    )
    env.globals.update(gettext=_gettext, _=_gettext, ngettext=_ngettext)
    env.filters.update(filters.FILTERS)
    if kind == "yaml":  # a block's rendered slides pass the finalizer unquoted
        env.concat = filters.slides_text  # type: ignore[method-assign]
    return env


SENTENCE_END = (".", "!", "?", "。", "\uff01", "\uff1f", "…")  # and the full-width ! and ?
_SLOT = re.compile(r"%\((\w+)\)s([.。]?)|%%")


def fill(message: str, variables: dict[str, Any], escape: Callable[[Any], str] = str) -> str:
    """``message % variables``, except that a value which already ends its sentence replaces
    the full stop after its placeholder: 'trust.' in '%(rationale)s. %(summary)s' gives
    'trust. Founded…', never 'trust.. Founded…'. ``escape``: how a value is written."""

    def slot(match: re.Match[str]) -> str:
        if match[0] == "%%":
            return "%"
        value = variables[match[1]]
        stop = match[2]
        if stop and str(value).rstrip().endswith(SENTENCE_END):
            stop = ""
        return escape(value) + stop

    return _SLOT.sub(slot, message)


@jinja2.pass_context
def _gettext(context: jinja2.runtime.Context, message: str, **variables: Any) -> str:
    """`_("…", name=value)`: the edition's translation, filled (and escaped in HTML)."""
    return _filled(context, i18n.current().gettext(message), variables)


@jinja2.pass_context
def _ngettext(
    context: jinja2.runtime.Context, singular: str, plural: str, num: int, **variables: Any
) -> str:
    variables.setdefault("num", num)
    return _filled(context, i18n.current().ngettext(singular, plural, num), variables)


def _filled(context: jinja2.runtime.Context, text: str, variables: dict[str, Any]) -> str:
    # In HTML a catalog's text is text, never markup: Jinja marks a translation safe under
    # autoescape, so a translator's `<img src=…>` reached the client's e-mail as a live tag.
    if context.eval_ctx.autoescape:
        return Markup(fill(str(escape(text)), variables, escape))
    return fill(text, variables)


def _stamp(path: Path) -> tuple[int, int]:
    info = path.stat()
    return info.st_mtime_ns, info.st_size


class _ContainedLoader(jinja2.BaseLoader):
    """Templates along the chain, each a regular file inside templates/ (links not followed
    out of it), within the template size limit."""

    def __init__(self, theme: ThemeFolders) -> None:
        self.theme = theme

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        if not re.fullmatch(r"[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*", template) or ".." in template:
            raise jinja2.TemplateNotFound(template)
        try:
            path = self._path(template)
        except NotInTheme:
            raise jinja2.TemplateNotFound(template) from None
        text = self.theme.read_text(path)
        stamp = _stamp(path)

        def uptodate() -> bool:  # the same file still wins along the chain, unchanged
            try:
                return self._path(template) == path and _stamp(path) == stamp
            except (TemplateError, jinja2.TemplateNotFound, OSError):
                return False

        return text, str(path), uptodate

    def _path(self, template: str) -> Path:
        """``<theme>/<file>`` is the file that theme of the chain uses: its own, else its
        parents' (so ``meridian/report.html.j2`` works though meridian only sets tokens);
        anything else is looked up along the whole chain, most specific first."""
        first, _, rest = template.partition("/")
        names = [folder.name for folder in self.theme.dirs]
        if rest and first in names:
            for folder in self.theme.dirs[names.index(first) :]:
                if os.path.lexists(folder / rest):
                    return self.theme.contained(
                        folder / rest, self.theme.root / "templates", "template"
                    )
            raise jinja2.TemplateNotFound(template)
        return self.theme.find(template)


def render_template(
    theme: ThemeFolders, env: jinja2.Environment, name: str, context: dict[str, Any]
) -> str:
    """Render ``name``; any template mistake becomes one ``path:line: message`` error. A
    Chinese edition's text gets the edition's one rule for space beside Latin words."""
    try:
        text = env.get_template(name).render(context)
        if i18n.is_chinese() and env.finalize is not filters.yaml_scalar:
            return tidy_spacing(text)  # (a slide plan's values are tidied one by one)
        return text
    except jinja2.TemplateSyntaxError as exc:
        where = relative(Path(exc.filename), theme.root) if exc.filename else name
        raise TemplateError(f"{where}:{exc.lineno}: {exc.message}") from exc
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(f"template '{exc.name}' not found (searched {theme.searched})") from exc
    except (jinja2.UndefinedError, jinja2.sandbox.SecurityError, TypeError) as exc:
        raise TemplateError(f"{_template_line(exc, theme) or name}: {exc}") from exc


def _template_line(exc: BaseException, theme: ThemeFolders) -> str | None:
    """The innermost traceback frame inside templates/ names the line (Jinja rewrites frames)."""
    found = None
    tb = exc.__traceback__
    templates = (theme.root / "templates").resolve()
    while tb is not None:
        filename = Path(tb.tb_frame.f_code.co_filename)
        if filename.is_absolute() and filename.resolve().is_relative_to(templates):
            found = f"{relative(filename, theme.root)}:{tb.tb_lineno}"
        tb = tb.tb_next
    return found


class _Recorder:
    """Where undefined names were used during a checking render: (file, line, message)."""

    def __init__(self) -> None:
        self.seen: dict[tuple[str, int], str] = {}

    def record(self, message: str) -> None:
        frame: FrameType | None = sys._getframe(2)
        while frame is not None:
            template = frame.f_globals.get("__jinja_template__")
            if template is not None and template.filename:
                line = template.get_corresponding_lineno(frame.f_lineno)
                self.seen.setdefault((template.filename, line), message)
                return
            frame = frame.f_back
        self.seen.setdefault(("", 0), message)


def _recording_undefined(recorder: _Recorder) -> type[jinja2.Undefined]:
    """An Undefined that notes each use and renders as nothing, so one pass finds them all."""

    class Recording(jinja2.ChainableUndefined):
        def _note(self) -> None:
            recorder.record(self._undefined_message)

        def __str__(self) -> str:
            self._note()
            return ""

        def __iter__(self) -> Iterator[Any]:
            self._note()
            return iter(())

        def __bool__(self) -> bool:
            self._note()
            return False

        def __len__(self) -> int:
            self._note()
            return 0

    return Recording


def check_templates(
    theme: ThemeFolders, jobs: list[tuple[TemplateKind, str, dict[str, Any]]]
) -> list[Problem]:
    """Render each (kind, template, context) once and report, all at once and located,
    syntax errors, unknown filters or tests, and every undefined name used."""
    problems: list[Problem] = []
    recorder = _Recorder()
    for kind, name, context in jobs:
        env = environment(theme, kind, undefined=_recording_undefined(recorder))
        try:
            env.get_template(name).render(context)
        except jinja2.TemplateSyntaxError as exc:  # includes unknown filters and tests
            where = relative(Path(exc.filename), theme.root) if exc.filename else name
            problems.append(Problem(where, exc.message or "syntax error", exc.lineno))
        except jinja2.TemplateNotFound as exc:
            problems.append(Problem(relative(theme.dirs[0], theme.root), f"'{exc.name}' not found"))
        except Exception as exc:  # any other template fault, located
            where = _template_line(exc, theme) or name
            kind_of = "" if isinstance(exc, jinja2.UndefinedError) else f"{type(exc).__name__}: "
            problems.append(Problem(where, f"{kind_of}{exc}"))
    for (filename, line), message in sorted(recorder.seen.items()):
        where = relative(Path(filename), theme.root) if filename else "a template"
        problems.append(Problem(where, message, line or None))
    return problems
