from django.contrib import admin
from django.http import QueryDict
from django.utils.html import format_html

from troubleshooter import flowchart
from troubleshooter.models import ChartVersion, OutcomeFeedback


@admin.register(ChartVersion)
class ChartVersionAdmin(admin.ModelAdmin):
    """Versions of the flowchart, read-only: `load_content` writes them, nothing edits them."""

    list_display = ["number", "created_at", "question_count", "outcome_count", "summary"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "number", "created_at", "question_count", "outcome_count", "summary", "change_note",
        "content_hash", "page_link",
    ]  # fmt: skip
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Page")
    def page_link(self, version):
        return format_html('<a href="{}">See this version</a>', version.get_absolute_url())


@admin.register(OutcomeFeedback)
class OutcomeFeedbackAdmin(admin.ModelAdmin):
    """ "Did this fix it?" answers, read-only: customers write them, staff read them."""

    list_display = ["created_at", "cause", "fixed", "steps", "chart_version"]
    list_filter = ["fixed", "cause", "created_at"]
    date_hierarchy = "created_at"
    readonly_fields = ["cause", "fixed", "created_at", "path_display", "chart_version_link"]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="Flowchart version walked")
    def chart_version_link(self, feedback):
        version = feedback.chart_version
        if version is None:
            return "-"
        url = version.get_absolute_url()
        return format_html('<a href="{}">Version {}</a>', url, version.number)

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
