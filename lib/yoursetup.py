""" "Your setup": the few facts about a customer's server that decide which variant of a
command fits it, and the values that travel in a setup link.

Articles and outcomes offer a command in variants written for one choice each
(`{setup="os:rhel"}`); the browser shows the variant of the customer's choice. Staff
send a link whose fragment carries a ticket's setup (`#setup=web:nginx;php:8.2`), so
neither the page cache nor a server log sees it. Only the keys below travel, each
checked for its shape: nothing personal (no email, domain, address or log) fits one.
"""

import re
from urllib.parse import quote

# key: (label of the choice, {value: label of a variant written for it})
CHOICES = {
    "web": ("Web server", {"nginx": "nginx", "apache": "Apache"}),
    "os": ("Distribution", {"debian": "Debian / Ubuntu", "rhel": "RHEL / Alma / Rocky"}),
    "runtime": ("Runtime", {"php": "PHP-FPM", "python": "Python", "node": "Node.js"}),
    "docker": ("Docker", {"no": "Without Docker", "yes": "In Docker"}),
    "panel": (
        "Control panel",
        {
            "none": "No panel",
            "cpanel": "cPanel",
            "plesk": "Plesk",
            "hestia": "HestiaCP",
            "cloudpanel": "CloudPanel",
            "aapanel": "aaPanel",
            "cyberpanel": "CyberPanel",
        },
    ),  # fmt: skip
}

PATH = r"/[A-Za-z0-9_.@+/-]{0,254}"
# Link key: (the command value it fills, its shape). A port is also checked for range.
LINK_VALUES = {
    "php": ("php_version", r"[5-9]\.\d{1,2}"),
    "socket": ("socket", PATH),
    "port": ("port", r"[1-9]\d{0,4}"),
}
LINK_KEYS = (*CHOICES, *LINK_VALUES)

CONDITION = re.compile(r"([a-z]+):([a-z0-9]+)")


class SetupError(ValueError):
    """A variant's `setup` attribute names a choice or value this module does not know."""


def parse_condition(text):
    """The (key, value) pairs of a variant's `setup` attribute: `os:rhel web:apache`."""
    pairs = []
    for part in text.split():
        match = CONDITION.fullmatch(part)
        if not match or match.group(1) not in CHOICES:
            keys = ", ".join(CHOICES)
            raise SetupError(f'setup="{text}": write key:value with a key among {keys}')
        key, value = match.groups()
        if value not in CHOICES[key][1]:
            known = ", ".join(CHOICES[key][1])
            raise SetupError(f'setup="{text}": {key} is one of {known}')
        pairs.append((key, value))
    if not pairs:
        raise SetupError('setup="": name at least one key:value')
    return pairs


def label(pairs):
    """What a variant is for, in words: "RHEL / Alma / Rocky · Apache"."""
    return " · ".join(CHOICES[key][1][value] for key, value in pairs)


def _valid(key, value):
    if key in CHOICES:
        return value in CHOICES[key][1]
    if not re.fullmatch(LINK_VALUES[key][1], value):
        return False
    return key != "port" or int(value) < 65536


def fragment(setup):
    """The `setup=…` fragment of a link carrying these values ({link key: value}); the
    keys outside LINK_KEYS and the values of the wrong shape are left out."""
    pairs = [
        f"{key}:{quote(str(setup[key]), safe='/.')}"
        for key in LINK_KEYS
        if setup.get(key) and _valid(key, str(setup[key]))
    ]
    return "setup=" + ";".join(pairs) if pairs else ""
