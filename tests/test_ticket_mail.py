"""Ticket email through a real SMTP server (aiosmtpd) that first refuses, then accepts."""

import asyncio
import io
import socket
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command

from tests.test_tickets import form_values
from tickets.models import OutboundEmail, Ticket

pytestmark = pytest.mark.django_db


class Refusing:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        return "550 5.7.1 Relaying denied"


class Accepting:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content.decode()))
        return "250 OK"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp(settings):
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    servers = []

    def start(handler):
        for server in servers:
            server.stop()
        servers.clear()
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        servers.append(controller)
        return handler

    yield start
    for server in servers:
        server.stop()


def test_a_refusing_mail_server_loses_nothing_and_a_retry_sends(
    client, smtp, django_capture_on_commit_callbacks
):
    smtp(Refusing())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/tickets/new/", form_values(client))
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    emails = list(ticket.emails.all())
    assert [e.status for e in emails] == ["failed", "failed"]
    assert "Relaying denied" in emails[0].last_error
    assert (
        "could not send the confirmation email yet"
        in client.get(response["Location"]).content.decode()
    )

    server = smtp(Accepting())
    out = io.StringIO()
    call_command("send_pending_email", stdout=out)
    assert out.getvalue().strip() == "2 sent, 0 still failing"
    assert sorted(to[0] for to, _ in server.messages) == [
        "owner@example.com",
        "support@example.com",
    ]
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {"sent"}
    assert OutboundEmail.objects.filter(attempts=2).count() == 2
    assert "We sent a confirmation" in client.get(response["Location"]).content.decode()


def test_an_email_not_tried_yet_is_on_its_way_not_failed(client, settings):
    # The thread that sends after the response has not run when the page is first shown.
    settings.TICKET_MAIL = "outbox"
    response = client.post("/tickets/new/", form_values(client))
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {"pending"}
    html = client.get(response["Location"]).content.decode()
    assert "A confirmation with this link is on its way" in html
    assert "could not send" not in html


def test_no_mail_server_at_all_still_saves_the_ticket(
    client, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/tickets/new/", form_values(client))
    assert response.status_code == 302
    assert Ticket.objects.count() == 1
    assert "ConnectionRefusedError" in OutboundEmail.objects.first().last_error


class Slow(Accepting):
    """A mail server that takes its time, so two senders overlap."""

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.3)
        return await super().handle_DATA(server, session, envelope)


@pytest.mark.django_db(transaction=True)
def test_two_senders_at_once_send_each_email_once(smtp):
    from django.db import connection

    from tickets import mail

    ticket = Ticket.objects.create(
        vps="vps-104233", domain="example.com", error="502", docker="no",
        email="owner@example.com", description="Down.", submission="two-senders",
    )  # fmt: skip
    mail.queue(ticket, "https://help.example.com/tickets/x/")
    server = smtp(Slow())
    start = threading.Barrier(2)

    def sender():
        start.wait()
        try:
            return mail.send_pending()
        finally:
            connection.close()  # each thread has its own database connection

    # As when the send after a ticket's commit and the timer's run meet.
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda _: sender(), range(2)))
    assert sorted(results) == [(0, 0), (2, 0)]
    assert sorted(to[0] for to, _ in server.messages) == [
        "owner@example.com",
        "support@example.com",
    ]
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {"sent"}
    assert set(OutboundEmail.objects.values_list("claimed_until", flat=True)) == {None}


def test_production_without_a_mail_server_keeps_mail_until_one_is_set(
    client, settings, smtp, django_capture_on_commit_callbacks, capsys
):
    settings.EMAIL_BACKEND = "portal.mailhold.HeldBackend"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/tickets/new/", form_values(client))
    assert response.status_code == 302
    emails = list(OutboundEmail.objects.all())
    assert [(e.status, e.attempts) for e in emails] == [("pending", 0), ("pending", 0)]
    assert "owner@example.com" not in capsys.readouterr().err  # nothing printed

    # EMAIL_URL set, the service restarted:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    server = smtp(Accepting())
    out = io.StringIO()
    call_command("send_pending_email", stdout=out)
    assert out.getvalue().strip() == "2 sent, 0 still failing"
    assert len(server.messages) == 2


@pytest.mark.django_db(transaction=True)
def test_with_the_outbox_sender_a_request_does_no_mail_work_and_the_sender_sends(
    client, settings, smtp
):
    from django.db import connection

    from tickets import mail

    settings.TICKET_MAIL = "outbox"
    server = smtp(Accepting())
    response = client.post("/tickets/new/", form_values(client))
    assert response.status_code == 302
    # The answer came back with both emails still waiting, untouched by the request or
    # by any thread it started.
    assert [t.name for t in threading.enumerate() if t.name.startswith("mail-")] == []
    threading.Event().wait(0.5)
    waiting = OutboundEmail.objects.filter(status="pending", attempts=0, claimed_until=None)
    assert waiting.count() == 2
    assert server.messages == []

    stop = threading.Event()

    def sender():
        try:
            mail.watch(interval=0.05, stop=stop)
        finally:
            connection.close()

    thread = threading.Thread(target=sender)
    thread.start()
    try:
        for _ in range(200):
            if len(server.messages) == 2:
                break
            stop.wait(0.05)
    finally:
        stop.set()
        thread.join(5)
    assert sorted(to[0] for to, _ in server.messages) == [
        Ticket.objects.get().email,
        "support@example.com",
    ]
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {"sent"}
    assert not thread.is_alive()
