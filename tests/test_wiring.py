"""How the project is put together: the middleware order, the portal app's receivers."""

import pytest
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from portal.checks import order_problems


def test_the_shipped_middleware_order_passes():
    assert order_problems(settings.MIDDLEWARE) == []


def test_the_check_names_the_two_middlewares_out_of_order(settings):
    middleware = list(settings.MIDDLEWARE)
    cache = middleware.index("portal.pagecache.PageCacheMiddleware")
    private = middleware.index("portal.middleware.PrivatePerVisitorMiddleware")
    middleware[cache], middleware[private] = middleware[private], middleware[cache]
    settings.MIDDLEWARE = middleware
    with pytest.raises(SystemCheckError) as error:
        call_command("check")
    assert (
        "MIDDLEWARE has portal.middleware.PrivatePerVisitorMiddleware before "
        "portal.pagecache.PageCacheMiddleware; put portal.pagecache.PageCacheMiddleware first "
        "so a page that belongs to one visitor is marked private before the page cache sees it"
    ) in str(error.value)


def test_the_check_names_a_middleware_that_is_missing():
    middleware = [m for m in settings.MIDDLEWARE if not m.endswith("HealthCheckMiddleware")]
    assert "MIDDLEWARE lacks portal.middleware.HealthCheckMiddleware" in order_problems(middleware)


@pytest.mark.django_db
def test_the_portal_app_connects_the_sign_in_failure_counter(rf):
    from lib.ratelimit import count

    request = rf.post("/admin/login/", REMOTE_ADDR="192.0.2.9")
    user_login_failed.send(sender=None, credentials={"username": "agent"}, request=request)
    assert count("ratelimit:admin-login:192.0.2.9") == 1
