"""Command output pasted with the log: what it shows changes the ranking, or names a cause."""

import pytest
from django.conf import settings

from troubleshooter import diagnosis

LIBRARY = diagnosis.read(settings.CONTENT_DIR)

NGINX = '2026/11/21 03:12:45 [crit] 2211#2211: *4183 connect() to unix:{socket} failed ({error}) while connecting to upstream, client: 203.0.113.7, server: example.com, request: "GET / HTTP/1.1", upstream: "fastcgi://unix:{socket}:", host: "example.com"'
NO_SOCKET = NGINX.format(socket="/run/php/php8.1-fpm.sock", error="2: No such file or directory")
DENIED = NGINX.format(socket="/run/php/php8.2-fpm.sock", error="13: Permission denied")
REFUSED_APP = '2026/11/21 03:12:45 [error] 29#29: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 172.18.0.1, server: example.com, request: "GET / HTTP/1.1", upstream: "http://app:3000/", host: "example.com"'
FREE_HEADER = "               total        used        free      shared  buff/cache   available"
DOCKER_PS_HEADER = "CONTAINER ID   IMAGE        COMMAND                  CREATED       STATUS                        PORTS                      NAMES"


def diagnose(*lines):
    return diagnosis.diagnose("\n".join(lines), LIBRARY)


def ranked(result):
    return [f.slug for f in result.findings]


def says(result):
    return [o.says for o in result.observations]


def test_ls_showing_another_php_versions_socket_settles_a_missing_socket():
    alone = diagnose(NO_SOCKET)
    assert not alone.settled
    result = diagnose(
        NO_SOCKET,
        "$ ls -l /run/php/",
        "-rw-r--r-- 1 root     root     5 Nov 21 01:00 php8.2-fpm.pid",
        "srw-rw---- 1 www-data www-data 0 Nov 21 01:00 /run/php/php8.2-fpm.sock",
    )
    assert ranked(result)[0] == "wrong-upstream-address"
    assert result.settled
    assert says(result) == [
        "the socket /run/php/php8.1-fpm.sock does not exist, but /run/php/php8.2-fpm.sock does"
    ]


def test_ls_failing_on_the_socket_leans_towards_a_stopped_backend_but_leaves_the_question():
    result = diagnose(
        NO_SOCKET, "ls: cannot access '/run/php/php8.1-fpm.sock': No such file or directory"
    )
    assert ranked(result)[0] == "backend-down"
    assert not result.settled


def test_a_socket_only_its_owner_group_may_use_settles_a_permission_error():
    result = diagnose(DENIED, "srw-rw---- 1 root root 0 Nov 21 01:00 /run/php/php8.2-fpm.sock")
    assert ranked(result)[0] == "socket-permission"
    assert result.settled
    assert "owned by root:root with mode rw-rw----" in says(result)[0]


def test_a_socket_open_to_all_under_enforcing_selinux_points_at_the_security_module():
    result = diagnose(
        DENIED,
        "srw-rw-rw- 1 www-data www-data 0 Nov 21 01:00 /run/php/php8.2-fpm.sock",
        "$ getenforce",
        "Enforcing",
    )
    assert ranked(result)[0] == "security-module"


def test_free_with_no_memory_left_names_the_oom_killer_and_a_roomy_machine_does_not():
    starved = diagnose(
        FREE_HEADER,
        "Mem:            981         902          40           1          38          21",
        "Swap:             0           0           0",
    )
    assert ranked(starved) == ["oom-killed"]
    assert says(starved) == ["almost no memory is available"]
    roomy = diagnose(
        FREE_HEADER,
        "Mem:           7.8Gi       1.2Gi       5.1Gi        12Mi       1.5Gi       6.3Gi",
        "Swap:          2.0Gi          0B       2.0Gi",
    )
    assert ranked(roomy) == []
    swapping = diagnose(
        FREE_HEADER,
        "Mem:           1.9Gi       1.8Gi        60Mi       1.0Mi        80Mi        50Mi",
        "Swap:          1.0Gi       1.0Gi          0B",
    )
    assert ranked(swapping) == ["oom-killed"]


