"""A real SMTP server (aiosmtpd) on a free local port, and apps that mail through it."""

from __future__ import annotations

import socket
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest


class Inbox:
    """What the test SMTP server received; ``refuse`` makes it answer 451 to every message,
    ``refuse_next`` to that many messages before it accepts again."""

    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refuse = False
        self.refuse_next = 0
        self.refused = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        if self.refuse or self.refuse_next > 0:
            self.refuse_next = max(self.refuse_next - 1, 0)
            self.refused += 1
            return "451 4.3.0 Try again later"
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]

    @staticmethod
    def text(message: EmailMessage) -> str:
        return message.get_body(("plain",)).get_content()

    @staticmethod
    def html(message: EmailMessage) -> str:
        return message.get_body(("html",)).get_content()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    """An SMTP server for this test; ``smtp_server.inbox`` holds the messages, ``.port`` its port."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    controller.inbox = inbox
    yield controller
    controller.stop()


@pytest.fixture
def mail_settings(smtp_server) -> dict:
    return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": smtp_server.port, "SMTP_TLS": "none",
            "MAIL_FROM": "WCC Network <no-reply@test.example.org>", "BASE_URL": "https://wcc.test",
            "JOB_RETRY_INTERVALS": [0, 0]}


@pytest.fixture
def mail_app(make_app, mail_settings):
    """An app that mails through the test SMTP server and runs jobs in-process (no Redis)."""
    return make_app(**mail_settings)
