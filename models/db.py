"""Engines and sessions for SQLite (embedded default) and PostgreSQL (production)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from models.config import ProgrammeConfig, resolve_path

WRITER_BUSY_TIMEOUT_MS = 10 * 60 * 1000


def normalise_url(url: str, base_dir: Path | None = None) -> str:
    """Use psycopg 3 for PostgreSQL; resolve a relative SQLite path against base_dir."""
    parsed = sa.engine.make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (
        None,
        "",
        ":memory:",
    ):
        path = Path(parsed.database)
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
        parsed = parsed.set(database=str(path))
    return parsed.render_as_string(hide_password=False)


def config_database_url(config: ProgrammeConfig) -> str:
    return normalise_url(config.database_url, resolve_path(config, "."))


def _sqlite_pragmas(dbapi_connection: Any, busy_timeout_ms: int) -> None:
    # WAL lets the dashboard read while an ingest writes; without foreign_keys
    # SQLite silently ignores every FOREIGN KEY we declare
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_no_implicit_begin(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite delays BEGIN until the first write, so a read-then-write is not
    # atomic; take transaction control ourselves (SQLAlchemy docs, "Serializable
    # isolation / Savepoints / Transactional DDL")
    dbapi_connection.isolation_level = None


def make_engine(url: str, *, writer: bool = False, **kwargs: Any) -> sa.Engine:
    """Create an engine with the settings each backend needs to be safe.

    ``writer=True`` (ingest, CLI) makes SQLite take the write lock when a
    transaction begins, so two loaders queue instead of failing half-way; the
    dashboard's readers use a plain BEGIN and never wait for a loader (WAL).
    """
    url = normalise_url(url)
    engine = sa.create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite" and engine.url.database not in (
        None,
        "",
        ":memory:",
    ):
        Path(engine.url.database).parent.mkdir(parents=True, exist_ok=True)
    if engine.dialect.name == "sqlite":
        begin = "BEGIN IMMEDIATE" if writer else "BEGIN"
        # a writer waits for another loader's whole file (minutes for a big
        # one) instead of failing; readers never wait for writers under WAL
        timeout = WRITER_BUSY_TIMEOUT_MS if writer else 5000
        sa.event.listen(
            engine, "connect", lambda conn, _: _sqlite_pragmas(conn, timeout)
        )
        sa.event.listen(engine, "connect", _sqlite_no_implicit_begin)
        sa.event.listen(engine, "begin", lambda conn: conn.exec_driver_sql(begin))
    return engine


def engine_for(
    config: ProgrammeConfig, *, writer: bool = False, **kwargs: Any
) -> sa.Engine:
    return make_engine(config_database_url(config), writer=writer, **kwargs)


def session_factory(engine: sa.Engine) -> so.sessionmaker[so.Session]:
    return so.sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(engine: sa.Engine) -> Iterator[so.Session]:
    """A session whose work is committed at the end, or rolled back on error."""
    with session_factory(engine).begin() as session:
        yield session
