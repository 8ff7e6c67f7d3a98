"""`briefing email`: one message per language edition, each tried even if another is refused."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from briefing.build import pipeline as build
from briefing.constants import MB
from briefing.errors import BriefingError, DeliveryError, NotReady, NotReadyToSend, SentUnrecorded
from briefing.settings import Settings, check_language


def run(args: argparse.Namespace, settings: Settings) -> int:
    """One message per edition (each in its language), or only ``--lang``'s."""
    settings = settings.with_flags(mail_max_mb=args.max_mb, lang=check_language(args.lang))
    dry_run = args.dry_run if args.dry_run is not None else settings.smtp_host is None
    # Always the client's own theme: pitch builds (out/<id>.<theme>/) are never e-mailed.
    own = settings.model_copy(update={"theme": None})
    langs = build.editions(own, args.client)
    failed, not_ready = [], True
    for lang in langs:  # each edition is tried: one refused does not hold back the others
        try:
            _email_edition(args, settings, own.model_copy(update={"lang": lang}), dry_run)
        except BriefingError as exc:
            if len(langs) == 1:
                raise
            flag = "" if lang == "en" else f" --lang {lang}"
            not_ready = not_ready and isinstance(exc, NotReady)
            failed.append(f"{lang} edition (briefing email {args.client}{flag}): {exc}")
            said = "Sent, but not recorded" if isinstance(exc, SentUnrecorded) else "Not sent"
            print(f"{said} ({lang}): {exc}", file=sys.stderr)
    if failed:  # exit 3 only when every refusal was "not ready" (built, approved, sent)
        raise (NotReadyToSend if not_ready else DeliveryError)("\n".join(failed))
    return 0


def _email_edition(
    args: argparse.Namespace, settings: Settings, edition: Settings, dry_run: bool
) -> None:
    from briefing import deliver

    if args.build and not build.prepare(edition, args.client).up_to_date():
        build.build(edition, args.client)
    prepared = build.prepare(edition, args.client)
    print(
        f"From:    {prepared.folder.relative_to(settings.root)}/ ({prepared.lang} edition; "
        f"the client's own theme, '{prepared.theme.name}'; pitch builds in other themes "
        "are never e-mailed)"
    )
    outcome = deliver.email(
        settings, prepared, dry_run=dry_run, resend=args.resend, announce=_announce
    )
    print(outcome)


def _announce(outgoing: Any) -> None:
    print(f"To:      {', '.join(outgoing.recipients)}")
    print(f"Subject: {outgoing.subject}")
    for attachment in outgoing.attachments:
        print(f"Attach:  {attachment.name} ({attachment.size})")
    print(f"Size:    {len(outgoing.data) / MB:.2f} MB encoded")
