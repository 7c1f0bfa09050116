"""Ingest: sources -> validated rows -> idempotent loads. Never imports Dash."""
