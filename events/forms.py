"""The beacon's batch, read strictly: known kinds, short slugs, short details, a small batch."""

import json

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

from events.models import BEACON_KINDS, DETAIL_LENGTH, SUBJECT_LENGTH, Kind
from lib.forms import TextField

MAX_BODY = 16 * 1024  # bytes: a batch is a few hundred
MAX_EVENTS = 50
FIELDS = {"kind", "subject", "detail", "version"}
MAX_VERSION = 2**31 - 1


class Refused(Exception):
    """A batch that cannot be taken; its message says why, its status how."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.status = status


class EventForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[(kind.value, kind.label) for kind in Kind if kind in BEACON_KINDS],
        error_messages={"invalid_choice": "“%(value)s” is not a kind of event this site records."},
    )
    subject = forms.CharField(
        required=False,
        max_length=SUBJECT_LENGTH,
        validators=[RegexValidator(r"^[-a-zA-Z0-9_]*\Z", "A subject is a slug.")],
    )
    # NUL refused; a lone surrogate, which no database can store, becomes U+FFFD.
    detail = TextField(required=False, max_length=DETAIL_LENGTH)
    version = forms.IntegerField(required=False, min_value=1, max_value=MAX_VERSION)


def _plain(name, value):
    # JSON gives lists, objects, booleans and floats too; none of them is a field's value.
    if name == "version":
        return value is None or type(value) is int
    return value is None or isinstance(value, str)


def read_batch(body):
    """The events of a beacon's body, each a dict of clean fields; Refused otherwise."""
    if len(body) > MAX_BODY:
        raise Refused(f"A batch is at most {MAX_BODY:,} bytes.", 413)
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise Refused("The body is not JSON.") from None
    events = data.get("events") if isinstance(data, dict) else None
    if not isinstance(events, list) or not events:
        raise Refused('Send {"events": [...]} with one event or more.')
    if len(events) > MAX_EVENTS:
        raise Refused(f"A batch holds at most {MAX_EVENTS} events.", 413)
    clean = []
    for event in events:
        if not isinstance(event, dict) or not set(event) <= FIELDS:
            raise Refused(f"An event has only the fields {', '.join(sorted(FIELDS))}.")
        if not all(_plain(name, value) for name, value in event.items()):
            raise Refused("An event's fields are text, or a whole number for the version.")
        clean.append(_clean(event))
    return clean


def _clean(event):
    """One event through EventForm's fields, as the form would clean it. The fields are
    used as they are: building a form copies every field, which was most of the time a
    batch of ten took."""
    clean, errors = {}, []
    for name, field in EventForm.base_fields.items():
        try:
            clean[name] = field.clean(event.get(name))
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise Refused(" ".join(errors))
    return clean
