"""The parts of a log line that customers copy: the message without its prefix
(timestamp, level, process and connection numbers, compose or journald prefix),
without the `, client: …` tail, without the `while …` phrase, and quoted."""

import re

PREFIX = re.compile(
    r"""^(?:
        [\w.-]+\ +\|\ ?                                   # docker compose: web-1  |
      | [A-Z][a-z]{2}\ +\d{1,2}\ [\d:]{8}\ [\w.-]+\ [\w./-]+(?:\[\d+\])?:\ ?   # syslog
      | \d{4}[/-]\d{2}[/-]\d{2}[T\ ][\d:.,]+(?:Z|[+-]\d{2}:?\d{2})?\ ?        # timestamps
      | \d{2}-[A-Z][a-z]{2}-\d{4}\ [\d:.]+\ ?
      | \[[^\]]{1,80}\]\ ?                                # [error], [pid 12], [Sat Nov…]
      | \d+\#\d+:\ ?                                      # nginx pid#tid:
      | \*\d+\ ?                                          # nginx *connection
      | (?:emerg|alert|crit|error|warn|notice|info|ERROR|WARNING|NOTICE|CRITICAL):\ ?
    )""",
    re.X,
)
MIN_LENGTH = 15


def message(line):
    """The line without the prefixes programs and tools put in front of the message."""
    text = line.strip()
    while True:
        stripped = PREFIX.sub("", text, count=1)
        if stripped == text or len(stripped) < MIN_LENGTH:
            return text
        text = stripped


def fragments(line):
    """The shorter forms of one log line a customer might paste, each at least 15
    characters, not the line itself."""
    if "\n" in line.strip():
        return []
    forms = []
    bare = message(line)
    forms.append(bare)
    no_tail = re.split(r", (?:client|server|request|upstream|host): ", bare)[0]
    forms.append(no_tail)
    no_while = re.split(r" while (?=\w)", no_tail)[0]
    forms.append(no_while)
    forms += [f"`{no_while}`", f'"{no_while}"']
    seen, result = {line.strip()}, []
    for form in forms:
        form = form.strip().rstrip(",")
        if len(form.strip('`"')) >= MIN_LENGTH and form not in seen:
            seen.add(form)
            result.append(form)
    return result
