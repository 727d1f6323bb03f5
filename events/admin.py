from django.contrib import admin

from events.models import UnreadTemplate


@admin.register(UnreadTemplate)
class UnreadTemplateAdmin(admin.ModelAdmin):
    """The patterns of pasted log lines that no cause was read in, commonest first:
    what the pattern library should learn next. Read-only: pastes write them."""

    list_display = ["template", "program", "count", "first_seen", "last_seen"]
    list_filter = ["program", "last_seen"]
    search_fields = ["template"]
    ordering = ["-count", "template"]
    readonly_fields = list_display
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
