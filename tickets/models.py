import secrets

from django.core import signing
from django.db import models
from django.urls import reverse
from django.utils import timezone

from incidents import known
from incidents.models import Incident
from lib.yoursetup import LINK_VALUES, fragment
from troubleshooter import diagnosis, flowchart

# Crockford's base32 alphabet: no I, L, O or U, so a reference read over the phone
# or copied by hand cannot be mistaken.
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
STATUS_SALT = "tickets.status-link"


def new_reference():
    raw = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


class TicketQuerySet(models.QuerySet):
    def disagreeing(self):
        """Tickets whose log names one cause while the flowchart led to another."""
        both = self.exclude(diagnosed_cause="").exclude(outcome="")
        return both.exclude(diagnosed_cause=models.F("outcome"))


class Ticket(models.Model):
    class Status(models.TextChoices):
        NEW = "new", "New"
        OPEN = "open", "Open"
        WAITING = "waiting", "Waiting on customer"
        RESOLVED = "resolved", "Resolved"

    class Error(models.TextChoices):
        E502 = "502", "502 Bad Gateway"
        E503 = "503", "503 Service Unavailable"
        E504 = "504", "504 Gateway Timeout"
        CDN = "52x", "A CDN error page (Cloudflare 520 to 526)"
        OTHER = "other", "Something else"

    class Docker(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"
        UNSURE = "unsure", "Not sure"

    reference = models.CharField(max_length=9, unique=True, default=new_reference, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    vps = models.CharField("VPS", max_length=64)
    domain = models.CharField(max_length=253)
    error = models.CharField(max_length=5, choices=Error.choices)
    log = models.TextField("log lines", blank=True)
    log_unavailable = models.BooleanField(
        default=False, help_text="The customer said they cannot get the log."
    )
    docker = models.CharField(max_length=6, choices=Docker.choices)
    email = models.EmailField()
    description = models.TextField("what happened and what was tried")

    # Filled in by the site from where the customer came from.
    path = models.TextField(blank=True, help_text="The flowchart answers, as a query string.")
    outcome = models.SlugField(blank=True, help_text="The outcome page the customer reached.")
    diagnosed_cause = models.SlugField(blank=True, help_text="The diagnosis of the log lines.")
    article_version = models.ForeignKey(
        "kb.Version", null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    chart_version = models.ForeignKey(
        "troubleshooter.ChartVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
        help_text="The version of the flowchart the customer walked.",
    )

    incident = models.ForeignKey(
        Incident,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
        help_text="The known problem that was open when the ticket was sent.",
    )

    internal_note = models.TextField(blank=True, help_text="Only staff see this.")
    submission = models.CharField(
        max_length=64,
        unique=True,
        help_text="Identifies one form, so a resubmission is not saved twice.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TicketQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "-created_at"])]

    def __str__(self):
        return f"{self.reference} ({self.get_error_display()}, {self.domain})"

    def save(self, *args, **kwargs):
        if self._state.adding and self.incident_id is None:
            # Tagged when it is sent, with the newest incident open at that moment: the
            # one the notice above the form showed, from the same cache (incidents.known),
            # so a submission does not ask the database for it again.
            opened = known.open_now(self.created_at)
            self.incident = opened[0] if opened else None
        super().save(*args, **kwargs)

    @property
    def status_token(self):
        return signing.Signer(salt=STATUS_SALT).signature(self.reference)

    def get_status_url(self):
        return reverse("tickets:status", args=[self.reference, self.status_token])

    def token_matches(self, token):
        try:
            signing.Signer(salt=STATUS_SALT).unsign(f"{self.reference}:{token}")
        except signing.BadSignature:
            return False
        return True

    def setup(self):
        """What the ticket says about the customer's setup that a link may carry: the
        web server, distribution, runtime, PHP version, socket and port its log shows,
        and Docker as they answered. Nothing personal (no email, domain, address, log)."""
        found = diagnosis.setup_of(diagnosis.diagnose(self.log).facts) if self.log else {}
        if self.docker in (self.Docker.YES, self.Docker.NO):
            found["docker"] = self.docker
        return found

    @property
    def disagrees(self):
        """Whether the log's cause and the flowchart's outcome differ (one is wrong)."""
        return bool(self.diagnosed_cause and self.outcome) and (
            self.diagnosed_cause != self.outcome
        )

    def setup_links(self):
        """(what, path) of the pages that fit this ticket, each carrying its setup in the
        fragment (#setup=…), which neither the page cache nor a server log sees: the
        outcome reached and the diagnosed cause, and the cause's article section. Where
        an outcome says the log names the wrong address (`from_log`), the log's other
        values stay out of its links."""
        chart = flowchart.get()
        setup = self.setup()
        links = []
        for slug in dict.fromkeys(s for s in (self.diagnosed_cause, self.outcome) if s):
            outcome = chart.outcomes.get(slug)
            if outcome is None:
                continue
            carried = fragment(_allowed(setup, outcome.from_log))
            url = _with(outcome.get_absolute_url(), "", carried)
            links.append((f"Outcome: {outcome.title}", url))
            if slug != (self.diagnosed_cause or self.outcome) or not outcome.articles:
                continue
            # The cause's own article, at the section the outcome names first.
            article = next((a for a in outcome.articles if a.slug == slug), outcome.articles[0])
            path = reverse("kb:article", args=[article.slug])
            title = f"{article.title}: {article.heading}" if article.heading else article.title
            links.append((f"Article: {title}", _with(path, article.anchor, carried)))
        return links

    @property
    def mail_state(self):
        """What the status page tells the customer about the emails: "sent", "failed" (a
        try was refused; the sender retries) or "sending" (queued, not tried yet: the
        page is usually shown before the sender has had its second)."""
        unsent = set(self.emails.unsent().values_list("status", flat=True))
        if not unsent:
            return "sent"
        return "failed" if OutboundEmail.Status.FAILED in unsent else "sending"


def _allowed(setup, from_log):
    """The setup less the log's values that an outcome refuses (None: it takes all)."""
    if from_log is None:
        return setup
    refused = {key for key, (name, _) in LINK_VALUES.items() if name not in from_log}
    return {key: value for key, value in setup.items() if key not in refused}


def _with(path, anchor, carried):
    parts = [part for part in (anchor, carried) if part]
    return f"{path}#{'&'.join(parts)}" if parts else path


class OutboundEmailQuerySet(models.QuerySet):
    def unsent(self):
        return self.exclude(status=OutboundEmail.Status.SENT)

    def claimable(self, now):
        """Unsent, and no sender is trying them now (or one gave up: its claim ran out)."""
        unclaimed = models.Q(claimed_until__isnull=True) | models.Q(claimed_until__lt=now)
        return self.unsent().filter(unclaimed)


class OutboundEmail(models.Model):
    """An email the site owes someone. Written with the ticket, in the same transaction;
    sent after the commit and, if the mail server fails, retried by `send_pending_email`."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed, will retry"

    class Kind(models.TextChoices):
        SUPPORT = "support", "To support"
        CONFIRMATION = "confirmation", "Confirmation to the customer"

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="emails")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    to = models.EmailField()
    subject = models.CharField(max_length=200)
    body = models.TextField()
    status = models.CharField(max_length=7, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="A sender is trying this email until then; others leave it alone.",
    )

    objects = OutboundEmailQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]
        verbose_name = "outbound email"

    def __str__(self):
        return f"{self.get_kind_display()} for {self.ticket.reference}: {self.get_status_display()}"
