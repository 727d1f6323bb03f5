"""Ticket email: written with the ticket, sent after the commit, retried until it goes."""

import contextlib
import logging
import threading
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connections, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from tickets.models import OutboundEmail

log = logging.getLogger(__name__)


def queue(ticket, status_url):
    """Record the two emails a new ticket needs; call inside the ticket's transaction."""
    context = {"ticket": ticket, "status_url": status_url}
    OutboundEmail.objects.bulk_create(
        [
            OutboundEmail(
                ticket=ticket,
                kind=OutboundEmail.Kind.SUPPORT,
                to=settings.SUPPORT_EMAIL,
                subject=f"[{ticket.reference}] {ticket.get_error_display()} on {ticket.domain}",
                body=render_to_string("tickets/email/support.txt", context),
            ),
            OutboundEmail(
                ticket=ticket,
                kind=OutboundEmail.Kind.CONFIRMATION,
                to=ticket.email,
                subject=f"We have your support ticket {ticket.reference}",
                body=render_to_string("tickets/email/confirmation.txt", context),
            ),
        ]
    )


def send(email, connection=None):
    """Try one email; a failure is recorded on it, never raised."""
    message = EmailMessage(
        email.subject, email.body, settings.DEFAULT_FROM_EMAIL, [email.to], connection=connection
    )
    if email.kind == OutboundEmail.Kind.SUPPORT:
        message.reply_to = [email.ticket.email]
    email.attempts += 1
    try:
        message.send(fail_silently=False)
    except Exception as exc:  # noqa: BLE001 - any mail failure must leave the ticket alone
        email.status = OutboundEmail.Status.FAILED
        email.last_error = f"{type(exc).__name__}: {exc}"[:1000]
        log.warning("Email %s for ticket %s not sent: %s", email.pk, email.ticket.reference, exc)
    else:
        email.status = OutboundEmail.Status.SENT
        email.sent_at = timezone.now()
        email.last_error = ""
    email.claimed_until = None  # the next retry may take it
    email.save(update_fields=["status", "attempts", "last_error", "sent_at", "claimed_until"])
    return email.status == OutboundEmail.Status.SENT


# How long a sender may take over the emails it claimed before another may retry them
# (a sender that died mid-way); far longer than a send with its timeout takes.
CLAIM = timedelta(minutes=10)


def claim(ticket=None):
    """Take the unsent emails (of one ticket, or all) that no other sender is trying, so
    that the send after a ticket's commit and the one-minute timer never both send one.

    On PostgreSQL the rows are locked and rows another sender holds are skipped; on
    SQLite the IMMEDIATE transaction makes claims one at a time. Either way the update
    marks them for CLAIM, and only this sender's rows come back."""
    now = timezone.now()
    until = now + CLAIM  # also tells this sender's rows from any other's
    with transaction.atomic():
        candidates = OutboundEmail.objects.claimable(now)
        if ticket is not None:
            candidates = candidates.filter(ticket=ticket)
        ids = list(candidates.select_for_update(skip_locked=True).values_list("pk", flat=True))
        OutboundEmail.objects.claimable(now).filter(pk__in=ids).update(claimed_until=until)
    claimed = OutboundEmail.objects.filter(pk__in=ids, claimed_until=until)
    return list(claimed.select_related("ticket"))


def send_pending(ticket=None):
    """Send every email not sent yet (of one ticket, or all) that this sender could claim;
    return (sent, failed). With no mail server configured in production (a backend
    that holds mail), nothing is tried: the emails wait, unclaimed and without a failed
    attempt."""
    if getattr(get_connection(), "holds_mail", False):
        return 0, 0
    emails = claim(ticket)
    sent = failed = 0
    if not emails:
        return sent, failed
    # One session with the mail server for all of them (a ticket has two).
    connection = get_connection()
    # Should it fail, each send below tries again and records why.
    with contextlib.suppress(Exception):
        connection.open()
    try:
        for email in emails:
            if send(email, connection):
                sent += 1
            else:
                failed += 1
    finally:
        try:
            connection.close()
        except Exception:  # noqa: BLE001 - a server that drops the session at the end
            log.warning("The mail server closed the session uncleanly", exc_info=True)
    return sent, failed


def send_soon(ticket):
    """Send a new ticket's emails without keeping the customer waiting (TICKET_MAIL): in a
    thread of its own, so a mail server that is slow or hangs delays the mail, not the
    answer; or not here at all, when the outbox sender started with the service
    (`send_pending_email --watch`) takes them within a second. What a thread cannot
    send stays queued for the sender or the one-minute timer."""
    if settings.TICKET_MAIL == "outbox":
        return
    if settings.TICKET_MAIL == "inline":
        send_pending(ticket)
        return
    threading.Thread(
        target=_send_in_background, args=(ticket,), name=f"mail-{ticket.reference}", daemon=True
    ).start()


def watch(interval=1.0, stop=None):
    """Send whatever the outbox holds, every `interval` seconds, until `stop` (an Event)
    is set: the sender the service starts beside Gunicorn. A failure (the database
    restarting, say) is logged and the next round tries again."""
    stop = stop or threading.Event()
    while not stop.is_set():
        try:
            send_pending()
        except Exception:  # noqa: BLE001 - the next round retries; the sender must not die
            log.exception("Sending queued ticket emails failed; trying again")
            connections.close_all()
        stop.wait(interval)


def _send_in_background(ticket):
    try:
        send_pending(ticket)
    except Exception:  # noqa: BLE001 - e.g. the database went away; the timer retries
        log.exception("Sending the emails of ticket %s failed", ticket.reference)
    finally:
        connections.close_all()  # this thread's own connections
