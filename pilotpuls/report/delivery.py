"""E-mailing published report versions to the steering groups.

A steering group without offices is the programme's and gets the programme
report; a group with offices gets each of those offices' reports. For every
quarter only the latest published version is sent, once per recipient.

Delivery is at-least-once, never lost: each mail is recorded in its own
transaction right after the server accepted it, so a crash or an SMTP failure
half-way leaves the rest pending for the next run and never repeats a mail
already recorded. Only a crash in the instant between the server's "250 OK"
and that commit, or a database that cannot record it (the run then stops),
sends one mail twice.
"""

from __future__ import annotations

import logging
import os
import smtplib
import socket
import ssl
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import sqlalchemy.exc
import sqlalchemy.orm as so

from models import tables as t
from models.config import ProgrammeConfig, Smtp, SteeringGroup
from models.db import session_factory, transaction
from pilotpuls.report.figures import PROGRAMME
from pilotpuls.report.snapshot import PUBLISHED

log = logging.getLogger("pilotpuls.delivery")

Render = Callable[[t.ReportSnapshot], tuple[str, bytes]]


class DeliveryError(Exception):
    """A mail that could not be sent: which server and recipients, and why."""


@dataclass(frozen=True)
class Pending:
    """One published report version still to be mailed to one recipient."""

    snapshot_id: int
    quarter: str
    scope: str
    version: int
    steering_group: str
    recipient: str


@dataclass(frozen=True)
class Failure:
    """A mail not sent (or not recorded); it stays pending for the next run."""

    recipient: str
    message: str


@dataclass
class DeliveryResult:
    """How many mails went out in one run, and which did not."""

    sent: int = 0
    failures: list[Failure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


# --- Sending one mail -------------------------------------------------------------


def send_mail(
    smtp: Smtp,
    recipients: list[str],
    subject: str,
    body: str,
    attachments: list[tuple[str, bytes, str]],
) -> None:
    """Send one mail to ``recipients``; attachments are (filename, bytes, MIME type).

    Raises DeliveryError if the mail did not reach every recipient.
    """
    where = f"sending to {', '.join(recipients)} via SMTP {smtp.host}:{smtp.port}"
    password = _password(smtp, where)
    message = _build(smtp.sender, recipients, subject, body, attachments)
    try:
        refused = _transmit(smtp, password, message, recipients)
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"{where} failed: {_reason(exc, smtp)}") from exc
    if refused:
        # the others got it; the caller must know who did not
        raise DeliveryError(f"{where}: {_refused_text(refused)}")


def _password(smtp: Smtp, where: str) -> str | None:
    if not smtp.username:
        return None
    password = os.environ.get(smtp.password_env)
    if not password:
        raise DeliveryError(
            f"{where}: user {smtp.username!r} needs a password, but the "
            f"environment variable {smtp.password_env} is not set"
        )
    return password


def _build(
    sender: str,
    recipients: list[str],
    subject: str,
    body: str,
    attachments: list[tuple[str, bytes, str]],
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    # make_msgid's default domain is the FQDN lookup, which can hang on a
    # badly configured host; the sender's domain is what the ID should name
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid(domain=domain)
    # quoted-printable keeps å, ä, ö intact through relays without 8BITMIME
    message.set_content(body, charset="utf-8", cte="quoted-printable")
    for filename, data, mime_type in attachments:
        maintype, _, subtype = mime_type.partition("/")
        message.add_attachment(
            data,
            maintype=maintype,
            subtype=subtype or "octet-stream",
            filename=filename,
        )
    return message


def _transmit(
    smtp: Smtp, password: str | None, message: EmailMessage, recipients: list[str]
) -> dict[str, tuple[int, bytes]]:
    connection = _connect(smtp)
    try:
        if smtp.security == "starttls":
            connection.starttls(context=ssl.create_default_context())
        if smtp.username and password:
            _login(connection, smtp.username, password)
        refused = connection.send_message(message, to_addrs=recipients)
        # the mail is accepted now: a failing goodbye must not make the
        # caller believe it was not, or the next run would send it again
        with suppress(smtplib.SMTPException, OSError):
            connection.quit()
        return refused
    finally:
        connection.close()


def _login(connection: smtplib.SMTP, username: str, password: str) -> None:
    try:
        connection.login(username, password)
    except UnicodeEncodeError:
        # smtplib (up to Python 3.13) sends credentials as ASCII only; the
        # original error would quote a character of the password
        raise smtplib.SMTPException(
            f"the user name {username!r} or its password has characters other "
            "than ASCII (such as å, ä, ö), which Python's smtplib cannot send"
        ) from None


def _connect(smtp: Smtp) -> smtplib.SMTP:
    if smtp.security == "ssl":
        return smtplib.SMTP_SSL(
            smtp.host,
            smtp.port,
            timeout=smtp.timeout_seconds,
            context=ssl.create_default_context(),
        )
    return smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_seconds)


