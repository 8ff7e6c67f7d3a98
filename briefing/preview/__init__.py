"""Live preview: each output's pages in the browser, rebuilt on every save.

``app`` serves the page behind ``guard`` (loopback Host, a per-run secret, same-origin JSON);
``previewer`` keeps the last good build of each registered output; ``supervisor`` talks to the
render ``worker`` process, the only one that renders and rasterises, under the build's budget;
``office`` converts decks through ``office_helper.py`` (LibreOffice on a private UNO pipe).
"""

from __future__ import annotations

from briefing.preview.app import create_app, serve
from briefing.preview.previewer import Previewer, outputs_for

__all__ = ["Previewer", "create_app", "outputs_for", "serve"]
