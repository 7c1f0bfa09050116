"""Report fixtures: the fixture programme with its data folders under tmp_path
(files loaded by a test are archived there, not beside the fixtures), and a
real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives."""

from __future__ import annotations

import shutil
import socket
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

import pytest
from aiosmtpd.controller import Controller

from models.config import ProgrammeConfig, load_config
from tests.conftest import FIXTURES


@pytest.fixture
def programme(tmp_path, monkeypatch) -> ProgrammeConfig:
    shutil.copy(FIXTURES / "programme.yaml", tmp_path / "config.yaml")
    monkeypatch.setenv("PILOTPULS_PSEUDONYM_KEY", "test-key-not-secret")
    return load_config(tmp_path / "config.yaml")


# --- A real SMTP server -----------------------------------------------------------


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class Inbox:
    """An aiosmtpd handler that keeps what it receives and refuses some addresses."""

    port: int = 0
    refuse: set[str] = field(default_factory=set)
    attempts: list[str] = field(default_factory=list)  # every RCPT TO asked for
    received: list[Received] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.attempts.append(address)
        if address in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = BytesParser(policy=policy.default).parsebytes(envelope.content)
        self.received.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), message)
        )
        return "250 Message accepted for delivery"

    def to(self, recipient: str) -> list[EmailMessage]:
        return [r.message for r in self.received if recipient in r.rcpt_tos]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def start_server():
    """Start an aiosmtpd server with extra Controller options; stopped afterwards."""
    controllers: list[Controller] = []

    def start(**options) -> Inbox:
        inbox = Inbox(port=free_port())
        controller = Controller(
            inbox,
            hostname="127.0.0.1",
            port=inbox.port,
            server_hostname="localhost",
            **options,
        )
        controller.start()
        controllers.append(controller)
        return inbox

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture
def inbox(start_server) -> Inbox:
    return start_server()
