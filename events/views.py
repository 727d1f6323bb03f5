from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from events.forms import MAX_BODY, Refused, read_batch
from events.models import Event
from lib import ratelimit, votes

BATCHES_PER_HOUR = 600  # a visitor reading a page a minute sends one or two a page


def _plain(message, status):
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def _same_origin(request):
    """Whether the batch came from one of this site's pages. A beacon carries no CSRF
    token, but browsers say where it was sent from; a client that says nothing is no
    page of ours."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site == "same-origin"
    return "Origin" in request.headers and votes.from_elsewhere(request) is None


# sendBeacon cannot send a CSRF token; the page is checked by its origin instead, and
# the endpoint only adds anonymous counts.
@csrf_exempt
@require_POST
def beacon(request):
    """POST /events/: a batch of what the page showed and what was clicked in it."""
    if not _same_origin(request):
        return _plain("Events are only taken from this site's own pages.", 403)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY:
        return _plain(f"A batch is at most {MAX_BODY:,} bytes.", 413)
    if not ratelimit.allow(request, "events", BATCHES_PER_HOUR):
        return _plain("Too many batches from your address; try again later.", 429)
    try:
        events = read_batch(request.body)
    except Refused as exc:
        return _plain(str(exc), exc.status)
    Event.objects.record_many(events)
    return HttpResponse(status=204)
