"""Alembic migrations on SQLite and PostgreSQL: create, repeat, round-trip."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from models import migrate
from models.db import make_engine
from models.tables import Base


def table_names(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_creates_exactly_the_modelled_schema(db_url):
    migrate.upgrade(db_url)
    engine = make_engine(db_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == [], f"models and migrations disagree: {diff}"
    assert table_names(db_url) == set(Base.metadata.tables)


def test_upgrading_twice_is_harmless(db_url):
    migrate.upgrade(db_url)
    migrate.upgrade(db_url)
    engine = make_engine(db_url)
    assert migrate.current_revision(engine) == migrate.head_revision()
    engine.dispose()


def test_downgrade_and_upgrade_round_trip(db_url):
    migrate.upgrade(db_url)
    migrate.downgrade(db_url, "base")
    assert table_names(db_url) == set()
    migrate.upgrade(db_url)
    assert table_names(db_url) == set(Base.metadata.tables)
