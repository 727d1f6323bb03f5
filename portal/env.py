"""Reading settings from environment variables, strictly.

A value that cannot be read stops start-up with a message naming the variable and
what it accepts: a typo such as SECURE_SSL_REDIRECT=ture must never quietly turn the
HTTPS redirect off. An unset or empty variable means the default.
"""

import os
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off"}


def _raw(name):
    value = os.environ.get(name, "").strip()
    return value or None


def boolean(name, default):
    value = _raw(name)
    if value is None:
        return default
    if value.lower() in TRUE:
        return True
    if value.lower() in FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a yes or no: use one of 1, true, yes, on or 0, false, no, off"
    )


def integer(name, default, minimum=0):
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or number < minimum:
        raise ImproperlyConfigured(f"{name}={value!r} must be a whole number of {minimum} or more")
    return number


def text(name, default=""):
    value = _raw(name)
    return default if value is None else value


def choice(name, default, choices):
    value = _raw(name)
    if value is None:
        return default
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} must be one of {', '.join(choices)}")
    return value


def strings(name, default=()):
    """A comma-separated list."""
    value = _raw(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


@dataclass(frozen=True)
class Email:
    backend: str
    host: str = "localhost"
    port: int = 25
    user: str = ""
    password: str = ""
    use_tls: bool = False
    use_ssl: bool = False
    timeout: int = 10


CONSOLE = "django.core.mail.backends.console.EmailBackend"
# Production without an SMTP server: mail is kept, never printed (see portal/mailhold.py).
HELD = "portal.mailhold.HeldBackend"
SMTP = "django.core.mail.backends.smtp.EmailBackend"


def email(name, debug=True):
    """An SMTP server as a URL: smtp://user:pass@host:587?tls=1 (STARTTLS), or
    smtps://user:pass@host:465 (TLS from the start). Unset, mail is printed to the
    console in development, and held back in production, where the console is the
    journal and a ticket's mail holds its private link and the customer's details."""
    value = _raw(name)
    if value is None:
        return Email(backend=CONSOLE if debug else HELD)
    accepted = "smtp://user:password@host:587?tls=1 or smtps://user:password@host:465"
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        raise ImproperlyConfigured(f"{name} is not a URL such as {accepted}") from None
    if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
        # The value may hold a password, so only its scheme is repeated.
        raise ImproperlyConfigured(
            f"{name} must be a URL such as {accepted}, not one starting {parts.scheme!r}"
        )
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    unknown = set(query) - {"tls", "timeout"}
    if unknown:
        raise ImproperlyConfigured(
            f"{name} has unknown options {', '.join(sorted(unknown))}; it accepts tls and timeout"
        )
    tls = query.get("tls", "0").lower()
    timeout = query.get("timeout", "10")
    if tls not in TRUE | FALSE or not timeout.isdigit():
        raise ImproperlyConfigured(f"{name}: tls must be 1 or 0 and timeout a number of seconds")
    return Email(
        backend=SMTP,
        host=parts.hostname,
        port=port or (465 if parts.scheme == "smtps" else 25),
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        use_tls=tls in TRUE,
        use_ssl=parts.scheme == "smtps",
        timeout=int(timeout),
    )
