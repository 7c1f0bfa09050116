"""The programme described in ``config.yaml``: offices, their dated plans, sources.

This is the only module that reads the config file. Everything else receives a
validated :class:`ProgrammeConfig`. Errors name the exact key path
(``offices[2].plan[0].capacity.fixed_desks: must be ≥ 0, got -3``).
"""

from __future__ import annotations

import os
import re
from datetime import date, time
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

DEFAULT_CONFIG_PATH = Path("config.yaml")
CONFIG_ENV = "PILOTPULS_CONFIG"
DATABASE_URL_ENV = "PILOTPULS_DATABASE_URL"

KALMAR_KOMMUNER: dict[str, str] = {
    "0821": "Högsby",
    "0834": "Torsås",
    "0840": "Mörbylånga",
    "0860": "Hultsfred",
    "0861": "Mönsterås",
    "0862": "Emmaboda",
    "0880": "Kalmar",
    "0881": "Nybro",
    "0882": "Oskarshamn",
    "0883": "Västervik",
    "0884": "Vimmerby",
    "0885": "Borgholm",
}

TARGET_GROUPS = ("Pendlare", "Företagare", "Resande", "Nätverk")
SEAT_TYPES = ("fixed_desks", "flexible_desks", "private_rooms")
ROOM_TYPES = ("creative_rooms", "phone_booths", "meeting_rooms")
COST_CATEGORIES = (
    "rent",
    "operation",
    "consumables",
    "reception",
    "cleaning",
    "security",
    "other",
)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
QUARTER_RE = re.compile(r"^(\d{4})Q([1-4])$")
SLUG_RE = r"^[a-z0-9][a-z0-9-]*$"


class ConfigError(Exception):
    """The config file is missing, unreadable or invalid; ``problems`` lists why."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        super().__init__(f"{source}:\n" + "\n".join(f"  {p}" for p in problems))


class Operator(StrEnum):
    KOMMUN = "kommun"
    MUNICIPAL_COMPANY = "municipal_company"
    ASSOCIATION = "association"
    PUBLIC_PRIVATE = "public_private"


class SteeringModel(StrEnum):
    DEMAND_DRIVEN = "demand_driven"
    COMPENSATION_DRIVEN = "compensation_driven"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


NonNegInt = Annotated[int, Field(ge=0)]
Money = Annotated[float, Field(ge=0)]


class Capacity(Strict):
    """What an office offers; desks and private-room places are the seats."""

    fixed_desks: NonNegInt = 0
    flexible_desks: NonNegInt = 0
    private_rooms: NonNegInt = 0
    creative_rooms: NonNegInt = 0
    phone_booths: NonNegInt = 0
    meeting_rooms: NonNegInt = 0

    @property
    def seats(self) -> int:
        return self.fixed_desks + self.flexible_desks + self.private_rooms


class Targets(Strict):
    members: NonNegInt
    utilisation: Annotated[float, Field(ge=0, le=1)] = 0.5


class PlanStep(Strict):
    """Capacity and targets valid from a date until the next step (a ramp-up plan)."""

    valid_from: date = Field(alias="from")
    capacity: Capacity
    targets: Targets


class MembershipType(Strict):
    id: Annotated[str, Field(pattern=SLUG_RE)]
    name: str
    monthly_price: Money
    seat: bool = True  # a lounge/drop-in membership does not reserve a seat


class QuarterAmount(Strict):
    """A flat amount per quarter from one quarter to another (inclusive)."""

    valid_from: str = Field(alias="from")
    to: str | None = None
    per_quarter: Money

    @field_validator("valid_from", "to")
    @classmethod
    def _quarter(cls, value: str | None) -> str | None:
        if value is not None and not QUARTER_RE.match(value):
            raise ValueError(f"must be a quarter like 2025Q3, got {value!r}")
        return value

    @model_validator(mode="after")
    def _ordered(self) -> QuarterAmount:
        if self.to is not None and quarter_index(self.to) < quarter_index(
            self.valid_from
        ):
            raise ValueError(f"'to' ({self.to}) is before 'from' ({self.valid_from})")
        return self

    def quarters(self) -> list[str]:
        first = quarter_index(self.valid_from)
        last = quarter_index(self.to or self.valid_from)
        return [quarter_label(i) for i in range(first, last + 1)]


class SubsidyLine(QuarterAmount):
    funder: str


class CostLine(QuarterAmount):
    category: Literal[COST_CATEGORIES]  # type: ignore[valid-type]


class Source(Strict):
    """Where an office's data of one kind comes from (filled in by the ingest)."""

    kind: Literal["bookings", "members", "door", "survey"]
    format: str = "auto"
    folder: str | None = None
    url: str | None = None
    options: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one_place(self) -> Source:
        if self.folder is None and self.url is None:
            raise ValueError("needs a 'folder' or a 'url'")
        return self


