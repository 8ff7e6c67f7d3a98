"""Themes: branding, the Jinja environment and its filters, languages and catalogs."""
