from django.contrib import admin, messages
from django.utils import timezone

from incidents.models import Incident
from lib.admin import DateFiltersWithinCalendar


class StateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("open", "Open"), ("resolved", "Resolved")]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "open":
            return queryset.open_at(now)
        if self.value() == "resolved":
            return queryset.filter(resolved__lte=now)
        return queryset


@admin.register(Incident)
class IncidentAdmin(DateFiltersWithinCalendar, admin.ModelAdmin):
    list_display = ["title", "affected", "started", "resolved", "open"]
    list_filter = [StateFilter, "started"]
    search_fields = ["title", "affected", "description"]
    date_hierarchy = "started"
    fields = ["title", "affected", "started", "resolved", "description"]
    actions = ["mark_resolved_now"]

    @admin.display(boolean=True, description="Open now")
    def open(self, incident):
        return incident.is_open

    @admin.action(description="Mark resolved now")
    def mark_resolved_now(self, request, queryset):
        now = timezone.now()
        resolved = 0
        # One save each, so every page showing the notice is renewed (see incidents.known).
        for incident in queryset.unresolved_at(now):
            incident.resolved = now
            incident.save(update_fields=["resolved", "updated_at"])
            resolved += 1
        if resolved:
            self.message_user(request, f"Resolved {resolved} incident{'s' * (resolved != 1)}.")
        else:
            self.message_user(request, "None of those was open.", messages.WARNING)