def test_docker_ps_with_a_container_killed_by_signal_9_names_the_oom_killer():
    result = diagnose(
        DOCKER_PS_HEADER,
        '3f2a1b4c5d6e   myapp:1.4    "docker-entrypoint.s…"   3 hours ago   Exited (137) 12 minutes ago                              app-1',
        '9a8b7c6d5e4f   nginx:1.27   "/docker-entrypoint.…"   3 hours ago   Up 3 hours                    0.0.0.0:80->80/tcp         proxy-1',
    )
    assert ranked(result) == ["oom-killed"]
    assert "exited with code 137" in says(result)[0]


def test_a_running_container_list_alone_gives_no_cause():
    result = diagnose(
        DOCKER_PS_HEADER,
        '9a8b7c6d5e4f   nginx:1.27   "/docker-entrypoint.…"   3 hours ago   Up 3 hours   0.0.0.0:80->80/tcp   proxy-1',
    )
    assert ranked(result) == []


def test_a_restarting_container_points_at_a_crashing_backend():
    result = diagnose(
        REFUSED_APP,
        DOCKER_PS_HEADER,
        '3f2a1b4c5d6e   myapp:1.4    "docker-entrypoint.s…"   3 hours ago   Restarting (1) 8 seconds ago                app-1',
    )
    assert says(result) == ["a container keeps restarting"]
    assert ranked(result)[0] in {"backend-crash", "backend-down"}


def test_a_network_without_the_upstream_container_names_the_docker_network():
    inspect = [
        "$ docker network inspect web",
        "[",
        "    {",
        '        "Name": "web",',
        '        "Containers": {',
        '            "9a8b7c6d": {',
        '                "Name": "proxy-1",',
        '                "IPv4Address": "172.18.0.2/16"',
        "            }",
        "        }",
        "    }",
        "]",
    ]
    result = diagnose(REFUSED_APP, *inspect)
    assert ranked(result)[0] == "docker-network"
    assert result.settled
    assert says(result) == ["the container app is not on the network shown (on it: proxy-1)"]
    # The network's own name ("web") is not taken for a container on it.
    joined = inspect[:7] + ['                "Name": "app-1",', *inspect[6:]]
    result = diagnose(REFUSED_APP, *joined)
    assert "docker-network" not in ranked(result)


def test_systemd_saying_the_kernel_killed_the_service_names_the_oom_killer():
    result = diagnose(
        "● php8.2-fpm.service - The PHP 8.2 FastCGI Process Manager",
        "     Active: failed (Result: oom-kill) since Sat 2026-11-21 02:10:11 UTC; 1h ago",
    )
    assert ranked(result)[0] == "oom-killed"


def test_a_curl_answer_from_nginx_rules_out_a_stopped_web_server():
    result = diagnose(
        "● nginx.service - A high performance web server and a reverse proxy server",
        "     Active: inactive (dead)",
        "$ curl -I https://example.com",
        "HTTP/2 502",
        "server: nginx",
    )
    assert "web-server-down" not in ranked(result)[:1]


def test_a_failed_web_server_unit_points_at_the_web_server_not_the_backend():
    for header in (
        "● nginx.service - A high performance web server",
        "× apache2.service - The Apache HTTP Server",
    ):
        result = diagnose(
            header,
            "     Active: failed (Result: exit-code) since Thu 2026-11-19 21:52:48 UTC; 11s ago",
        )
        assert ranked(result)[:2] == ["web-server-down", "proxy-config-error"]
        assert "backend-down" in [f.slug for f in result.ruled_out]


