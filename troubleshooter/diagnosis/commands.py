"""The suggested commands, with the facts found filled in.

A command in content/diagnosis/commands.yaml names the values it needs as `@name@`,
a form that no shell, curl (`-w "%{time_total}"`), printf, awk or Go template
(`{{.Name}}`) uses, so the rest of the command is left exactly as written. A value
the line did not give becomes a word the customer replaces (YOUR_SERVICE), which
keeps the command valid shell.
"""

import re
from urllib.parse import urlsplit

from lib.yoursetup import LINK_VALUES

PLACEHOLDER = re.compile(r"@([a-z_]+)@")
# Backends that are not PHP: no PHP-FPM greps for them.
NOT_PHP = {
    "gunicorn", "uwsgi", "daphne", "node", "pm2", "puma", "unicorn", "passenger", "go",
    "tomcat", "iis", "heroku",
}  # fmt: skip
# Commands that only make sense when the value is known (they are left out otherwise).
ONLY_WHEN_KNOWN = {"fastcgi_target"}


def unknown(name):
    return f"YOUR_{name.upper()}"


def fill(template, values):
    """A command with the facts filled in, and the names of the values it lacked."""
    missing = []

    def value(match):
        name = match.group(1)
        if name in values:
            return values[name]
        missing.append(name)
        return unknown(name)

    return PLACEHOLDER.sub(value, template), missing


def _upstream(values, upstream):
    """Split what the proxy connected to into what commands need: a scheme, a host
    and a port, or a socket; a URL only where one can be asked over HTTP."""
    if upstream.startswith("unix:"):
        values.setdefault("socket", upstream[5:].split(":")[0])
        return
    text = upstream if "://" in upstream else f"http://{upstream}"
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return
    scheme = parts.scheme
    if parts.netloc.startswith("unix:"):  # fastcgi://unix:/run/php/php8.2-fpm.sock:
        values.setdefault("socket", parts.netloc[5:].split(":")[0] or parts.path.split(":")[0])
        values["upstream_scheme"] = scheme
        return
    if not parts.hostname:
        return
    values["upstream_scheme"] = scheme
    values["upstream_host"] = parts.hostname
    if port:
        values["upstream_port"] = str(port)
        values.setdefault("port", str(port))
    if scheme in ("http", "https"):
        values["upstream_url"] = f"{scheme}://{parts.netloc}{parts.path or '/'}"
    elif scheme == "fastcgi" and port:
        values["fastcgi_target"] = f"{parts.hostname}:{port}"


# A host name as a log names it, worth taking for the site's domain (not an address,
# not a name that only exists on a local network).
DOMAIN = re.compile(r"(?=.{4,253}$)(?!-)[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,63}")
LOCAL = (".local", ".internal", ".lan", ".localhost")


def domain_of(facts):
    for name in ("host", "server"):
        host = facts.get(name, "").split(":")[0].lower()
        if DOMAIN.fullmatch(host) and not host.endswith(LOCAL):
            return host
    return None


def values_for(facts):
    """The values commands can use, worked out from the facts of the line."""
    values = dict(facts)
    if domain := domain_of(facts):
        values["domain"] = domain
    _upstream(values, facts.get("upstream", ""))
    if "php_version" in values:
        values["service"] = f"php{values['php_version']}-fpm"
    elif "php-fpm" in values.get("socket", "") or values.get("program") == "php-fpm":
        values["service"] = "php-fpm"
    if "socket" in values:
        values["socket_dir"] = values["socket"].rsplit("/", 1)[0] + "/"
        if values.get("upstream_scheme") == "fastcgi" or "php" in values["socket"]:
            values["fastcgi_target"] = values["socket"]
    return values


def is_php(values):
    """Whether the backend is PHP: True, False, or None when the line does not say."""
    if "php_version" in values or "fastcgi_target" in values:
        return True
    if values.get("program") in NOT_PHP or values.get("upstream_scheme") in ("http", "https"):
        return False
    return None


def suggest(findings, facts, commands, limit=2):
    """Commands for the best causes, filled with the facts found.

    A command about a TCP port is left out when the line named a unix socket, and the
    other way round; PHP commands are left out for a backend that is not PHP; a
    command already suggested is not repeated.
    """
    values = values_for(facts)
    irrelevant = set(ONLY_WHEN_KNOWN)
    if "socket" in values:
        irrelevant |= {"port", "upstream_url", "upstream_host", "upstream_port"}
    if "port" in values:
        irrelevant |= {"socket", "socket_dir"}
    if values.get("upstream_scheme") in ("fastcgi", "uwsgi"):
        irrelevant.add("upstream_url")  # never curl a FastCGI or uwsgi socket
    php = is_php(values)
    suggestions, seen = [], set()
    for finding in findings[:limit]:
        for command in commands.get(finding.slug, []):
            if command.get("for") == "php" and php is False:
                continue
            text, missing = fill(command["run"], values)
            if text in seen or irrelevant & set(missing):
                continue
            seen.add(text)
            suggestions.append(
                {"cause": finding.slug, "run": text, "why": command["why"], "missing": missing}
            )
    return suggestions


RUNTIMES = {
    "php-fpm": "php", "gunicorn": "python", "uwsgi": "python", "pm2": "node", "node": "node",
}  # fmt: skip
# Where each distribution family's packages put PHP-FPM's sockets.
SOCKET_DIRS = {
    "debian": ("/run/php/", "/var/run/php/"),
    "rhel": ("/run/php-fpm/", "/var/run/php-fpm/"),
}


def setup_of(facts):
    """What the facts of a log say about the customer's setup, as "your setup" and a
    setup link write it (lib.yoursetup): the web server, distribution, runtime and
    Docker that pick a command's variant, and the PHP version, socket and port."""
    values = values_for(facts)
    program = facts.get("program")
    found = {}
    if program in ("nginx", "apache"):
        found["web"] = program
    runtime = "php" if is_php(values) else RUNTIMES.get(program)
    if runtime:
        found["runtime"] = runtime
    socket = values.get("socket", "")
    for family, directories in SOCKET_DIRS.items():
        if socket.startswith(directories):
            found["os"] = family
    if facts.get("container"):
        found["docker"] = "yes"
    found.update({key: values[name] for key, (name, _) in LINK_VALUES.items() if name in values})
    return found
