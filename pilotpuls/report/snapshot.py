"""Closing a quarter, restating it, publishing versions: the report's life.

- **close**: the quarter's figures are computed once and stored as version 1
  (a draft) per office and for the programme, with the cut-off time.
- **texts**: the region writes comments and actions on a draft.
- **publish**: the draft becomes the version steering groups see (and get by
  e-mail). Figures never change after they are stored.
- **restatement**: data for the quarter that arrives later makes a fresh
  computation differ; :func:`check` lists the differences, and :func:`restate`
  stores them as the next version (a draft to publish). Earlier versions stay.

Every export of a version is made from the stored figures only, so it is the
same file each time.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import sqlalchemy.exc
import sqlalchemy.orm as so

from models import tables as t
from models.config import QUARTER_RE, ProgrammeConfig
from models.db import session_factory, transaction
from models.users import record_audit
from pilotpuls.report.content import (
    Change,
    ReportDocument,
    ScopeReport,
    Section,
    differences,
)
from pilotpuls.report.figures import PROGRAMME, quarter_period, quarter_reports

DRAFT, PUBLISHED = "draft", "published"


class ReportError(Exception):
    """A report action that cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class Version:
    quarter: str
    version: int
    status: str
    cutoff_at: datetime
    created_by: str
    published_at: datetime | None
    published_by: str


@dataclass
class Restatement:
    """What a fresh computation of a quarter changes against its latest version."""

    version: Version
    changes: dict[str, list[Change]] = field(default_factory=dict)  # scope -> …
    new_files: int = 0  # files loaded since the cut-off

    @property
    def any(self) -> bool:
        return any(self.changes.values())


def check_quarter(quarter: str) -> str:
    if not isinstance(quarter, str) or not QUARTER_RE.match(quarter):
        raise ReportError(f"not a quarter: {quarter!r} (write it like 2026Q3)")
    return quarter


