"""Anonymous yes/no votes ("was this helpful?", "did this fix it?").

Votes carry no session, so the pages that ask for them stay publicly cacheable; a
per-address limit in the shared cache keeps the counts honest.
"""

from django import forms
from django.conf import settings
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


def from_elsewhere(request):
    """The answer to a vote sent from another site's page, or None when it came from
    ours. Browsers say where a form was sent from (Sec-Fetch-Site, or else Origin), so
    the pages stay cacheable without a CSRF token; a client that says neither is left
    to the per-address limit."""
    site = request.headers.get("Sec-Fetch-Site")
    origin = request.headers.get("Origin")
    if site is not None:
        foreign = site not in ("same-origin", "none")
    elif origin is not None:
        own = f"{request.scheme}://{request.get_host()}"
        foreign = origin != own and origin not in settings.CSRF_TRUSTED_ORIGINS
    else:
        return None
    if not foreign:
        return None
    return HttpResponse(
        "Votes are only taken from this site's own pages.",
        status=403,
        content_type="text/plain; charset=utf-8",
    )


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
