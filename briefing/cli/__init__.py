"""Command line: parse, configure logging, call the library, map errors to exit codes."""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from briefing.cli.arguments import PDF_VARIANTS, parser
from briefing.errors import BriefingError, DataError, NotReady, Stopped, UsageError
from briefing.log import LOGGER, configure

if TYPE_CHECKING:
    from briefing.settings import Settings

# A command's modules are imported when it runs (inside its handler below): `briefing --help`
# starts in a blink, and a no-op `build` imports neither the renderers nor the models.
__all__ = ["PDF_VARIANTS", "main", "parser"]


def _published_note(exc: BaseException) -> str | None:
    """For a build that published some editions before one failed (it said "nothing was
    written"): which are out, which is not."""
    published = getattr(exc, "published", None)
    if not isinstance(published, list) or not published:
        return None
    were = "editions before it were" if len(published) > 1 else "edition before it was"
    return (
        f"Aborted: the {getattr(exc, 'failed', '?')} edition was not written (its previous "
        f"outputs are unchanged); the {', '.join(published)} {were} published"
    )


STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


@contextlib.contextmanager
def _stopped_by_signals(wanted: bool) -> Iterator[None]:
    """SIGTERM and SIGHUP raise ``Stopped`` in the main thread, as Ctrl-C raises
    KeyboardInterrupt: a batch kills its workers and publishes nothing more, and the exit
    status is 128 + the signal (143, 129). An ignored signal stays ignored (nohup)."""
    if not wanted or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.getsignal(signum) for signum in STOP_SIGNALS}
    for signum, handler in previous.items():
        if handler is not signal.SIG_IGN:
            signal.signal(signum, _raise_stopped)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _raise_stopped(signum: int, frame: object) -> None:
    raise Stopped(signum)


