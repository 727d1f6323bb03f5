"""One JSON object per log line, for journald and log shippers; and the filter that
keeps private links out of every line."""

import json
import logging
import re
from datetime import UTC, datetime

# Attributes every LogRecord has; anything else was passed in `extra` and is a field.
STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}

# Paths whose last part is a secret: a ticket's status page is /tickets/<reference>/
# <signature>/, and whoever holds the address can read the ticket. Matched anywhere in
# a message (Django's "Not Found: /tickets/…", a redirect's Location), with or without
# the trailing slash.
PRIVATE_PATH = re.compile(r"(/tickets/[A-Za-z0-9-]+/)[^/\s?#\"']+")
MASK = r"\1…"


def mask(text):
    return PRIVATE_PATH.sub(MASK, text) if "/tickets/" in text else text


class MaskPrivateLinks(logging.Filter):
    """Rewrites each record, whichever logger wrote it, so no private link reaches the
    log: its message, and any text field passed in `extra` (the request log's path)."""

    def filter(self, record):
        message = record.getMessage()
        if "/tickets/" in message:
            record.msg, record.args = mask(message), ()
        for name, value in vars(record).items():
            if name not in STANDARD and isinstance(value, str) and "/tickets/" in value:
                setattr(record, name, mask(value))
        return True


class JSONFormatter(logging.Formatter):
    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name, value in vars(record).items():
            if name not in STANDARD and not name.startswith("_"):
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)
