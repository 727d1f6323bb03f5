from django.contrib import admin
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.timesince import timesince

from incidents.models import Incident
from lib.admin import DateFiltersWithinCalendar
from lib.forms import whole_number
from tickets.models import OutboundEmail, Ticket
from troubleshooter import flowchart


class OutboundEmailInline(admin.TabularInline):
    model = OutboundEmail
    fields = ["kind", "to", "status", "attempts", "last_error", "sent_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class DuringIncidentFilter(admin.SimpleListFilter):
    title = "during incident"
    parameter_name = "incident"

    def lookups(self, request, model_admin):
        incidents = Incident.objects.filter(tickets__isnull=False).distinct()[:20]
        return [
            ("any", "During any incident"),
            ("none", "Not during one"),
            *((str(incident.pk), incident.title) for incident in incidents),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "any":
            return queryset.filter(incident__isnull=False)
        if value == "none":
            return queryset.filter(incident__isnull=True)
        pk = whole_number(value)
        return queryset.filter(incident_id=pk) if pk is not None else queryset


class DisagreementFilter(admin.SimpleListFilter):
    """Tickets whose log says one cause while the flowchart led the customer to another:
    the ones to read first, since one of the two is wrong."""

    title = "diagnosis and outcome"
    parameter_name = "disagree"

    def lookups(self, request, model_admin):
        return [("yes", "Disagree"), ("no", "Agree, or only one is known")]

    def queryset(self, request, queryset):
        disagreeing = queryset.disagreeing()
        if self.value() == "yes":
            return disagreeing
        if self.value() == "no":
            return queryset.exclude(pk__in=disagreeing.values("pk"))
        return queryset


class LogFilter(admin.SimpleListFilter):
    """Whether the ticket came with log lines, in the words the queue's list uses."""

    title = "log"
    parameter_name = "log"

    def lookups(self, request, model_admin):
        return [("attached", "Attached"), ("cannot", "Customer cannot get it"),
                ("none", "Not sent")]  # fmt: skip

    def queryset(self, request, queryset):
        value = self.value()
        if value == "attached":
            return queryset.exclude(log="")
        if value == "cannot":
            return queryset.filter(log="", log_unavailable=True)
        if value == "none":
            return queryset.filter(log="", log_unavailable=False)
        return queryset


@admin.register(Ticket)
class TicketAdmin(DateFiltersWithinCalendar, admin.ModelAdmin):
    # What an agent picks the next ticket by, narrow enough for 1280 px beside the
    # admin's sidebar: the VPS, the docker answer and the rest are on the ticket's page.
    list_display = [
        "ticket", "status", "error_code", "cause_and_outcome", "domain", "during_incident",
    ]  # fmt: skip
    list_filter = [
        "status", DuringIncidentFilter, DisagreementFilter, "error", "diagnosed_cause",
        "outcome", "docker", LogFilter, "created_at",
    ]  # fmt: skip
    list_select_related = ["incident"]

    search_fields = ["reference", "domain", "vps", "email"]
    # Status changes by action, ticked in the list: a menu in every row took the width
    # the causes and the domain need.
    actions = ["mark_open", "mark_waiting", "mark_resolved"]
    date_hierarchy = "created_at"
    inlines = [OutboundEmailInline]

    class Media:
        css = {"all": ["css/admin.css"]}
        js = ["js/portal.js"]  # the copy buttons

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and obj.incident_id:
            # First on the page: the customer may be seeing the platform's problem.
            return [("Sent during a known problem", {"fields": ["incident_notice"]}), *fieldsets]
        return fieldsets

    fieldsets = [
        (None, {"fields": ["reference", "status", "internal_note"]}),
        (
            "From the customer",
            {
                "fields": [
                    "error",
                    "domain",
                    "vps",
                    "docker",
                    "email",
                    "description",
                    "log_display",
                    "log_unavailable",
                ]
            },
        ),  # fmt: skip
        (
            "Where they came from",
            {
                "fields": [
                    "diagnosed_cause_link",
                    "outcome_link",
                    "path_display",
                    "chart_version_link",
                    "article_version_link",
                    "setup_links",
                ]
            },
        ),  # fmt: skip
        ("Record", {"fields": ["created_at", "updated_at", "submission"]}),
    ]
    readonly_fields = [
        "reference", "error", "domain", "vps", "docker", "email", "description", "log_display",
        "log_unavailable", "diagnosed_cause_link", "outcome_link", "path_display",
        "chart_version_link", "article_version_link", "created_at", "updated_at", "submission",
        "incident_notice", "setup_links",
    ]  # fmt: skip

    def has_add_permission(self, request):
        return False

    @admin.display(description="Ticket, waiting", ordering="created_at")
    def ticket(self, ticket):
        """The reference, and how long since the customer wrote as an agent says it ("3
        hours"), the exact time on hover; sorted, the longest wait comes first."""
        sent = f"{timezone.localtime(ticket.created_at):%-d %b %Y, %H:%M}"
        if ticket.status == Ticket.Status.RESOLVED:
            wait = "resolved"
        else:
            wait = f"waiting {timesince(ticket.created_at, depth=1)}"
        return format_html(
            '{}<br><span class="ticket-waiting" title="Sent {}">{}</span>',
            ticket.reference, sent, wait,
        )  # fmt: skip

    @admin.display(description="Error", ordering="error")
    def error_code(self, ticket):
        return format_html('<span title="{}">{}</span>', ticket.get_error_display(), ticket.error)

    @admin.display(description="Log and flowchart", ordering="diagnosed_cause")
    def cause_and_outcome(self, ticket):
        """What the log showed and where the flowchart led, with a flag when they name
        different causes (one of the two is wrong, so the ticket needs reading first)."""
        cause, outcome = ticket.diagnosed_cause, ticket.outcome
        if ticket.log:
            log = f"log: {cause or 'no known cause'}"
        elif ticket.log_unavailable:
            log = "log: customer cannot get it"
        else:
            log = "log: not sent"
        flag = ""
        if ticket.disagrees:
            flag = format_html('<strong class="ticket-disagree">{}</strong><br>', "They disagree")
        walked = format_html("<br>flowchart: {}", outcome) if outcome else ""
        return format_html('{}<span class="ticket-log-state">{}</span>{}', flag, log, walked)

    def _mark(self, request, queryset, status):
        changed = queryset.update(status=status, updated_at=timezone.now())
        label = Ticket.Status(status).label
        self.message_user(request, f"{changed} ticket{'s' if changed != 1 else ''} marked {label}.")

    @admin.action(description="Mark selected tickets open")
    def mark_open(self, request, queryset):
        self._mark(request, queryset, Ticket.Status.OPEN)

    @admin.action(description="Mark selected tickets waiting on customer")
    def mark_waiting(self, request, queryset):
        self._mark(request, queryset, Ticket.Status.WAITING)

    @admin.action(description="Mark selected tickets resolved")
    def mark_resolved(self, request, queryset):
        self._mark(request, queryset, Ticket.Status.RESOLVED)

    @admin.display(description="During incident", ordering="incident__started")
    def during_incident(self, ticket):
        if ticket.incident is None:
            return "-"
        return format_html('<strong class="ticket-incident-chip">{}</strong>', ticket.incident)

    @admin.display(description="Known problem")
    def incident_notice(self, ticket):
        incident = ticket.incident
        if incident is None:
            return "-"
        if incident.is_open:
            state = "still open"
        elif incident.resolved:
            state = f"resolved {timezone.localtime(incident.resolved):%-d %b %Y, %H:%M}"
        else:
            state = "not started yet"
        return format_html(
            '<p class="ticket-incident"><strong>{}</strong> ({})<br>'
            '<a href="{}">Edit the incident</a> · <a href="{}">Its public page</a></p>',
            incident.banner_text(dated=True), state,
            reverse("admin:incidents_incident_change", args=[incident.pk]),
            incident.get_absolute_url(),
        )  # fmt: skip

    @admin.display(description="Log lines")
    def log_display(self, ticket):
        if not ticket.log:
            return "(none)"
        return format_html('<pre class="ticket-log">{}</pre>', ticket.log)

    @admin.display(description="Diagnosed cause of the log")
    def diagnosed_cause_link(self, ticket):
        return self._outcome(ticket.diagnosed_cause)

    @admin.display(description="Outcome reached")
    def outcome_link(self, ticket):
        return self._outcome(ticket.outcome)

    def _outcome(self, slug):
        if not slug:
            return "-"
        return format_html('<a href="/troubleshoot/cause/{}/">{}</a>', slug, slug)

    @admin.display(description="Path through the flowchart")
    def path_display(self, ticket):
        if not ticket.path:
            return "-"
        walk = flowchart.get().walk(QueryDict(ticket.path))
        steps = format_html_join(
            "", "<li>{} <strong>{}</strong></li>",
            ((s.question.question, s.answer.label) for s in walk.steps),
        )  # fmt: skip
        return format_html(
            '<ol>{}</ol><a href="/troubleshoot/?{}">Open this step</a> · '
            '<a href="/troubleshoot/map/?{}">See it on the map</a>',
            steps, ticket.path, ticket.path,
        )  # fmt: skip

    @admin.display(description="Flowchart version walked")
    def chart_version_link(self, ticket):
        version = ticket.chart_version
        if version is None:
            return "-"
        url = version.get_absolute_url()
        return format_html('<a href="{}">Version {}</a>', url, version.number)

    @admin.display(description="Links for this customer")
    def setup_links(self, ticket):
        """Links to send the customer: the pages that fit, opening with their commands
        filled for the ticket's setup. The setup rides in the fragment, never personal."""
        links = ticket.setup_links()
        if not links:
            return "-"
        rows = format_html_join(
            "", '<li><a href="{}">{}</a> <button type="button" class="button" '
            'data-copy-link="{}" hidden>Copy a link for this customer</button>'
            '<br><code class="setup-link">{}</code></li>',
            ((url, what, url, url) for what, url in links),
        )  # fmt: skip
        return format_html('<ul class="setup-links">{}</ul>', rows)

    @admin.display(description="Article version read")
    def article_version_link(self, ticket):
        version = ticket.article_version
        if version is None:
            return "-"
        return format_html('<a href="{}">{} (version {})</a>', version.get_absolute_url(),
                           version.title, version.number)  # fmt: skip


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = ["ticket", "kind", "to", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "kind"]
    readonly_fields = [f.name for f in OutboundEmail._meta.fields]

    def has_add_permission(self, request):
        return False
