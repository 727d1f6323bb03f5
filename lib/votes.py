"""Anonymous yes/no votes ("was this helpful?", "did this fix it?").

Votes carry no session, so the pages that ask for them stay publicly cacheable; a
per-address limit in the shared cache keeps the counts honest.
"""

from django import forms
from django.http import HttpResponse

from lib import ratelimit

VOTES_PER_HOUR = 20
ANSWERS = [("yes", "Yes"), ("no", "No")]


class YesNoField(forms.ChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("error_messages", {})
        for code in ("required", "invalid_choice"):
            kwargs["error_messages"].setdefault(code, "Choose “Yes” or “No”.")
        super().__init__(choices=ANSWERS, **kwargs)

    def clean(self, value):
        return super().clean(value) == "yes"


def refused(form):
    """The plain-text answer to a vote whose form did not validate."""
    message = " ".join(error for errors in form.errors.values() for error in errors)
    return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")


def over_limit(request, scope):
    """The answer to a vote over the limit, or None when it may be counted."""
    if ratelimit.allow(request, scope, VOTES_PER_HOUR):
        return None
    return HttpResponse(
        "Thank you, but we have had many answers from your address in the last hour. "
        "Please try again later.",
        status=429,
        content_type="text/plain; charset=utf-8",
    )
