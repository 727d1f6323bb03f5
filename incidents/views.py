from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from incidents.models import Incident

# Seconds a browser may keep the page. The page cache keys it by the incidents'
# state, so it is renewed there as soon as one changes.
SHORT = 60
RECENT = 50
LARGEST_ID = 2**63 - 1  # beyond a database's integer: no such incident


def _cacheable(response):
    patch_cache_control(response, public=True, max_age=SHORT)
    return response


@require_safe
def index(request):
    now = timezone.now()
    incidents = Incident.objects.public(now)[:RECENT]
    return _cacheable(render(request, "incidents/index.html", {"incidents": incidents, "now": now}))


@require_safe
def detail(request, pk):
    if pk > LARGEST_ID:
        raise Http404("No such incident.")
    now = timezone.now()
    incident = get_object_or_404(Incident.objects.filter(started__lte=now), pk=pk)
    return _cacheable(render(request, "incidents/detail.html", {"incident": incident, "now": now}))
