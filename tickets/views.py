import logging

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from lib import ratelimit
from lib.prepared import Prepared
from tickets import mail
from tickets.forms import PrefillForm, TicketForm, version_or_none
from tickets.models import Ticket
from troubleshooter import flowchart

log = logging.getLogger(__name__)
# The ticket a form's submission id already made, if any: compiled once (lib.prepared),
# as every submission asks. Only its reference makes the status address; no ordering,
# as submissions are unique.
SUBMITTED = Prepared(
    lambda submission: Ticket.objects.filter(submission=submission).only("reference").order_by()[:1]
)
SENT = "?sent=1"  # the status page then opens with the confirmation
NOT_SAVED = (
    "We could not save your ticket just now because of a fault on our side. Everything "
    "you typed is still here: please send it again in a minute."
)


def _context(form):
    """What the form will send besides the fields, for the customer to see."""
    chart = flowchart.get()
    if form.is_bound:
        form.is_valid()  # a sent form shows what it will really send: its valid fields
        data = form.cleaned_data
    else:
        data = form.initial
    version = data.get("article_version")
    walk = chart.walk(QueryDict(data.get("path") or ""))
    return {
        "form": form,
        "walk": walk if walk.steps else None,
        "outcome": chart.outcomes.get(data.get("outcome") or ""),
        "version": _version(version),
    }


def _version(version):
    if not isinstance(version, str):
        return version
    try:
        return version_or_none(version)
    except DatabaseError:  # the form is being shown again because the database failed
        return None


@require_http_methods(["GET", "POST"])
def new(request):
    if request.method == "GET" or request.POST.get("action") == "prefill":
        source = request.POST if request.method == "POST" else request.GET
        form = TicketForm(initial=PrefillForm(source).ticket_initial())
        return render(request, "tickets/new.html", _context(form))

    form = TicketForm(request.POST)
    try:
        # Validating reads the database too (the article and flowchart versions walked).
        if not form.is_valid():
            return render(request, "tickets/new.html", _context(form), status=400)
        return _save(request, form)
    except DatabaseError:
        # The database is down, restarting or out of space. Nothing was stored (the
        # transaction rolled back), so the customer gets the form back as typed.
        log.exception("A ticket could not be saved; the form was shown again")
        form.add_error(None, NOT_SAVED)
        response = render(request, "tickets/new.html", _context(form), status=503)
        response["Retry-After"] = "60"
        return response


def _save(request, form):
    existing = SUBMITTED.first(form.cleaned_data["submission"])
    if existing:  # the same form sent twice: a double click, or Back and send again
        return redirect(existing.get_status_url() + SENT)
    if not ratelimit.allow(request, "tickets", settings.TICKETS_PER_HOUR):
        form.add_error(
            None,
            "We have received several tickets from your address in the last hour, so this one "
            "was not sent. Please wait a little, or add to the ticket you already opened.",
        )
        return render(request, "tickets/new.html", _context(form), status=429)

    try:
        with transaction.atomic():
            ticket = form.save()
            status_url = ticket.get_status_url()  # signed once, for the mail and the redirect
            mail.queue(ticket, request.build_absolute_uri(status_url))
            # Mail goes out once the ticket is safely stored; a failure leaves it queued.
            transaction.on_commit(lambda: mail.send_soon(ticket))
    except IntegrityError:
        # Two copies of one form arrived at once; the other one was saved.
        ticket = get_object_or_404(Ticket, submission=form.cleaned_data["submission"])
        status_url = ticket.get_status_url()
    return redirect(status_url + SENT)


@require_safe
def status(request, reference, token):
    ticket = Ticket.objects.filter(reference=reference).first()
    if ticket is None or not ticket.token_matches(token):
        raise Http404("No ticket at this address.")
    chart = flowchart.get()
    walk = chart.walk(QueryDict(ticket.path))
    context = {
        "ticket": ticket,
        "walk": walk if walk.steps else None,
        "outcome": chart.outcomes.get(ticket.outcome),
        "diagnosed": chart.outcomes.get(ticket.diagnosed_cause),
        "sent": request.GET.get("sent") == "1",
        "reply_hours": settings.TICKET_REPLY_HOURS,
    }
    response = render(request, "tickets/status.html", context)
    # A private page: never cached on the way, never sent as a referrer.
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response
