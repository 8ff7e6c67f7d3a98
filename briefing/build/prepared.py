"""What a build is prepared from: the project checked once (Knowledge), one client's edition
assembled and themed with its inputs and options (Prepared); nothing rendered yet."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from briefing import assemble
from briefing.build import manifest, uptodate
from briefing.errors import BriefingError, DataError, Problem, UsageError
from briefing.log import LOGGER
from briefing.project import layout, load, translate, validate
from briefing.project.fields import not_a_slug
from briefing.project.model import Briefing
from briefing.render import deck
from briefing.settings import Settings
from briefing.state import history, identity
from briefing.themes import catalog as messages
from briefing.themes import i18n, theme


def check_client_id(client_id: str) -> None:
    """Refuse anything but a plain slug before a single file is read."""
    problem = not_a_slug(client_id, "a client id", "the file name of data/clients/<id>.yaml")
    if problem:
        raise UsageError(problem)


def check_theme_name(name: str) -> None:
    """A theme is a folder name under templates/: never a path."""
    problem = not_a_slug(name, "a theme name", "a folder in templates/")
    if problem:
        raise UsageError(problem)


@dataclass
class Prepared:
    """A client's briefing, assembled and themed, with what it depends on; nothing rendered."""

    briefing: Briefing
    theme: theme.Theme
    inputs: dict[str, str]
    options: dict[str, object]
    folder: Path  # out/<client>/, or out/<client>.<theme>/ for a pitch in another theme
    catalog: i18n.Catalog = i18n.ENGLISH  # the edition's language and its template text
    warnings: list[str] = field(default_factory=list)  # translations left in English
    check: dict[str, object] = field(default_factory=dict)  # for uptodate.fresh, unparsed

    @property
    def lang(self) -> str:
        return self.catalog.lang

    def name(self, kind: str, suffix: str) -> str:
        return manifest.output_name(self.briefing.client_id, kind, suffix, self.lang)

    def up_to_date(self) -> bool:
        recorded = manifest.edition(manifest.read(self.folder), self.lang)
        return (
            recorded is not None
            and manifest.check_outputs(self.folder, recorded).ok
            and recorded.get("options") == self.options
            and not manifest.changed_inputs(recorded, self.inputs)
        )


def prepare(settings: Settings, client_id: str, knowledge: Knowledge | None = None) -> Prepared:
    """Load, validate and assemble one client's edition in ``settings.lang`` (default
    English); cheap: no rendering."""
    check_client_id(client_id)
    if settings.theme is not None:
        check_theme_name(settings.theme)
    lang = settings.lang or translate.SOURCE
    knowledge = knowledge or load_knowledge(settings, lang)
    kb = client_knowledge(knowledge, client_id)
    chosen = theme.resolve(settings.theme or kb.clients[client_id].theme, settings.root)
    catalog = i18n.load_catalog(chosen.dirs, lang, settings.root)
    # English is the templates' own language: extracting every message (~0.5 s) finds nothing
    missing = (
        [] if lang == translate.SOURCE else i18n.missing_messages(catalog, messages.used(chosen))
    )
    if missing and not settings.allow_missing_translations:
        raise DataError(missing, what="translations (--allow-missing-translations: English)")
    briefing = assemble.assemble(
        kb, client_id, today=settings.today, stale_months=settings.stale_months
    )
    if problems := layout_problems(kb, client_id, chosen):
        raise DataError(problems)
    warnings = [*knowledge.warnings, *(f"{p} (English used)" for p in missing)]
    inputs = manifest.inputs(briefing, chosen, kb.files, lang)
    briefing, since = _what_changed(settings, briefing, catalog, inputs, warnings)
    options = manifest.options(briefing, chosen, settings, lang, since)
    folder = output_folder(settings, client_id, chosen.name, briefing.client.theme)
    previous = manifest.edition(manifest.read(folder), lang)
    kept = identity.content_date(previous, {"inputs": inputs, "options": options})
    if kept is not None and kept != briefing.date:  # unchanged content keeps its date
        dated = assemble.assemble(kb, client_id, today=kept, stale_months=settings.stale_months)
        briefing = dated.model_copy(update={"changes": briefing.changes})
        options = manifest.options(briefing, chosen, settings, lang, since)
    check = _check(settings, knowledge, briefing, chosen, lang)
    return Prepared(briefing, chosen, inputs, options, folder, catalog, warnings, check)


def _check(
    settings: Settings, knowledge: Knowledge, briefing: Briefing, chosen: theme.Theme, lang: str
) -> dict[str, object]:
    """What a later up-to-date check needs to decide without loading the project."""
    if not knowledge.listing:
        return {}
    as_of = [s.metric.as_of for s in briefing.sources]
    until = uptodate.dated_until(as_of, settings.today, settings.stale_months)
    editions = briefing.client.editions
    args = (knowledge.listing, chosen.dirs, editions, until)
    return uptodate.record(settings, briefing.client_id, lang, *args)


