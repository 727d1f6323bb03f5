import csv

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_safe

from insight import charts, figures
from insight.forms import RangeForm

# A spreadsheet runs a cell that begins with one of these as a formula; search text
# and log templates come from visitors.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def staff_only(view):
    """Sign-in first for anonymous visitors; a 403 for a signed-in account that is not
    staff (sending it to sign in again would loop)."""

    def guarded(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), "admin:login")
        if not (request.user.is_active and request.user.is_staff):
            raise PermissionDenied("The dashboard is for staff.")
        return view(request, *args, **kwargs)

    guarded.__doc__ = view.__doc__
    return guarded


def safe_cell(value):
    """A CSV cell: typed text that a spreadsheet would run is prefixed with an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv(table, form):
    start, end = form.cleaned_data["from"], form.cleaned_data["to"]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{table.slug}-{start}-{end}.csv"'
    writer = csv.writer(response)
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([safe_cell(value) for value in row])
    return response


def _charts(found, form):
    """The geometry of each section's chart."""
    return {
        "funnel": charts.bars(found["funnel"].chart),
        "outcomes": charts.bars(found["outcomes"].chart, maximum=100),
        "articles": charts.bars(found["articles"].chart, maximum=100),
        "unfound": charts.bars(found["unfound"].chart),
        "tickets": charts.columns(
            found["tickets"].chart, form.cleaned_data["from"], form.cleaned_data["to"]
        ),
    }


@require_safe
@staff_only
def dashboard(request):
    """GET /insight/: every figure for a range of days; `?format=csv&table=…` gives one
    table as CSV for the same range."""
    form = RangeForm(request.GET)
    table = request.GET.get("table")
    wants_csv = request.GET.get("format") == "csv"
    if wants_csv and table not in figures.TABLE_SLUGS:
        response = HttpResponse(
            f"Name a table: one of {', '.join(figures.TABLE_SLUGS)}.",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    elif not form.is_valid():
        response = render(request, "insight/dashboard.html", {"form": form}, status=400)
    elif wants_csv:
        found = figures.sections(*form.bounds(), only=table)
        tables = {t.slug: t for section in found.values() for t in section.tables}
        response = _csv(tables[table], form)
    else:
        found = figures.sections(*form.bounds())
        context = {
            "form": form,
            "range": form.cleaned_data,
            "sections": found,
            "charts": _charts(found, form),
            "query": f"from={form.cleaned_data['from']}&to={form.cleaned_data['to']}",
            "review_months": settings.REVIEW_AFTER_MONTHS,
        }
        response = render(request, "insight/dashboard.html", context)
    add_never_cache_headers(response)
    return response
