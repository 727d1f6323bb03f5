import html
from functools import cached_property
from urllib.parse import urlencode

from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.safestring import mark_safe
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from events.models import Event, Kind
from kb.models import Article
from lib import votes
from troubleshooter import diagnosis, flowchart, setup, unread
from troubleshooter.diagnosis.commands import suggest
from troubleshooter.forms import (
    CarryForm,
    CompareVersionsForm,
    DiagnoseForm,
    OutcomeFeedbackForm,
    SetupForm,
)
from troubleshooter.graph import draw, outline
from troubleshooter.models import ChartVersion, OutcomeFeedback

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


def _log_values(result, allowed=None):
    """The values of the customer's setup that a diagnosis of pasted log lines gives."""
    facts = result.facts if result else None
    if not facts:
        return {}
    return setup.from_facts(diagnosis.values_for(facts), facts.get("program"), allowed)


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


class Carried:
    """What a carrying form posted: the answers, the log lines and the values typed in
    "Your values", with what they fill in on the page. Without a request, nothing is
    carried: a shared, cached page knows none of the customer's values, so each command
    shows YOUR_SERVICE and the like."""

    def __init__(self, request=None):
        self.data = request.POST if request else None
        self.answers, self.log = _read_carry(request) if request else (QueryDict(), "")
        self.typed, self.values = {}, {}

    @cached_property
    def result(self):
        """The diagnosis of the carried log lines, read once for the whole page."""
        return diagnosis.diagnose(self.log) if self.log else None

    def context(self, *texts, from_log=None, walk=None):
        """The page's part of the context: the "Your values" form, showing the values
        these texts use, and what is carried on to the next page; with its status.
        `from_log`: the values the log may fill here (None: all); `walk`: the answers,
        which may say something of the setup (Docker) for the browser to keep."""
        form = SetupForm(self.data, shown=setup.used_in(*texts))
        if self.data is not None:
            self.typed = form.typed()
            self.values = setup.combine(_log_values(self.result, from_log), self.typed)
        found = {
            **(walk.setup if walk else {}),
            **(diagnosis.setup_of(self.result.facts) if self.result else {}),
        }
        context = {
            "setup": self.values,
            # For the browser's "your setup", so the other pages' commands follow.
            "setup_learned": setup.learned(self.typed, _log_values(self.result), found),
            "setup_form": form,
            "carry_log": self.log,
            "carry_typed": self.typed,
            "carrying": bool(self.log or self.typed),
        }
        return context, 400 if form.errors else 200


def _step_context(walk, carried):
    context, status = carried.context(walk.question.help, walk=walk)
    return {"walk": walk, "question": walk.question, **context}, status


def _carried(request, chart):
    """A step, or the outcome, reached with a diagnosis or typed values carried by POST:
    they fill the commands and follow into the ticket."""
    try:
        carried = Carried(request)
    except Refused as exc:
        return _refused(exc)
    walk = chart.walk(carried.answers)
    if walk.outcome:
        context, status = _outcome_context(walk.outcome, walk, carried)
        return _private(render(request, "troubleshooter/outcome.html", context, status=status))
    context, status = _step_context(walk, carried)
    return _private(render(request, "troubleshooter/step.html", context, status=status))


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
    context, _ = _step_context(walk, Carried())
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


def _commands_for(slug, result):
    """The suggested commands of one cause, filled with the values of the log line."""
    if result is None:
        return []
    finding = next((f for f in result.findings if f.slug == slug), None)
    if finding is None:
        finding = diagnosis.Finding(slug, 0)
    return suggest([finding], result.facts, result.library.commands, limit=1)


# The page's long sections, which the box at the top links down to.
OUTCOME_JUMPS = (
    ("confirm", "Confirm"),
    ("fix", "Fix"),
    ("prevent", "Prevent"),
    ("fixed", "Did it work?"),
)


def _quick_steps(outcome, values):
    """The outcome's confirm and fix commands, escaped, with the customer's values in."""
    return [
        {"step": step.step, "text": step.text,
         "command": mark_safe(setup.fill(html.escape(step.command, quote=False), values))}
        for step in outcome.quick_steps
    ]  # fmt: skip


def _outcome_context(outcome, walk, carried, thanks=None):
    sections = ("meaning", "confirm", "fix", "prevent")
    texts = [getattr(outcome, name) for name in sections]
    commands = [step.command for step in outcome.quick_steps]
    carry, status = carried.context(*texts, *commands, from_log=outcome.from_log, walk=walk)
    chart_version = walk.version if walk else flowchart.get().version
    context = {
        "commands": _commands_for(outcome.slug, carried.result),
        "outcome": outcome,
        "walk": walk,
        "chart_version": chart_version,
        "ticket_query": _ticket_query(walk, outcome.slug, chart_version),
        "sections": _article_sections(outcome),
        "thanks": thanks,
        "quick_steps": _quick_steps(outcome, carried.values),
        "jumps": OUTCOME_JUMPS,
        # Each section with the customer's values in its commands.
        "filled": {
            name: mark_safe(setup.fill(getattr(outcome, name), carried.values)) for name in sections
        },
        **carry,
    }
    return context, status


