import re

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from troubleshooter import flowchart

register = template.Library()

# In a step's help (already HTML): the values of the customer's setup, written @name@,
# and the comment after a command that says what to put there.
SETUP_VALUE = re.compile(r"@([a-z_]+)@")
# A comment line of its own, as help writes them: "# @service@: php8.3-fpm, gunicorn…"
SETUP_COMMENT = re.compile(
    r'(?:(?<=\n)|(?<=<code class="language-bash">))<span class="c1"># @([a-z_]+)@:[^<]*</span>\n'
)


@register.filter
def fill_setup(help_html, values=None):
    """A step's help with the setup values filled in where they are known, and marked
    YOUR_SERVICE, YOUR_PORT… in the commands themselves where they are not."""
    values = values or {}

    def comment(match):
        return "" if match.group(1) in values else match.group(0)

    def value(match):
        name = match.group(1)
        return escape(values[name]) if name in values else f"YOUR_{name.upper()}"

    return mark_safe(SETUP_VALUE.sub(value, SETUP_COMMENT.sub(comment, str(help_html))))


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
