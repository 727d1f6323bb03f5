"""What the content tells a customer to type or put in a file, checked as the programs
would check it: every bash block parses (`bash -n`), every nginx snippet is valid in
the block it belongs to, and the nginx files the recipes write, all together in one
`conf.d/` as a customer who followed every article would have them, pass `nginx -t`.
No command waits for input it is never given, and no append to a system file adds
its line a second time when run again.

The box each cause's article and outcome opens with (`confirm:` and `fix:` in front
matter, one command each) is checked as bash, with the rest.

Outcome pages and flowchart steps write the customer's values as @name@; they are
filled with each value's example first, as a customer's page would show them.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from lib.content import QUICK_STEPS, load_yaml, split_front_matter
from troubleshooter.setup import BY_NAME

CONTENT = Path(__file__).resolve().parents[1] / "content"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
BLOCK = re.compile(
    r"^(?P<indent>[ \t]*)```(?P<lang>[\w-]*)[^\n]*\n(?P<body>.*?)^(?P=indent)```", re.S | re.M
)
VALUE = re.compile(r"@([a-z_]+)@")
CONF_D = "/etc/nginx/conf.d/"
CAUSE_ARTICLES = [
    path for path in CONTENT.glob("articles/*.md")
    if re.search(r"^category: causes$", path.read_text(), re.M)
]  # fmt: skip


def example(match):
    return BY_NAME[match.group(1)].example.split(",")[0].strip()


def _strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def sources():
    """(where, text) of every article, outcome page and flowchart text."""
    for path in sorted([*CONTENT.glob("articles/*.md"), *CONTENT.glob("outcomes/*.md")]):
        yield path.relative_to(CONTENT).as_posix(), path.read_text()
    chart = load_yaml((CONTENT / "flowchart.yaml").read_text())
    for n, text in enumerate(_strings(chart)):
        if "```" in text:
            yield f"flowchart.yaml text {n}", text


def quick_commands():
    """(where, command) of each cause's box: the confirm and fix commands that front
    matter gives every cause article and every outcome."""
    for path in sorted([*CONTENT.glob("articles/*.md"), *CONTENT.glob("outcomes/*.md")]):
        front, _ = split_front_matter(path.read_text())
        meta = load_yaml(front)
        for step in QUICK_STEPS:
            if step in meta:
                where = f"{path.relative_to(CONTENT).as_posix()} '{step}'"
                yield where, VALUE.sub(example, meta[step]["command"]) + "\n"


def blocks(*languages):
    """(where, body) of every code block in these languages; a cause's box commands
    count as bash."""
    found = list(quick_commands()) if "bash" in languages else []
    for where, text in sources():
        for match in BLOCK.finditer(text):
            if match.group("lang") in languages:
                indent = match.group("indent")
                body = "".join(
                    line.removeprefix(indent) for line in match.group("body").splitlines(True)
                )
                found.append((where, VALUE.sub(example, body)))
    return found


def test_every_bash_block_parses():
    shell = blocks("bash", "sh", "shell")
    assert len(shell) > 250
    boxes = [where for where, _ in quick_commands()]
    assert len(boxes) == 2 * (len(CAUSE_ARTICLES) + len(list(CONTENT.glob("outcomes/*.md"))))
    failures = []
    for where, body in shell:
        checked = subprocess.run(["bash", "-n"], input=body, text=True, capture_output=True)
        if checked.returncode:
            failures.append(f"{where}: {checked.stderr.strip()}\n{body}")
    assert not failures, "\n\n".join(failures)


# `<container>` in a command pastes as a redirection from a file named "container".
ANGLE_PLACEHOLDER = re.compile(r"(?<![<\w])<[A-Za-z][\w.-]*>(?!>)")


def test_no_command_has_an_angle_bracket_placeholder():
    found = [
        f"{where}: {line.strip()}"
        for where, body in blocks("bash", "sh", "shell")
        for line in body.splitlines()
        if ANGLE_PLACEHOLDER.search(line) and not line.lstrip().startswith("#")
    ]
    assert not found, "\n".join(found)


@pytest.fixture(scope="module")
def nginx():
    if not Path(NGINX).exists():
        pytest.fail("nginx is not installed: apt-get install nginx")
    return NGINX


# What a packaged nginx has beside nginx.conf, which snippets include by relative path.
PACKAGED = ["fastcgi_params", "fastcgi.conf", "uwsgi_params", "scgi_params", "mime.types",
            "proxy_params", "snippets/fastcgi-php.conf"]  # fmt: skip
CERTIFICATE = re.compile(
    r"^(\s*(?:proxy_)?ssl_(?:certificate|certificate_key|trusted_certificate)\s+)\S+;", re.M
)
# A snippet for a newer nginx than the one installed, or for a module stock nginx does
# not have, says so in its first line: "# needs nginx 1.27.3 or later", "# needs
# Passenger's nginx module".
NEEDS = re.compile(r"^# needs (?:nginx (\d+)\.(\d+)\.(\d+) or later|.*\bmodule\b)")
# Directives of nginx's main context: such a snippet goes outside the http block.
MAIN = re.compile(r"^\s*(worker_rlimit_nofile|worker_processes|events\s*\{)", re.M)
# Definitions a page's other snippets use: zones, maps, upstreams.
DEFINES = re.compile(r"^(map|geo|limit_req_zone|limit_conn_zone|upstream)\b", re.M)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate standing in for the ones the snippets name."""
    from tests.deploy.stack import self_signed_certificate

    directory = tmp_path_factory.mktemp("tls")
    self_signed_certificate(directory)
    return directory


