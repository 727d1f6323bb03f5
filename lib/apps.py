from django.apps import AppConfig


class LibConfig(AppConfig):
    """The shared code of the apps; its one table holds the rate-limit counters."""

    name = "lib"
    default_auto_field = "django.db.models.BigAutoField"
