"""Model constraints on both databases: natural keys refuse duplicates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from models import tables as t
from models.db import transaction
from models.sync import sync_programme

T0 = datetime(2025, 3, 30, 0, 45, tzinfo=UTC)


def add(engine, *rows) -> None:
    with transaction(engine) as session:
        session.add_all(rows)


def a_file(**overrides) -> t.SourceFile:
    values = {
        "office_id": "figeholm",
        "kind": "door",
        "sha256": "a" * 64,
        "original_name": "x.csv",
        "archived_path": "archive/aa/x.csv",
        "size_bytes": 10,
        "status": "loaded",
    }
    return t.SourceFile(**(values | overrides))


DUPLICATES = {
    "booking": lambda: t.Booking(
        office_id="figeholm",
        source="ics:rum",
        external_id="uid-1@2025-03-30",
        start_at=T0,
        end_at=T0 + timedelta(hours=1),
    ),
    "door_count": lambda: t.DoorCount(
        office_id="figeholm",
        door="Entré",
        period_start=T0,
        minutes=15,
        entries=3,
        exits=1,
    ),
    "membership": lambda: t.Membership(
        office_id="figeholm",
        member_pseudonym="p" * 64,
        membership_type="flexibel",
        monthly_fee=1995,
        start_date=date(2025, 1, 1),
    ),
    "survey_response": lambda: t.SurveyResponse(
        office_id="figeholm",
        survey_id="medlemsenkat-2025",
        response_id="R_1",
        platform="google_forms",
        submitted_at=T0,
    ),
    "source_file": a_file,
    "user": lambda: t.User(email="anna@kalmar.se", role="region"),
}


@pytest.mark.parametrize("table", sorted(DUPLICATES))
def test_duplicate_natural_key_is_refused(engine, table):
    make = DUPLICATES[table]
    add(engine, make())
    with pytest.raises(sa.exc.IntegrityError):
        add(engine, make())


def door_count(office_id: str, minute: int = 0) -> t.DoorCount:
    return t.DoorCount(
        office_id=office_id,
        door="Entré",
        period_start=T0 + timedelta(minutes=minute),
        minutes=15,
        entries=0,
        exits=0,
    )


def test_unknown_office_is_refused(engine):
    """door_count has no foreign key (it takes millions of rows): triggers
    refuse an unknown office instead, as an integrity error, also when it
    comes with known ones in one statement."""
    with pytest.raises(sa.exc.IntegrityError):
        add(engine, door_count("kalmar-c"))
    with pytest.raises(sa.exc.IntegrityError):
        add(engine, door_count("figeholm"), door_count("kalmar-c", 15))
    add(engine, door_count("figeholm"))  # a known office is fine
    with pytest.raises(sa.exc.IntegrityError), transaction(engine) as session:
        session.execute(sa.update(t.DoorCount).values(office_id="kalmar-c"))


def test_an_office_with_door_counts_cannot_be_deleted_or_renamed(engine, programme):
    add(engine, door_count("figeholm"))
    with pytest.raises(sa.exc.IntegrityError), transaction(engine) as session:
        session.execute(sa.delete(t.Office).where(t.Office.id == "figeholm"))
    with pytest.raises(sa.exc.IntegrityError), transaction(engine) as session:
        session.execute(
            sa.update(t.Office).where(t.Office.id == "figeholm").values(id="fige")
        )
    with transaction(engine) as session:  # syncing the config still works
        sync_programme(session, programme)
        session.execute(
            sa.update(t.Office).where(t.Office.id == "figeholm").values(id="figeholm")
        )


def test_unknown_role_is_refused(engine):
    with pytest.raises(sa.exc.IntegrityError):
        add(engine, t.User(email="x@y.se", role="superuser"))


def test_times_are_stored_as_utc_and_come_back_aware(engine):
    stockholm_summer = timezone(timedelta(hours=2))
    local = datetime(2025, 6, 2, 9, 0, tzinfo=stockholm_summer)
    add(
        engine,
        t.DoorCount(
            office_id="figeholm",
            door="Entré",
            period_start=local,
            minutes=15,
            entries=1,
            exits=0,
        ),
    )
    with transaction(engine) as session:
        stored = session.scalars(sa.select(t.DoorCount.period_start)).one()
    assert stored == local and stored.tzinfo is not None
    assert stored.hour == 7  # 09:00 CEST is 07:00 UTC


def test_naive_datetimes_are_refused(engine):
    with pytest.raises(sa.exc.StatementError, match="naive datetime"):
        add(
            engine,
            t.DoorCount(
                office_id="figeholm",
                door="Entré",
                period_start=datetime(2025, 1, 1),
                minutes=15,
                entries=1,
                exits=0,
            ),
        )


def test_sync_writes_plans_and_is_repeatable(engine, programme):
    with transaction(engine) as session:
        sync_programme(session, programme)  # the fixture synced once already
    with transaction(engine) as session:
        steps = session.scalars(
            sa.select(t.OfficePlanStep)
            .where(t.OfficePlanStep.office_id == "figeholm")
            .order_by(t.OfficePlanStep.valid_from)
        ).all()
        rent = session.execute(
            sa.select(t.QuarterPlan.quarter, t.QuarterPlan.amount)
            .where(t.QuarterPlan.office_id == "figeholm", t.QuarterPlan.kind == "cost")
            .order_by(t.QuarterPlan.quarter)
        ).all()
        kommun_subsidy = session.scalars(
            sa.select(t.QuarterPlan.quarter).where(t.QuarterPlan.category == "kommun")
        ).all()
    assert [(s.valid_from, s.seats, s.target_members) for s in steps] == [
        (date(2024, 9, 2), 8, 8),
        (date(2025, 3, 1), 14, 14),
    ]
    # two config lines covering 2025Q2 add up
    assert rent == [
        ("2024Q3", 33000),
        ("2024Q4", 33000),
        ("2025Q1", 33000),
        ("2025Q2", 34000),
    ]
    assert kommun_subsidy == ["2024Q3"]  # 'to' defaults to 'from'


def test_an_office_removed_from_config_is_kept_but_inactive(engine, programme):
    smaller = programme.model_copy(update={"offices": programme.offices[:1]})
    add(
        engine,
        DUPLICATES["door_count"]().__class__(
            office_id="boda",
            door="Entré",
            period_start=T0,
            minutes=15,
            entries=2,
            exits=2,
        ),
    )
    with transaction(engine) as session:
        sync_programme(session, smaller)
    with transaction(engine) as session:
        active = dict(session.execute(sa.select(t.Office.id, t.Office.active)).all())
        counts = session.scalar(sa.select(sa.func.count()).select_from(t.DoorCount))
    assert active == {"figeholm": True, "boda": False}
    assert counts == 1