def nginx_test(root, http, certificate=None, main=""):
    """`nginx -t` of a configuration whose http block holds `http` (and whose main
    context holds `main`); its error or ''."""
    for name in PACKAGED:
        if (Path("/etc/nginx") / name).exists():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(Path("/etc/nginx") / name, root / name)
    if certificate is not None:
        http = CERTIFICATE.sub(
            lambda m: (
                m.group(1)
                + str(certificate / ("privkey.pem" if "_key" in m.group(1) else "fullchain.pem"))
                + ";"
            ),
            http,
        )
    user = "user root;\n" if os.geteuid() == 0 else ""
    events = "" if re.search(r"^\s*events\s*\{", main, re.M) else "events {}\n"
    (root / "nginx.conf").write_text(
        f"{user}pid {root}/nginx.pid;\nerror_log {root}/error.log;\n{main}\n{events}"
        f"http {{\n    access_log off;\n    client_body_temp_path {root}/body;\n"
        f"    proxy_temp_path {root}/proxy;\n    fastcgi_temp_path {root}/fastcgi;\n"
        f"    uwsgi_temp_path {root}/uwsgi;\n    scgi_temp_path {root}/scgi;\n{http}\n}}\n"
    )
    checked = subprocess.run(
        [NGINX, "-t", "-q", "-p", str(root), "-c", str(root / "nginx.conf")],
        capture_output=True, text=True,
    )  # fmt: skip
    return checked.stderr.strip() if checked.returncode else ""


def wrapped(body):
    """The snippet in each block it might belong in, the most likely first."""
    first = next(
        (line.strip() for line in body.splitlines() if line.strip() and not line.strip().startswith("#")),
        "",
    )  # fmt: skip

    def server(inside):
        return "server {\n    listen 127.0.0.1:8999;\n" + inside + "\n}"

    def location(inside):
        return server("location /snippet/ {\n" + inside + "\n}")

    if re.match(r"(server|upstream|map|geo|limit_req_zone|limit_conn_zone)\b", first):
        return [body]
    if first.startswith("location") or first.startswith("if "):
        return [server(body)]
    return [location(body), server(body), body]


def installed_version(nginx):
    output = subprocess.run([nginx, "-v"], capture_output=True, text=True).stderr
    return tuple(int(part) for part in re.search(r"nginx/(\d+)\.(\d+)\.(\d+)", output).groups())


