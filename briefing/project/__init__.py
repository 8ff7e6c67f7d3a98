"""Data in: load a project's YAML and articles, model them, check them, translate them."""
