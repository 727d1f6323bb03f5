import os
import subprocess
import sys

import pytest
from django.conf import settings

PRODUCTION = {
    "SECRET_KEY": "a-long-random-production-secret-key-with-enough-entropy-0123456789",
    "DEBUG": "0",
    "ALLOWED_HOSTS": "help.example.com",
    "DATABASE_URL": "postgres://portal:secret@db.internal:5432/portal",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "EMAIL_URL": "smtp://mailer:secret@smtp.example.com:587?tls=1",
}


def manage(*args, env):
    leave_out = {*PRODUCTION, "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {key: value for key, value in os.environ.items() if key not in leave_out}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**clean, "SECURE_SSL_REDIRECT": "1", **env},
        capture_output=True,
        text=True,
    )


def test_production_settings_pass_the_deploy_check():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_use_postgres_redis_and_smtp():
    code = (
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE']);"
        "print(s.CACHES['default']['BACKEND']);"
        "print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS)"
    )
    result = manage("shell", "--no-imports", "-c", code, env=PRODUCTION)
    assert result.stdout.split("\n")[:3] == [
        "django.db.backends.postgresql",
        "portal.cache.ResilientRedisCache",
        "django.core.mail.backends.smtp.EmailBackend smtp.example.com 587 True",
    ]


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = manage("check", env={"DEBUG": "0", "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "Set SECRET_KEY in the environment" in result.stderr


def test_the_embedded_default_keeps_sqlite_connections_open_between_requests():
    code = (
        "from django.conf import settings as s; d = s.DATABASES['default'];"
        "print(d['ENGINE'], d['CONN_MAX_AGE'], d['OPTIONS']['transaction_mode'])"
    )
    env = {"DEBUG": "1", "SECRET_KEY": "", "DATABASE_URL": ""}
    result = manage("shell", "--no-imports", "-c", code, env=env)
    assert result.stdout.split() == ["django.db.backends.sqlite3", "60", "IMMEDIATE"]


def test_a_value_that_cannot_be_read_stops_start_up_naming_the_variable():
    result = manage("check", env={**PRODUCTION, "SECURE_SSL_REDIRECT": "ture"})
    assert result.returncode != 0
    assert "SECURE_SSL_REDIRECT='ture' is not a yes or no" in result.stderr
    result = manage("check", env={**PRODUCTION, "TICKETS_PER_HOUR": "five"})
    assert "TICKETS_PER_HOUR='five' must be a whole number of 1 or more" in result.stderr


@pytest.mark.reliability("Secrets", "production without `EMAIL_URL`: mail held, not printed")
def test_a_broken_email_url_is_refused_without_repeating_its_password():
    result = manage(
        "check", env={**PRODUCTION, "EMAIL_URL": "smpt://mailer:hunter2@smtp.example.com"}
    )
    assert result.returncode != 0
    assert "EMAIL_URL must be a URL such as smtp://" in result.stderr
    assert "hunter2" not in result.stderr


def test_every_email_setting_comes_from_the_url():
    code = (
        "from django.conf import settings as s;"
        "print(s.EMAIL_HOST_USER, s.EMAIL_HOST_PASSWORD, s.EMAIL_USE_SSL, s.EMAIL_PORT, s.EMAIL_TIMEOUT)"
    )
    env = {
        **PRODUCTION,
        "EMAIL_URL": "smtps://mail%40example.com:p%3Ass@smtp.example.com?timeout=5",
    }
    result = manage("shell", "--no-imports", "-c", code, env=env)
    assert result.stdout.split() == ["mail@example.com", "p:ss", "True", "465", "5"]


@pytest.mark.reliability("Secrets", "production without `EMAIL_URL`: mail held, not printed")
def test_production_without_a_mail_server_holds_mail_and_says_so():
    without = {key: value for key, value in PRODUCTION.items() if key != "EMAIL_URL"}
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=without)
    assert result.returncode != 0
    assert "EMAIL_URL is not set" in result.stderr and "send_pending_email" in result.stderr
    code = "from django.conf import settings as s; print(s.EMAIL_BACKEND)"
    result = manage("shell", "-c", code, env=without)
    assert result.stdout.strip().splitlines()[-1] == "portal.mailhold.HeldBackend", result.stderr