def test_every_nginx_snippet_is_valid_where_it_goes(nginx, tmp_path, certificate, conf_d):
    """Each alone in the block it belongs in, or beside the customer's conf.d files when
    it uses what they define (a zone, a map)."""
    installed = installed_version(nginx)
    snippets, unavailable, defines = [], [], {}
    for where, body in blocks("nginx"):
        needs = NEEDS.match(body.lstrip())
        version = needs and needs.group(1) and tuple(map(int, needs.groups()))
        if needs and (not version or version > installed):
            unavailable.append(where)
            continue
        snippets.append((where, body))
        if DEFINES.search(body) and not MAIN.search(body):
            defines.setdefault(where, []).append(body)
    assert len(snippets) > 25 and len(unavailable) <= 4, unavailable
    failures = []
    for n, (where, body) in enumerate(snippets):
        root = tmp_path / f"snippet{n}"
        root.mkdir()
        if MAIN.search(body):
            errors = [nginx_test(root, "", certificate, main=body)]
        else:
            candidates = wrapped(body)
            # Beside the customer's conf.d, or beside this page's own definitions.
            candidates += [f"include {conf_d[0]}/*.conf;\n{c}" for c in candidates[:2]]
            own = "\n".join(d for d in defines.get(where, []) if d != body)
            if own:
                candidates += [f"{own}\n{c}" for c in wrapped(body)]
            errors = [nginx_test(root, candidate, certificate) for candidate in candidates]
        if all(errors):
            failures.append(f"{where}: {errors[-1]}\n{body}")
    assert not failures, "\n\n".join(failures)


def recipes_writing_conf_d():
    """(where, body) of the bash blocks that write a file into nginx's conf.d."""
    writes = re.compile(rf"(>>?|tee( -a)?|install\b[^\n]*)\s*{re.escape(CONF_D)}\S+\.conf")
    return [(where, body) for where, body in blocks("bash") if writes.search(body)]


def conf_d_snippets():
    """(where, file, body) of the nginx snippets whose first comment names a conf.d file."""
    named = re.compile(rf"{re.escape(CONF_D)}([\w.-]+\.conf)")
    found = []
    for where, body in blocks("nginx"):
        first = body.lstrip().splitlines()[0] if body.strip() else ""
        match = named.search(first) if first.startswith("#") else None
        if match:
            found.append((where, match.group(1), body))
    return found


