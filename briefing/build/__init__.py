"""Build: prepare an edition, render every output in a budgeted child, publish the set atomically.

The pipeline is build/pipeline.py. Its public names load from here on first use
(``from briefing.build import build`` works), so that importing the no-op check
(build/uptodate.py) or the publishing helpers loads no renderer.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from briefing.build.pipeline import (
        BuildResult,
        Edition,
        Knowledge,
        Prepared,
        brief_warnings,
        build,
        build_editions,
        check_client_id,
        check_layouts,
        check_theme_name,
        client_knowledge,
        editions,
        layout_problems,
        load_knowledge,
        mail_size_warnings,
        output_folder,
        prepare,
        render_all,
        stale_warnings,
    )

__all__ = [  # the pipeline's public face (build/pipeline.py's __all__)
    "BuildResult",
    "Edition",
    "Knowledge",
    "Prepared",
    "brief_warnings",
    "build",
    "build_editions",
    "check_client_id",
    "check_layouts",
    "check_theme_name",
    "client_knowledge",
    "editions",
    "layout_problems",
    "load_knowledge",
    "mail_size_warnings",
    "output_folder",
    "prepare",
    "render_all",
    "stale_warnings",
]
PIPELINE = frozenset(__all__)


def __getattr__(name: str) -> Any:
    # Only the pipeline's names: any other (a submodule such as uptodate) is imported as usual.
    if name not in PIPELINE:
        raise AttributeError(f"module 'briefing.build' has no attribute {name!r}")
    return getattr(importlib.import_module("briefing.build.pipeline"), name)
