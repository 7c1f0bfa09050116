"""The database schema: SQLAlchemy 2 typed models.

Conventions:
- Every table that ingest loads into has a UNIQUE natural key, so a re-load can
  upsert instead of duplicating (see ``ingest``).
- Timestamps are stored as naive UTC (``UTCDateTime`` converts at the edges);
  local days (Europe/Stockholm) are stored as dates where a report needs them.
- Offices and their plans are written from ``config.yaml`` by ``models.sync``.
"""

from __future__ import annotations

import struct
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, naive UTC stored, aware UTC out — same on SQLite and PG."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: give a time zone")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> Any:
        return value.replace(tzinfo=UTC) if value is not None else None


class HourValues(TypeDecorator[list[int]]):
    """A day's values per hour (23, 24 or 25 of them) stored as consecutive
    little-endian 32-bit integers: the pages read a period's thousands of days
    in one ``numpy.frombuffer`` call, where JSON text was parsed value by value
    (most of the occupancy page's time). Python sees a list of ints."""

    impl = sa.LargeBinary
    cache_ok = True
    DTYPE = "<i4"  # what numpy calls the stored format

    def process_bind_param(self, value: list[int] | None, dialect: Any) -> Any:
        return None if value is None else pack_hours(value)

    def process_result_value(self, value: bytes | None, dialect: Any) -> Any:
        return None if value is None else unpack_hours(value)


def pack_hours(values: list[int]) -> bytes:
    return struct.pack(f"<{len(values)}i", *values)