def _what_changed(
    settings: Settings,
    briefing: Briefing,
    catalog: i18n.Catalog,
    inputs: dict[str, str],
    warnings: list[str],
) -> tuple[Briefing, str | None]:
    """For a returning client, the briefing with what moved since the last one sent in its
    language (from other inputs), and that send's history folder name."""
    lang, client_id = catalog.lang, briefing.client_id
    digest = identity.inputs_digest(inputs)
    earlier = history.previous(settings.state_dir, client_id, lang, digest)
    if earlier is None:
        return briefing, None
    try:
        moved = earlier.compare(briefing.model_dump(mode="json"))
    except history.HistoryError as exc:  # the outputs still build, without the page
        LOGGER.warning("%s; no 'What changed' page", exc)
        warnings.append(f"{exc}; no 'What changed' page")
        return briefing, None
    if moved.empty:  # new inputs, same advice (a reworded goal, a note): no page to send
        return briefing, earlier.folder.name
    return briefing.model_copy(update={"changes": moved}), earlier.folder.name


def layout_problems(
    kb: validate.KnowledgeBase, client_id: str, chosen: theme.Theme
) -> list[Problem]:
    """Client text too long for where the layout puts it (measured with the theme's fonts)."""
    client = kb.clients[client_id]
    reason = deck.title_slide_problem(chosen, client.name)
    if not reason:
        return []
    doc = kb.documents["clients"][client_id]
    line, col = doc.where(("name",))
    return [Problem(doc.rel, reason, line, col, "name")]


def check_layouts(settings: Settings, kb: validate.KnowledgeBase) -> list[Problem]:
    """`briefing check`: every valid client's text against its own theme's layout."""
    problems = []
    for client_id, client in sorted(kb.clients.items()):
        try:
            chosen = theme.resolve(client.theme, settings.root)
        except BriefingError:
            continue  # the theme's own problems are reported by `theme check` and the build
        problems += layout_problems(kb, client_id, chosen)
    return problems


def output_folder(settings: Settings, client_id: str, theme_name: str, own_theme: str) -> Path:
    """A pitch build in another theme never touches the client's own outputs."""
    if theme_name == own_theme:
        return settings.out_dir / client_id
    return settings.out_dir / f"{client_id}.{theme_name}"


def editions(settings: Settings, client_id: str, source: Knowledge | None = None) -> list[str]:
    """The languages to build: ``settings.lang`` if set, else the client's ``editions`` (read
    from ``source``, the project in English, when the caller has it)."""
    check_client_id(client_id)
    if settings.lang:
        return [settings.lang]
    source = source or load_knowledge(settings, translate.SOURCE)
    return list(client_knowledge(source, client_id).clients[client_id].editions)


@dataclass
class Knowledge:
    """The validated project in one language, every problem found in it, and warnings for
    text left in English (``--allow-missing-translations``); read once per batch."""

    kb: validate.KnowledgeBase
    problems: list[Problem]
    warnings: list[str] = field(default_factory=list)
    translation: list[Problem] = field(default_factory=list)  # the edition's translation files
    listing: dict[str, str] = field(default_factory=dict)  # data/ file -> sha256, as read


def load_knowledge(settings: Settings, lang: str | None = None) -> Knowledge:
    """The project as the ``lang`` edition reads it (default: ``settings.lang`` or English)."""
    lang = lang or settings.lang or translate.SOURCE
    read = load.load_project(settings.root)
    project, problems, warnings = translate.overlay(read, lang, settings.allow_missing_translations)
    kb, found = validate.validate(project)
    return Knowledge(kb, found, warnings, problems, read.listing())


def client_knowledge(knowledge: Knowledge, client_id: str) -> validate.KnowledgeBase:
    """The project, if nothing this client depends on is broken: other clients' files
    may be."""
    kb, problems = knowledge.kb, knowledge.problems
    clients, own = layout.record_prefix("clients"), layout.record_prefix("clients", client_id)
    relevant = [p for p in problems if not p.path.startswith(clients) or p.path.startswith(own)]
    client = kb.clients.get(client_id)
    industry = layout.record_prefix("industries", client.industry if client else None)
    relevant += [  # a missing translation of another client's industry is not this one's
        p
        for p in knowledge.translation
        if not p.path.startswith((clients, layout.record_prefix("industries")))
        or p.path.startswith((own, industry))
    ]
    if relevant:
        raise DataError(relevant)
    if client_id not in kb.clients:
        known = ", ".join(sorted(kb.clients)) or "none"
        raise UsageError(
            f"unknown client '{client_id}': no file {layout.data_path('clients', client_id)} "
            f"(known clients: {known})"
        )
    return kb
