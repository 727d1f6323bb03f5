from django.core.checks import Error, register

from tickets.models import Ticket
from troubleshooter import flowchart

CHOICES = {"error": Ticket.Error.values, "docker": Ticket.Docker.values}


def hint_problems(chart):
    """What flowchart answers tell the ticket form (`ticket:`) must be values it knows."""
    problems = []
    for question in chart.questions.values():
        for answer in question.answers:
            for name, value in answer.ticket:
                if value not in CHOICES[name]:
                    problems.append(
                        f"content/flowchart.yaml: question '{question.id}', answer "
                        f"'{answer.key}': ticket {name} '{value}' is not one of "
                        f"{', '.join(CHOICES[name])}"
                    )
    return problems


@register("content")
def check_ticket_hints(app_configs, **kwargs):
    try:
        chart = flowchart.get()
    except flowchart.FlowchartError:
        return []  # reported by the flowchart's own check
    return [Error(problem, id="tickets.E001") for problem in hint_problems(chart)]
