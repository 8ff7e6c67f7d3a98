"""`briefing status`: one row per client edition: built when, up to date or why not, figures
past the freshness limit, approved by whom and when, last sent when and to whom. And the text
of `briefing diff`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from briefing.assemble.changes import Changes
from briefing.build import manifest
from briefing.build import pipeline as build
from briefing.errors import BriefingError, NotReady
from briefing.project import translate
from briefing.review import approval
from briefing.settings import Settings
from briefing.state import history, identity, ledger
from briefing.themes import i18n


@dataclass
class Row:
    client: str
    lang: str
    built: str
    current: str  # "up to date", or why not
    dated: int  # figures past the freshness limit
    approved: str
    sent: str


def rows(settings: Settings) -> list[Row]:
    knowledge = {translate.SOURCE: build.load_knowledge(settings, translate.SOURCE)}
    found = []
    for client_id, client in sorted(knowledge[translate.SOURCE].kb.clients.items()):
        for lang in client.editions:
            if lang not in knowledge:  # each language's project is read once
                knowledge[lang] = build.load_knowledge(settings, lang)
            edition = settings.model_copy(update={"lang": lang})
            found.append(_row(edition, client_id, lang, knowledge[lang]))
    return found


def _row(settings: Settings, client_id: str, lang: str, knowledge: build.Knowledge) -> Row:
    folder = settings.out_dir / client_id
    edition = manifest.edition(manifest.read(folder), lang)
    built = edition.get("built", "yes") if edition else "never"
    try:
        prepared = build.prepare(settings, client_id, knowledge)
    except (BriefingError, OSError) as exc:
        reason = str(exc).splitlines()[0]
        return Row(
            client_id,
            lang,
            built,
            f"cannot build: {reason}",
            0,
            "-",
            _sent(settings, client_id, lang),
        )
    dated = sum(1 for s in prepared.briefing.sources if s.stale)
    current = "up to date" if prepared.up_to_date() else _why(folder, edition, prepared)
    approved = "-"
    if edition:
        found = approval.current(settings.state_dir, client_id, edition, lang)
        earlier = approval.latest(settings.state_dir, client_id, lang)
        approved = (
            f"{found.by}, {found.time[:16].replace('T', ' ')}"
            if found
            else (f"no (void: {approval.void_reason(earlier, edition)})" if earlier else "no")
        )
    return Row(client_id, lang, built, current, dated, approved, _sent(settings, client_id, lang))


def _why(folder: Path, edition: dict | None, prepared: build.Prepared) -> str:
    if edition is None:
        return "not built"
    verdict = manifest.check_outputs(folder, edition)
    if not verdict.ok:
        return verdict.reason
    changed = manifest.changed_inputs(edition, prepared.inputs)
    if changed:
        more = f" and {len(changed) - 2} more" if len(changed) > 2 else ""
        return f"changed: {', '.join(changed[:2])}{more}"
    recorded, now = edition.get("options", {}), prepared.options
    differ = sorted(k for k in set(recorded) | set(now) if recorded.get(k) != now.get(k))
    return f"options changed: {', '.join(differ)}" if differ else "up to date"


def _sent(settings: Settings, client_id: str, lang: str) -> str:
    entries = [
        e
        for e in ledger.entries(ledger.path(settings.state_dir, client_id), ledger.SEND_FIELDS)
        if e["status"] == "sent" and e.get("lang", "en") == lang
    ]
    if not entries:
        return "never"
    last = entries[-1]
    recipients = last.get("recipients")
    to = ", ".join(map(str, recipients)) if isinstance(recipients, list) else "?"
    return f"{last['time'][:16].replace('T', ' ')} to {to}"


def diff(settings: Settings, client_id: str, since: dt.date | None = None) -> list[str]:
    """What changed between the last sent briefing (or the one sent by ``since``) and the
    briefing the data makes now, as lines in the edition's language for figures and dates."""
    prepared = build.prepare(settings, client_id)
    inputs_key = identity.inputs_digest(prepared.inputs)
    sent = history.sent(settings.state_dir, client_id, prepared.lang)
    if not sent:
        raise NotReady(
            f"no {prepared.lang} briefing of {client_id} has been sent yet: nothing to compare"
        )
    earlier = history.previous(settings.state_dir, client_id, prepared.lang, inputs_key, since)
    with i18n.language(prepared.catalog):
        if earlier is None:  # the last one sent was built from the inputs of today
            return describe(Changes(since=sent[-1].date))
        return describe(earlier.compare(prepared.briefing.model_dump(mode="json")))


def describe(changes: Changes) -> list[str]:
    """The changes as lines for the terminal (the PDF page and the slide say the same)."""
    lines = [f"What changed since the briefing of {changes.since.isoformat()}:"]
    if changes.empty:
        return [*lines, "  nothing in platforms, fit, figures, risks, articles, goals or budget"]
    for name in changes.added:
        lines.append(f"  + now recommended: {name}")
    for name in changes.dropped:
        lines.append(f"  - no longer recommended: {name}")
    for fit in changes.fits:
        lines.append(f"  ~ fit of {fit.platform}: {fit.old}/5 -> {fit.new}/5")
    for figure in changes.figures:
        old = (
            f"{i18n.number(figure.old_value)} ({figure.old_as_of})"
            if figure.old_value is not None
            else "new figure"
        )
        new = f"{i18n.number(figure.new_value)} {figure.unit} ({figure.new_as_of})"
        lines.append(f"  ~ {figure.platform} {figure.metric}: {old} -> {new}")
    for risk in changes.risks:
        lines.append(f"  ! new risk: {risk}")
    for title in changes.articles:
        lines.append(f"  * new article: {title}")
    for goal in changes.goals:
        old = (
            f"{i18n.number(goal.old_target)} by {goal.old_by}"
            if goal.old_target is not None
            else "new goal"
        )
        new = f"{i18n.number(goal.new_target)} {goal.unit} by {goal.new_by}"
        lines.append(f"  ~ goal {goal.kpi}: {old} -> {new}")
    if changes.budget:
        budget = changes.budget
        old = f"{budget.old_total:,.0f}" if budget.old_total is not None else "no budget"
        lines.append(f"  ~ budget: {old} -> {budget.new_total:,.0f} {budget.currency}")
    return lines
