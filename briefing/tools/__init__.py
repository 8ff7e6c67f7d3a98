"""Authoring and QA tools over the pipeline: theme import, docs, deck checks."""
