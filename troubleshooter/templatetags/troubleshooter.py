import re

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import mark_safe

from lib.yoursetup import CHOICES
from troubleshooter import flowchart, setup

register = template.Library()


@register.filter
def fill_setup(help_html, values=None):
    """A step's help with the setup values filled in where they are known, and marked
    YOUR_SERVICE, YOUR_PORT… in the commands themselves where they are not."""
    return mark_safe(setup.fill(help_html, values or {}))


UNKNOWN = re.compile(r"YOUR_([A-Z_]+)")


@register.filter
def marked_values(command):
    """A suggested command, escaped, with each value the log did not give marked as
    articles mark theirs, so the browser fills it from "your setup"."""

    def mark(match):
        name = match.group(1).lower()
        if name not in setup.BY_NAME:
            return match.group(0)
        return f'<var class="setup-value" data-setup-value="{name}">{match.group(0)}</var>'

    return mark_safe(UNKNOWN.sub(mark, escape(command)))


@register.filter
def answer_url(walk, answer):
    return walk.answer_url(answer)


@register.filter
def query_of(url):
    """The query string of a step's address, as a carrying form posts it."""
    return str(url).partition("?")[2]


@register.filter
def answer_query(walk, answer):
    """The answers after this one, as the query string a carrying form posts."""
    return query_of(walk.answer_url(answer))


@register.filter
def change_url(walk, index):
    return walk.change_url(index)


@register.inclusion_tag("troubleshooter/_check_your_problem.html")
def check_your_problem(slug):
    """For an article about a cause: a way into the flowchart at the step that decides it."""
    chart = flowchart.get()
    outcome = chart.outcomes.get(slug)
    entry = chart.entry_for(slug) if outcome else None
    return {"outcome": outcome, "entry": entry}


_your_setup_html = {}  # the control, rendered once per process (it is the same for all)


@register.simple_tag
def your_setup():
    """The "Your setup" control every page carries: the choices that pick command
    variants and the values commands use, each with the shape it must have, which the
    browser checks before it keeps one (the same checks as the troubleshooter's form).
    The server checks a port and an address further; the browser's own commands only
    need the shape, as nothing it keeps is sent anywhere.

    It depends on nothing but code, so it is rendered once per process and the string
    reused: rendering it for each page was a sixth of an article page's time. With
    DEBUG on it is rendered each time, so an edited template shows at once."""
    html = _your_setup_html.get("html")
    if html is None:
        choices = [
            {"key": key, "label": label, "options": list(options.items())}
            for key, (label, options) in CHOICES.items()
        ]
        values = [value for value in setup.VALUES if value.pattern]
        html = mark_safe(  # noqa: S308 - a template's output, autoescaped
            render_to_string(
                "troubleshooter/_your_setup.html", {"choices": choices, "values": values}
            )
        )
        if not settings.DEBUG:
            _your_setup_html["html"] = html
    return html