def unpack_hours(stored: bytes) -> list[int]:
    return list(struct.unpack(f"<{len(stored) // 4}i", stored))


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(so.DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


# --- The programme (synced from config.yaml) -------------------------------------


class Office(Base):
    __tablename__ = "office"

    id: so.Mapped[str] = so.mapped_column(sa.String(40), primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    kommun_code: so.Mapped[str] = so.mapped_column(sa.String(4), index=True)
    kommun_name: so.Mapped[str] = so.mapped_column(sa.String(60))
    address: so.Mapped[str] = so.mapped_column(sa.String(300), default="")
    opened_on: so.Mapped[date]
    operator: so.Mapped[str] = so.mapped_column(sa.String(30))
    steering_model: so.Mapped[str] = so.mapped_column(sa.String(30))
    start_phase_end: so.Mapped[date]
    # an office removed from config.yaml keeps its data but is no longer shown
    active: so.Mapped[bool] = so.mapped_column(default=True)


class OfficePlanStep(Base):
    """Capacity and targets valid from ``valid_from`` until the next step."""

    __tablename__ = "office_plan_step"
    __table_args__ = (sa.UniqueConstraint("office_id", "valid_from"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    office_id: so.Mapped[str] = so.mapped_column(
        sa.ForeignKey("office.id", ondelete="CASCADE")
    )
    valid_from: so.Mapped[date]
    fixed_desks: so.Mapped[int]
    flexible_desks: so.Mapped[int]
    private_rooms: so.Mapped[int]
    creative_rooms: so.Mapped[int]
    phone_booths: so.Mapped[int]
    meeting_rooms: so.Mapped[int]
    seats: so.Mapped[int]
    target_members: so.Mapped[int]
    target_utilisation: so.Mapped[float]


class OfficeHours(Base):
    __tablename__ = "office_hours"
    __table_args__ = (sa.UniqueConstraint("office_id", "weekday"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    office_id: so.Mapped[str] = so.mapped_column(
        sa.ForeignKey("office.id", ondelete="CASCADE")
    )
    weekday: so.Mapped[int]  # 0 = Monday
    opens: so.Mapped[str] = so.mapped_column(sa.String(5))
    closes: so.Mapped[str] = so.mapped_column(sa.String(5))


class MembershipType(Base):
    __tablename__ = "membership_type"
    __table_args__ = (sa.UniqueConstraint("office_id", "code"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    office_id: so.Mapped[str] = so.mapped_column(
        sa.ForeignKey("office.id", ondelete="CASCADE")
    )
    code: so.Mapped[str] = so.mapped_column(sa.String(40))
    name: so.Mapped[str] = so.mapped_column(sa.String(100))
    monthly_price: so.Mapped[float]
    seat: so.Mapped[bool] = so.mapped_column(default=True)


class QuarterPlan(Base):
    """Planned amounts per quarter: revenue, subsidy per funder, cost per category."""

    __tablename__ = "quarter_plan"
    __table_args__ = (
        sa.UniqueConstraint("office_id", "quarter", "kind", "category"),
        sa.CheckConstraint("kind IN ('revenue', 'subsidy', 'cost')", name="kind"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    office_id: so.Mapped[str] = so.mapped_column(
        sa.ForeignKey("office.id", ondelete="CASCADE")
    )
    quarter: so.Mapped[str] = so.mapped_column(sa.String(6))
    kind: so.Mapped[str] = so.mapped_column(sa.String(10))
    # funder for a subsidy, cost category for a cost, "" for revenue
    category: so.Mapped[str] = so.mapped_column(sa.String(40), default="")
    amount: so.Mapped[float]


# --- Ingest bookkeeping -----------------------------------------------------------


class IngestRun(Base):
    """One pass of the ingest (CLI, scheduler or demo), for the data-quality page."""

    __tablename__ = "ingest_run"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    started_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    finished_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    trigger: so.Mapped[str] = so.mapped_column(sa.String(20))
    job: so.Mapped[str] = so.mapped_column(sa.String(120), default="")
    status: so.Mapped[str] = so.mapped_column(sa.String(20), default="running")
    files_seen: so.Mapped[int] = so.mapped_column(default=0)
    files_loaded: so.Mapped[int] = so.mapped_column(default=0)
    files_rejected: so.Mapped[int] = so.mapped_column(default=0)
    rows_loaded: so.Mapped[int] = so.mapped_column(default=0)
    rows_quarantined: so.Mapped[int] = so.mapped_column(default=0)
    message: so.Mapped[str] = so.mapped_column(sa.Text, default="")


# what a source file brings: its ``kind``
SOURCE_KINDS = ("bookings", "members", "door", "survey")


class SourceFile(Base):
    """A file (or feed download) received, identified by its SHA-256."""

    __tablename__ = "source_file"
    # an office sends a counter file a day: thousands of files a year, and the
    # pages ask for an office's last load of a kind, its files of a period, and
    # whether its door data is an access log, each an index seek
    __table_args__ = (
        sa.UniqueConstraint("office_id", "kind", "sha256"),
        sa.Index(
            "ix_source_file_last_load", "office_id", "kind", "status", "received_at"
        ),
        sa.Index("ix_source_file_received", "office_id", "received_at"),
        sa.Index("ix_source_file_format", "office_id", "kind", "format"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    office_id: so.Mapped[str] = so.mapped_column(sa.ForeignKey("office.id"))
    kind: so.Mapped[str] = so.mapped_column(sa.String(20))
    format: so.Mapped[str] = so.mapped_column(sa.String(40), default="")
    sha256: so.Mapped[str] = so.mapped_column(sa.String(64))
    original_name: so.Mapped[str] = so.mapped_column(sa.String(500))
    archived_path: so.Mapped[str] = so.mapped_column(sa.String(500))
    size_bytes: so.Mapped[int]
    received_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    status: so.Mapped[str] = so.mapped_column(sa.String(20))  # loaded | rejected
    rows_read: so.Mapped[int] = so.mapped_column(default=0)
    rows_loaded: so.Mapped[int] = so.mapped_column(default=0)
    rows_unchanged: so.Mapped[int] = so.mapped_column(default=0)
    rows_quarantined: so.Mapped[int] = so.mapped_column(default=0)
    message: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    ingest_run_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("ingest_run.id")
    )


class QuarantinedRow(Base):
    """An input row that could not be loaded, kept for a person to review."""

    __tablename__ = "quarantined_row"
    __table_args__ = (sa.Index(None, "source_file_id", "row_number"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    source_file_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("source_file.id", ondelete="CASCADE")
    )
    row_number: so.Mapped[int]
    column: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    reason: so.Mapped[str] = so.mapped_column(sa.Text)
    raw: so.Mapped[str] = so.mapped_column(sa.Text, default="")


# --- Loaded data ------------------------------------------------------------------


# bookings that hold their resource, as the rollups and the pages count them
BOOKED_STATUSES = ("confirmed", "tentative")
# resource types that are rooms, not desks: their bookings are no desk use
ROOM_TYPES = ("meeting_room",)


class Booking(Base):
    """One booked occurrence of a resource (recurring series are expanded)."""

    __tablename__ = "booking"
    __table_args__ = (
        sa.UniqueConstraint("office_id", "source", "external_id"),
        sa.Index(None, "office_id", "start_at"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    office_id: so.Mapped[str] = so.mapped_column(sa.ForeignKey("office.id"))
    # the booking system / calendar this came from, e.g. "ics:meeting-room"
    source: so.Mapped[str] = so.mapped_column(sa.String(120))
    external_id: so.Mapped[str] = so.mapped_column(sa.String(400))
    resource: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    resource_type: so.Mapped[str] = so.mapped_column(sa.String(40), default="")
    start_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    end_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    all_day: so.Mapped[bool] = so.mapped_column(default=False)
    status: so.Mapped[str] = so.mapped_column(sa.String(20), default="confirmed")
    member_pseudonym: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    price: so.Mapped[float | None]
    source_file_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("source_file.id")
    )
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class Membership(Base):
    """One membership period of a (pseudonymised) member at an office."""

    __tablename__ = "membership"
    __table_args__ = (
        sa.UniqueConstraint("office_id", "member_pseudonym", "start_date"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    office_id: so.Mapped[str] = so.mapped_column(sa.ForeignKey("office.id"))
    member_pseudonym: so.Mapped[str] = so.mapped_column(sa.String(64))
    membership_type: so.Mapped[str] = so.mapped_column(sa.String(40))
    monthly_fee: so.Mapped[float]
    start_date: so.Mapped[date]
    end_date: so.Mapped[date | None]
    target_group: so.Mapped[str | None] = so.mapped_column(sa.String(20))
    home_kommun: so.Mapped[str | None] = so.mapped_column(sa.String(60))
    source_file_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("source_file.id")
    )


class DoorCount(Base):
    """People passing a door in one bin; the natural key is the primary key.

    No foreign keys, on purpose: a counter file brings millions of rows and
    PostgreSQL checks a foreign key once per row, which cost more than the COPY
    itself. ``office_id`` is checked by triggers instead (migration 0007): once
    per statement on PostgreSQL, over all its rows, and an office with door
    counts cannot be deleted; an unknown office still fails with an integrity
    error. ``source_file_id`` (migration 0004i) is written only by
    ``ingest.pipeline``, in the transaction that inserts its ``source_file``
    row, and source files are never deleted.

    On SQLite the table is stored WITHOUT ROWID, i.e. in primary-key order: a
    load writes one B-tree instead of a table and an index (a fifth faster),
    and the rollups read a door's bins in order.
    """

    __tablename__ = "door_count"
    __table_args__ = {"sqlite_with_rowid": False}

    office_id: so.Mapped[str] = so.mapped_column(sa.String(40), primary_key=True)
    door: so.Mapped[str] = so.mapped_column(sa.String(120), primary_key=True)
    period_start: so.Mapped[datetime] = so.mapped_column(UTCDateTime, primary_key=True)
    minutes: so.Mapped[int]
    entries: so.Mapped[int]
    exits: so.Mapped[int]
    source_file_id: so.Mapped[int | None]  # provenance; see the docstring


class SurveyResponse(Base):
    __tablename__ = "survey_response"
    __table_args__ = (sa.UniqueConstraint("office_id", "survey_id", "response_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    office_id: so.Mapped[str] = so.mapped_column(sa.ForeignKey("office.id"))
    survey_id: so.Mapped[str] = so.mapped_column(sa.String(120))
    response_id: so.Mapped[str] = so.mapped_column(sa.String(120))
    platform: so.Mapped[str] = so.mapped_column(sa.String(40))
    submitted_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    recommend_score: so.Mapped[int | None]
    target_group: so.Mapped[str | None] = so.mapped_column(sa.String(20))
    home_kommun: so.Mapped[str | None] = so.mapped_column(sa.String(60))
    source_file_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("source_file.id")
    )


class SurveyAnswer(Base):
    """One answer as given (``raw``) and normalised to a measure (``value``)."""

    __tablename__ = "survey_answer"
    __table_args__ = (sa.UniqueConstraint("response_id", "question"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    response_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("survey_response.id", ondelete="CASCADE")
    )
    question: so.Mapped[str] = so.mapped_column(sa.String(500))
    measure: so.Mapped[str | None] = so.mapped_column(sa.String(40))
    raw: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    value: so.Mapped[float | None]


# --- People and access ------------------------------------------------------------


class User(Base):
    __tablename__ = "app_user"
    __table_args__ = (
        sa.CheckConstraint(
            "role IN ('region', 'kommun', 'steering', 'admin')", name="role"
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    email: so.Mapped[str] = so.mapped_column(sa.String(254), unique=True)
    password_hash: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    role: so.Mapped[str] = so.mapped_column(sa.String(20))
    active: so.Mapped[bool] = so.mapped_column(default=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    last_login_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    failed_logins: so.Mapped[int] = so.mapped_column(default=0)
    locked_until: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    offices: so.Mapped[list[UserOffice]] = so.relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )


class UserOffice(Base):
    __tablename__ = "user_office"

    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True
    )
    office_id: so.Mapped[str] = so.mapped_column(
        sa.ForeignKey("office.id", ondelete="CASCADE"), primary_key=True
    )


class AuditLog(Base):
    __tablename__ = "audit_log"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("app_user.id", ondelete="SET NULL")
    )
    actor: so.Mapped[str] = so.mapped_column(sa.String(254), default="")
    action: so.Mapped[str] = so.mapped_column(sa.String(60))
    detail: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    ip: so.Mapped[str] = so.mapped_column(sa.String(64), default="")


# --- Frozen quarterly reports -----------------------------------------------------


class ReportSnapshot(Base):
    """A quarter's report figures computed once at a cut-off; versions never change."""

    __tablename__ = "report_snapshot"
    __table_args__ = (sa.UniqueConstraint("quarter", "scope", "version"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    quarter: so.Mapped[str] = so.mapped_column(sa.String(6))
    scope: so.Mapped[str] = so.mapped_column(sa.String(40))  # office id or "programme"
    version: so.Mapped[int]
    status: so.Mapped[str] = so.mapped_column(sa.String(20), default="draft")
    cutoff_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    created_by: so.Mapped[str] = so.mapped_column(sa.String(254), default="")
    published_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    figures: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON)
    figures_sha256: so.Mapped[str] = so.mapped_column(sa.String(64))
    comments: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    actions: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    published_by: so.Mapped[str] = so.mapped_column(
        sa.String(254), default="", server_default=""
    )


class ReportDelivery(Base):
    """One published report version e-mailed to one recipient (sent once)."""

    __tablename__ = "report_delivery"
    __table_args__ = (sa.UniqueConstraint("snapshot_id", "recipient"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    snapshot_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("report_snapshot.id", ondelete="CASCADE")
    )
    recipient: so.Mapped[str] = so.mapped_column(sa.String(254))
    steering_group: so.Mapped[str] = so.mapped_column(sa.String(200))
    sent_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


# --- Rollups (maintained by ingest in the same transaction as each load) ----------


class DoorHourly(Base):
    """Entries and exits per office and UTC hour, summed over doors."""

    __tablename__ = "door_hourly"

    office_id: so.Mapped[str] = so.mapped_column(
        sa.ForeignKey("office.id"), primary_key=True
    )
    hour_start: so.Mapped[datetime] = so.mapped_column(UTCDateTime, primary_key=True)
    entries: so.Mapped[int]
    exits: so.Mapped[int]
    bins: so.Mapped[int]  # raw bins behind the hour: tells a gap from a zero


class DoorDaily(Base):
    """Entries and exits per office and local (Europe/Stockholm) day with door
    data, and the day's running occupancy: entries − exits since local midnight
    up to and including each UTC hour of the day, never below zero. One value
    per hour of the day in order (23, 24 or 25 on DST days); an hour without
    counts adds nothing. The opening hours are applied when the pages read it,
    so a changed config needs no recomputation. Stored as :class:`HourValues`
    beside the day's totals, so a page reads a period's days in one range
    (NULL only until ``ingest.rollups.backfill_door_occupancy`` has run)."""

    __tablename__ = "door_daily"

    office_id: so.Mapped[str] = so.mapped_column(
        sa.ForeignKey("office.id"), primary_key=True
    )
    day: so.Mapped[date] = so.mapped_column(primary_key=True)
    entries: so.Mapped[int]
    exits: so.Mapped[int]
    hours_with_data: so.Mapped[int]
    occupancy: so.Mapped[list[int] | None] = so.mapped_column(HourValues)


class BookingHourly(Base):
    """Booked hours per office and UTC hour (confirmed and tentative bookings)."""

    __tablename__ = "booking_hourly"

    office_id: so.Mapped[str] = so.mapped_column(
        sa.ForeignKey("office.id"), primary_key=True
    )
    hour_start: so.Mapped[datetime] = so.mapped_column(UTCDateTime, primary_key=True)
    booked_hours: so.Mapped[float]  # resource-hours booked within this hour
    bookings: so.Mapped[int]  # bookings overlapping this hour


class BookingDaily(Base):
    """Bookings per office and local day."""

    __tablename__ = "booking_daily"

    office_id: so.Mapped[str] = so.mapped_column(
        sa.ForeignKey("office.id"), primary_key=True
    )
    day: so.Mapped[date] = so.mapped_column(primary_key=True)
    bookings: so.Mapped[int]
    booked_hours: so.Mapped[float]
    resources: so.Mapped[int]
    revenue: so.Mapped[float]  # booking charges starting that day
    # bookings of desks (resource type not in ROOM_TYPES) starting that day, and
    # their booked hours (start to end); NULL only on rows written before these
    # columns existed, until ``pilotpuls db upgrade`` fills them
    desk_bookings: so.Mapped[int | None]
    desk_hours: so.Mapped[float | None]


class BookingMonthly(Base):
    """Booking charges per office and local calendar month, the sum of
    booking_daily's revenue: the economy pages read months, not days."""

    __tablename__ = "booking_monthly"

    office_id: so.Mapped[str] = so.mapped_column(
        sa.ForeignKey("office.id"), primary_key=True
    )
    month: so.Mapped[date] = so.mapped_column(primary_key=True)  # its first day
    revenue: so.Mapped[float]
