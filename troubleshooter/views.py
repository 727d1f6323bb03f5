import html
from urllib.parse import urlencode

from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.safestring import mark_safe
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kb.models import Article
from lib import votes
from troubleshooter import diagnosis, flowchart
from troubleshooter.diagnosis.commands import suggest
from troubleshooter.forms import CarryForm, DiagnoseForm, OutcomeFeedbackForm
from troubleshooter.graph import draw
from troubleshooter.models import OutcomeFeedback

SHORT = 300


def _cacheable(response):
    patch_vary_headers(response, ["HX-Request"])
    patch_cache_control(response, public=True, max_age=SHORT)
    return response


def _private(response):
    # The page holds the customer's log lines: never cached on the way. Its address holds
    # none, and "no-referrer" would make the browser send "Origin: null" with the ticket
    # form, which the CSRF check refuses; so the referrer stays within the site.
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "same-origin"
    return response


def _setup(log):
    """The values of the customer's setup that a log line gives, for step commands."""
    if not log:
        return {}
    facts = diagnosis.diagnose(log).facts
    return diagnosis.values_for(facts) if facts else {}


class Refused(Exception):
    """A carried POST that cannot be read; its message says why."""


def _read_carry(request):
    """The answers and the log lines a carrying form posted; Refused when they do not fit."""
    form = CarryForm(request.POST)
    if not form.is_valid():
        raise Refused(" ".join(error for errors in form.errors.values() for error in errors))
    return form.cleaned_data["answers"], form.cleaned_data["log"]


def _refused(exc):
    return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")


def _carried(request, chart):
    """A step, or the outcome, reached with a diagnosis carried by POST: the log lines
    fill the commands and follow into the ticket."""
    try:
        answers, log = _read_carry(request)
    except Refused as exc:
        return _refused(exc)
    walk = chart.walk(answers)
    if walk.outcome:
        context = _outcome_context(walk.outcome, walk, log)
        return _private(render(request, "troubleshooter/outcome.html", context))
    context = {"walk": walk, "question": walk.question, "setup": _setup(log), "carry_log": log}
    return _private(render(request, "troubleshooter/step.html", context))


# A POST here only shows a page (it changes nothing), so it needs no CSRF token.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def step(request):
    chart = flowchart.get()
    if request.method == "POST":
        return _carried(request, chart)
    walk = chart.walk(request.GET)
    if walk.outcome:
        # The whole query goes along, so the outcome page can say what it dropped.
        target = f"{walk.outcome.get_absolute_url()}?{request.GET.urlencode()}"
        if request.htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return redirect(target)
    template = "troubleshooter/step.html#step" if request.htmx else "troubleshooter/step.html"
    # The values of the customer's setup that fill the step's commands; none are known
    # to a shared, cached page, so each command shows YOUR_SERVICE and the like.
    context = {"walk": walk, "question": walk.question, "setup": {}, "carry_log": ""}
    return _cacheable(render(request, template, context))


def _article_sections(outcome):
    articles = (
        Article.objects.published()
        .listed()
        .in_bulk([link.slug for link in outcome.articles], field_name="slug")
    )
    sections = []
    for link in outcome.articles:
        article = articles.get(link.slug)
        if article is None:
            continue
        sections.append({"link": link, "article": article, "version": article.current_version})
    return sections


def _outcome_or_404(slug):
    chart = flowchart.get()
    if slug not in chart.outcomes:
        raise Http404("No such outcome.")
    return chart, chart.outcomes[slug]


def _commands_for(slug, log):
    """The suggested commands of one cause, filled with the values of the log line."""
    if not log:
        return []
    result = diagnosis.diagnose(log)
    finding = next((f for f in result.findings if f.slug == slug), None)
    if finding is None:
        finding = diagnosis.Finding(slug, 0)
    return suggest([finding], result.facts, result.library.commands, limit=1)


def _outcome_context(outcome, walk, log="", thanks=None):
    return {
        "commands": _commands_for(outcome.slug, log),
        "outcome": outcome,
        "walk": walk,
        "ticket_query": _ticket_query(walk, outcome.slug),
        "sections": _article_sections(outcome),
        "thanks": thanks,
        "carry_log": log,
    }


# A POST (a diagnosis carrying its log lines) only shows the page, so no CSRF token.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def outcome(request, slug):
    chart, outcome = _outcome_or_404(slug)
    if request.method == "POST":
        try:
            answers, log = _read_carry(request)
        except Refused as exc:
            return _refused(exc)
        walk = chart.walk(answers)
        context = _outcome_context(outcome, walk if walk.outcome is outcome else None, log)
        return _private(render(request, "troubleshooter/outcome.html", context))
    # "?fixed=yes" alone (a vote without JavaScript on an outcome opened directly) is
    # not a walk, and must not be reported as one that leads elsewhere.
    walked = set(request.GET) - flowchart.RESERVED
    walk = chart.walk(request.GET) if walked else None
    if walk and walk.outcome is not outcome:
        walk.dropped = [
            "The answers in this link lead to a different step of the guide, so they are "
            "not shown here."
        ]
        walk.steps = []
    context = _outcome_context(outcome, walk, thanks=request.GET.get("fixed"))
    return _cacheable(render(request, "troubleshooter/outcome.html", context))


