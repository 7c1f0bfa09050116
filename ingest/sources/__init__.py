"""Ingest sources: one reader module per input format."""
