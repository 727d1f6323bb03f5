from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class IncidentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "incidents"

    def ready(self):
        from incidents import known
        from incidents.models import Incident

        # Every way an incident changes (the admin's form, its action, a shell) goes
        # through save() or delete(), so the pages showing it are renewed at once.
        post_save.connect(known.changed, sender=Incident, dispatch_uid="incidents-saved")
        post_delete.connect(known.changed, sender=Incident, dispatch_uid="incidents-deleted")
