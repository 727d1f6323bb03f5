"""The values of a customer's setup that fill the commands of steps and outcomes.

Steps and outcomes write them `@service@`, `@port@`…; a page fills in what it knows,
from the log lines the customer pasted and from what they typed in "Your values", and
shows YOUR_SERVICE, YOUR_PORT… in the command itself for the rest. A typed value is
checked to hold only characters that cannot change what a command does once pasted
into a shell, so a filled command is as safe to run as the written one.
"""

import ipaddress
import json
import re
from dataclasses import dataclass

from django.utils.html import escape

from lib.yoursetup import CHOICES, PATH

# Written `@name@` in Markdown; in code, lib.markdown has made each a marked YOUR_NAME
# and each comment line naming a value ("# @service@: php8.3-fpm, …") a hint.
PLACEHOLDER = re.compile(r"@([a-z_]+)@")
MARKED = re.compile(r'<var class="setup-value" data-setup-value="([a-z_]+)">YOUR_[A-Z_]+</var>')
HINT = re.compile(r'<span class="setup-hint" data-setup-hint="([a-z_]+)">[^\n]*\n</span>')

NAME = r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}"


@dataclass(frozen=True)
class Value:
    name: str
    label: str
    example: str
    pattern: str
    message: str

    def check(self, text):
        """The value in its canonical form, or None when it does not fit."""
        if self.name == "server_ip":
            try:
                return str(ipaddress.ip_address(text.strip("[]")))
            except ValueError:
                return None
        if self.name == "port":
            return str(int(text)) if text.isdigit() and 0 < int(text) < 65536 else None
        if self.name == "domain":
            text = text.lower().removeprefix("https://").removeprefix("http://").rstrip("/.")
        return text if re.fullmatch(self.pattern, text) else None


VALUES = [
    Value(
        "service",
        "Backend service",
        "php8.3-fpm, gunicorn, myapp",
        r"[A-Za-z0-9][\w@.:-]{0,99}",
        "Write the unit's name as systemctl shows it, for example php8.3-fpm or gunicorn.",
    ),
    Value(
        "php_version",
        "PHP version",
        "8.3",
        r"[5-9]\.\d{1,2}",
        "Write the PHP version as two numbers with a dot, for example 8.3.",
    ),
    Value(
        "port",
        "Backend port",
        "3000, 8000, 9000",
        r"\d+",
        "Write the port as a number from 1 to 65535, for example 3000.",
    ),
    Value(
        "socket",
        "Backend socket",
        "/run/php/php8.3-fpm.sock",
        PATH,
        "Write the socket's full path, starting with /, for example /run/php/php8.3-fpm.sock.",
    ),
    Value(
        "upstream_host",
        "Backend host",
        "127.0.0.1, app",
        r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,252}",
        "Write the host or address the proxy connects to, for example 127.0.0.1 or app.",
    ),
    Value(
        "container",
        "App container",
        "app, myapp-web-1",
        NAME,
        "Write the container's name as docker ps shows it, for example app.",
    ),
    Value(
        "proxy_container",
        "Proxy container",
        "proxy, nginx",
        NAME,
        "Write the container's name as docker ps shows it, for example nginx.",
    ),
    Value(
        "domain",
        "Domain",
        "example.com",
        r"(?=.{3,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}",
        "Write the site's domain without https:// or a path, for example example.com.",
    ),
    Value(
        "server_ip",
        "VPS address",
        "203.0.113.10",
        "",
        "Write the VPS's public IP address, for example 203.0.113.10.",
    ),
    Value(
        "site_root",
        "Site directory",
        "/var/www/example.com",
        PATH,
        "Write the directory's full path, starting with /, for example /var/www/example.com.",
    ),
]
BY_NAME = {value.name: value for value in VALUES}
NAMES = tuple(BY_NAME)

# Programs whose lines come from the proxy: a container named in front of such a line
# (`proxy_1  | …`) is the proxy's, not the app's.
PROXIES = {
    "nginx", "apache", "caddy", "traefik", "haproxy", "envoy", "kong", "apisix", "varnish",
    "litespeed", "squid", "iis", "lighttpd",
}  # fmt: skip

PHP_SERVICE = re.compile(r"php-?(?:fpm)?(\d\.\d{1,2})(?:-fpm)?")


def unknown(name):
    return f"YOUR_{name.upper()}"


def used_in(*texts):
    """The names of the setup values these texts use, in the order of VALUES."""
    found = {
        name
        for text in texts
        for pattern in (PLACEHOLDER, MARKED)
        for name in pattern.findall(str(text))
    }
    return [name for name in NAMES if name in found]


def from_facts(values, program=None, allowed=None):
    """The setup values of what the diagnosis read from a log (`values_for` of its
    facts); only the `allowed` ones where a page says the log's values are the wrong
    ones."""
    values = {name: values[name] for name in NAMES if values.get(name)}
    if program in PROXIES and "container" in values:
        values["proxy_container"] = values.pop("container")
    if allowed is not None:
        values = {name: value for name, value in values.items() if name in allowed}
    return values


def combine(log_values, typed):
    """The values a page fills in: what the customer typed wins over what the log gave,
    and the PHP version and the FPM service follow from one another."""
    values = {**log_values, **{name: value for name, value in typed.items() if value}}
    if "php_version" not in values and (match := PHP_SERVICE.fullmatch(values.get("service", ""))):
        values["php_version"] = match.group(1)
    if "service" not in values and "php_version" in values:
        values["service"] = f"php{values['php_version']}-fpm"
    return values


def fill(html, values):
    """HTML with the setup values filled in where they are known (escaped, and marked as
    filled), and YOUR_SERVICE, YOUR_PORT… in the commands themselves where they are not.
    A hint naming a value is left out once the value is there."""

    def hint(match):
        return "" if match.group(1) in values else match.group(0)

    def marked(match):
        name = match.group(1)
        if name not in values:
            return match.group(0)
        return (
            f'<var class="setup-value is-filled" data-setup-value="{name}">'
            f"{escape(values[name])}</var>"
        )

    def value(match):
        name = match.group(1)
        return escape(values[name]) if name in values else unknown(name)

    return PLACEHOLDER.sub(value, MARKED.sub(marked, HINT.sub(hint, str(html))))


def learned(typed, log, found):
    """What a page learnt of the customer's setup, for the browser to keep (JSON for a
    data attribute of a private page): the values typed, those read from a log (which a
    page may refuse, as `from_log` says), and the choices of `found`
    (diagnosis.setup_of) that pick command variants. "" when it learnt nothing."""
    choice = {key: found[key] for key in CHOICES if found.get(key)}
    typed, log = ({n: v[n] for n in NAMES if v.get(n)} for v in (typed, log))
    if not (choice or typed or log):
        return ""
    return json.dumps({"choice": choice, "values": typed, "log": log})
