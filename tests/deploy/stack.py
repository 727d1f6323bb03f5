"""The shipped deploy/ files, run for real: Gunicorn with deploy/gunicorn.conf.py and
nginx with deploy/nginx/, on loopback, in a temporary directory.

Used by the deploy tests and by the benchmark (bench/run.py). The nginx site file is
the shipped one with only its host paths and ports moved into the directory; every
move must match, so a change to the shipped file cannot slip past unnoticed.
"""

import http.client
import os
import shutil
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
DEPLOY = BASE_DIR / "deploy"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
HOST = "help.example.com"
SECRET_KEY = "a-secret-key-for-the-deploy-tests-only-0123456789abcdefghijklmnop"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def production_env(root, **extra):
    """Production settings; PostgreSQL and Redis when the environment names them
    (tests/with-postgres, tests/with-redis), else SQLite and local memory."""
    inherited = {k: v for k, v in os.environ.items() if k != "TICKET_MAIL"}
    return {
        **inherited,
        "DEBUG": "0",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": f"{HOST},127.0.0.1",
        "SECURE_SSL_REDIRECT": "1",
        "CLIENT_IP_HEADER": "X-Real-IP",
        "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{root / 'portal.sqlite3'}",
        "STATIC_ROOT": str(root / "staticfiles"),
        "LOG_FORMAT": "json",
        **extra,
    }


def manage(env, *args):
    """Run manage.py under `env`; its standard output, or CalledProcessError."""
    finished = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, check=True,
        capture_output=True, text=True,
    )  # fmt: skip
    return finished.stdout


def shell(env, script):
    """What a Python script prints when run with Django set up under `env`."""
    return manage(env, "shell", "-v", "0", "--no-imports", "-c", script)


def prepare_site(root, env):
    """Static files, schema and content, as the Deploying steps in README.md do."""
    manage(env, "collectstatic", "--no-input", "-v", "0")
    manage(env, "migrate", "--no-input", "-v", "0")
    manage(env, "load_content")


def self_signed_certificate(directory):
    directory.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", f"/CN={HOST}", "-keyout", directory / "privkey.pem",
         "-out", directory / "fullchain.pem"],
        check=True, capture_output=True,
    )  # fmt: skip


def site_config(root, http_port, https_port):
    """The shipped site file with host paths and ports moved under `root`."""
    text = (DEPLOY / "nginx" / "gateway-help.conf").read_text()
    moves = [
        ("listen [::]:80;\n", ""),
        ("listen [::]:443 ssl http2;\n", ""),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ("/run/gateway-help/gunicorn.sock", str(root / "gunicorn.sock")),
        ("/var/cache/nginx/gateway-help", str(root / "nginx-cache")),
        ("/etc/letsencrypt/live/help.example.com/", f"{root / 'tls'}/"),
        ("/etc/nginx/snippets/", f"{DEPLOY / 'nginx'}/"),
        ("/srv/gateway-help/staticfiles/", f"{root / 'staticfiles'}/"),
        ("/srv/gateway-help/deploy/", f"{DEPLOY}/"),
        ("/var/log/nginx/", f"{root}/"),
        ("/var/www/letsencrypt", str(root / "acme")),
    ]
    for old, new in moves:
        if old not in text:
            raise AssertionError(f"deploy/nginx/gateway-help.conf no longer contains {old!r}")
        text = text.replace(old, new)
    return text


def nginx_config(root, http_port, https_port):
    (root / "nginx-cache").mkdir(exist_ok=True)
    (root / "gateway-help.conf").write_text(site_config(root, http_port, https_port))
    # Running as root (CI), workers would otherwise drop to "nobody" and could not
    # read the temporary directory.
    user = "user root;\n" if os.geteuid() == 0 else ""
    main = f"""{user}worker_processes auto;
pid {root}/nginx.pid;
error_log {root}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    keepalive_timeout 65;
    client_body_temp_path {root}/client_body;
    proxy_temp_path {root}/proxy_temp;
    fastcgi_temp_path {root}/fastcgi_temp;
    uwsgi_temp_path {root}/uwsgi_temp;
    scgi_temp_path {root}/scgi_temp;
    access_log {root}/nginx-access.log;
    include {root}/gateway-help.conf;
}}
"""
    path = root / "nginx.conf"
    path.write_text(main)
    return path


def nginx_test(config):
    return subprocess.run(
        [NGINX, "-t", "-p", str(config.parent), "-c", str(config)],
        capture_output=True, text=True,
    )  # fmt: skip


def wait_for(check, what, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise TimeoutError(f"{what} did not come up within {timeout} s")


def connectable(address):
    family = socket.AF_UNIX if isinstance(address, str) else socket.AF_INET
    with socket.socket(family) as probe:
        try:
            probe.connect(address)
            return True
        except OSError:
            return False


class Stack:
    """Gunicorn and (optionally) nginx, started and stopped together."""

    def __init__(self, root, env, workers=2, nginx=True, gunicorn_bind=None):
        self.root, self.env, self.workers = root, env, workers
        self.with_nginx = nginx
        self.socket = str(root / "gunicorn.sock")
        self.bind = gunicorn_bind or f"unix:{self.socket}"
        self.http_port, self.https_port = free_port(), free_port()
        self.gunicorn = self.nginx = None

    def start_gunicorn(self):
        env = {**self.env, "GUNICORN_BIND": self.bind, "WEB_CONCURRENCY": str(self.workers)}
        self.gunicorn_log = open(self.root / "gunicorn.log", "ab")  # noqa: SIM115
        self.gunicorn = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "--config",
             str(DEPLOY / "gunicorn.conf.py"), "portal.wsgi"],
            cwd=BASE_DIR, env=env, stdout=self.gunicorn_log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        for bind in self.bind.split(","):
            if bind.startswith("unix:"):
                address = bind.removeprefix("unix:")
            else:
                host, port = bind.rsplit(":", 1)
                address = (host, int(port))
            wait_for(lambda address=address: connectable(address), f"Gunicorn on {bind}")

    def stop_gunicorn(self):
        if self.gunicorn and self.gunicorn.poll() is None:
            self.gunicorn.terminate()
            self.gunicorn.wait(timeout=30)
        self.gunicorn = None

    def start_nginx(self):
        self_signed_certificate(self.root / "tls")
        config = nginx_config(self.root, self.http_port, self.https_port)
        self.nginx = subprocess.Popen(
            [NGINX, "-p", str(self.root), "-c", str(config), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        wait_for(lambda: connectable(("127.0.0.1", self.https_port)), "nginx")

    def __enter__(self):
        self.start_gunicorn()
        if self.with_nginx:
            self.start_nginx()
        return self

    def __exit__(self, *exc):
        if self.nginx and self.nginx.poll() is None:
            self.nginx.terminate()
            self.nginx.wait(timeout=30)
        self.stop_gunicorn()
        self.gunicorn_log.close()

    def request(self, method, path, body=None, headers=None, https=True):
        """One request through nginx, as a browser asking for help.example.com."""
        if https:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            connection = http.client.HTTPSConnection(
                "127.0.0.1", self.https_port, context=context, timeout=30
            )
        else:
            connection = http.client.HTTPConnection("127.0.0.1", self.http_port, timeout=30)
        connection.request(method, path, body=body, headers={"Host": HOST, **(headers or {})})
        response = connection.getresponse()
        response.text = response.read().decode("utf-8", "replace")
        connection.close()
        return response