OpeningHours = dict[str, str | None]

# the direct costs of the Härnösand model; "rent" is charged per m² (own area
# plus a keyed share of the shared area), the rest by the office's chosen key
# (share of staff or share of area)
SHARED_COST_CATEGORIES = (
    "rent",
    "operation",
    "consumables",
    "reception",
    "cleaning",
    "security",
    "interest",
    "depreciation",
)


class CostShareParty(Strict):
    """An organisation sharing the premises: its own area and staff (FTE)."""

    name: str
    own_area_m2: Annotated[float, Field(ge=0)] = 0
    staff: Annotated[float, Field(ge=0)] = 0
    host: bool = False  # rents the premises and invoices the others


class Indexation(Strict):
    year: int
    percent: Annotated[float, Field(gt=-100)]


class OneOffCost(Strict):
    """Signs, moves, small rebuilds: invoiced on directly to one party."""

    party: str
    quarter: str
    description: str
    amount: Money

    @field_validator("quarter")
    @classmethod
    def _quarter(cls, value: str) -> str:
        if not QUARTER_RE.match(value):
            raise ValueError(f"must be a quarter like 2025Q3, got {value!r}")
        return value


class CostSharing(Strict):
    """Premises shared by several organisations (the Härnösand model).

    Each party pays its own area at full cost and a share of the shared area
    and of the other direct costs (by staff or by area); the host adds an
    overhead on the guests' computed rent. Rent is fixed per year from
    ``annual_costs`` (kronor in ``base_year``), indexed annually and invoiced
    quarterly in advance.
    """

    total_area_m2: Annotated[float, Field(gt=0)]
    split: Literal["staff", "area"] = "staff"
    overhead: Annotated[float, Field(ge=0, le=1)] = 0.10
    base_year: int
    annual_costs: dict[Literal[SHARED_COST_CATEGORIES], Money]  # type: ignore[valid-type]
    indexation: list[Indexation] = Field(default_factory=list)
    parties: list[CostShareParty] = Field(min_length=2)
    one_off: list[OneOffCost] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> CostSharing:
        names = [p.name for p in self.parties]
        if len(set(names)) != len(names):
            raise ValueError("party names must be unique")
        if sum(p.host for p in self.parties) != 1:
            raise ValueError("exactly one party must be the host (host: true)")
        own = sum(p.own_area_m2 for p in self.parties)
        if own > self.total_area_m2:
            raise ValueError(
                f"the parties' own areas ({own:g} m²) exceed total_area_m2 "
                f"({self.total_area_m2:g} m²)"
            )
        key = "staff" if self.split == "staff" else "own_area_m2"
        if sum(getattr(p, key) for p in self.parties) <= 0:
            raise ValueError(f"split by {self.split}: the parties' {key} sum to 0")
        years = [step.year for step in self.indexation]
        if len(set(years)) != len(years):
            raise ValueError("indexation: each year may be given once")
        for cost in self.one_off:
            if cost.party not in names:
                raise ValueError(f"one_off: unknown party {cost.party!r}")
        return self


