"""Renderers: HTML (Jinja), PDF (WeasyPrint) and the deck (python-pptx)."""
