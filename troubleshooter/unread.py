"""Keeping the masked templates of pasted log lines the diagnosis read no cause in, so
the pattern library can learn what customers paste (events.UnreadTemplate)."""

import logging

from django.db import DatabaseError

from events.models import UnreadTemplate
from troubleshooter.diagnosis import guess_program

log = logging.getLogger(__name__)


def keep(result):
    """Count the templates of the lines of a paste that gave no cause at all. Never the
    text itself; and a database that cannot take them never costs the diagnosis."""
    if result.findings or result.ruled_out or not result.unmatched:
        return
    try:
        UnreadTemplate.objects.learn((entry, guess_program(entry)) for entry in result.unmatched)
    except DatabaseError:
        log.warning("The unread log templates could not be counted.", exc_info=True)