class Office(Strict):
    id: Annotated[str, Field(pattern=SLUG_RE, max_length=40)]
    name: str
    kommun: str
    address: str = ""
    opened: date
    operator: Operator
    steering_model: SteeringModel
    start_phase_end: date
    opening_hours: OpeningHours = Field(default_factory=dict)
    plan: list[PlanStep] = Field(min_length=1)
    membership_types: list[MembershipType] = Field(min_length=1)
    revenue_plan: list[QuarterAmount] = Field(default_factory=list)
    subsidy_plan: list[SubsidyLine] = Field(default_factory=list)
    cost_plan: list[CostLine] = Field(default_factory=list)
    sources: list[Source] = Field(default_factory=list)
    cost_sharing: CostSharing | None = None

    @field_validator("kommun")
    @classmethod
    def _kalmar_kommun(cls, value: str) -> str:
        if value not in KALMAR_KOMMUNER:
            known = ", ".join(f"{c} {n}" for c, n in KALMAR_KOMMUNER.items())
            raise ValueError(
                f"must be a kommun code in Kalmar län ({known}), got {value!r}"
            )
        return value

    @field_validator("opening_hours")
    @classmethod
    def _hours(cls, value: OpeningHours) -> OpeningHours:
        for day, span in value.items():
            if day not in WEEKDAYS:
                raise ValueError(f"unknown weekday {day!r}; use {', '.join(WEEKDAYS)}")
            if span is not None:
                parse_hours(span)
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Office:
        starts = [step.valid_from for step in self.plan]
        if starts != sorted(starts) or len(set(starts)) != len(starts):
            raise ValueError("plan steps must have increasing, distinct 'from' dates")
        if starts[0] > self.opened:
            raise ValueError(
                f"the first plan step starts {starts[0]}, after the opening "
                f"{self.opened}: the plan must cover the opening day"
            )
        if self.start_phase_end <= self.opened:
            raise ValueError("start_phase_end must be after the opening date")
        ids = [m.id for m in self.membership_types]
        if len(set(ids)) != len(ids):
            raise ValueError("membership type ids must be unique within the office")
        return self

    @property
    def kommun_name(self) -> str:
        return KALMAR_KOMMUNER[self.kommun]

    def plan_on(self, day: date) -> PlanStep | None:
        """The plan step valid on ``day`` (None before the first step)."""
        valid = [step for step in self.plan if step.valid_from <= day]
        return valid[-1] if valid else None

    def hours_on(self, weekday: int) -> tuple[time, time] | None:
        """Opening hours for a weekday (0 = Monday); None when closed."""
        span = self.opening_hours.get(WEEKDAYS[weekday])
        return parse_hours(span) if span else None


class Privacy(Strict):
    min_group_size: Annotated[int, Field(ge=2)] = 5
    pseudonym_key_env: str = "PILOTPULS_PSEUDONYM_KEY"
    pseudonym_key_file: str | None = "data/secrets/pseudonym.key"


class Ingest(Strict):
    inbox_dir: str = "data/inbox"
    archive_dir: str = "data/archive"
    recurrence_horizon_days: Annotated[int, Field(ge=1, le=1000)] = 180
    http_timeout_seconds: Annotated[float, Field(gt=0)] = 30
    http_retries: Annotated[int, Field(ge=0, le=10)] = 3
    # how often `pilotpuls scheduler` runs each office's ingest pass
    schedule_minutes: Annotated[int, Field(ge=1, le=1440)] = 15


class Smtp(Strict):
    host: str = "localhost"
    port: Annotated[int, Field(ge=1, le=65535)] = 25
    security: Literal["none", "starttls", "ssl"] = "none"
    username: str | None = None
    # the password is never written in this file: it is read from this variable
    password_env: str = "PILOTPULS_SMTP_PASSWORD"
    sender: str = "Pilotpuls <pilotpuls@localhost>"
    timeout_seconds: Annotated[float, Field(gt=0)] = 30


class SteeringGroup(Strict):
    """Who receives a published quarterly report by e-mail.

    ``offices`` empty: the programme's steering group (the programme report).
    """

    name: str
    offices: list[str] = Field(default_factory=list)
    recipients: list[Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+$")]] = Field(
        min_length=1
    )


class Reporting(Strict):
    smtp: Smtp = Field(default_factory=Smtp)
    steering_groups: list[SteeringGroup] = Field(default_factory=list)
    # how often `pilotpuls scheduler` looks for published reports to deliver
    delivery_minutes: Annotated[int, Field(ge=1, le=1440)] = 60


