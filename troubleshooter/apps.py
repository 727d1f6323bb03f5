from django.apps import AppConfig


class TroubleshooterConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "troubleshooter"

    def ready(self):
        from troubleshooter import checks  # noqa: F401  (registers the flowchart check)