def _reason(exc: BaseException, smtp: Smtp) -> str:
    """What went wrong, in words an operator can act on (never the password)."""
    # the SMTP exceptions are OSErrors too, so they must be looked at first
    if isinstance(exc, smtplib.SMTPException):
        return _smtp_reason(exc, smtp)
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused (is the SMTP server running on that port?)"
    if isinstance(exc, TimeoutError):
        return f"no answer within {smtp.timeout_seconds:g} s"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"TLS certificate not trusted: {exc.verify_message}"
    if isinstance(exc, ssl.SSLError) and exc.reason == "WRONG_VERSION_NUMBER":
        return (
            "TLS failed: the server does not speak TLS at once on this port "
            "(security: ssl is for port 465; port 587 wants starttls)"
        )
    if isinstance(exc, ssl.SSLError):
        return f"TLS failed: {exc.reason or exc}"
    if isinstance(exc, socket.gaierror):
        return f"unknown host: {exc.strerror}"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


def _smtp_reason(exc: smtplib.SMTPException, smtp: Smtp) -> str:
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return f"authentication failed for user {smtp.username!r}: {_reply(exc)}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return _refused_text(exc.recipients)
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return f"sender {exc.sender!r} refused: {_reply(exc)}"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"the server answered {_reply(exc)}"
    # smtplib reports a read timeout as a disconnection
    if isinstance(exc, smtplib.SMTPServerDisconnected) and isinstance(
        exc.__context__, TimeoutError
    ):
        return f"no answer within {smtp.timeout_seconds:g} s"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return f"the server closed the connection ({exc})"
    return str(exc).rstrip(".")


def _reply(exc: smtplib.SMTPResponseException) -> str:
    text = exc.smtp_error
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{exc.smtp_code} {text}".strip()


def _refused_text(refused: dict[str, tuple[int, bytes]]) -> str:
    parts = [
        f"{address} ({code} {reply.decode('utf-8', 'replace')})"
        for address, (code, reply) in refused.items()
    ]
    return "recipient refused: " + ", ".join(parts)


# --- What is still to send --------------------------------------------------------


def pending_deliveries(session: so.Session, config: ProgrammeConfig) -> list[Pending]:
    """Latest published version of each quarter, per scope, not yet mailed to whom.

    Ordered by quarter and scope; a recipient in two groups for the same report
    gets it once (the first group names the delivery).
    """
    groups = config.reporting.steering_groups
    scopes = sorted({scope for group in groups for scope in _scopes(group)})
    if not scopes:
        return []
    snapshots = _latest_published(session, scopes)
    delivered = _delivered(session, [row.id for row in snapshots])
    pending: list[Pending] = []
    for row in snapshots:
        for group_name, recipient in _audience(groups, row.scope):
            if (row.id, recipient) in delivered:
                continue
            delivered.add((row.id, recipient))
            pending.append(
                Pending(
                    snapshot_id=row.id,
                    quarter=row.quarter,
                    scope=row.scope,
                    version=row.version,
                    steering_group=group_name,
                    recipient=recipient,
                )
            )
    return pending


def _scopes(group: SteeringGroup) -> list[str]:
    return list(group.offices) or [PROGRAMME]


def _audience(groups: list[SteeringGroup], scope: str) -> Iterator[tuple[str, str]]:
    """(group name, recipient) of everyone who gets ``scope``'s report."""
    for group in groups:
        if scope in _scopes(group):
            for recipient in group.recipients:
                yield group.name, recipient


def _latest_published(session: so.Session, scopes: list[str]) -> list[sa.Row]:
    s = t.ReportSnapshot
    newest = (
        sa.select(s.quarter, s.scope, sa.func.max(s.version).label("version"))
        .where(s.status == PUBLISHED, s.scope.in_(scopes))
        .group_by(s.quarter, s.scope)
        .subquery()
    )
    query = (
        sa.select(s.id, s.quarter, s.scope, s.version)
        .join(
            newest,
            sa.and_(
                s.quarter == newest.c.quarter,
                s.scope == newest.c.scope,
                s.version == newest.c.version,
            ),
        )
        .order_by(s.quarter, s.scope)
    )
    return list(session.execute(query).all())


def _delivered(session: so.Session, snapshot_ids: list[int]) -> set[tuple[int, str]]:
    if not snapshot_ids:
        return set()
    d = t.ReportDelivery
    query = sa.select(d.snapshot_id, d.recipient).where(d.snapshot_id.in_(snapshot_ids))
    return {(row.snapshot_id, row.recipient) for row in session.execute(query)}


# --- Delivering -------------------------------------------------------------------


def deliver_pending(
    engine: sa.Engine,
    config: ProgrammeConfig,
    render: Render,
    log: logging.Logger = log,
) -> DeliveryResult:
    """Mail every pending report version: one mail per version and recipient.

    ``render(snapshot)`` returns the attachment's (filename, PDF bytes); it is
    called once per version. Failures are collected, logged and left pending,
    so the next run retries exactly those.
    """
    with session_factory(engine)() as session:
        pending = pending_deliveries(session, config)
    by_snapshot: dict[int, list[Pending]] = {}
    for item in pending:
        by_snapshot.setdefault(item.snapshot_id, []).append(item)
    result = DeliveryResult()
    for snapshot_id, items in by_snapshot.items():
        if not _deliver_snapshot(
            engine, config, snapshot_id, items, render, log, result
        ):
            # every further mail would be sent again next run as well
            log.error("report delivery stopped: deliveries cannot be recorded")
            break
    if pending:
        log.info(
            "report delivery: %d sent, %d failed", result.sent, len(result.failures)
        )
    return result