def main(argv: Sequence[str] | None = None) -> int:
    """The one error boundary: every failure is one line (its traceback with --debug)."""
    try:
        args = parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    configure(-1 if args.quiet else (1 if args.debug else 0))
    try:
        with _stopped_by_signals(args.command != "preview"):  # the preview has its own
            return _run(args)
    except DataError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(_published_note(exc) or exc.summary(), file=sys.stderr)
        return exc.exit_code
    except (UsageError, NotReady) as exc:  # nothing was tried: no "Aborted" note
        LOGGER.error("%s", exc)
        return exc.exit_code
    except Stopped as exc:
        name = signal.Signals(exc.signum).name
        print(f"Stopped by {name}: nothing half-done was published or sent", file=sys.stderr)
        return 128 + exc.signum
    except KeyboardInterrupt:
        print("Interrupted: nothing half-done was published or sent", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `briefing list | head`: the reader left; not an error
        return 0
    except Exception as exc:
        if args.debug:
            from briefing.build.forked import InternalError

            if isinstance(exc, InternalError):
                print(exc.detail, file=sys.stderr)
            raise
        code = exc.exit_code if isinstance(exc, BriefingError) else 1
        if isinstance(exc, BriefingError):
            LOGGER.error("%s", exc)
        else:  # a bug or a fault of the machine: say what, and how to see more
            LOGGER.error("%s: %s (run with --debug for the traceback)", type(exc).__name__, exc)
        if args.command == "build" and not getattr(exc, "published", False):
            print("Aborted: the previous outputs are unchanged", file=sys.stderr)
        elif note := _published_note(exc):
            print(note, file=sys.stderr)
        return code


def _run(args: argparse.Namespace) -> int:
    if args.command == "build":
        return _build(args)
    from briefing.settings import Settings, check_language

    settings = Settings.load()
    if args.command == "email":
        from briefing.cli import email as email_cli

        return email_cli.run(args, settings)
    if args.command == "theme":
        return _theme(args, settings)
    if args.command == "preview":
        from briefing import preview

        flags = {"theme": args.theme, "lang": check_language(args.lang)}
        if args.allow_missing_translations:
            flags["allow_missing_translations"] = True
        preview.serve(settings.with_flags(**flags), args.client, args.host, args.port)
        return 0
    if args.command == "data":
        from briefing.cli import data as data_cli

        return data_cli.run(args, settings)
    if args.command in ("approve", "diff", "status"):
        from briefing.cli import review as review_cli

        return review_cli.run(args, settings)
    if args.command == "schemas":
        from briefing.project import industry_docs
        from briefing.tools import schemas, template_docs

        written = [template_docs.write(settings.root), industry_docs.write(settings.root)]
        for path in [*schemas.write_schemas(settings.root), *written]:
            print(path.relative_to(settings.root))
        return 0
    if args.command == "industry":
        return _new_industry(args, settings)
    kb, problems = _checked(settings, check_language(getattr(args, "lang", None)))
    if args.command == "list":
        for cid, client in sorted(kb.clients.items()):
            print(f"{cid:24} {client.name}  ({client.industry})")
        return 0
    from briefing.build import pipeline as build

    problems += build.check_layouts(settings, kb)
    if problems:
        raise DataError(problems)
    print(
        f"data/ is valid: {len(kb.clients)} clients, {len(kb.industries)} industries, "
        f"{len(kb.platforms)} platforms, {len(kb.articles)} articles"
    )
    return 0


def _theme(args: argparse.Namespace, settings: Settings) -> int:
    from briefing.cli import themes as themes_cli

    if args.theme_command == "new":
        path = themes_cli.new_theme(settings.root, args.name, args.extends)
        print(
            f"created {path.parent.relative_to(settings.root)}/ (theme.yaml, report.css, "
            "report.html.j2); edit them, then run "
            f"`briefing theme check {args.name}`"
        )
        return 0
    if args.theme_command == "import":
        from briefing.tools import theme_import

        report = theme_import.import_template(
            settings.root, args.file, args.name, args.extends, args.master
        )
        print(report.read_text(encoding="utf-8"), end="")
        print(f"wrote {report.parent.relative_to(settings.root)}/; check it with `briefing theme "
              f"check {args.name}`")  # fmt: skip
        return 0
    from briefing.build import forked

    budget = forked.Budget(settings.render_timeout, settings.render_memory_mb)
    folders = themes_cli.check_theme(
        settings.root, args.name, args.client, budget, today=settings.today
    )
    print(f"theme '{args.name}' is valid (chain: {' -> '.join(folders)})")
    return 0


def _new_industry(args: argparse.Namespace, settings: Settings) -> int:
    from briefing.project import industry_docs
    from briefing.project.load import load_project

    platforms = load_project(settings.root).documents.get("platforms", {})
    active = sorted(
        pid
        for pid, doc in platforms.items()
        if isinstance(doc.data, dict) and doc.data.get("status") == "active"
    )
    path = industry_docs.new_industry(settings.root, args.name, active)
    print(
        f"created {path.relative_to(settings.root)}: fill in its empty values, then run "
        "`briefing check` (what each field means: docs/industries.md)"
    )
    return 0


def _checked(settings: Settings, lang: str | None) -> tuple[Any, list]:
    """The project and its problems: in English, and in ``lang`` or else in every language
    some client's `editions` lists (each translation checked, all problems at once)."""
    from briefing.project import load, translate, validate

    project = load.load_project(settings.root)
    kb, problems = validate.validate(project)
    langs = {lang} if lang else {e for c in kb.clients.values() for e in c.editions}
    for other in sorted(langs - {translate.SOURCE}):
        translated, found, _ = translate.overlay(project, other)
        found += validate.validate(translated)[1]
        problems += found if lang else translate.in_scope(found, kb, other)
    return kb, list(dict.fromkeys(problems))


def _build(args: argparse.Namespace) -> int:
    from briefing.build import uptodate
    from briefing.settings import Settings, check_language

    settings = Settings.load(
        theme=args.theme,
        strict=args.strict,
        pdf_variant=args.pdf_variant,
        lang=check_language(args.lang),
        allow_missing_translations=args.allow_missing_translations or None,
        render_cache="off" if args.force else None,  # --force renders every output again
    )
    if args.all == (args.client is not None):
        raise UsageError("name one client, or use --all")
    if args.all:
        return _build_all(args, settings)
    fresh = None if args.force else uptodate.fresh_editions(settings, args.client)
    for lang in fresh or []:  # known from the manifest alone: nothing loaded or parsed
        LOGGER.info("%s (%s) is up to date (use --force to rebuild)", args.client, lang)
    if fresh is not None:
        return 0
    from briefing.build import pipeline as build

    for edition in build.build_editions(settings, args.client, force=args.force):
        if edition.result is None:
            LOGGER.info("%s (%s) is up to date (use --force to rebuild)", args.client, edition.lang)
            continue
        for path in edition.result.paths:
            print(path.relative_to(settings.root) if path.is_relative_to(settings.root) else path)
    return 0


def _build_all(args: argparse.Namespace, settings: Settings) -> int:
    from rich.console import Console

    from briefing.build import batch
    from briefing.project.layout import client_ids

    clients = client_ids(settings.root)
    outcomes = batch.build_all(settings, clients, jobs=args.jobs, force=args.force)
    # A pipe or CI log gets a readable width instead of rich's 80 columns.
    console = Console(stderr=True, width=None if sys.stderr.isatty() else 110)
    console.print(batch.summary_table(outcomes))
    failed = [o for o in outcomes if o.status == "failed"]
    for outcome in failed:
        print(f"{outcome.client_id} failed:", file=sys.stderr)
        for line in outcome.errors:
            print(f"  {line}", file=sys.stderr)
    return 1 if failed else 0
