"""Normalising what customers type for their VPS and domain."""

import ipaddress
import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError

VPS_ID = re.compile(r"^(?:vps[-_ ]?)?([0-9]{3,10})$", re.I)
LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def normalise_ip(text):
    try:
        return str(ipaddress.ip_address(text.strip("[]")))
    except ValueError:
        return None


def normalise_vps(text):
    """`vps-104233`, `VPS 104233`, `104233` or an IPv4/IPv6 address, in one canonical form."""
    text = text.strip()
    match = VPS_ID.match(text)
    if match:
        return f"vps-{match.group(1)}"
    address = normalise_ip(text)
    if address:
        return address
    raise ValidationError(
        "Enter your VPS's identifier as shown in the client area (for example vps-104233) "
        "or its IP address (for example 203.0.113.10 or 2001:db8::10).",
        code="vps",
    )


def normalise_domain(text):
    """A host name (international ones too) or an IP address, without scheme, port or path."""
    text = text.strip()
    if not text:
        raise ValidationError("Enter the domain that shows the error.", code="required")
    candidate = text if "//" in text else f"//{text}"
    try:
        host = urlsplit(candidate).hostname or ""
    except ValueError:
        host = ""
    host = host.rstrip(".")
    address = normalise_ip(host)
    if address:
        return address
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        ascii_host = ""
    labels = ascii_host.split(".")
    if (
        len(labels) < 2
        or len(ascii_host) > 253
        or not all(LABEL.match(label) for label in labels)
        or labels[-1].isdigit()
    ):
        raise ValidationError(
            "Enter a domain such as example.com (with or without https:// in front), "
            "or the IP address the site runs on.",
            code="domain",
        )
    return ascii_host
