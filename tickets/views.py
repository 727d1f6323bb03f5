from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from kb import ratelimit
from kb.models import Version
from tickets import mail
from tickets.forms import MAX_LOG, TicketForm, initial_from_path
from tickets.models import Ticket
from troubleshooter import diagnosis, flowchart


def _initial(request):
    """What the page the customer came from tells us. Never personal data: the
    flowchart path, an outcome, an article version; a log line only comes by POST."""
    source = request.POST if request.method == "POST" else request.GET
    initial = initial_from_path(source.get("path", ""), cause=source.get("cause", ""))
    if source.get("article_version", "").isdigit():
        initial["article_version"] = source["article_version"]
    if request.method == "POST" and source.get("log"):
        initial["log"] = source["log"][:MAX_LOG]
    return initial


def _context(form):
    """What the form will send besides the fields, for the customer to see."""
    chart = flowchart.get()
    data = form.data if form.is_bound else form.initial
    walk = chart.walk(QueryDict(data.get("path") or ""))
    version_id = str(data.get("article_version") or "")
    version = (
        Version.objects.filter(pk=version_id).select_related("article").first()
        if version_id.isdigit()
        else None
    )
    return {
        "form": form,
        "walk": walk if walk.steps else None,
        "outcome": chart.outcomes.get(data.get("outcome") or ""),
        "version": version,
    }


@require_http_methods(["GET", "POST"])
def new(request):
    if request.method == "GET" or request.POST.get("action") == "prefill":
        form = TicketForm(initial=_initial(request))
        return render(request, "tickets/new.html", _context(form))

    form = TicketForm(request.POST)
    if not form.is_valid():
        return render(request, "tickets/new.html", _context(form), status=400)
    existing = Ticket.objects.filter(submission=form.cleaned_data["submission"]).first()
    if existing:  # the same form sent twice: a double click, or Back and send again
        return redirect(existing.get_status_url())
    if not ratelimit.allow(request, "tickets", settings.TICKETS_PER_HOUR):
        form.add_error(
            None,
            "We have received several tickets from your address in the last hour, so this one "
            "was not sent. Please wait a little, or add to the ticket you already opened.",
        )
        return render(request, "tickets/new.html", _context(form), status=429)

    ticket = form.save(commit=False)
    ticket.submission = form.cleaned_data["submission"]
    ticket.path = form.cleaned_data["path"]
    ticket.outcome = form.cleaned_data["outcome"]
    ticket.article_version = form.cleaned_data["article_version"]
    if ticket.log:
        found = diagnosis.diagnose(ticket.log).findings
        ticket.diagnosed_cause = found[0].slug if found else ""
    try:
        with transaction.atomic():
            ticket.save()
            mail.queue(ticket, request.build_absolute_uri(ticket.get_status_url()))
            # Mail goes out once the ticket is safely stored; a failure leaves it queued.
            transaction.on_commit(lambda: mail.send_pending(ticket))
    except IntegrityError:
        # Two copies of one form arrived at once; the other one was saved.
        ticket = get_object_or_404(Ticket, submission=form.cleaned_data["submission"])
    return redirect(ticket.get_status_url())


@require_safe
def status(request, reference, token):
    ticket = Ticket.objects.filter(reference=reference).first()
    if ticket is None or not ticket.token_matches(token):
        raise Http404("No ticket at this address.")
    response = render(request, "tickets/status.html", {"ticket": ticket})
    # A private page: never cached on the way, never sent as a referrer.
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response
