"""E-mailing published report versions, against a real SMTP server (aiosmtpd)
on 127.0.0.1 — and on SQLite and PostgreSQL for the bookkeeping.

The steering groups used here: the programme's group (two recipients, gets the
"programme" report) and Figeholm's local group (one recipient, gets Figeholm's
report). Boda has no group, so its report is never mailed.
"""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
import sqlalchemy as sa
from aiosmtpd.smtp import AuthResult, LoginPassword

from models import tables as t
from models.config import ProgrammeConfig, Reporting, Smtp, SteeringGroup
from models.db import session_factory, transaction
from pilotpuls.report.delivery import (
    DeliveryError,
    deliver_pending,
    pending_deliveries,
    send_mail,
)
from tests.report.conftest import free_port

QUARTER = "2026Q3"
# 08:12 in Swedish summer time
CUTOFF = datetime(2026, 10, 5, 6, 12, tzinfo=UTC)
PDF = b"%PDF-1.4 test bytes \x00\xff\xfe binary tail"
PROGRAMME_GROUP = SteeringGroup(
    name="Styrgruppen för landsbygdskontoren",
    recipients=["styrgrupp@region.se", "ekonomi@region.se"],
)
FIGEHOLM_GROUP = SteeringGroup(
    name="Lokal styrgrupp Figeholm",
    offices=["figeholm"],
    recipients=["ordforande@figeholm.se"],
)
GROUPS = [PROGRAMME_GROUP, FIGEHOLM_GROUP]
USER, PASSWORD = "pilotpuls", "hemligt-losen-42"


# --- A real SMTP server -----------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (made with the openssl tool)."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec",
         "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def _server_tls(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


