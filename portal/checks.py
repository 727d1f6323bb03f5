"""System checks of the project's own wiring."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from portal.env import HELD

# (earlier, later, why): each pair must appear in MIDDLEWARE in this order. A request
# passes the middleware top to bottom and its response bottom to top, so the earlier
# one sees the response after the later one has finished with it.
ORDER = [
    (
        "portal.middleware.FormCharsetMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "a form in another charset gets the 400 page before anything reads its body",
    ),
    (
        "portal.middleware.SecurityHeadersMiddleware",
        "portal.middleware.HealthCheckMiddleware",
        "/healthz gets the security headers too",
    ),
    (
        "portal.middleware.HealthCheckMiddleware",
        "portal.middleware.RequestLogMiddleware",
        "load balancer probes stay out of the request log",
    ),
    (
        "portal.middleware.HealthCheckMiddleware",
        "django.middleware.security.SecurityMiddleware",
        "/healthz is answered before host checks and the HTTPS redirect",
    ),
    (
        "portal.middleware.HealthCheckMiddleware",
        "portal.pagecache.PageCacheMiddleware",
        "a cached 'ok' would hide an outage",
    ),
    (
        "portal.middleware.RequestLogMiddleware",
        "portal.pagecache.PageCacheMiddleware",
        "pages answered from the page cache are logged too",
    ),
    (
        "django.middleware.security.SecurityMiddleware",
        "whitenoise.middleware.WhiteNoiseMiddleware",
        "static files get the security headers (WhiteNoise's documented place)",
    ),
    (
        "portal.middleware.SecurityHeadersMiddleware",
        "portal.pagecache.PageCacheMiddleware",
        "pages from the page cache get the Content-Security-Policy",
    ),
    (
        "portal.middleware.SecurityHeadersMiddleware",
        "whitenoise.middleware.WhiteNoiseMiddleware",
        "static files get the Content-Security-Policy",
    ),
    (
        "portal.pagecache.PageCacheMiddleware",
        "portal.middleware.PrivatePerVisitorMiddleware",
        "a page that belongs to one visitor is marked private before the page cache sees it",
    ),
    (
        "portal.middleware.PrivatePerVisitorMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "the session's cookie and Vary: Cookie are seen when deciding what is private",
    ),
    (
        "portal.middleware.PrivatePerVisitorMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "the CSRF cookie is seen when deciding what is private",
    ),
]


def order_problems(middleware):
    problems = []
    for earlier, later, why in ORDER:
        missing = [name for name in (earlier, later) if name not in middleware]
        if missing:
            problems.append(f"MIDDLEWARE lacks {' and '.join(missing)}")
        elif middleware.index(earlier) > middleware.index(later):
            problems.append(
                f"MIDDLEWARE has {later} before {earlier}; put {earlier} first so {why}"
            )
    return list(dict.fromkeys(problems))


@register()
def check_middleware_order(app_configs, **kwargs):
    return [Error(problem, id="portal.E001") for problem in order_problems(settings.MIDDLEWARE)]


@register(Tags.security, deploy=True)
def check_mail_server(app_configs, **kwargs):
    if settings.EMAIL_BACKEND != HELD:
        return []
    return [
        Warning(
            "EMAIL_URL is not set, so no email is sent: ticket confirmations and the mail "
            "to support wait in the outbox.",
            hint="Set EMAIL_URL to your SMTP server (smtp://user:password@host:587?tls=1), "
            "restart, and run `python manage.py send_pending_email` once.",
            id="portal.W001",
        )
    ]


PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@register()
def check_rate_limit_store(app_configs, **kwargs):
    backend = settings.CACHES["default"]["BACKEND"]
    if settings.RATE_LIMIT_STORE == "cache" and backend in PER_PROCESS_CACHES:
        return [
            Error(
                "RATE_LIMIT_STORE=cache over a cache each process keeps for itself: every "
                "worker would count on its own and allow the limit again.",
                hint="Set REDIS_URL, or leave RATE_LIMIT_STORE unset so the counters live "
                "in the database.",
                id="portal.E002",
            )
        ]
    return []