def test_a_running_web_server_unit_says_nothing_about_the_backend_behind_it():
    result = diagnose(
        REFUSED_APP.replace("client: 172.18.0.1", "client: 203.0.113.7"),
        "● nginx.service - A high performance web server",
        "     Active: active (running) since Thu 2026-11-19 21:52:48 UTC; 2h ago",
    )
    # nginx running says nothing about whether the app behind it runs.
    assert ranked(result)[0] == "backend-down"


# The page reads the open incidents for its notice.
@pytest.mark.django_db
def test_the_page_names_what_the_paste_ruled_out(client):
    paste = "● nginx.service - nginx\n     Active: failed (Result: exit-code) since Thu 2026-11-19 21:52:48 UTC; 11s ago"
    html = client.post("/troubleshoot/diagnose/", {"log": paste}).content.decode()
    assert "Nginx itself is not running, so nothing answers on ports 80 and 443" in html
    assert "So it is not: " in html
    assert "PHP-FPM or your application is not running</a>" in html.split("So it is not: ")[1]


def test_commands_and_their_output_are_not_counted_as_lines_that_matched_nothing():
    result = diagnose(
        NO_SOCKET,
        "root@web:~# ls -l /run/php/",
        "total 4",
        "srw-rw---- 1 www-data www-data 0 Nov 21 01:00 /run/php/php8.2-fpm.sock",
        "$ systemctl status php8.2-fpm",
        "● php8.2-fpm.service - The PHP 8.2 FastCGI Process Manager",
        "     Loaded: loaded (/lib/systemd/system/php8.2-fpm.service; enabled)",
        "     Active: active (running) since Sat 2026-11-21 01:00:00 UTC; 2h ago",
        "2026/11/21 03:12:46 [notice] 1#1: signal process started",
    )
    assert result.unmatched == ["2026/11/21 03:12:46 [notice] 1#1: signal process started"]


def test_a_socket_only_root_may_write_to_is_a_possible_permission_problem_on_its_own():
    result = diagnose("srwxr-xr-x  1 root  root  0 Jul 18 17:17 /tmp/gunicorn.sock")
    assert ranked(result) == ["socket-permission"]
    assert diagnose("srw-rw-rw- 1 root root 0 Jul 18 17:17 /tmp/gunicorn.sock").findings == []


GUNICORN_STOP = [
    "[2026-11-21 03:12:44 +0000] [1024] [INFO] Handling signal: term",
    "[2026-11-21 03:12:44 +0000] [1030] [INFO] Worker exiting (pid: 1030)",
    "[2026-11-21 03:12:45 +0000] [1024] [INFO] Shutting down: Master",
]
GUNICORN_START = [
    "[2026-11-21 03:12:47 +0000] [2048] [INFO] Starting gunicorn 23.0.0",
    "[2026-11-21 03:12:47 +0000] [2048] [INFO] Listening at: unix:/run/gunicorn.sock (2048)",
    "[2026-11-21 03:12:47 +0000] [2050] [INFO] Booting worker with pid: 2050",
]


def test_a_master_that_stopped_and_stays_stopped_leaves_nothing_listening():
    assert ranked(diagnose(*GUNICORN_STOP)) == ["backend-down"]
    # Stopped again after a start: the last word is the stop.
    assert ranked(diagnose(*GUNICORN_STOP, *GUNICORN_START, *GUNICORN_STOP)) == ["backend-down"]


def test_a_restart_is_not_a_finding():
    result = diagnose(*GUNICORN_STOP, *GUNICORN_START)
    assert ranked(result) == []
    assert says(result) == ["the backend started again after it stopped"]
    assert [f.slug for f in result.ruled_out] == ["backend-down"]


def test_a_plain_ls_of_the_socket_folder_settles_a_missing_socket():
    result = diagnose(NO_SOCKET, "root@web:~# ls /run/php/", "php8.2-fpm.pid  php8.2-fpm.sock")
    assert ranked(result)[0] == "wrong-upstream-address"
    assert result.settled
    assert says(result) == [
        "the socket /run/php/php8.1-fpm.sock does not exist, but /run/php/php8.2-fpm.sock does"
    ]
    assert result.unmatched == []  # the listing is command output, not a log line


