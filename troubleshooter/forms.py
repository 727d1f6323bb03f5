import json

from django import forms
from django.http import QueryDict

from lib.forms import TextField, VersionsForm
from lib.votes import YesNoField
from troubleshooter import diagnosis, setup

MAX_ANSWERS = 2_000  # characters of a flowchart query string carried by a form


class AnswersField(TextField):
    """Flowchart answers as a query string (`code=502&log=refused`), read as a QueryDict."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", MAX_ANSWERS)
        kwargs.setdefault(
            "error_messages",
            {
                "max_length": (
                    "These answers are %(show_value)s characters long; the limit is "
                    "%(limit_value)s. Start the troubleshooter again from its first step."
                )
            },
        )
        super().__init__(**kwargs)

    def clean(self, value):
        return QueryDict(super().clean(value))


class CarryForm(forms.Form):
    """What a diagnosis hands on, by POST only, through the settling question to the
    outcome and the ticket: the answers so far and the log lines (never in a URL,
    never stored)."""

    answers = AnswersField()
    log = TextField(required=False, strip=False, max_length=diagnosis.MAX_PASTE_BYTES)


class SetupForm(forms.Form):
    """ "Your values": what the customer types so the commands of a step or an outcome
    come filled in. Carried by POST with the answers and the log, never in a URL."""

    def __init__(self, *args, shown=(), **kwargs):
        super().__init__(*args, **kwargs)
        for value in setup.VALUES:
            self.fields[value.name] = TextField(
                required=False,
                max_length=255,
                label=value.label,
                help_text=f"For example {value.example}.",
            )
        self.show(shown)

    def show(self, names):
        """Show these values' fields, and any other whose typed text was refused, so its
        message is seen."""
        refused = set(self.errors) if self.is_bound else set()
        shown = [name for name in setup.NAMES if name in names or name in refused]
        self.shown = [self[name] for name in shown]
        self.hidden = [self[name] for name in setup.NAMES if name not in shown]

    def clean(self):
        data = super().clean()
        for value in setup.VALUES:
            text = data.get(value.name)
            if not text:
                continue
            checked = value.check(text.strip())
            if checked is None:
                self.add_error(value.name, value.message)
            else:
                data[value.name] = checked
        return data

    def typed(self):
        """The values typed that passed their check (a value that did not is left out,
        and the form shows why, with the text as typed)."""
        self.is_valid()
        return {name: text for name, text in self.cleaned_data.items() if text}


class OutcomeFeedbackForm(forms.Form):
    """ "Did this fix it?" on an outcome page, with the answers that led there."""

    fixed = YesNoField()
    answers = AnswersField()


class CompareVersionsForm(VersionsForm):
    """Two version numbers of the flowchart; blank ones default to its last change."""

    subject = "the flowchart"


class DiagnoseForm(forms.Form):
    """Log text to diagnose: pasted (the web page, the API) or uploaded (the web page)."""

    log = TextField(required=False, strip=False, allow_nul=True)
    logfile = forms.FileField(required=False)

    def clean_logfile(self):
        upload = self.cleaned_data["logfile"]
        if upload is not None and upload.size > diagnosis.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size // 1024 // 1024} MB; the limit is "
                f"{diagnosis.MAX_UPLOAD_BYTES // 1024 // 1024} MB. Upload the last part "
                "of the log (for example `tail -n 100000 error.log > recent.log`)."
            )
        return upload

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("logfile"):
            problem = diagnosis.check_text(data.get("log"))
            if problem:
                self.add_error("log", problem)
        return data


FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


class UnreadableBody(Exception):
    def __init__(self, message, status):
        super().__init__(message)
        self.status = status


def api_form(request):
    """A DiagnoseForm for a POST to the API, whose body is a form or a JSON object;
    raises UnreadableBody (with its HTTP status) for any other body."""
    if request.content_type in FORM_TYPES:
        return DiagnoseForm({"log": request.POST.get("log")})
    if request.content_type != "application/json":
        raise UnreadableBody(
            "Send the log as the form field `log` (application/x-www-form-urlencoded or "
            'multipart/form-data) or as JSON {"log": "..."} (application/json).',
            415,
        )
    try:
        data = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise UnreadableBody('The body is not valid JSON. Send {"log": "..."}.', 400) from None
    text = data.get("log") if isinstance(data, dict) else None
    if text is not None and not isinstance(text, str):
        raise UnreadableBody('"log" must be a string.', 400)
    return DiagnoseForm({"log": text})
