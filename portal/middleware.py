"""Middleware for running the portal behind a load balancer and a reverse proxy."""

import codecs
import logging
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.utils.cache import has_vary_header, patch_cache_control

from lib.ratelimit import client_address
from portal.views import bad_request

request_log = logging.getLogger("portal.request")
health_log = logging.getLogger("portal.health")


def healthy():
    """True when the database answers a query and the cache keeps a value."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        probe = f"healthz:{uuid.uuid4().hex}"
        cache.set(probe, 1, timeout=10)
        ok = cache.get(probe) == 1
        cache.delete(probe)
        if not ok:
            health_log.error("health check: the cache did not keep a value")
        return ok
    except Exception:
        # The reason goes to the log for the host; the probe only learns "unavailable".
        health_log.exception("health check failed")
        return False


class FormCharsetMiddleware:
    """A form sent in a charset other than UTF-8 gets the site's 400 page here, before
    anything reads its body: Django refuses such a body, and with DEBUG on its error
    page would read it again and fail with a bare 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.content_type == "application/x-www-form-urlencoded" and not _utf8(
            request.content_params.get("charset")
        ):
            return bad_request(request, None)
        return self.get_response(request)


def _utf8(charset):
    if not charset:
        return True
    try:
        return codecs.lookup(charset).name == "utf-8"
    except LookupError:
        return True  # Django ignores a charset it does not know, and reads UTF-8


class HealthCheckMiddleware:
    """/healthz for load balancers, answered before host checks and the page cache:
    balancers probe by address, and a cached "ok" would hide an outage."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path != "/healthz":
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            response = HttpResponse("method not allowed\n", status=405, content_type="text/plain")
            response["Allow"] = "GET, HEAD"
            return response
        ok = healthy()
        response = HttpResponse(
            "ok\n" if ok else "unavailable\n",
            status=200 if ok else 503,
            content_type="text/plain; charset=utf-8",
        )
        response["Cache-Control"] = "no-store"
        return response


class RequestLogMiddleware:
    """One structured log record per request, tied to the proxy's X-Request-ID.
    (/healthz is answered before this, so load balancer probes stay out of the log.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        request_id = request.META.get("HTTP_X_REQUEST_ID", "")[:64] or uuid.uuid4().hex
        request.request_id = request_id
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        request_log.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "request_id": request_id,
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                "bytes": 0 if response.streaming else len(response.content),
                "client": client_address(request),
                "page_cache": response.get("X-Page-Cache", ""),
            },
        )
        return response


class SecurityHeadersMiddleware:
    """The security headers on every response, /healthz, static files and error pages
    included: the outermost middleware, so nothing answers around it.

    Content-Security-Policy allows no inline script or style: every script and
    stylesheet is a file under /static/, and htmx is told not to inject its own style
    element. The others are Django's own settings, set here too for the responses that
    never reach its middleware; a view that sets one itself keeps its own.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        response.setdefault("X-Content-Type-Options", "nosniff")
        response.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
        response.setdefault("Referrer-Policy", settings.SECURE_REFERRER_POLICY)
        return response


class PrivatePerVisitorMiddleware:
    """A page that sets a cookie or varies on the visitor's cookies (a form with a CSRF
    token, anything that reads the session) belongs to one visitor: mark it private
    so neither the page cache nor a shared proxy stores it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.cookies or has_vary_header(response, "Cookie"):
            patch_cache_control(response, private=True)  # replaces any "public"
        return response
