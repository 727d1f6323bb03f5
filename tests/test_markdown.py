import pytest

from lib.markdown import render
from lib.yoursetup import SetupError


def test_it_gives_headings_stable_anchors():
    rendered = render("## Confirm it\n\nText.\n\n### On RHEL 9\n\nMore.\n")
    assert '<h2 id="confirm-it">' in rendered.html
    assert '<h3 id="on-rhel-9">' in rendered.html
    assert rendered.toc == [
        {"level": 2, "id": "confirm-it", "name": "Confirm it"},
        {"level": 3, "id": "on-rhel-9", "name": "On RHEL 9"},
    ]


def test_it_highlights_code_and_adds_a_copy_button():
    rendered = render("```bash\nsystemctl status php8.2-fpm\n```\n")
    assert '<code class="language-bash">' in rendered.html
    assert '<span class="w"> </span>' in rendered.html
    assert (
        '<button type="button" class="copy-button" data-copy hidden>Copy</button>' in rendered.html
    )
    assert '<span class="code-lang">bash</span>' in rendered.html


def test_every_code_block_gets_a_copy_button():
    rendered = render("```text\none\n```\n\nText.\n\n```nginx\nproxy_pass http://app:3000;\n```\n")
    assert rendered.html.count("data-copy") == 2


def test_it_renders_tables_and_admonitions():
    rendered = render('| a | b |\n|:-:|---|\n| 1 | 2 |\n\n!!! warning "Careful"\n    Body.\n')
    assert '<th align="center">a</th>' in rendered.html
    assert '<div class="admonition warning">' in rendered.html
    assert '<p class="admonition-title">Careful</p>' in rendered.html


def test_script_tags_never_reach_the_page():
    rendered = render("Hello <script>alert('x')</script> world\n\n<script src=//evil></script>\n")
    assert "<script" not in rendered.html
    assert "alert(" not in rendered.html


def test_event_handler_attributes_are_removed():
    rendered = render('<img src="x.png" onerror="alert(1)"> <a href="/" onclick="steal()">x</a>\n')
    assert "onerror" not in rendered.html
    assert "onclick" not in rendered.html
    assert '<img src="x.png">' in rendered.html


def test_javascript_urls_are_removed():
    rendered = render("[click](javascript:alert(1)) <a href='JaVaScRiPt:alert(1)'>y</a>\n")
    assert "javascript:" not in rendered.html.lower()


def test_styles_iframes_and_forms_are_removed():
    rendered = render(
        '<style>body{display:none}</style><iframe src="https://x"></iframe>'
        '<form action="https://x"><input name=a></form><p style="color:red">t</p>\n'
    )
    for forbidden in ("<style", "<iframe", "<form", "<input", "style="):
        assert forbidden not in rendered.html


def test_html_in_code_blocks_is_shown_as_text():
    rendered = render("```text\n<script>alert(1)</script>\n```\n")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered.html


def test_the_plain_text_leaves_out_markup_and_anchor_links():
    rendered = render("## Fix it\n\nRun `nginx -t` & reload.\n")
    assert rendered.plain_text == "Fix it Run nginx -t & reload."
    assert rendered.headings_text == "Fix it"


def test_code_blocks_of_one_language_share_one_formatter():
    from lib.markdown import formatter

    assert formatter(lang_str="language-bash", cssclass="highlight") is formatter(
        lang_str="language-bash", cssclass="highlight"
    )
    assert formatter(lang_str="language-bash") is not formatter(lang_str="language-nginx")
    html = render(
        "```bash\necho one\n```\n\n```nginx\nlisten 80;\n```\n\n```bash\necho two\n```\n"
    ).html
    assert html.count('<code class="language-bash">') == 2
    assert html.count('<code class="language-nginx">') == 1


VARIANTS = """Restart it:

```bash {setup="os:debian"}
systemctl restart php@php_version@-fpm
```

```bash {setup="os:rhel web:apache"}
systemctl restart php-fpm httpd
```

Then check it.

```bash {setup="docker:yes"}
docker ps -a
```
"""


def test_consecutive_variant_blocks_become_one_labelled_group():
    html = render(VARIANTS).html
    assert html.count('<div class="setup-variants">') == 2
    first = html.split('<div class="setup-variants">')[1]
    assert first.count('<div class="setup-variant" data-setup=') == 2
    assert '<div class="setup-variant" data-setup="os:rhel web:apache">' in first
    # Without JavaScript every variant shows, each saying what it is for.
    assert '<p class="setup-variant-label">Setup: Debian / Ubuntu</p>' in html
    assert '<p class="setup-variant-label">Setup: RHEL / Alma / Rocky · Apache</p>' in html
    assert '<p class="setup-variant-label">Setup: In Docker</p>' in html
    assert html.count("data-copy hidden") == 3
    assert "{setup=" not in html and "Then check it." in html


def test_a_search_snippet_reads_the_sentences_not_the_variants_labels():
    prose = render(VARIANTS).prose_text
    assert prose == "Restart it: Then check it."


def test_a_variant_for_an_unknown_setup_stops_the_render():
    for mark in ("os:windows", "shell:zsh", "", "os:<script>"):
        with pytest.raises(SetupError):
            render(f'```bash {{setup="{mark}"}}\nls\n```\n')


def test_values_in_code_become_marked_placeholders_and_nothing_else_changes():
    source = (
        "Run `php-fpm@php_version@ -t`, write me@example.com@x.\n\n"
        "```bash\n# @service@: the unit, such as gunicorn\nsystemctl restart @service@\n"
        'curl -w "%{time_total}" -s x; docker ps --format "{{.Names}}"\n'
        'mysql -e "SELECT @@max_connections"\n```\n'
    )
    html = render(source).html
    marked = '<var class="setup-value" data-setup-value="service">YOUR_SERVICE</var>'
    assert html.count(marked) == 2
    assert 'data-setup-value="php_version">YOUR_PHP_VERSION</var> -t</code>' in html
    assert '<span class="setup-hint" data-setup-hint="service">' in html
    assert "%{time_total}" in html and '"{{.Names}}"' in html
    assert "@@max_connections" in html and "me@example.com@x" in html


def test_markup_inside_a_variant_stays_text():
    html = render('```bash {setup="web:nginx"}\necho "<img src=x onerror=alert(1)>"\n```\n').html
    assert "<img" not in html and "&lt;img" in html
    assert "onerror=alert(1)&gt;" in html
