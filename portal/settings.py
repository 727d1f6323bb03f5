"""Settings for the help portal.

One module for every environment. The defaults are the embedded set-up
(SQLite, local-memory cache, console email) so a fresh clone runs with no
configuration; production is switched on by environment variables (read strictly
by portal/env.py: a value it cannot read stops start-up, naming the variable):
SECRET_KEY, DEBUG, ALLOWED_HOSTS, DATABASE_URL, REDIS_URL, EMAIL_URL.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from portal import env

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env.boolean("DEBUG", False)

DEVELOPMENT_SECRET_KEY = "development-only-key-never-used-in-production-0123456789"
SECRET_KEY = env.text("SECRET_KEY")
if not SECRET_KEY and DEBUG:
    SECRET_KEY = DEVELOPMENT_SECRET_KEY
elif not DEBUG and (SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 50):
    # Signed ticket links and sessions are only as safe as this key.
    raise ImproperlyConfigured(
        "Set SECRET_KEY in the environment to a random value of at least 50 characters "
        "(or DEBUG=1 for development). Make one with: "
        "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )

ALLOWED_HOSTS = env.strings("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.strings("CSRF_TRUSTED_ORIGINS")

SITE_NAME = env.text("SITE_NAME", "Gateway Help")
# Behind a reverse proxy: the request header that carries the visitor's address, as
# the proxy sets it (e.g. X-Real-IP). Used for rate limits; empty means REMOTE_ADDR.
_client_ip_header = env.text("CLIENT_IP_HEADER")
CLIENT_IP_HEADER = (
    "HTTP_" + _client_ip_header.upper().replace("-", "_") if _client_ip_header else ""
)
# Changes with each deploy so that ETags of pages built from templates change too.
RELEASE = env.text("RELEASE", "dev")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_htmx",
    "template_partials",
    "lib",
    "incidents",
    "events",
    "portal",
    "kb",
    "troubleshooter",
    "tickets",
    "insight",
]

MIDDLEWARE = [
    "portal.middleware.SecurityHeadersMiddleware",
    "portal.middleware.FormCharsetMiddleware",
    "portal.middleware.HealthCheckMiddleware",
    "portal.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.pagecache.PageCacheMiddleware",
    "portal.middleware.PrivatePerVisitorMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "portal.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.site",
                "incidents.context_processors.known_problems",
            ],
            # lib's {% url %} replaces Django's: the same addresses, remembered.
            "builtins": ["template_partials.templatetags.partials", "lib.templatetags.urls"],
        },
    },
]

WSGI_APPLICATION = "portal.wsgi.application"

# SQLite in WAL mode with a busy timeout and immediate write transactions, so
# concurrent writers wait for each other instead of failing with "database is locked".
SQLITE_OPTIONS = {
    "timeout": 20,
    "transaction_mode": "IMMEDIATE",
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
DATABASES = {
    # An empty DATABASE_URL (as an env file may have) means the default, too.
    "default": dj_database_url.parse(
        env.text("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env.integer("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Connections persist (CONN_MAX_AGE above) on SQLite too: opening one means the
    # WAL pragmas again, on every request.
    DATABASES["default"]["OPTIONS"] = SQLITE_OPTIONS
    # Tests use a file too (not memory), so concurrent requests meet real SQLite locking.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "test-db.sqlite3")}

# The cache holds the page cache and the rate-limit counters, so with several app
# servers (or Gunicorn workers) it must be shared: Redis in production.
REDIS_URL = env.text("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "portal.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.text("CACHE_KEY_PREFIX", "portal"),
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Where rate-limit and sign-in counters live: every worker must see the same counts.
# Redis when there is one; otherwise the database (a local-memory cache is per process,
# so five workers would each allow the limit). portal.checks refuses "cache" over a
# per-process cache.
RATE_LIMIT_STORE = env.choice(
    "RATE_LIMIT_STORE", "cache" if REDIS_URL else "database", ["cache", "database"]
)
# Seconds an anonymous page stays in the page cache (0 turns the page cache off).
PAGE_CACHE_SECONDS = env.integer("PAGE_CACHE_SECONDS", 60)

# EMAIL_URL names the SMTP server. Without it, mail is printed to the console in
# development; in production it waits in the tickets' outbox until EMAIL_URL is set
# (then `manage.py send_pending_email` sends it), and `check --deploy` says so.
_email = env.email("EMAIL_URL", debug=DEBUG)
EMAIL_BACKEND = _email.backend
EMAIL_HOST = _email.host
EMAIL_PORT = _email.port
EMAIL_HOST_USER = _email.user
EMAIL_HOST_PASSWORD = _email.password
EMAIL_USE_TLS = _email.use_tls
EMAIL_USE_SSL = _email.use_ssl
EMAIL_TIMEOUT = _email.timeout
DEFAULT_FROM_EMAIL = env.text("DEFAULT_FROM_EMAIL", "help@example.com")
SUPPORT_EMAIL = env.text("SUPPORT_EMAIL", "support@example.com")
TICKETS_PER_HOUR = env.integer("TICKETS_PER_HOUR", 5, minimum=1)
# Usage events and unread log templates are deleted after this many days (prune_events).
EVENT_RETENTION_DAYS = env.integer("EVENT_RETENTION_DAYS", 90, minimum=1)
# An article whose last review is older than this many months shows a notice to
# readers and is listed on the staff dashboard.
REVIEW_AFTER_MONTHS = env.integer("REVIEW_AFTER_MONTHS", 12, minimum=1)
# What the status page tells a customer about when the first reply comes.
TICKET_REPLY_HOURS = env.integer("TICKET_REPLY_HOURS", 24, minimum=1)
# How a new ticket's emails leave, after the customer has their answer: from a thread of
# the process that saved it (`thread`), or only by the sender started with the service
# (`outbox`: `send_pending_email --watch`), so a request does no mail work at all;
# `inline` sends them within the request (tests).
TICKET_MAIL = env.choice("TICKET_MAIL", "thread", ("thread", "outbox", "inline"))
# Failed admin sign-ins allowed per address within the window (seconds).
ADMIN_LOGIN_FAILURES = env.integer("ADMIN_LOGIN_FAILURES", 5, minimum=1)
ADMIN_LOGIN_WINDOW = env.integer("ADMIN_LOGIN_WINDOW", 15 * 60, minimum=1)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.text("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "portal.staticstorage.StaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Where content authors keep articles (Markdown) and the flowchart (YAML).
CONTENT_DIR = Path(env.text("CONTENT_DIR", str(BASE_DIR / "content")))

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.boolean("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.integer("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.boolean("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env.boolean("SECURE_HSTS_PRELOAD", True)
SECURE_REFERRER_POLICY = "same-origin"
# No inline script or style anywhere: scripts and stylesheets are files under /static/.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Logs go to standard error (systemd's journal under deploy/). LOG_FORMAT=json gives
# one JSON object per line, with the request fields of portal.middleware.RequestLog.
LOG_LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "portal.logformat.JSONFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "filters": {"private_links": {"()": "portal.logformat.MaskPrivateLinks"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": env.choice("LOG_FORMAT", "text" if DEBUG else "json", ["json", "text"]),
            "filters": ["private_links"],
        }
    },
    "root": {"handlers": ["console"], "level": env.choice("LOG_LEVEL", "INFO", LOG_LEVELS)},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Each request is logged once, by portal.request; Django's own line would repeat it.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING" if not DEBUG else "INFO"},
    },
}