def _fingerprint(figures: dict) -> str:
    canonical = json.dumps(figures, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _today(config: ProgrammeConfig, now: datetime) -> date:
    return now.astimezone(ZoneInfo(config.timezone)).date()


# --- reading ------------------------------------------------------------------


def versions(session: so.Session, quarter: str) -> list[Version]:
    """Every version of a quarter, oldest first."""
    s = t.ReportSnapshot
    rows = session.execute(
        sa.select(
            s.version,
            s.status,
            s.cutoff_at,
            s.created_by,
            s.published_at,
            s.published_by,
        )
        .where(s.quarter == quarter, s.scope == PROGRAMME)
        .order_by(s.version)
    )
    return [Version(quarter, *row) for row in rows]


def closed_quarters(session: so.Session) -> list[str]:
    s = t.ReportSnapshot
    rows = session.scalars(sa.select(s.quarter).distinct().order_by(s.quarter.desc()))
    return list(rows)


def latest(
    session: so.Session, quarter: str, published_only: bool = False
) -> Version | None:
    found = [
        v
        for v in versions(session, quarter)
        if v.status == PUBLISHED or not published_only
    ]
    return found[-1] if found else None


def _rows(
    session: so.Session, quarter: str, version: int, scopes: list[str] | None = None
) -> list[t.ReportSnapshot]:
    s = t.ReportSnapshot
    query = sa.select(s).where(s.quarter == quarter, s.version == version)
    if scopes is not None:
        query = query.where(s.scope.in_(scopes))
    rows = list(session.scalars(query.order_by(s.id)))
    for row in rows:
        if _fingerprint(row.figures) != row.figures_sha256:
            raise ReportError(
                f"{quarter} version {version} ({row.scope}): the stored figures do "
                "not match their checksum; the database was changed by hand"
            )
    return rows


def document(
    session: so.Session,
    config: ProgrammeConfig,
    quarter: str,
    version: int | None = None,
    scopes: list[str] | None = None,
) -> ReportDocument:
    """A stored version as a document: the programme then the offices (or only
    ``scopes``). ``version`` None: the latest."""
    check_quarter(quarter)
    chosen = latest(session, quarter) if version is None else None
    number = version if version is not None else (chosen.version if chosen else None)
    rows = _rows(session, quarter, number, scopes) if number else []
    if not rows:
        what = f"version {version} of {quarter}" if version else quarter
        raise ReportError(
            f"{what} has no stored report"
            + (" for that office" if scopes and number else "")
            + f"; close it first: pilotpuls report close {quarter}"
        )
    head = rows[0]
    return ReportDocument(
        quarter=quarter,
        version=head.version,
        status=head.status,
        cutoff_at=head.cutoff_at,
        published_at=head.published_at,
        programme_name=config.programme_name,
        sections=[
            Section(ScopeReport.from_json(r.figures), r.comments, r.actions)
            for r in rows
        ],
    )


# --- closing, restating, publishing -----------------------------------------


def close(
    engine: sa.Engine,
    config: ProgrammeConfig,
    quarter: str,
    by: str,
    now: datetime | None = None,
) -> Version:
    """Freeze a finished quarter as version 1 (a draft to comment and publish)."""
    check_quarter(quarter)
    now = now or datetime.now(UTC)
    end = quarter_period(quarter).end
    if end >= _today(config, now):
        raise ReportError(
            f"{quarter} is not over yet (it ends {end:%Y-%m-%d}); close it afterwards"
        )
    with session_factory(engine)() as session:
        existing = latest(session, quarter)
    if existing:
        raise ReportError(
            f"{quarter} is already closed (version {existing.version}, "
            f"{existing.status}); late data becomes a new version: "
            f"pilotpuls report restate {quarter}"
        )
    return _store(engine, config, quarter, 1, by, now, texts={})


def restate(
    engine: sa.Engine,
    config: ProgrammeConfig,
    quarter: str,
    by: str,
    now: datetime | None = None,
) -> Version:
    """Store a fresh computation as the next version (a draft), if it differs."""
    now = now or datetime.now(UTC)
    with session_factory(engine)() as session:
        found = check(session, config, quarter)
        if not found.any:
            raise ReportError(
                f"{quarter} version {found.version.version}: a fresh computation "
                "gives the same figures; there is nothing to restate"
            )
        previous = _rows(session, quarter, found.version.version)
        texts = {r.scope: (r.comments, r.actions) for r in previous}
    return _store(engine, config, quarter, found.version.version + 1, by, now, texts)


def _store(
    engine: sa.Engine,
    config: ProgrammeConfig,
    quarter: str,
    version: int,
    by: str,
    now: datetime,
    texts: dict[str, tuple[str, str]],
) -> Version:
    cutoff = now.astimezone(UTC).replace(microsecond=0)
    try:
        with transaction(engine) as session:
            # computed inside the writing transaction: the cut-off is the data
            # this transaction sees, and nobody loads a file in between (SQLite)
            reports = quarter_reports(session, config, quarter)
            for report in reports:
                figures = report.to_json()
                comments, actions = texts.get(report.scope, ("", ""))
                session.add(
                    t.ReportSnapshot(
                        quarter=quarter,
                        scope=report.scope,
                        version=version,
                        status=DRAFT,
                        cutoff_at=cutoff,
                        created_at=cutoff,
                        created_by=by,
                        figures=figures,
                        figures_sha256=_fingerprint(figures),
                        comments=comments,
                        actions=actions,
                    )
                )
            action = "report_close" if version == 1 else "report_restate"
            record_audit(session, action, f"{quarter} version {version}", actor=by)
    except sqlalchemy.exc.IntegrityError:
        raise ReportError(
            f"{quarter} version {version} was stored by somebody else meanwhile; "
            "reload and look at it"
        ) from None
    return Version(quarter, version, DRAFT, cutoff, by, None, "")


def publish(
    engine: sa.Engine,
    quarter: str,
    version: int | None,
    by: str,
    now: datetime | None = None,
) -> Version:
    """Publish a draft: steering groups see it and the scheduler e-mails it."""
    check_quarter(quarter)
    now = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    with transaction(engine) as session:
        newest = latest(session, quarter)
        if newest is None:
            raise ReportError(
                f"{quarter} is not closed; close it first: pilotpuls report close "
                f"{quarter}"
            )
        version = version or newest.version
        if version != newest.version:
            raise ReportError(
                f"only the latest version of {quarter} ({newest.version}) can be "
                f"published, not {version}"
            )
        if newest.status == PUBLISHED:
            raise ReportError(f"{quarter} version {version} is already published")
        s = t.ReportSnapshot
        session.execute(
            sa.update(s)
            .where(s.quarter == quarter, s.version == version)
            .values(status=PUBLISHED, published_at=now, published_by=by)
        )
        record_audit(
            session, "report_publish", f"{quarter} version {version}", actor=by
        )
    return Version(
        quarter, version, PUBLISHED, newest.cutoff_at, newest.created_by, now, by
    )


def set_texts(
    engine: sa.Engine,
    quarter: str,
    version: int,
    scope: str,
    comments: str,
    actions: str,
    by: str,
) -> None:
    """The region's comments and actions on one section of a draft."""
    with transaction(engine) as session:
        s = t.ReportSnapshot
        row = session.scalar(
            sa.select(s).where(
                s.quarter == quarter, s.version == version, s.scope == scope
            )
        )
        if row is None:
            raise ReportError(f"{quarter} version {version} has no section {scope!r}")
        if row.status != DRAFT:
            raise ReportError(
                f"{quarter} version {version} is published; its texts are frozen "
                "with its figures"
            )
        row.comments, row.actions = comments.strip(), actions.strip()
        record_audit(
            session, "report_texts", f"{quarter} version {version} {scope}", actor=by
        )


# --- restatements -----------------------------------------------------------


def new_files_since(session: so.Session, cutoff: datetime) -> int:
    """Files loaded after a cut-off: the cheap sign that figures may differ."""
    f = t.SourceFile
    return int(
        session.scalar(
            sa.select(sa.func.count()).where(
                f.status == "loaded", f.rows_loaded > 0, f.received_at > cutoff
            )
        )
        or 0
    )


def last_file_id(session: so.Session) -> int:
    """Grows with every file received: a key for caching a :func:`check`."""
    return int(session.scalar(sa.select(sa.func.max(t.SourceFile.id))) or 0)


def check(session: so.Session, config: ProgrammeConfig, quarter: str) -> Restatement:
    """Recompute the quarter and compare it with its latest version."""
    check_quarter(quarter)
    newest = latest(session, quarter)
    if newest is None:
        raise ReportError(f"{quarter} is not closed yet")
    stored = {
        r.scope: ScopeReport.from_json(r.figures)
        for r in _rows(session, quarter, newest.version)
    }
    fresh = {r.scope: r for r in quarter_reports(session, config, quarter)}
    result = Restatement(newest, new_files=new_files_since(session, newest.cutoff_at))
    for scope in [*stored, *(s for s in fresh if s not in stored)]:
        if scope not in fresh:
            result.changes[scope] = [Change("Rapport", scope, "", "fanns", "saknas")]
        elif scope not in stored:
            result.changes[scope] = [Change("Rapport", scope, "", "saknades", "ny")]
        else:
            result.changes[scope] = differences(stored[scope], fresh[scope])
    return result