def _ticket_query(walk, slug):
    return urlencode({"path": walk.query() if walk else "", "cause": slug})


# Anonymous and sessionless, like article feedback, so outcome pages stay cacheable.
@csrf_exempt
@require_POST
def outcome_feedback(request, slug):
    chart, outcome = _outcome_or_404(slug)
    form = OutcomeFeedbackForm(request.POST)
    if not form.is_valid():
        return votes.refused(form)
    refusal = votes.over_limit(request, "outcome-feedback")
    if refusal:
        return refusal
    fixed = form.cleaned_data["fixed"]
    answer = "yes" if fixed else "no"
    # The path is worked out again from the answers, never taken as text from the form.
    answers = form.cleaned_data["answers"]
    walk = chart.walk(answers)
    path = walk.path if walk.outcome is outcome else ""
    OutcomeFeedback.objects.create(cause=slug, fixed=fixed, path=path)
    if request.htmx:
        return render(
            request,
            "troubleshooter/outcome.html#fixed-thanks",
            {
                "thanks": answer,
                "outcome": outcome,
                "ticket_query": _ticket_query(walk if path else None, slug),
            },
        )
    query = f"{answers.urlencode()}&" if answers else ""
    return redirect(f"{outcome.get_absolute_url()}?{query}fixed={answer}#fixed")


@require_safe
def flowchart_map(request):
    chart = flowchart.get()
    walk = chart.walk(request.GET) if request.GET else None
    svg = draw(chart, walk)
    return _cacheable(render(request, "troubleshooter/map.html", {"svg": svg, "walk": walk}))


def highlight_evidence(line, evidence):
    """The line as HTML, escaped, with each piece of evidence marked."""
    spans = []
    for text in evidence:
        start = line.find(text)
        if start != -1:
            spans.append((start, start + len(text)))
    spans.sort()
    parts, position = [], 0
    for start, end in spans:
        if start < position:
            continue
        parts.append(html.escape(line[position:start]))
        parts.append(f"<mark>{html.escape(line[start:end])}</mark>")
        position = end
    parts.append(html.escape(line[position:]))
    return mark_safe("".join(parts))


# Confidence in words for customers: the numbers are for the API and staff.
LIKELY = 0.7


def likelihood(finding):
    return "likely" if finding.confidence >= LIKELY else "possible"


def diagnosis_context(result, summary):
    chart = flowchart.get()
    findings, previous = [], None
    for finding in result.findings:
        findings.append(
            {
                "finding": finding,
                "outcome": chart.outcomes[finding.slug],
                "likelihood": likelihood(finding),
                "line": highlight_evidence(finding.last_line, finding.evidence),
                # The other lines that showed it, newest first, for a paste of many.
                "more_lines": [
                    highlight_evidence(line, finding.evidence)
                    for line in reversed(finding.lines)
                    if line != finding.last_line
                ],
                # Causes read from the same line show it once.
                "same_line": finding.last_line == previous,
                "first_seen": diagnosis.parse_time(finding.first_line),
                "last_seen": diagnosis.parse_time(finding.last_line),
            }
        )
        previous = finding.last_line
    facts = [(diagnosis.FACT_LABELS.get(k, k), v) for k, v in result.facts.items()]
    unsettled = len(result.findings) > 1 and not result.settled
    continue_query = result.continue_query if unsettled else ""
    next_question = chart.walk(QueryDict(continue_query)).question if continue_query else None
    # The lines to carry into a ticket: the latest line of each cause found.
    ticket_log = "\n".join(dict.fromkeys(f.last_line for f in result.findings))
    return {
        "result": result,
        "ticket_log": ticket_log,
        "facts": facts,
        "findings": findings,
        "summary": summary,
        "commands": result.commands(),
        "continue_query": continue_query,
        "observations": result.observations,
        "ruled_out": [chart.outcomes[f.slug] for f in result.ruled_out],
        "unmatched": result.unmatched,
        "next_question": next_question,
    }


@require_http_methods(["GET", "POST"])
def diagnose(request):
    """Paste log text or upload a log file; the diagnosis comes first, nothing is stored."""
    form = DiagnoseForm(request.POST, request.FILES) if request.method == "POST" else None
    context = {"text": form.data.get("log", "") if form else "", "errors": {}}
    if form is not None and not form.is_valid():
        context["errors"] = {name: " ".join(errors) for name, errors in form.errors.items()}
    elif form is not None and form.cleaned_data["logfile"] is not None:
        upload = form.cleaned_data["logfile"]
        lines = (line.decode("utf-8", "replace") for line in upload)
        context.update(diagnosis_context(diagnosis.diagnose_lines(lines), summary=True))
        context["filename"] = upload.name
    elif form is not None:
        result = diagnosis.diagnose(form.cleaned_data["log"])
        context.update(diagnosis_context(result, summary=False))
    status = 400 if context["errors"] else 200
    return render(request, "troubleshooter/diagnose.html", context, status=status)