def _authenticator(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and auth_data == LoginPassword(
        USER.encode(), PASSWORD.encode()
    )
    # handled=False: aiosmtpd itself answers a failure with 535
    return AuthResult(success=ok, handled=False)


# --- Helpers ----------------------------------------------------------------------


@dataclass
class Renderer:
    """The ``render`` callable: a fake PDF, and which snapshots it was asked for."""

    calls: list[tuple[str, str, int]] = field(default_factory=list)

    def __call__(self, snapshot: t.ReportSnapshot) -> tuple[str, bytes]:
        self.calls.append((snapshot.quarter, snapshot.scope, snapshot.version))
        return "rapport.pdf", PDF


def _config(
    programme: ProgrammeConfig,
    port: int,
    groups: list[SteeringGroup] = GROUPS,
    **smtp,
) -> ProgrammeConfig:
    smtp = {"host": "127.0.0.1", "port": port, "timeout_seconds": 5, **smtp}
    reporting = Reporting(smtp=Smtp(**smtp), steering_groups=groups)
    return programme.model_copy(update={"reporting": reporting})


def _store(
    engine: sa.Engine,
    scope: str,
    version: int = 1,
    status: str = "published",
    quarter: str = QUARTER,
) -> int:
    with transaction(engine) as session:
        row = t.ReportSnapshot(
            quarter=quarter,
            scope=scope,
            version=version,
            status=status,
            cutoff_at=CUTOFF,
            published_at=CUTOFF if status == "published" else None,
            figures={},
            figures_sha256="0" * 64,
        )
        session.add(row)
        session.flush()
        return row.id


def _publish(engine: sa.Engine, snapshot_id: int) -> None:
    with transaction(engine) as session:
        row = session.get(t.ReportSnapshot, snapshot_id)
        row.status, row.published_at = "published", CUTOFF


def _deliveries(engine: sa.Engine) -> list[tuple[str, str, int, str, str]]:
    s, d = t.ReportSnapshot, t.ReportDelivery
    query = (
        sa.select(s.quarter, s.scope, s.version, d.recipient, d.steering_group)
        .join(d, d.snapshot_id == s.id)
        .order_by(s.quarter, s.scope, s.version, d.recipient)
    )
    with session_factory(engine)() as session:
        return [tuple(row) for row in session.execute(query)]


def _text(message: EmailMessage) -> str:
    # the wire's CRLF line ends stay in a parsed body
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def _only_attachment(message: EmailMessage) -> tuple[str, str, bytes]:
    (attachment,) = list(message.iter_attachments())
    return (
        attachment.get_filename(),
        attachment.get_content_type(),
        attachment.get_content(),
    )


# --- What is sent, to whom --------------------------------------------------------


def test_published_report_goes_to_every_recipient_of_its_groups(
    engine, programme, inbox
):
    config = _config(programme, inbox.port)
    for scope in ("programme", "figeholm", "boda"):
        _store(engine, scope)
    render = Renderer()

    result = deliver_pending(engine, config, render)

    assert (result.sent, result.failures) == (3, [])
    # one rendering per version, however many recipients it has; Boda has no group
    assert sorted(render.calls) == [(QUARTER, "figeholm", 1), (QUARTER, "programme", 1)]
    assert sorted(r for got in inbox.received for r in got.rcpt_tos) == [
        "ekonomi@region.se",
        "ordforande@figeholm.se",
        "styrgrupp@region.se",
    ]
    # one mail per recipient, never a shared To: line
    assert all(len(got.rcpt_tos) == 1 for got in inbox.received)
    (programme_mail,) = inbox.to("styrgrupp@region.se")
    assert (
        programme_mail["Subject"] == "Kvartalsrapport 2026Q3 – Testprogram (version 1)"
    )
    assert programme_mail["To"] == "styrgrupp@region.se"
    assert programme_mail["From"] == Smtp().sender
    assert programme_mail["Message-ID"] and programme_mail["Date"]
    (figeholm_mail,) = inbox.to("ordforande@figeholm.se")
    assert figeholm_mail["Subject"] == (
        "Kvartalsrapport 2026Q3 – Kontoret Figeholm (version 1)"
    )
    for got in inbox.received:
        assert _only_attachment(got.message) == ("rapport.pdf", "application/pdf", PDF)
    body = _text(figeholm_mail)
    assert "2026-10-05 08:12" in body  # the cut-off in Swedish time
    assert "frysta" in body and "Lokal styrgrupp Figeholm" in body
    assert "ersätter" not in body  # a first version replaces nothing
    assert _deliveries(engine) == [
        (QUARTER, "figeholm", 1, "ordforande@figeholm.se", "Lokal styrgrupp Figeholm"),
        (QUARTER, "programme", 1, "ekonomi@region.se", PROGRAMME_GROUP.name),
        (QUARTER, "programme", 1, "styrgrupp@region.se", PROGRAMME_GROUP.name),
    ]


def test_drafts_are_not_sent(engine, programme, inbox):
    config = _config(programme, inbox.port)
    _store(engine, "programme", status="draft")
    _store(engine, "figeholm", status="draft")
    render = Renderer()

    result = deliver_pending(engine, config, render)

    assert (result.sent, result.failures) == (0, [])
    assert render.calls == [] and inbox.received == []


def test_a_second_run_sends_nothing(engine, programme, inbox):
    config = _config(programme, inbox.port)
    _store(engine, "programme")
    _store(engine, "figeholm")
    assert deliver_pending(engine, config, Renderer()).sent == 3
    render = Renderer()

    again = deliver_pending(engine, config, render)

    assert (again.sent, again.failures) == (0, [])
    assert render.calls == [] and len(inbox.received) == 3


def test_a_newer_published_version_is_sent_too(engine, programme, inbox):
    config = _config(programme, inbox.port, groups=[FIGEHOLM_GROUP])
    _store(engine, "figeholm", version=1)
    deliver_pending(engine, config, Renderer())
    restated = _store(engine, "figeholm", version=2, status="draft")
    assert deliver_pending(engine, config, Renderer()).sent == 0  # not yet published
    _publish(engine, restated)
    _store(engine, "figeholm", version=3, status="draft")

    result = deliver_pending(engine, config, Renderer())

    assert result.sent == 1
    first, second = inbox.to("ordforande@figeholm.se")
    assert first["Subject"].endswith("(version 1)")
    assert second["Subject"] == "Kvartalsrapport 2026Q3 – Kontoret Figeholm (version 2)"
    assert "ersätter" in _text(second)
    assert [row[2] for row in _deliveries(engine)] == [1, 2]


def test_only_the_latest_published_version_of_each_quarter(engine, programme, inbox):
    config = _config(programme, inbox.port, groups=[FIGEHOLM_GROUP])
    _store(engine, "figeholm", version=1, quarter="2026Q2")
    _store(engine, "figeholm", version=1)
    _store(engine, "figeholm", version=2)
    _store(engine, "figeholm", version=3, status="draft")
    render = Renderer()

    result = deliver_pending(engine, config, render)

    assert result.sent == 2
    assert render.calls == [("2026Q2", "figeholm", 1), (QUARTER, "figeholm", 2)]
    assert [m["Subject"] for m in inbox.to("ordforande@figeholm.se")] == [
        "Kvartalsrapport 2026Q2 – Kontoret Figeholm (version 1)",
        "Kvartalsrapport 2026Q3 – Kontoret Figeholm (version 2)",
    ]


def test_a_recipient_in_two_groups_gets_one_mail(engine, programme):
    both = SteeringGroup(
        name="Kommunernas styrgrupp",
        offices=["figeholm", "boda"],
        recipients=["ordforande@figeholm.se", "kommun@boda.se"],
    )
    config = _config(programme, 25, groups=[FIGEHOLM_GROUP, both])
    figeholm = _store(engine, "figeholm")
    boda = _store(engine, "boda")

    with session_factory(engine)() as session:
        pending = pending_deliveries(session, config)

    assert [(p.snapshot_id, p.recipient, p.steering_group) for p in pending] == [
        (boda, "ordforande@figeholm.se", "Kommunernas styrgrupp"),
        (boda, "kommun@boda.se", "Kommunernas styrgrupp"),
        (figeholm, "ordforande@figeholm.se", "Lokal styrgrupp Figeholm"),
        (figeholm, "kommun@boda.se", "Kommunernas styrgrupp"),
    ]


# --- Failures: nothing lost, nothing twice ----------------------------------------


def test_a_refused_recipient_fails_alone_and_is_retried_alone(engine, programme, inbox):
    config = _config(programme, inbox.port)
    _store(engine, "programme")
    _store(engine, "figeholm")
    inbox.refuse.add("ekonomi@region.se")

    result = deliver_pending(engine, config, Renderer())

    assert result.sent == 2
    (failure,) = result.failures
    assert failure.recipient == "ekonomi@region.se"
    assert "recipient refused" in failure.message and "550" in failure.message
    assert "127.0.0.1" in failure.message
    assert [row[3] for row in _deliveries(engine)] == [
        "ordforande@figeholm.se",
        "styrgrupp@region.se",
    ]

    # still refused: the next run tries that one address only
    inbox.attempts.clear()
    again = deliver_pending(engine, config, Renderer())
    assert (again.sent, len(again.failures)) == (0, 1)
    assert inbox.attempts == ["ekonomi@region.se"]

    # accepted at last: it gets its mail, nobody else gets a second one
    inbox.refuse.clear()
    final = deliver_pending(engine, config, Renderer())
    assert (final.sent, final.failures) == (1, [])
    assert len(inbox.to("ekonomi@region.se")) == 1
    assert len(inbox.to("styrgrupp@region.se")) == 1
    assert len(_deliveries(engine)) == 3


def test_a_server_that_is_down_leaves_everything_pending(engine, programme):
    port = free_port()  # nothing listens there
    config = _config(programme, port)
    _store(engine, "programme")

    result = deliver_pending(engine, config, Renderer())

    assert result.sent == 0
    assert [f.recipient for f in result.failures] == [
        "styrgrupp@region.se",
        "ekonomi@region.se",
    ]
    assert all(
        f"127.0.0.1:{port}" in f.message and "connection refused" in f.message
        for f in result.failures
    )
    assert _deliveries(engine) == []
    with session_factory(engine)() as session:
        assert len(pending_deliveries(session, config)) == 2


class Crash(BaseException):
    """The process dying half-way (not an error the delivery could catch)."""


def test_a_crash_half_way_resumes_without_repeating(engine, programme, inbox):
    config = _config(programme, inbox.port)
    _store(engine, "figeholm")  # delivered first (ordered by quarter, scope)
    _store(engine, "programme")

    def render_then_crash(snapshot: t.ReportSnapshot) -> tuple[str, bytes]:
        if snapshot.scope == "programme":
            raise Crash
        return "rapport.pdf", PDF

    with pytest.raises(Crash):
        deliver_pending(engine, config, render_then_crash)
    assert [row[3] for row in _deliveries(engine)] == ["ordforande@figeholm.se"]

    result = deliver_pending(engine, config, Renderer())

    assert (result.sent, result.failures) == (2, [])
    assert len(inbox.to("ordforande@figeholm.se")) == 1
    assert len(inbox.received) == 3 and len(_deliveries(engine)) == 3


def test_a_report_that_cannot_be_rendered_holds_back_no_other(engine, programme, inbox):
    config = _config(programme, inbox.port)
    _store(engine, "figeholm")
    _store(engine, "programme")

    def render(snapshot: t.ReportSnapshot) -> tuple[str, bytes]:
        if snapshot.scope == "figeholm":
            raise ValueError("no figures")
        return "rapport.pdf", PDF

    result = deliver_pending(engine, config, render)

    assert result.sent == 2
    (failure,) = result.failures
    assert failure.recipient == "ordforande@figeholm.se"
    assert "2026Q3 figeholm version 1" in failure.message
    assert "no figures" in failure.message
    assert [row[1] for row in _deliveries(engine)] == ["programme", "programme"]


def test_a_database_that_cannot_record_stops_the_run(engine, programme, inbox):
    config = _config(programme, inbox.port)
    _store(engine, "figeholm")
    _store(engine, "programme")

    def render_and_break_the_database(snapshot):
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE report_delivery")
        return "rapport.pdf", PDF

    result = deliver_pending(engine, config, render_and_break_the_database)

    # Figeholm's mail went out but could not be recorded: sending the
    # programme's two would only make two more mails to send again next run
    assert result.sent == 0
    (failure,) = result.failures
    assert failure.recipient == "ordforande@figeholm.se"
    assert "sent, but not recorded" in failure.message
    assert [r.rcpt_tos for r in inbox.received] == [["ordforande@figeholm.se"]]


# --- send_mail on its own ---------------------------------------------------------


def _send(smtp: Smtp, recipients: list[str] | None = None) -> None:
    send_mail(
        smtp,
        recipients or ["styrgrupp@region.se"],
        "Kvartalsrapport 2026Q3 – Testprogram (version 1)",
        "Hej!\n\nBifogat finns rapporten.\n",
        [("rapport.pdf", PDF, "application/pdf")],
    )


def test_send_mail_to_a_server_that_is_down_names_host_and_port():
    port = free_port()
    with pytest.raises(DeliveryError) as error:
        _send(Smtp(host="127.0.0.1", port=port, timeout_seconds=5))
    assert f"127.0.0.1:{port}" in str(error.value)
    assert "connection refused" in str(error.value)
    assert "styrgrupp@region.se" in str(error.value)


def test_send_mail_names_the_refused_one_of_several_recipients(inbox):
    inbox.refuse.add("ekonomi@region.se")
    smtp = Smtp(host="127.0.0.1", port=inbox.port)

    with pytest.raises(DeliveryError) as error:
        _send(smtp, ["styrgrupp@region.se", "ekonomi@region.se"])

    assert "recipient refused: ekonomi@region.se (550" in str(error.value)
    assert "styrgrupp@region.se" not in str(error.value).partition("refused")[2]
    (got,) = inbox.received
    assert got.rcpt_tos == ["styrgrupp@region.se"]
    assert got.message["To"] == "styrgrupp@region.se, ekonomi@region.se"
    assert _text(got.message) == ("Hej!\n\nBifogat finns rapporten.\n")


def test_login_with_the_password_from_the_environment(start_server, monkeypatch):
    inbox = start_server(authenticator=_authenticator, auth_require_tls=False)
    monkeypatch.setenv("TEST_SMTP_PASSWORD", PASSWORD)
    smtp = Smtp(
        host="127.0.0.1",
        port=inbox.port,
        username=USER,
        password_env="TEST_SMTP_PASSWORD",
    )

    _send(smtp)

    (got,) = inbox.received
    assert _only_attachment(got.message)[2] == PDF


def test_a_wrong_password_is_reported_without_the_password(start_server, monkeypatch):
    inbox = start_server(authenticator=_authenticator, auth_require_tls=False)
    monkeypatch.setenv("TEST_SMTP_PASSWORD", "fel-losen-17")
    smtp = Smtp(
        host="127.0.0.1",
        port=inbox.port,
        username=USER,
        password_env="TEST_SMTP_PASSWORD",
    )

    with pytest.raises(DeliveryError) as error:
        _send(smtp)

    assert "authentication failed for user 'pilotpuls'" in str(error.value)
    assert f"127.0.0.1:{inbox.port}" in str(error.value)
    assert "fel-losen-17" not in str(error.value)
    assert inbox.received == []


def test_a_password_smtplib_cannot_send_is_reported_without_it(
    start_server, monkeypatch
):
    inbox = start_server(authenticator=_authenticator, auth_require_tls=False)
    monkeypatch.setenv("TEST_SMTP_PASSWORD", "blåbärssylt")
    smtp = Smtp(
        host="127.0.0.1",
        port=inbox.port,
        username=USER,
        password_env="TEST_SMTP_PASSWORD",
    )

    with pytest.raises(DeliveryError, match="characters other than ASCII") as error:
        _send(smtp)

    assert "blåbärssylt" not in str(error.value)
    assert "'\\xe5'" not in str(error.value)  # smtplib's own error quotes the å


def test_a_missing_password_variable_is_named(monkeypatch):
    monkeypatch.delenv("TEST_SMTP_PASSWORD", raising=False)
    smtp = Smtp(
        host="127.0.0.1", port=25, username=USER, password_env="TEST_SMTP_PASSWORD"
    )

    with pytest.raises(DeliveryError, match="TEST_SMTP_PASSWORD is not set"):
        _send(smtp)


def test_starttls(start_server, certificate, monkeypatch):
    inbox = start_server(tls_context=_server_tls(certificate), require_starttls=True)
    # the client trusts the system's CAs; make that our self-signed certificate
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))

    _send(Smtp(host="127.0.0.1", port=inbox.port, security="starttls"))

    (got,) = inbox.received
    assert _only_attachment(got.message)[2] == PDF


