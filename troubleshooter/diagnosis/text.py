"""Pasted text as log entries, and whether a text can (or should) be diagnosed."""

import html
import re

from troubleshooter.diagnosis.facts import LEVEL

# Pasted text and API bodies: enough for a few thousand log lines. Whole files go
# through the upload on the web page or `manage.py diagnose --file`.
MAX_PASTE_BYTES = 256 * 1024
MAX_UPLOAD_BYTES = 20 * 1024 * 1024

# Where a log entry starts. A line that starts otherwise continues the previous entry
# (a long line wrapped by a terminal, an email or a chat window).
ENTRY_START = re.compile(
    r"""^(?:
        \d{4}[/-]\d{2}[/-]\d{2}             # nginx 2026/11/21, ISO 2026-11-21
      | \[                                  # Apache, PHP-FPM, Gunicorn, dmesg
      | [A-Z][a-z]{2}\ +\d{1,2}\ \d{2}:     # syslog and journald: Nov 21 03:12:45
      | [\w.-]+\ *\|                        # docker compose: web-1  | ...
      | \d{1,2}-[A-Z][a-z]{2}-\d{4}         # PHP-FPM without brackets
      | \d+\.\d+\.\d+\.\d+\                 # access logs
      | (?:time|level|type|msg)=            # logfmt (Traefik), audit (type=AVC)
      | \{                                  # JSON (Caddy)
      | (?:PHP|nginx|Error|WARNING|ERROR|NOTICE|FATAL|CRITICAL|Warning|Fatal|Out\ of|Killed)\b
      | \w[\w.-]*(?:\[\d+\])?:\             # "nginx: [emerg]", "php-fpm[12]: ..."
    )""",
    re.X,
)
# A shell prompt: "$ ", "root@web:~# ", "[root@web ~]# ", "user@host:/srv$ ".
PROMPT = re.compile(
    r"^(?:\d{1,2}:\d{2}(?::\d{2})? )?(?:\[?[\w.-]+@[\w.-]+[: ][^\]\s$#]*\]?)?[$#] (?=\S)"
)
# Lines of command output that customers paste between log lines (systemctl status,
# ss and netstat, ls -l, df, free, docker ps): each starts an entry of its own.
OUTPUT = re.compile(
    r"^(?:[●○×]\s|Active:|Loaded:|Main PID:|LISTEN\s|ESTAB\s|tcp6?\s|udp6?\s|Netid\s|State\s"
    r"|Filesystem\s|/dev/|tmpfs\s|overlay\s|Mem:|Swap:|CONTAINER ID|NAME\s|HTTP/[\d.]+ \d{3}"
    r"|[-dlsbcp][rwxsStT-]{9}[.+@]?\s|total \d+$|u_str\s|u_seq\s)"
)
# Terminals wrap at these widths mid-word; other wrapping happens at spaces.
HARD_WRAP_WIDTHS = {80, 100, 120, 132, 160, 200}
QUOTES = "\"'`“”‘’"
# What word processors, forums and input methods put in place of the ASCII a log
# printed: typographic quotes, the fullwidth forms of ASCII (U+FF01 to U+FF5E, as in
# ＂Content-Length＂) and spaces that do not break. Patterns are written in ASCII.
TYPOGRAPHIC = str.maketrans(
    {
        **{chr(code): chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)},
        "“": '"', "”": '"', "„": '"', "‟": '"', "‘": "'", "’": "'", "‚": "'", "‛": "'",
        "\u00a0": " ", "\u2007": " ", "\u2009": " ", "\u202f": " ", "\u3000": " ",
    }
)  # fmt: skip
# A comma or semicolon left from a list, or the "$" that `cat -A` shows at line ends.
TRAILING_JUNK = re.compile(r"(?:[\s,;]|(?<=\S)\$)+$")


# A numeric character reference longer than any code point (U+10FFFF is 7 decimal or
# 6 hex digits, leading zeros aside) would make html.unescape convert thousands of
# digits to an int, which Python refuses; it stands for no character (U+FFFD).
OVERLONG_REFERENCE = re.compile(r"&#(?:[xX]0*[0-9a-fA-F]{7,}|0*[0-9]{8,});?")


def unescape(text):
    """HTML entities decoded, as a browser decodes them, whatever their length."""
    if "&#" in text:
        text = OVERLONG_REFERENCE.sub("\ufffd", text)
    return html.unescape(text)


def without_trailing_junk(line):
    """The line without TRAILING_JUNK, which can only match after one of its characters:
    looking at the last one first spares trying the expression at every position."""
    if line and (line[-1] in ",;$" or line[-1].isspace()):
        return TRAILING_JUNK.sub("", line)
    return line


def normalise(text):
    """Pasted text as log entries: HTML entities decoded, typographic and fullwidth
    characters made ASCII, quotes and chat artefacts stripped, wrapped lines joined
    back. Returns (entries, number of non-empty lines)."""
    if "&" in text:
        text = unescape(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    if not text.isascii():
        text = text.translate(TYPOGRAPHIC)
    entries, lines = [], 0
    previous_length = 0
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            previous_length = 0
            continue
        lines += 1
        while len(line) > 1 and line[0] in QUOTES and line[-1] in QUOTES:
            line = line[1:-1].strip()  # quoted or marked as code in a chat or forum
        prompt = PROMPT.match(line)
        if prompt:
            line = line[prompt.end() :]
        elif line.startswith("> ") and len(line) > 2:
            line = line[2:]  # quoted in a forum post
        line = without_trailing_junk(line)
        if prompt:
            # A command the customer ran, and the first line of its output, are never
            # the rest of a wrapped log line.
            entries.append(line)
            previous_length = 0
            continue
        if entries and previous_length and not ENTRY_START.match(line) and not OUTPUT.match(line):
            joiner = "" if previous_length in HARD_WRAP_WIDTHS else " "
            entries[-1] += joiner + line
        else:
            entries.append(line)
        previous_length = len(raw.rstrip("\n"))
    return entries, lines


def check_text(text):
    """Why `text` cannot be diagnosed, or None when it can."""
    if text is None or not text.strip():
        return "The log is empty. Paste one or more lines from the proxy's error log."
    if len(text.encode("utf-8", "replace")) > MAX_PASTE_BYTES:
        return (
            f"The text is longer than {MAX_PASTE_BYTES // 1024} KB. Paste the lines around "
            "the error, or upload the whole file."
        )
    if "\x00" in text or text.count("\ufffd") > len(text) / 20:
        return "This does not look like text from a log file (it holds binary data)."
    return None


# Besides a log entry's start and level: "(111: Connection refused)", Apache's AH codes.
LOG_SIGNS = (ENTRY_START, LEVEL, re.compile(r"\(\d+: [A-Z]"), re.compile(r"AH\d{5}"))


def looks_like_log(text):
    """Whether search text is more likely a pasted log line than words to search for."""
    text = text.strip()
    return len(text) >= 25 and any(regex.search(text) for regex in LOG_SIGNS)
