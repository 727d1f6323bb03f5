from django.apps import AppConfig


class TroubleshooterConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "troubleshooter"