def test_ssl(start_server, certificate, monkeypatch):
    inbox = start_server(ssl_context=_server_tls(certificate))
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))

    _send(Smtp(host="127.0.0.1", port=inbox.port, security="ssl"))

    (got,) = inbox.received
    assert _only_attachment(got.message)[2] == PDF


def test_an_untrusted_certificate_is_refused(start_server, certificate):
    inbox = start_server(tls_context=_server_tls(certificate), require_starttls=True)

    with pytest.raises(DeliveryError, match="TLS certificate not trusted"):
        _send(Smtp(host="127.0.0.1", port=inbox.port, security="starttls"))
    assert inbox.received == []


def test_plain_smtp_to_a_server_that_requires_starttls_fails(start_server, certificate):
    inbox = start_server(tls_context=_server_tls(certificate), require_starttls=True)

    with pytest.raises(DeliveryError, match="530 Must issue a STARTTLS command"):
        _send(Smtp(host="127.0.0.1", port=inbox.port))


def test_a_server_that_never_answers_times_out():
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # accepts connections, never greets
        port = silent.getsockname()[1]

        with pytest.raises(DeliveryError) as error:
            _send(Smtp(host="127.0.0.1", port=port, timeout_seconds=0.5))

    assert f"127.0.0.1:{port} failed: no answer within 0.5 s" in str(error.value)
