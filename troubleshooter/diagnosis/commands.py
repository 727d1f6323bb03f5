"""The suggested commands, with the facts found filled in."""

import re

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def fill(template, values):
    """A command with the facts filled in; unknown ones stay as <name> to replace."""
    missing = []

    def value(match):
        name = match.group(1)
        if name in values:
            return values[name]
        missing.append(name)
        return f"<{name}>"

    return PLACEHOLDER.sub(value, template), missing