# A POST (a diagnosis carrying its log lines) only shows the page, so no CSRF token.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def outcome(request, slug):
    chart, outcome = _outcome_or_404(slug)
    if request.method == "POST":
        try:
            carried = Carried(request)
        except Refused as exc:
            return _refused(exc)
        walk = chart.walk(carried.answers)
        walk = walk if walk.outcome is outcome else None
        context, status = _outcome_context(outcome, walk, carried)
        return _private(render(request, "troubleshooter/outcome.html", context, status=status))
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
    context, _ = _outcome_context(outcome, walk, Carried(), thanks=request.GET.get("fixed"))
    return _cacheable(render(request, "troubleshooter/outcome.html", context))


def _ticket_query(walk, slug, chart_version):
    query = {"path": walk.query() if walk else "", "cause": slug}
    if chart_version:
        query[flowchart.VERSION] = chart_version
    return urlencode(query)


# Anonymous and sessionless, like article feedback, so outcome pages stay cacheable.
@csrf_exempt
@require_POST
def outcome_feedback(request, slug):
    chart, outcome = _outcome_or_404(slug)
    form = OutcomeFeedbackForm(request.POST)
    if not form.is_valid():
        return votes.refused(form)
    refusal = votes.from_elsewhere(request) or votes.over_limit(request, "outcome-feedback")
    if refusal:
        return refusal
    fixed = form.cleaned_data["fixed"]
    answer = "yes" if fixed else "no"
    # The path is worked out again from the answers, never taken as text from the form.
    answers = form.cleaned_data["answers"]
    walk = chart.walk(answers)
    path = walk.path if walk.outcome is outcome else ""
    walked = flowchart.version_walked(walk.version)
    OutcomeFeedback.objects.create(cause=slug, fixed=fixed, path=path, chart_version=walked)
    Event.objects.record(Kind.OUTCOME_FIXED, slug, answer, version=walked and walked.number)
    # A walk that carried log lines or typed values keeps them for the ticket: the page
    # is answered here, privately, instead of by a redirect to the shared one.
    try:
        carried = Carried(request)
    except Refused:
        carried = Carried()
    context, _ = _outcome_context(outcome, walk if path else None, carried, thanks=answer)
    if request.htmx or context["carrying"]:
        template = "troubleshooter/outcome.html"
        response = render(
            request, f"{template}#fixed-thanks" if request.htmx else template, context
        )
        return _private(response) if context["carrying"] else response
    query = f"{answers.urlencode()}&" if answers else ""
    return redirect(f"{outcome.get_absolute_url()}?{query}fixed={answer}#fixed")


@require_safe
def flowchart_map(request):
    chart = flowchart.get()
    walk = chart.walk(request.GET) if request.GET else None
    context = {
        "svg": draw(chart, walk),
        "outline": outline(chart, walk),
        "walk": walk,
        "chart_version": chart.version,
    }
    return _cacheable(render(request, "troubleshooter/map.html", context))


@require_safe
def history(request):
    """Every stored version of the flowchart, newest first, with what changed in each."""
    versions = list(ChartVersion.objects.defer("chart"))
    context = {"versions": versions, "current": flowchart.get().version}
    return _cacheable(render(request, "troubleshooter/history.html", context))


@require_safe
def version(request, number):
    """One stored version of the flowchart: its questions, answers and outcomes."""
    stored = get_object_or_404(ChartVersion, number=number)
    context = {"version": stored, "current": flowchart.get().version}
    return _cacheable(render(request, "troubleshooter/version.html", context))


@require_safe
def compare(request):
    """What changed between two stored versions of the flowchart."""
    numbers = list(ChartVersion.objects.order_by("number").values_list("number", flat=True))
    form = CompareVersionsForm(request.GET, numbers)
    context = {"numbers": numbers, "form": form}
    if form.is_valid() and numbers:
        wanted = [form.cleaned_data["from"], form.cleaned_data["to"]]
        versions = ChartVersion.objects.in_bulk(wanted, field_name="number")
        old, new = versions[wanted[0]], versions[wanted[1]]
        context.update(old=old, new=new, changes=new.changes_since(old))
    status = 200 if form.is_valid() else 400
    response = render(request, "troubleshooter/compare.html", context, status=status)
    return _cacheable(response) if form.is_valid() else response


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
        "setup_learned": setup.learned({}, _log_values(result), diagnosis.setup_of(result.facts)),
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
    """Paste log text or upload a log file; the diagnosis comes first. When a paste gives
    no cause, the masked templates of its lines are counted (troubleshooter.unread)."""
    form = DiagnoseForm(request.POST, request.FILES) if request.method == "POST" else None
    context = {"text": form.data.get("log", "") if form else "", "errors": {}}
    if form is not None and not form.is_valid():
        context["errors"] = {name: " ".join(errors) for name, errors in form.errors.items()}
    elif form is not None and form.cleaned_data["logfile"] is not None:
        upload = form.cleaned_data["logfile"]
        context.update(diagnosis_context(diagnosis.diagnose_lines(upload), summary=True))
        context["filename"] = upload.name
    elif form is not None:
        result = diagnosis.diagnose(form.cleaned_data["log"])
        unread.keep(result)
        context.update(diagnosis_context(result, summary=False))
    status = 400 if context["errors"] else 200
    return render(request, "troubleshooter/diagnose.html", context, status=status)
