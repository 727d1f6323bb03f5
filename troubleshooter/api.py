"""POST /api/diagnose: the diagnosis as JSON, for scripts and support tooling."""

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from troubleshooter import diagnosis, flowchart, unread
from troubleshooter.forms import UnreadableBody, api_form

MAX_BYTES = diagnosis.MAX_PASTE_BYTES


def as_json(result, summary=False):
    """The diagnosis contract's object: causes ranked best first (an empty list when
    nothing is recognised), the facts of the best cause's line, and the lines read;
    with `summary` (a whole file) each cause also says how often and when."""
    chart = flowchart.get()
    causes = []
    for finding in result.findings:
        outcome = chart.outcomes[finding.slug]
        item = {
            "slug": finding.slug,
            "title": outcome.title,
            "confidence": finding.confidence,
            "evidence": finding.evidence,
            "url": outcome.get_absolute_url(),
        }
        if summary:
            item.update(
                count=finding.count,
                first_seen=diagnosis.parse_time(finding.first_line),
                last_seen=diagnosis.parse_time(finding.last_line),
                example=finding.last_line,
            )
        causes.append(item)
    return {"causes": causes, "facts": result.facts, "lines": result.lines}


def _error(message, status):
    return JsonResponse({"error": message}, status=status)


# No cookies or sessions are involved, so there is nothing for CSRF to protect.
@csrf_exempt
@require_POST
def diagnose(request):
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0  # Django reads no body for a length it cannot parse
    if length > MAX_BYTES:
        return _error(
            f"The log is {length:,} bytes; the limit is {MAX_BYTES:,}. Send the lines around "
            "the error, or summarise a whole file with `manage.py diagnose --file`.",
            413,
        )
    try:
        form = api_form(request)
    except UnreadableBody as exc:
        return _error(str(exc), exc.status)
    if not form.is_valid():
        return _error(" ".join(form.errors["log"]), 400)
    result = diagnosis.diagnose(form.cleaned_data["log"])
    unread.keep(result)
    return JsonResponse(
        as_json(result),
        json_dumps_params={"ensure_ascii": False},
    )
