"""The dashboard's database handle, kept on the Flask app (one engine per app).

Pages read through :func:`read_session`; sign-in and the audit log write, and
the report page's region actions use :func:`writer_engine`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Flask, current_app

from models.config import ProgrammeConfig
from models.db import engine_for, session_factory

_KEY = "PILOTPULS"


def attach(server: Flask, config: ProgrammeConfig) -> None:
    engine = engine_for(config, pool_pre_ping=True)
    server.extensions[_KEY] = {
        "config": config,
        "engine": engine,
        "sessions": session_factory(engine),
    }


def writer_engine() -> sa.Engine:
    """An engine for the few writes a page makes (closing a quarter…): on SQLite
    it takes the write lock at BEGIN and waits for a running ingest."""
    state = current_app.extensions[_KEY]
    if "writer" not in state:
        state["writer"] = engine_for(state["config"], writer=True, pool_pre_ping=True)
    return state["writer"]


def programme_config() -> ProgrammeConfig:
    return current_app.extensions[_KEY]["config"]


@contextmanager
def read_session() -> Iterator[so.Session]:
    """A short read-only session for one callback or page load."""
    session = current_app.extensions[_KEY]["sessions"]()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


@contextmanager
def write_session() -> Iterator[so.Session]:
    """A short transaction for sign-in bookkeeping and audit lines."""
    with current_app.extensions[_KEY]["sessions"].begin() as session:
        yield session