class ProgrammeConfig(Strict):
    programme_name: str = "Landsbygdskontor i Kalmar län"
    database_url: str = "sqlite:///data/pilotpuls.db"
    timezone: str = "Europe/Stockholm"
    language: Literal["sv", "en"] = "sv"
    privacy: Privacy = Field(default_factory=Privacy)
    ingest: Ingest = Field(default_factory=Ingest)
    reporting: Reporting = Field(default_factory=Reporting)
    offices: list[Office] = Field(min_length=1)
    # the folder relative paths in the config are resolved against
    _base_dir: Path = PrivateAttr(default_factory=Path.cwd)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        from zoneinfo import available_timezones

        if value not in available_timezones():
            raise ValueError(f"unknown time zone {value!r}")
        return value

    @model_validator(mode="after")
    def _unique_offices(self) -> ProgrammeConfig:
        seen: set[str] = set()
        for office in self.offices:
            if office.id in seen:
                raise ValueError(f"office id {office.id!r} is used twice")
            seen.add(office.id)
        for number, group in enumerate(self.reporting.steering_groups):
            unknown = sorted(set(group.offices) - seen)
            if unknown:
                raise ValueError(
                    f"reporting.steering_groups[{number}].offices: unknown office "
                    f"{unknown[0]!r}; configured: {', '.join(sorted(seen))}"
                )
        return self

    def office(self, office_id: str) -> Office:
        for office in self.offices:
            if office.id == office_id:
                return office
        known = ", ".join(o.id for o in self.offices)
        raise KeyError(f"unknown office {office_id!r}; configured: {known}")


def parse_hours(span: str) -> tuple[time, time]:
    """Parse ``"07:00-18:00"`` into (opens, closes)."""
    match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", span)
    if not match:
        raise ValueError(f"opening hours must look like 07:00-18:00, got {span!r}")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if not (0 <= h1 <= 23 and 0 <= h2 <= 24 and m1 < 60 and m2 < 60):
        raise ValueError(f"opening hours out of range: {span!r}")
    opens = time(h1, m1)
    closes = time(23, 59, 59) if h2 == 24 else time(h2, m2)
    if closes <= opens:
        raise ValueError(f"closing time must be after opening time: {span!r}")
    return opens, closes


def quarter_index(label: str) -> int:
    """``2025Q3`` -> a running number, so quarters can be compared and ranged."""
    match = QUARTER_RE.match(label)
    if not match:
        raise ValueError(f"not a quarter: {label!r}")
    return int(match.group(1)) * 4 + int(match.group(2)) - 1


def quarter_label(index: int) -> str:
    return f"{index // 4}Q{index % 4 + 1}"


def quarter_of(day: date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def _key_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "(top level)"


_MESSAGES = {
    "greater_than_equal": "must be ≥ {ge}",
    "greater_than": "must be > {gt}",
    "less_than_equal": "must be ≤ {le}",
    "missing": "is required",
    "extra_forbidden": "is not a known setting (check the spelling)",
    "string_pattern_mismatch": "must be lower-case letters, digits and '-'",
}


def _describe(error: dict[str, Any]) -> str:
    template = _MESSAGES.get(error["type"])
    if template:
        message = template.format(**error.get("ctx", {}))
    else:
        message = error["msg"].removeprefix("Value error, ")
    if error["type"] not in ("missing",) and "got " not in message:
        message += f", got {error['input']!r}"
    return f"{_key_path(error['loc'])}: {message}"


def _drop_union_tags(loc: tuple[int | str, ...]) -> tuple[int | str, ...]:
    # pydantic adds the class name of model validators to ``loc``; users
    # know keys, not class names
    return tuple(p for p in loc if not (isinstance(p, str) and p[:1].isupper()))


def validate_config(data: Any, source: str = "config") -> ProgrammeConfig:
    """Validate an already-parsed config mapping; raise ConfigError with key paths."""
    if not isinstance(data, dict):
        raise ConfigError(source, ["(top level): must be a mapping of settings"])
    try:
        return ProgrammeConfig.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            error = dict(error, loc=_drop_union_tags(error["loc"]))
            problems.append(_describe(error))
        raise ConfigError(source, problems) from None


def load_config(path: str | Path | None = None) -> ProgrammeConfig:
    """Read and validate the config file.

    The path defaults to ``$PILOTPULS_CONFIG`` or ``./config.yaml``; the database
    URL can be overridden with ``$PILOTPULS_DATABASE_URL``.
    """
    path = Path(path or os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG_PATH)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(
            str(path), [f"cannot read the file: {exc.strerror}"]
        ) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(str(path), [f"not valid YAML: {exc}"]) from None
    if isinstance(data, dict) and os.environ.get(DATABASE_URL_ENV):
        data["database_url"] = os.environ[DATABASE_URL_ENV]
    config = validate_config(data, str(path))
    config._base_dir = path.resolve().parent
    return config


def resolve_path(config: ProgrammeConfig, relative: str) -> Path:
    """Resolve a path from the config relative to the config file's folder."""
    candidate = Path(relative)
    return candidate if candidate.is_absolute() else config._base_dir / candidate
