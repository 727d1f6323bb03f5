from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Gateway Help"

    def ready(self):
        from django.contrib.auth.signals import user_login_failed

        from portal import checks  # noqa: F401  (registers the middleware order check)
        from portal.login import count_failure

        user_login_failed.connect(count_failure, dispatch_uid="portal.login.count_failure")
