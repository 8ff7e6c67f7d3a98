"""Values several stages share, in a module that imports nothing (the CLI's ``--help`` may
read them without loading pydantic, and every layer may import them)."""

from __future__ import annotations

from typing import Literal, get_args

# The one megabyte of the tool (file limits, render memory, the mail budget and every size
# shown): binary, as the kernel counts memory and as `ls -lh` shows files.
KB, MB = 2**10, 2**20

# What `--pdf` / BRIEFING_PDF_VARIANT may ask of WeasyPrint; "none" is a plain tagged PDF.
PdfVariant = Literal["pdf/ua-1", "pdf/a-3b", "none"]
PDF_VARIANTS: tuple[PdfVariant, ...] = get_args(PdfVariant)
DEFAULT_PDF_VARIANT: PdfVariant = "pdf/ua-1"  # tagged, for screen readers
