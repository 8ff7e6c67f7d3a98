"""briefing: client briefings (PDF) and decks (PPTX) on Chinese social media."""

__version__ = "0.1.0"
