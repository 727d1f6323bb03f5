"""POST /api/diagnose: the diagnosis as JSON, for scripts and support tooling."""

import json

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from troubleshooter import diagnosis

MAX_BYTES = diagnosis.MAX_PASTE_BYTES
FORMS = {"application/x-www-form-urlencoded", "multipart/form-data"}


def _error(message, status):
    return JsonResponse({"error": message}, status=status)


# No cookies or sessions are involved, so there is nothing for CSRF to protect.
@csrf_exempt
@require_POST
def diagnose(request):
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length > MAX_BYTES:
        return _error(
            f"The log is {length:,} bytes; the limit is {MAX_BYTES:,}. Send the lines around "
            "the error, or summarise a whole file with `manage.py diagnose --file`.",
            413,
        )
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return _error('The body is not valid JSON. Send {"log": "..."}.', 400)
        text = data.get("log") if isinstance(data, dict) else None
        if text is not None and not isinstance(text, str):
            return _error('"log" must be a string.', 400)
    elif request.content_type in FORMS:
        text = request.POST.get("log")
    else:
        return _error(
            "Send the log as the form field `log` (application/x-www-form-urlencoded or "
            'multipart/form-data) or as JSON {"log": "..."} (application/json).',
            415,
        )
    problem = diagnosis.check_text(text)
    if problem:
        return _error(problem, 400)
    return JsonResponse(
        diagnosis.diagnose(text).as_json(), json_dumps_params={"ensure_ascii": False}
    )