@pytest.fixture(scope="module")
def conf_d(tmp_path_factory, nginx):
    """nginx's conf.d as a customer who followed every recipe has it: the bash recipes
    that write a file there, run with nginx's directory moved (the network and services
    are stand-ins: curl prints an address range, systemctl and nginx do nothing, sudo runs
    the command as it is), and the
    snippets whose first comment names a conf.d file. The same text on two pages (an
    article and its outcome) is one file, written once."""
    root = tmp_path_factory.mktemp("customer")
    directory = root / "conf.d"
    directory.mkdir()
    bin_dir = root / "bin"
    bin_dir.mkdir()
    for name, script in {
        "curl": "#!/bin/sh\necho 192.0.2.0/24\n",
        "systemctl": "#!/bin/sh\nexit 0\n",
        "nginx": "#!/bin/sh\nexit 0\n",
        "sudo": '#!/bin/sh\nexec "$@"\n',
    }.items():
        (bin_dir / name).write_text(script)
        (bin_dir / name).chmod(0o755)
    recipes = recipes_writing_conf_d()
    assert recipes, "no recipe writes to /etc/nginx/conf.d any more: update this test"
    for where, body in recipes:
        script = body.replace("/tmp/", "\0tmp").replace("/etc/nginx/", "\0nginx")
        script = script.replace("\0tmp", f"{root}/").replace("\0nginx", f"{root}/")
        ran = subprocess.run(
            ["bash", "-e", "-c", script], capture_output=True, text=True,
            env={**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"},
        )  # fmt: skip
        assert ran.returncode == 0, f"{where}: {ran.stderr}\n{body}"
    files = {}
    for where, name, body in conf_d_snippets():
        files.setdefault(name, {}).setdefault(body.strip(), where)
    for name, bodies in files.items():
        (directory / name).write_text("\n".join(bodies) + "\n")
    return directory, {name: sorted(set(bodies.values())) for name, bodies in files.items()}


def test_every_conf_d_file_the_content_writes_works_with_all_the_others(conf_d, tmp_path):
    """nginx reads every file in conf.d into one http block, so no two recipes may set
    the same thing (two real_ip_header lines, two zones of one name)."""
    directory, sources_by_file = conf_d
    written = sorted(path.name for path in directory.iterdir())
    assert len(written) >= 2, written
    error = nginx_test(tmp_path, f"include {directory}/*.conf;")
    assert not error, f"{error}\nfiles: {written}\nsnippets by file: {sources_by_file}"


def _commands():
    """Each command line of the bash blocks (continuation lines joined), without comments."""
    for where, body in blocks("bash", "sh", "shell"):
        for line in body.replace("\\\n", " ").splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                yield where, line.strip()


# Programs that read standard input when they are given no file: pasted alone, they wait
# for the customer to type something, which looks like a hang at 3 AM.
WAITS_FOR_INPUT = [
    # openssl x509 reads the certificate from stdin unless -in names it
    (
        re.compile(r"(^|[;&]\s*)openssl x509\b(?!.*\s-in\s)"),
        "openssl x509 with neither -in nor a pipe",
    ),
    # s_client keeps the connection open, reading what to send, until stdin ends
    (
        re.compile(r"openssl s_client\b(?!.*(</dev/null|<<<))"),
        "openssl s_client not fed </dev/null or a pipe",
    ),
]


def test_no_command_waits_for_input_it_is_never_given():
    found = []
    for where, line in _commands():
        for segment in re.split(r"\s*\|\s*", line)[:1]:  # only what starts a pipeline
            for pattern, what in WAITS_FOR_INPUT:
                if pattern.search(segment) and not re.match(r"echo\b", segment):
                    found.append(f"{where}: {what}: {line}")
    assert not found, "\n".join(found)


# A line appended to a system file twice is a duplicate mount, limit or setting; run
# again after a failure, an unguarded append adds it again.
APPEND = re.compile(r"(>>|tee -a)\s*(/etc/(fstab|sysctl\.conf|security/limits\.conf|hosts))\b")


def test_every_append_to_a_system_file_checks_it_is_not_there_already():
    found = [
        f"{where}: {line}"
        for where, line in _commands()
        if (match := APPEND.search(line))
        and not re.search(rf"grep -q\S* .*{re.escape(match.group(2))}", line)
    ]
    assert not found, "\n".join(found)


# A comment line that says whose setup the next lines are for: the mixing that variants
# ({setup="os:rhel"}) replace.
SWITCH = re.compile(r"^\s*# (?:Debian|Ubuntu|RHEL|Rocky|Alma|Apache|PM2|Docker:|nginx:)", re.M)
MARKED = re.compile(r'^```(?P<lang>[\w-]*) \{setup="(?P<setup>[^"]*)"\}\n', re.M)


def cause_pages():
    """(where, text) of every outcome page and of the article of each cause."""
    outcomes = {path.stem for path in CONTENT.glob("outcomes/*.md")}
    for where, text in sources():
        folder, _, name = where.partition("/")
        if folder == "outcomes" or (folder == "articles" and name[:-3] in outcomes):
            yield where, text


def test_cause_pages_give_each_setup_its_own_variant_instead_of_comments():
    mixed = [
        f"{where}: {line.strip()}"
        for where, text in cause_pages()
        for match in BLOCK.finditer(text)
        if "{setup=" not in match.group(0).split("\n", 1)[0]
        and match.group("lang") in ("bash", "sh", "nginx")
        for line in SWITCH.findall(match.group("body"))
    ]
    assert not mixed, "\n".join(mixed)


def test_every_variant_names_a_known_setup_and_its_blocks_are_checked_like_the_others():
    from lib.yoursetup import parse_condition

    marked = [
        (where, match) for where, text in cause_pages() for match in MARKED.finditer(text)
    ]  # fmt: skip
    assert len(marked) > 150
    for where, match in marked:
        assert parse_condition(match.group("setup")), where
    # The bash -n and nginx -t checks above take the variants too.
    checked = {body for _, body in blocks("bash", "nginx")}
    assert len(checked) > len(marked)


def test_cause_pages_mark_the_php_version_in_the_command_instead_of_a_sentence():
    sentences = [
        f"{where}: {match.group(0)}"
        for where, text in cause_pages()
        for match in re.finditer(r"[Rr]eplace (?:`?php)?\d\.\d[^.]*", text)
    ]
    assert not sentences, "\n".join(sentences)
