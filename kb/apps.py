from django.apps import AppConfig
from django.db.backends.signals import connection_created


class KbConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "kb"

    def ready(self):
        from kb.search import SQLiteSearch

        # Made when the connection opens, outside any transaction a rollback would undo.
        connection_created.connect(SQLiteSearch.create_window_table)
