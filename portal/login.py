"""The admin sign-in, limited against password guessing.

Each failed sign-in counts against the visitor's address; once ADMIN_LOGIN_FAILURES
have failed within ADMIN_LOGIN_WINDOW seconds, further attempts from that address are
refused (HTTP 429) until the window ends, whether the password is right or not.
"""

from django.conf import settings
from django.contrib import admin
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from lib.ratelimit import client_address, count, increment


def _key(request):
    return f"ratelimit:admin-login:{client_address(request)}"


def count_failure(sender, credentials, request=None, **kwargs):
    """Receives user_login_failed (connected in PortalConfig.ready)."""
    if request is None:
        return
    increment(_key(request), settings.ADMIN_LOGIN_WINDOW)


@never_cache
def admin_login(request, extra_context=None):
    if request.method == "POST" and count(_key(request)) >= settings.ADMIN_LOGIN_FAILURES:
        minutes = max(1, settings.ADMIN_LOGIN_WINDOW // 60)
        response = render(
            request,
            "admin/login_locked.html",
            {"minutes": minutes, "site_header": admin.site.site_header},
            status=429,
        )
        response["Retry-After"] = str(settings.ADMIN_LOGIN_WINDOW)
        return response
    return admin.site.login(request, extra_context)
