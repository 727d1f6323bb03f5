import uuid

from django import forms
from django.http import QueryDict

from kb.models import Version
from lib.forms import whole_number
from tickets.models import Ticket
from tickets.validators import normalise_domain, normalise_vps
from troubleshooter import diagnosis, flowchart
from troubleshooter.forms import AnswersField

MAX_LOG = 20_000
MAX_DESCRIPTION = 5_000


class TicketForm(forms.ModelForm):
    # A field people never see; simple bots fill in every field they find.
    website = forms.CharField(required=False, label="Leave this field empty")
    submission = forms.CharField(widget=forms.HiddenInput)
    path = AnswersField(widget=forms.HiddenInput)
    outcome = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)
    article_version = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)
    # Any value at all, never refused: what is not a stored version's number means the
    # current one, and the customer is never stopped for a field they cannot see.
    chart_version = forms.Field(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Ticket
        fields = [
            "error",
            "domain",
            "vps",
            "docker",
            "log",
            "log_unavailable",
            "description",
            "email",
        ]
        labels = {
            "error": "What does the browser show?",
            "domain": "Domain",
            "vps": "VPS",
            "docker": "Does the site run in Docker?",
            "log": "The line(s) from the proxy's error log",
            "log_unavailable": "I cannot get the error log",
            "description": "What happened, and what have you tried?",
            "email": "Your email address",
        }
        help_texts = {
            "domain": "The site that shows the error, e.g. example.com.",
            "vps": "Its identifier from the client area (e.g. vps-104233) or its IP address.",
            "docker": "Run docker ps on the VPS: if it lists your app or web server, answer yes.",
            "log": (
                "nginx: tail -n 20 /var/log/nginx/error.log. Apache: /var/log/apache2/error.log "
                "(Debian, Ubuntu) or /var/log/httpd/error_log (RHEL family). In Docker: "
                f"docker logs --tail 50 <proxy container>. At most {MAX_LOG:,} characters."
            ),
            "description": (
                "When it started, what changed just before (a deploy, a PHP upgrade, updates), "
                f"and what you already tried. At most {MAX_DESCRIPTION:,} characters."
            ),
            "email": "We send the reference and a private link to follow the ticket here.",
        }
        # Each message says what to do, as the error summary and the field show it.
        error_messages = {
            "error": {
                "required": "Choose what the browser shows, or “Something else”.",
                "invalid_choice": "Choose what the browser shows, or “Something else”.",
            },
            "domain": {
                "required": "Enter the domain of the site that shows the error, "
                "such as example.com."
            },
            "vps": {
                "required": "Enter the VPS identifier from the client area, such as vps-104233, "
                "or its IP address."
            },
            "docker": {
                "required": "Choose whether the site runs in Docker, or “Not sure”.",
                "invalid_choice": "Choose whether the site runs in Docker, or “Not sure”.",
            },
            "description": {
                "required": "Say what happened and what you have tried, even in one sentence."
            },
            "email": {
                "required": "Enter your email address, so that we can send you the reference.",
                "invalid": "Enter an email address in the form name@example.com.",
            },
        }
        widgets = {
            "error": forms.RadioSelect,
            "docker": forms.RadioSelect,
            "log": forms.Textarea(attrs={"rows": 6, "spellcheck": "false", "class": "mono"}),
            "description": forms.Textarea(attrs={"rows": 5}),
            "domain": forms.TextInput(attrs={"autocomplete": "url", "spellcheck": "false"}),
            "vps": forms.TextInput(attrs={"spellcheck": "false"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["error"].choices = Ticket.Error.choices
        self.fields["docker"].choices = Ticket.Docker.choices
        self.fields["website"].widget.attrs.update(autocomplete="off", tabindex="-1")
        self.fields["log"].widget.attrs["maxlength"] = MAX_LOG
        self.fields["description"].widget.attrs["maxlength"] = MAX_DESCRIPTION
        if not self.is_bound and not self.initial.get("submission"):
            self.initial["submission"] = uuid.uuid4().hex

    def error_summary(self):
        """(message, the id of the control to move to) for each problem, in the form's
        order; a radio group is reached through its first choice."""
        summary = []
        for name, errors in self.errors.items():
            if name == "__all__" or name not in self.fields:
                continue
            field = self[name]
            radio = isinstance(field.field.widget, forms.RadioSelect)
            target = field.auto_id + ("_0" if radio else "")
            summary += [(message, target) for message in errors]
        order = list(self.fields)
        return sorted(summary, key=lambda item: next(
            (i for i, name in enumerate(order) if item[1].startswith(f"id_{name}")), len(order)
        ))  # fmt: skip

    def clean_domain(self):
        return normalise_domain(self.cleaned_data["domain"])

    def clean_vps(self):
        return normalise_vps(self.cleaned_data["vps"])

    def clean_log(self):
        log = self.cleaned_data["log"].strip()
        if len(log) > MAX_LOG:
            raise forms.ValidationError(
                f"The log is {len(log):,} characters; the limit is {MAX_LOG:,}. Paste the lines "
                "from the time of the error."
            )
        return log

    def clean_description(self):
        text = self.cleaned_data["description"].strip()
        if len(text) > MAX_DESCRIPTION:
            raise forms.ValidationError(
                f"This is {len(text):,} characters; the limit is {MAX_DESCRIPTION:,}."
            )
        return text

    def clean_submission(self):
        value = self.cleaned_data["submission"]
        try:
            return uuid.UUID(value).hex
        except ValueError:
            raise forms.ValidationError("This form is out of date; please send it again.") from None

    def clean_path(self):
        """Only a real walk of the flowchart is kept, in its canonical form."""
        return flowchart.get().walk(self.cleaned_data["path"]).query()

    def clean_outcome(self):
        slug = self.cleaned_data["outcome"]
        return slug if slug in flowchart.get().outcomes else ""

    def clean_article_version(self):
        return version_or_none(self.cleaned_data["article_version"])

    def clean_chart_version(self):
        """The flowchart version walked, or the current one when that is not known."""
        return flowchart.version_walked(self.cleaned_data["chart_version"])

    def clean(self):
        data = super().clean()
        if data.get("website"):
            raise forms.ValidationError(
                "This form was filled in automatically, so it was not sent. If you are a "
                "person, clear the field labelled “Leave this field empty”."
            )
        needs_log = data.get("error") in {"502", "503", "504"}
        if needs_log and not data.get("log") and not data.get("log_unavailable"):
            self.add_error(
                "log",
                "For a 502, 503 or 504, paste the matching line from the proxy's error log, "
                "or tick “I cannot get the error log”.",
            )
        return data

    def save(self, commit=True):
        """The ticket, with what the site adds to the customer's fields: the path, the
        outcome, the article and flowchart versions and the diagnosis of the log lines."""
        ticket = super().save(commit=False)
        for name in ("submission", "path", "outcome", "article_version", "chart_version"):
            setattr(ticket, name, self.cleaned_data[name])
        findings = diagnosis.diagnose(ticket.log).findings if ticket.log else []
        ticket.diagnosed_cause = findings[0].slug if findings else ""
        if commit:
            ticket.save()
        return ticket


def version_or_none(value):
    """The article version a form names by its id, or None for a missing or unknown one."""
    pk = whole_number(value)
    return Version.objects.filter(pk=pk).select_related("article").first() if pk else None


class PrefillForm(forms.Form):
    """Where the customer came from, as the links into the form carry it (never personal
    data: a flowchart path, an outcome, an article version; a log line only by POST)."""

    path = AnswersField()
    cause = forms.CharField(required=False, max_length=100)
    article_version = forms.CharField(required=False, max_length=20)
    chart = forms.Field(required=False)  # the flowchart version walked (flowchart.VERSION)
    # A longer log is kept as sent: the ticket form then says how much to cut.
    log = forms.CharField(required=False, max_length=diagnosis.MAX_PASTE_BYTES)
    # What the customer typed in the troubleshooter's "Your values", by POST only.
    domain = forms.CharField(required=False, max_length=253)
    server_ip = forms.CharField(required=False, max_length=45)

    def ticket_initial(self):
        """The ticket form's initial values; a field that does not validate is left out."""
        self.is_valid()
        data = self.cleaned_data
        answers = data.get("path", QueryDict())
        initial = initial_from_path(answers, cause=data.get("cause", ""))
        version = version_or_none(data.get("article_version"))
        if version is not None:
            initial["article_version"] = str(version.pk)
        chart_version = flowchart.get().known_version(data.get("chart"))
        if chart_version:
            initial["chart_version"] = str(chart_version)
        if data.get("log"):
            initial["log"] = data["log"]
            for name, value in from_log(data["log"]).items():
                initial.setdefault(name, value)
        elif "log" not in initial and (message := chosen_message(answers)):
            initial["log"] = message
        # Typed by the customer: it wins over what the log suggested.
        if data.get("domain"):
            initial["domain"] = data["domain"]
        if data.get("server_ip"):
            initial["vps"] = data["server_ip"]
        return initial


def from_log(text):
    """What a pasted log tells the ticket: the error code its cause shows, whether it
    runs in Docker, and the domain the line names."""
    result = diagnosis.diagnose(text)
    initial = {}
    if result.findings:
        outcome = flowchart.get().outcomes.get(result.findings[0].slug)
        codes = [code for code in (outcome.codes if outcome else ()) if code != "none"]
        if codes:
            # A cause whose visitors see a 500, 403 or 404 is "something else" here.
            initial["error"] = codes[0] if codes[0] in Ticket.Error.values else Ticket.Error.OTHER
    facts = result.facts
    if facts.get("container") or facts.get("program") in ("docker", "kubernetes"):
        initial["docker"] = Ticket.Docker.YES
    domain = diagnosis.values_for(facts).get("domain")
    if domain:
        initial["domain"] = domain
    return initial


def chosen_message(answers):
    """The log message the customer picked in a step, as a start for the log box."""
    walk = flowchart.get().walk(answers)
    for step in walk.steps:
        if step.answer.log:
            return step.answer.label
    return ""


def initial_from_path(answers, cause=""):
    """Form values implied by flowchart answers (a QueryDict): the path, the outcome and
    what the answers themselves tell the ticket (`ticket:` in content/flowchart.yaml)."""
    chart = flowchart.get()
    walk = chart.walk(answers)
    initial = {"path": walk.query()}
    for step in walk.steps:
        for name, value in step.answer.ticket:
            if name == "error":
                initial.setdefault("error", value)  # the first code seen is what shows
            else:
                initial[name] = value  # a later answer knows better
    if walk.outcome:
        initial["outcome"] = walk.outcome.slug
    elif cause in chart.outcomes:
        initial["outcome"] = cause
    return initial
