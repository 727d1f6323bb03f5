"""The mail backend of production without EMAIL_URL: nothing is sent and nothing is
printed. The console is the journal there, and a ticket's mail holds its private link,
the customer's address and their log lines."""

import logging

from django.core.mail.backends.base import BaseEmailBackend

log = logging.getLogger(__name__)


class HeldBackend(BaseEmailBackend):
    # Read by tickets.mail, which then leaves its outbox as it is: unclaimed, and
    # without a failed attempt, until a real mail server is set.
    holds_mail = True

    def send_messages(self, email_messages):
        if email_messages:
            log.warning(
                "EMAIL_URL is not set: %d email(s) not sent. Set EMAIL_URL to an SMTP "
                "server; ticket emails wait in the outbox until then.",
                len(email_messages),
            )
        return 0
