from django.core.checks import Error, register

from troubleshooter import flowchart


@register("content")
def check_flowchart(app_configs, **kwargs):
    """The flowchart in content/ must be whole: `manage.py check` fails on any problem."""
    try:
        flowchart.read()
    except flowchart.FlowchartError as exc:
        return [Error(problem, id="troubleshooter.E001") for problem in exc.problems]
    return []
