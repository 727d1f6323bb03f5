from django.apps import AppConfig


class TicketsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tickets"

    def ready(self):
        from tickets import checks  # noqa: F401  (registers the check of the flowchart's hints)
