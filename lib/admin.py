from django.contrib.admin.views.main import ERROR_FLAG
from django.http import HttpResponseRedirect


class DateFiltersWithinCalendar:
    """A ModelAdmin mixin. A date filter beyond any calendar (created_at__year=99999…)
    fails in Python's datetime, which the admin does not expect; it gets the admin's own
    answer to a filter it cannot apply."""

    def changelist_view(self, request, extra_context=None):
        try:
            return super().changelist_view(request, extra_context)
        except (OverflowError, ValueError):
            return HttpResponseRedirect(f"{request.path}?{ERROR_FLAG}=1")
