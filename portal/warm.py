"""What every process needs before its first request: the flowchart, the log patterns
and the compiled templates. Nothing here opens a database or cache connection, which
must never be shared between forked workers."""

from pathlib import Path

from django.conf import settings
from django.template.loader import get_template

from troubleshooter import diagnosis, flowchart


def templates():
    for folder in settings.TEMPLATES[0]["DIRS"]:
        for path in sorted(Path(folder).rglob("*.html")):
            yield path.relative_to(folder).as_posix()


def warm_up():
    flowchart.get()
    diagnosis.library()
    for name in templates():
        get_template(name)