def _deliver_snapshot(
    engine: sa.Engine,
    config: ProgrammeConfig,
    snapshot_id: int,
    items: list[Pending],
    render: Render,
    log: logging.Logger,
    result: DeliveryResult,
) -> bool:
    """Mail one version to its recipients; False if the database cannot record."""
    label = f"{items[0].quarter} {items[0].scope} version {items[0].version}"
    try:
        snapshot = _load(engine, snapshot_id)
        filename, pdf = render(snapshot)
    except Exception as exc:
        # one report that cannot be rendered must not hold back the others
        log.exception("report %s: cannot render the attachment", label)
        for item in items:
            result.failures.append(
                Failure(item.recipient, f"{label}: cannot render the report: {exc}")
            )
        return True
    subject = mail_subject(config, snapshot)
    for item in items:
        body = mail_body(config, snapshot, filename, item.steering_group)
        try:
            send_mail(
                config.reporting.smtp,
                [item.recipient],
                subject,
                body,
                [(filename, pdf, "application/pdf")],
            )
        except Exception as exc:
            # one bad address (or a bug it triggers) must not stop the others
            log.warning("report %s to %s not sent: %s", label, item.recipient, exc)
            result.failures.append(Failure(item.recipient, f"{label}: {exc}"))
            continue
        if not _record_sent(engine, item, label, log, result):
            return False
    return True


def _load(engine: sa.Engine, snapshot_id: int) -> t.ReportSnapshot:
    with session_factory(engine)() as session:
        snapshot = session.get(t.ReportSnapshot, snapshot_id)
        if snapshot is None:
            raise LookupError(f"report snapshot {snapshot_id} no longer exists")
        return snapshot


def _record_sent(
    engine: sa.Engine,
    item: Pending,
    label: str,
    log: logging.Logger,
    result: DeliveryResult,
) -> bool:
    try:
        with transaction(engine) as session:
            session.add(
                t.ReportDelivery(
                    snapshot_id=item.snapshot_id,
                    recipient=item.recipient,
                    steering_group=item.steering_group,
                    sent_at=datetime.now(UTC),
                )
            )
    except sa.exc.IntegrityError:
        # another run (CLI and scheduler at once) sent and recorded it too
        log.warning("report %s to %s was sent twice", label, item.recipient)
    except sa.exc.SQLAlchemyError as exc:
        log.error(
            "report %s sent to %s but not recorded, it will be sent again: %s",
            label,
            item.recipient,
            exc,
        )
        result.failures.append(
            Failure(item.recipient, f"{label}: sent, but not recorded: {exc}")
        )
        return False
    log.info("report %s sent to %s", label, item.recipient)
    result.sent += 1
    return True


# --- The mail's Swedish texts -----------------------------------------------------


def scope_name(config: ProgrammeConfig, scope: str) -> str:
    return config.programme_name if scope == PROGRAMME else config.office(scope).name


def mail_subject(config: ProgrammeConfig, snapshot: t.ReportSnapshot) -> str:
    """``Kvartalsrapport 2026Q3 – Högsby Arbetsplats (version 2)``."""
    name = scope_name(config, snapshot.scope)
    return f"Kvartalsrapport {snapshot.quarter} – {name} (version {snapshot.version})"


def mail_body(
    config: ProgrammeConfig,
    snapshot: t.ReportSnapshot,
    filename: str,
    steering_group: str,
) -> str:
    name = scope_name(config, snapshot.scope)
    cutoff = snapshot.cutoff_at.astimezone(ZoneInfo(config.timezone))
    paragraphs = [
        "Hej!",
        f"Bifogat finns kvartalsrapporten för {name}, {snapshot.quarter}, version "
        f"{snapshot.version}, som PDF-fil ({filename}).",
        f"Siffrorna är frysta vid brytpunkten {cutoff:%Y-%m-%d %H:%M} (svensk "
        "tid). Uppgifter som kommit in efter brytpunkten ingår inte, och "
        "siffrorna i den här versionen ändras aldrig i efterhand.",
    ]
    if snapshot.version > 1:
        paragraphs.append(
            f"Version {snapshot.version} ersätter den tidigare versionen av "
            "rapporten: siffror för kvartalet har räknats om (omräknade siffror) "
            "eftersom uppgifter har kommit in eller rättats efter den förra "
            "brytpunkten. Använd den här versionen i stället för den tidigare."
        )
    paragraphs += [
        f"Du får rapporten som mottagare för {steering_group}.",
        f"Med vänliga hälsningar\n{config.programme_name}",
        "Det här meddelandet skickades automatiskt av Pilotpuls.",
    ]
    return "\n\n".join(paragraphs) + "\n"
