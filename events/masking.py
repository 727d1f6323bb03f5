"""Masking what a visitor typed or pasted before any of it is kept.

Search text and the log lines the diagnosis could not read are stored only as a
pattern: every value that could say who or where someone is (e-mail and IP
addresses, host names, URLs, file paths), and every number, id, hash or uuid, is
replaced by a placeholder. What is left is the wording of the message, which is
what the help needs to learn from.

`mask` is for search text (the words stay, so "connection refused on <ip>" still
reads as a search); `template` is for log lines and also folds timestamps and
quoted values (a quoted value in a log line is a request, a user or a name).
"""

import re

MAX_MASKED = 200  # characters of masked search text kept
MAX_TEMPLATE = 300  # characters of a log line's template kept

FILE_EXTENSIONS = (
    "conf", "ini", "sock", "socket", "service", "timer", "log", "pid", "py", "php", "js",
    "json", "yaml", "yml", "toml", "html", "htm", "txt", "cfg", "d", "so", "rb", "go",
    "env", "lock", "xml", "sh", "err", "out", "pem", "crt", "key", "target",
)  # fmt: skip
# Order matters: each replacement runs on the output of the ones before it, the
# widest shapes (a URL holds a host, a path and numbers) first.
_MASKS = [
    ("<url>", re.compile(r"\b[a-z][a-z0-9+.-]{1,15}://[^\s\"'<>]+", re.I)),
    ("<email>", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    (
        "<id>",
        re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.I),
    ),
    # IPv6: at least two groups around "::", or eight full groups; an optional port.
    (
        "<ip>",
        re.compile(
            r"\[?(?<![\w:])(?:(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}"
            r"|(?:[0-9a-f]{1,4}:){1,7}:(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){0,6})?"
            r"|::(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){0,6}|1))(?:%\w+)?(?![\w:])\]?",
            re.I,
        ),
    ),
    ("<ip>", re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")),
    # A Unix path of two parts or more, or a Windows one; "unix:" sockets too.
    ("<path>", re.compile(r"(?:\b[A-Za-z]:\\|(?<![\w.>])~?/)[^\s\"'<>:,;()\[\]]+")),
    # A host name: two or more labels ending in a letter-only top-level label, unless
    # that label is a file's extension (nginx.conf, www.conf, php-fpm.sock stay).
    (
        "<host>",
        re.compile(
            r"\b(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+"
            r"(?!(?:" + "|".join(FILE_EXTENSIONS) + r")\b)[a-z]{2,24}\b(?![\w-])",
            re.I,
        ),
    ),
    # Hex ids and hashes: 8 hex digits or more with at least one digit, or 0x…
    ("<id>", re.compile(r"\b0x[0-9a-f]+\b|\b(?=[0-9a-f]*\d)[0-9a-f]{8,}\b", re.I)),
    # Tokens that mix letters and digits (session ids, request ids, container ids).
    ("<id>", re.compile(r"\b(?=\w*\d)(?=\w*[a-z])[\w-]{12,}\b", re.I)),
    # Every number, also inside a word (php8.2-fpm becomes php<num>-fpm).
    ("<num>", re.compile(r"\d+(?:[.,]\d+)*")),
]
_TIMESTAMPS = re.compile(
    r"\d{4}[/-]\d{2}[/-]\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?"
    r"|\b\w{3} \w{3} +\d{1,2} \d{2}:\d{2}:\d{2}(?:\.\d+)? \d{4}"
    r"|\d{2}/\w{3}/\d{4}:\d{2}:\d{2}:\d{2}(?: [+-]\d{4})?"
    r"|\d{2}-\w{3}-\d{4} \d{2}:\d{2}:\d{2}(?:\.\d+)?"
    r"|^\w{3} +\d{1,2} \d{2}:\d{2}:\d{2}"
)
_QUOTED = re.compile(r'"[^"\n]*"')
_SPACES = re.compile(r"\s+")
# Angle brackets are ours alone: any other is dropped, so typed markup cannot pass
# for a placeholder. Text masked before (a search handed back by a page) keeps its own.
_ANGLES = re.compile(r"[<>]")
_PLACEHOLDER = re.compile(r"<(num|ip|host|path|id|email|url|str|time)>")
_KEPT = re.compile(r"\x00(\w+)\x00")


def _strip_angles(text):
    text = str(text).replace("\x00", " ")
    return _ANGLES.sub(" ", _PLACEHOLDER.sub("\x00\\1\x00", text))


def _restore(text):
    return _KEPT.sub(r"<\1>", text)


def _apply(text):
    for placeholder, pattern in _MASKS:
        text = pattern.sub(placeholder, text)
    return text


def _clip(text, limit):
    text = _SPACES.sub(" ", text).strip()
    if len(text) <= limit:
        return text
    cut = text[:limit]
    # Never end inside a placeholder.
    start = cut.rfind("<")
    if start != -1 and ">" not in cut[start:]:
        cut = cut[:start]
    return cut.rstrip()


def mask(text, limit=MAX_MASKED):
    """Search text with every address, name, path, id and number replaced."""
    return _clip(_restore(_apply(_strip_angles(text))), limit)


def template(line, limit=MAX_TEMPLATE):
    """A log line's template: its wording, with timestamps, quoted values and every
    address, name, path, id and number replaced."""
    line = _TIMESTAMPS.sub("\x00time\x00", _strip_angles(line))
    line = _QUOTED.sub('"\x00str\x00"', line)
    return _clip(_restore(_apply(line)), limit)
