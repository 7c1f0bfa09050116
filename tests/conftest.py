"""Shared fixtures: every database test runs on SQLite and on a real PostgreSQL.

PostgreSQL comes from ``$PILOTPULS_TEST_POSTGRES_URL`` (an admin URL; the test
script ``scripts/test.sh`` starts a throwaway cluster and sets it). Each test gets
its own fresh database. Outside CI a missing server skips the PostgreSQL half;
in CI (``$CI`` set) it is an error, so the PostgreSQL tests cannot silently vanish.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from dashboard import figures
from models import migrate
from models.config import ProgrammeConfig, load_config
from models.db import make_engine, transaction
from models.sync import sync_programme

FIXTURES = Path(__file__).parent / "fixtures"
POSTGRES_ENV = "PILOTPULS_TEST_POSTGRES_URL"


@pytest.fixture(autouse=True)
def validated_figures(monkeypatch: pytest.MonkeyPatch) -> None:
    """Figures are checked property by property in every test, as production
    skips it for speed: a misspelt property fails here."""
    monkeypatch.setattr(figures, "VALIDATE", True)


def _postgres_admin_url() -> str | None:
    url = os.environ.get(POSTGRES_ENV)
    if not url and os.environ.get("CI"):
        pytest.fail(f"CI must test PostgreSQL for real: set ${POSTGRES_ENV}")
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'pilotpuls.db'}"
        return
    admin_url = _postgres_admin_url()
    if not admin_url:
        pytest.skip(f"no PostgreSQL: set ${POSTGRES_ENV} (scripts/test.sh does)")
    name = f"pilotpuls_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(
        admin_url.replace("postgresql://", "postgresql+psycopg://", 1),
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.engine.make_url(admin_url).set(database=name)
    yield url.render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture
def programme() -> ProgrammeConfig:
    return load_config(FIXTURES / "programme.yaml")


@pytest.fixture
def engine(db_url: str, programme: ProgrammeConfig) -> Iterator[sa.Engine]:
    """A migrated database holding the fixture programme's offices and plans."""
    migrate.upgrade(db_url)
    engine = make_engine(db_url, writer=True)
    with transaction(engine) as session:
        sync_programme(session, programme)
    yield engine
    engine.dispose()
