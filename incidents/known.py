"""The incidents every page shows, kept in Django's cache so no page asks the database.

The shared cache holds every incident that was not resolved when it was read, under a
token drawn afresh each time it is read from the database. Saving or deleting an
incident drops that entry (again after the commit, in case another process read the
old rows in between), so the next page gets a new token. Which incidents are open is
worked out from the clock on each request: a notice goes when its `resolved` time
passes, and one entered with a later start appears then, with nobody saving anything.

`page_key()` names that state for the page cache and for ETags: the token, the open
incidents and, while one is open, today's date (the notice says "since 03:10" on the
day it started and adds the date after). Each process trusts what it last read for
`generation.TTL` seconds, as it does the content generation; the process that saves
an incident forgets its copy at once.
"""

import logging
import secrets
import time

from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.utils import timezone

from incidents.models import Incident
from lib import generation

log = logging.getLogger(__name__)

KEY = "incidents:known"
TTL = generation.TTL

_last = {"value": None, "read_at": 0.0}


def _from_database():
    incidents = list(Incident.objects.unresolved_at(timezone.now()).order_by("-started"))
    return (secrets.token_hex(8), incidents)


def _known():
    now = time.monotonic()
    if _last["value"] is None or now - _last["read_at"] > TTL:
        value = cache.get(KEY)
        if value is None:
            try:
                value = _from_database()
            except DatabaseError:
                # The database is down or restarting: the page that says so (a ticket
                # form shown again, say) is still shown, without the notice, and the
                # next page asks again.
                log.warning("The open incidents could not be read", exc_info=True)
                return ("unread", [])
            # Two processes reading at once keep the same token: the first one's.
            cache.add(KEY, value, timeout=None)
            value = cache.get(KEY) or value
        _last.update(value=value, read_at=now)
    return _last["value"]


def open_now(now=None):
    """The incidents open at `now`, latest first."""
    now = now or timezone.now()
    return [incident for incident in _known()[1] if incident.is_open_at(now)]


def page_key(now=None):
    """Asked on every page, cache hits included, so it reads nothing but memory."""
    now = now or timezone.now()
    token, incidents = _known()
    opened = [str(incident.pk) for incident in incidents if incident.is_open_at(now)]
    if not opened:
        return token
    # The site's zone (the pages never switch to another); localdate() would look up
    # the current one, which costs more than the rest of the key together.
    today = now.astimezone(timezone.get_default_timezone()).date()
    return f"{token}-{','.join(opened)}-{today}"


def forget():
    """Drop this process's copy."""
    _last["value"] = None


def _drop():
    cache.delete(KEY)
    forget()


def changed(**kwargs):
    """An incident was saved or deleted (a signal receiver)."""
    _drop()
    transaction.on_commit(_drop)
