"""What a build read and wrote (out/<client>/manifest.json), and whether that is still true."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from briefing import __version__
from briefing.build import publish as output
from briefing.build.uptodate import code_digest  # one digest: the no-op check decides with it
from briefing.errors import relative
from briefing.project.articles import image_paths
from briefing.project.layout import SINGLES, data_path, record_prefix
from briefing.project.model import Briefing
from briefing.render.fit import font_file
from briefing.themes.theme import Theme

MANIFEST = output.MANIFEST
# the plan's benchmarks, assumptions, calendar and exchange rates
REFERENCE = tuple(record_prefix(kind) for kind in ("benchmarks", *SINGLES))


def file_digest(path: Path) -> str:
    return output.sha256(path.read_bytes())


def inputs(
    briefing: Briefing, theme: Theme, data_files: dict[str, str], lang: str = "en"
) -> dict[str, str]:
    """Every file this edition's outputs depend on -> its sha256 (fonts: size and mtime).
    A theme's catalogs count for their own language's edition only."""
    own_locale = f"locale/{lang.replace('-', '_')}/"
    wanted = {
        data_path("clients", briefing.client_id),
        data_path("industries", briefing.industry_id),
    }
    wanted |= {p for p in data_files if p.startswith(record_prefix("platforms"))}  # ranking
    wanted |= {p for p in data_files if p.startswith(REFERENCE)}
    wanted |= {a.path for a in briefing.articles}
    found = {path: data_files[path] for path in sorted(wanted) if path in data_files}
    for folder in theme.dirs:
        for path in sorted(folder.rglob("*")):
            inside = path.relative_to(folder).as_posix()
            if inside.startswith("locale/") and not inside.startswith(own_locale):
                continue  # another language's catalog (or the .pot files make i18n writes)
            if path.is_symlink() or not path.is_dir():  # every file of the theme, checked
                checked = theme.contained(path, theme.root / "templates", "asset")
                found[relative(path, theme.root)] = file_digest(checked)
    for asset in {theme.logo, theme.deck_logo}:
        if asset is not None:
            found[relative(asset, theme.root)] = file_digest(asset)
    if briefing.client.logo:
        found[briefing.client.logo] = file_digest(theme.root / briefing.client.logo)
    for article in briefing.articles:  # its images: replacing one changes the briefing
        for image in image_paths(article.body):
            if (theme.root / image).is_file():
                found[image] = file_digest(theme.root / image)
    for family in sorted(theme.tokens.fonts.families()):
        for bold in (False, True):
            path = Path(font_file(family, bold)[0])
            stat = path.stat()
            found[f"font:{path}"] = f"{stat.st_size}-{stat.st_mtime_ns}"
    return found


def options(
    briefing: Briefing, theme: Theme, settings: Any, lang: str = "en", since: str | None = None
) -> dict[str, Any]:
    """Everything besides files that changes the outputs: among them the sent briefing the
    "What changed" page compares with (``since``), and which figures the date marks dated."""
    return {
        "version": __version__,
        "code": code_digest(),
        "theme": theme.name,
        "date": briefing.date.isoformat(),
        "strict": settings.strict,
        "stale_months": settings.stale_months,
        "pdf_variant": settings.pdf_variant,
        "lang": lang,
        "since": since,
        "dated": sorted(
            f"{s.platform_id}:{s.metric.id or s.metric.name}" for s in briefing.sources if s.stale
        ),
    }


def read(folder: Path) -> dict[str, Any] | None:
    try:
        return json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def edition(record: dict[str, Any] | None, lang: str) -> dict[str, Any] | None:
    """One language edition's part of a manifest: its options, inputs and outputs. (A manifest
    written before editions is the English edition's.)"""
    if record is None:
        return None
    if "editions" in record:
        return record["editions"].get(lang)
    return record if lang == "en" else None


def editions(record: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    if record is None:
        return {}
    if "editions" in record:
        return dict(record["editions"])
    return {"en": record} if record.get("outputs") else {}


def output_name(client_id: str, kind: str, suffix: str, lang: str) -> str:
    """'acme-briefing.pdf'; another language adds itself: 'acme-briefing.zh-CN.pdf'."""
    return f"{client_id}-{kind}{'' if lang == 'en' else '.' + lang}{suffix}"


@dataclass(frozen=True)
class Verdict:
    """Whether out/<client>/ still matches its manifest and its inputs."""

    ok: bool
    reason: str = ""


def check_outputs(folder: Path, manifest: dict[str, Any] | None) -> Verdict:
    """The outputs exist and are byte for byte the ones the manifest vouches for."""
    if manifest is None:
        return Verdict(False, f"no build found in {folder} (no {MANIFEST})")
    for name, digest in manifest.get("outputs", {}).items():
        path = folder / name
        if not path.is_file():
            return Verdict(False, f"{name} is missing")
        if file_digest(path) != digest:
            return Verdict(
                False,
                f"{name} does not match {MANIFEST}: it was left by a failed "
                "or interrupted build, or edited by hand",
            )
    return Verdict(True)


def changed_inputs(manifest: dict[str, Any], current: dict[str, str]) -> list[str]:
    """Files whose content (or presence) differs from what the build read."""
    recorded = manifest.get("inputs", {})
    return sorted(p for p in set(recorded) | set(current) if recorded.get(p) != current.get(p))