def test_ls_l_of_the_folder_finds_the_socket_by_its_bare_name():
    result = diagnose(
        DENIED,
        "$ ls -l /run/php/",
        "total 4",
        "-rw-r--r-- 1 root     root     4 Dec  1 09:00 php8.2-fpm.pid",
        "srw-rw---- 1 root     root     0 Dec  1 09:00 php8.2-fpm.sock",
    )
    assert ranked(result)[0] == "socket-permission"
    assert says(result) == [
        "the socket /run/php/php8.2-fpm.sock exists, owned by root:root with mode rw-rw----"
    ]


def test_curl_answered_on_the_proxys_port_lowers_a_stopped_backend_but_keeps_the_question():
    alone = diagnose(REFUSED_APP)
    result = diagnose(REFUSED_APP, "$ curl -I http://app:3000/", "HTTP/1.1 200 OK")
    assert says(result) == [
        "the backend answers curl on port 3000, the one the proxy uses, so it runs now"
    ]
    before = {f.slug: f.confidence for f in alone.findings}
    after = {f.slug: f.confidence for f in result.findings}
    assert after["backend-down"] < before["backend-down"]
    assert not result.settled
    assert result.unmatched == []
    # Another port's answer says only that something answers.
    other = diagnose(REFUSED_APP, "$ curl -I http://127.0.0.1:8080/", "HTTP/1.1 200 OK")
    assert says(other) == ["a request in the paste was answered with 200"]


def test_a_worker_that_vanished_on_a_machine_out_of_memory_was_most_likely_killed():
    result = diagnose(
        "2026/11/21 03:12:45 [error] 2211#2211: *4183 upstream prematurely closed connection while reading response header from upstream",
        FREE_HEADER,
        "Mem:            981         940          20           1          21          12",
        "Swap:             0           0           0",
    )
    assert ranked(result)[:2] == ["oom-killed", "backend-crash"]


@pytest.mark.parametrize(
    "reply",
    ["curl: (52) Empty reply from server", "curl: (56) Recv failure: Connection reset by peer"],
)
def test_a_published_container_port_that_answers_nothing_points_at_the_apps_own_loopback(reply):
    running = '3f2a1b9c8d7e   shop:latest   "node server.js"   2 hours ago   Up 2 hours   0.0.0.0:3000->3000/tcp   shop-app-1'
    result = diagnose(
        "$ docker ps", DOCKER_PS_HEADER, running, "$ curl -I http://localhost:3000", reply
    )
    assert result.findings[0].slug == "docker-network"
    # The same reply from a port no container publishes stays what it reads as alone.
    alone = diagnose("$ curl -I http://localhost:8080", reply)
    assert alone.findings[0].slug == "backend-crash"
    # It keeps Docker's proxy in the first three, as a port on this machine that drops
    # the connection is one; a remote host's port is not.
    assert "docker-network" in ranked(alone)[:3]
    remote = diagnose("$ curl -I http://example.com:8080", reply)
    assert "docker-network" not in ranked(remote)


def test_wget_dropped_by_a_local_port_keeps_dockers_proxy_in_view():
    result = diagnose(
        "--2024-12-24 23:22:29--  http://127.0.0.1:9000/",
        "Connecting to 127.0.0.1:9000... connected.",
        "HTTP request sent, awaiting response... Read error (Connection reset by peer) in headers.",
    )
    assert ranked(result)[:2] == ["backend-crash", "docker-network"]
    assert "port 9000 on this machine accepts the connection" in " ".join(says(result))


def test_a_prompt_that_shows_the_time_still_starts_a_command():
    result = diagnose(
        "15:18 $ curl http://127.0.0.1:8000/logs",
        "curl: (56) Recv failure: Connection reset by peer",
    )
    assert "docker-network" in ranked(result)[:3]
