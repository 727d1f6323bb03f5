from django import template

from troubleshooter import flowchart

register = template.Library()


@register.filter
def answer_url(walk, answer):
    return walk.answer_url(answer)


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
