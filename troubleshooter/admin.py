from django.contrib import admin
from django.http import QueryDict
from django.utils.html import format_html

from troubleshooter import flowchart
from troubleshooter.models import OutcomeFeedback


@admin.register(OutcomeFeedback)
class OutcomeFeedbackAdmin(admin.ModelAdmin):
    """ "Did this fix it?" answers, read-only: customers write them, staff read them."""

    list_display = ["created_at", "cause", "fixed", "steps"]
    list_filter = ["fixed", "cause", "created_at"]
    date_hierarchy = "created_at"
    readonly_fields = ["cause", "fixed", "created_at", "path_display"]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="Answers")
    def steps(self, feedback):
        return len(flowchart.get().walk(QueryDict(feedback.path)).steps) if feedback.path else 0

    @admin.display(description="Path through the flowchart")
    def path_display(self, feedback):
        if not feedback.path:
            return "(reached without the flowchart)"
        walk = flowchart.get().walk(QueryDict(feedback.path))
        answers = " → ".join(step.answer.label for step in walk.steps)
        return format_html(
            '{} · <a href="/troubleshoot/map/?{}">See it on the map</a>', answers, feedback.path
        )
