from django import template
from django.utils.safestring import mark_safe

from troubleshooter import flowchart, setup

register = template.Library()


@register.filter
def fill_setup(help_html, values=None):
    """A step's help with the setup values filled in where they are known, and marked
    YOUR_SERVICE, YOUR_PORT… in the commands themselves where they are not."""
    return mark_safe(setup.fill(help_html, values or {}))


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
