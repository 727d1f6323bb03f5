from django.contrib import admin
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

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


@admin.register(Ticket)
class TicketAdmin(DateFiltersWithinCalendar, admin.ModelAdmin):
    list_display = [
        "reference", "created_at", "status", "during_incident", "error", "diagnosed_cause",
        "outcome", "docker", "domain", "vps",
    ]  # fmt: skip
    list_filter = [
        "status", DuringIncidentFilter, "error", "diagnosed_cause", "outcome", "docker",
        "created_at",
    ]  # fmt: skip
    list_select_related = ["incident"]

    search_fields = ["reference", "domain", "vps", "email"]
    list_editable = ["status"]
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
