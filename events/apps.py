from django.apps import AppConfig


class EventsConfig(AppConfig):
    """Anonymous usage events and the patterns of log lines the diagnosis could not read."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "events"
