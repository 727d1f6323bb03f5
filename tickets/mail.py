"""Ticket email: written with the ticket, sent after the commit, retried until it goes."""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
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


def send(email):
    """Try one email; a failure is recorded on it, never raised."""
    message = EmailMessage(email.subject, email.body, settings.DEFAULT_FROM_EMAIL, [email.to])
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
    email.save(update_fields=["status", "attempts", "last_error", "sent_at"])
    return email.status == OutboundEmail.Status.SENT


def send_pending(ticket=None):
    """Send every email not sent yet (of one ticket, or all); return (sent, failed)."""
    emails = OutboundEmail.objects.exclude(status=OutboundEmail.Status.SENT).select_related(
        "ticket"
    )
    if ticket is not None:
        emails = emails.filter(ticket=ticket)
    sent = failed = 0
    for email in emails:
        if send(email):
            sent += 1
        else:
            failed += 1
    return sent, failed
