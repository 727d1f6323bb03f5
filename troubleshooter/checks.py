from django.core.checks import Error, register

from troubleshooter import diagnosis, flowchart


@register("content")
def check_flowchart(app_configs, **kwargs):
    """The flowchart in content/ must be whole: `manage.py check` fails on any problem."""
    try:
        flowchart.get()  # read once per process; the pattern and ticket checks reuse it
    except flowchart.FlowchartError as exc:
        return [Error(problem, id="troubleshooter.E001") for problem in exc.problems]
    return []


@register("content")
def check_diagnosis_patterns(app_configs, **kwargs):
    """Every pattern valid, every example recognised, every cause with commands."""
    try:
        diagnosis.read()
    except diagnosis.DiagnosisError as exc:
        return [Error(problem, id="troubleshooter.E002") for problem in exc.problems]
    return []
