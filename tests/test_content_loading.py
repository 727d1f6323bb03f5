import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kb import loading
from kb.models import Article, ImmutableVersion, Version
from lib.content import ContentError

pytestmark = pytest.mark.django_db


def test_it_creates_version_one_for_a_new_article(content):
    content.write("backend-down", title="The backend is down")
    report = content.load()

    article = Article.objects.get(slug="backend-down")
    assert article.current_version.number == 1
    assert article.current_version.title == "The backend is down"
    assert [v.article.slug for v in report.created] == ["backend-down"]


def test_a_large_first_load_renders_every_article_from_its_own_text(content):
    # Past PARALLEL_FROM changed articles the Markdown is rendered in worker processes;
    # each version must still get its own article's HTML, in order.
    count = loading.PARALLEL_FROM + 6
    for n in range(count):
        content.write(f"article-{n}", title=f"Article {n}", body=f"## Heading {n}\n\nText {n}.\n")
    report = content.load()

    assert len(report.created) == count
    for version in Version.objects.select_related("article"):
        n = version.article.slug.removeprefix("article-")
        assert f'id="heading-{n}"' in version.html
        assert f"<p>Text {n}.</p>" in version.html


def test_it_records_nothing_when_nothing_changed(content):
    content.write("backend-down")
    content.load()
    report = content.load()

    assert Version.objects.count() == 1
    assert report.unchanged == ["backend-down"]


def test_it_records_a_new_version_when_the_text_changes(content):
    content.write("backend-down", body="First text.\n")
    content.load()
    content.write("backend-down", body="Second text.\n", change_note="Rewrote the intro.")
    content.load()

    article = Article.objects.get(slug="backend-down")
    assert [v.number for v in article.versions.all()] == [1, 2]
    assert article.current_version.number == 2
    assert article.current_version.change_note == "Rewrote the intro."
    assert "First text." in article.versions.get(number=1).html


def test_it_records_a_new_version_when_only_metadata_changes(content):
    content.write("backend-down", tags=["nginx"])
    content.load()
    content.write("backend-down", tags=["nginx", "php-fpm"], change_note="Tagged PHP-FPM.")
    content.load()

    article = Article.objects.get(slug="backend-down")
    assert article.current_version.number == 2
    assert sorted(article.tags.values_list("slug", flat=True)) == ["nginx", "php-fpm"]
    assert article.versions.get(number=1).tags == ["nginx"]


def test_it_archives_an_article_whose_file_is_gone_and_keeps_its_history(content):
    content.write("backend-down")
    content.write("disk-full")
    content.load()
    content.remove("disk-full")
    report = content.load()

    article = Article.objects.get(slug="disk-full")
    assert article.is_archived
    assert report.archived == ["disk-full"]
    assert article.versions.count() == 1
    assert not Article.objects.published().filter(slug="disk-full").exists()


def test_it_restores_an_archived_article_when_its_file_returns(content):
    content.write("disk-full")
    content.load()
    content.remove("disk-full")
    content.load()
    content.write("disk-full")
    report = content.load()

    assert report.restored == ["disk-full"]
    article = Article.objects.get(slug="disk-full")
    assert not article.is_archived
    assert article.versions.count() == 1


def test_a_malformed_file_fails_the_whole_run_and_changes_nothing(content):
    content.write("backend-down", body="First text.\n")
    content.load()
    content.write("backend-down", body="Second text.\n")
    content.write("disk-full", reviewed="yesterday")

    with pytest.raises(ContentError) as error:
        content.load()

    assert "content/articles/disk-full.md: 'reviewed' must be a date" in str(error.value)
    assert Article.objects.get(slug="backend-down").current_version.number == 1
    assert not Article.objects.filter(slug="disk-full").exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": None}, "'title' is required"),
        ({"slug": "other-name"}, "'slug' is 'other-name' but the file is named backend-down.md"),
        ({"category": "nonsense"}, "'category' 'nonsense' is not in categories.yaml"),
        ({"reviewed": "2999-01-01"}, "'reviewed' is 2999-01-01, which is in the future"),
        ({"applies_to": []}, "'applies_to' must be a list with at least one entry"),
        ({"tags": ["Not A Slug"]}, "'tags' entry 'Not A Slug' must be lowercase"),
        ({"change_note": None}, "'change_note' is required"),
        ({"colour": "blue"}, "unknown field 'colour'"),
        ({"summary": "x" * 301}, "'summary' is 301 characters long; the limit is 300"),
        ({"confirm": None}, "'confirm' is required: the one command that confirms this cause"),
        ({"fix": "systemctl restart nginx"}, "'fix' must be a mapping with 'command'"),
        ({"fix": {"command": "df -h /"}}, "'fix.text' is missing or empty"),
        (
            {"confirm": {"command": "df -h /\nls", "text": "A."}},
            "'confirm.command' must be one line",
        ),
        (
            {"confirm": {"command": "df", "text": "A.", "run": "x"}},
            "'confirm' has an unknown key 'run'",
        ),
    ],
)
def test_it_names_the_file_and_the_field_that_is_wrong(content, fields, message):
    content.write("backend-down", **fields)

    with pytest.raises(ContentError) as error:
        content.load()

    assert f"content/articles/backend-down.md: {message}" in str(error.value)


def test_an_article_that_explains_no_cause_needs_no_box(content):
    content.write("what-the-codes-mean", category="basics", confirm=None, fix=None)

    content.load()

    assert Article.objects.get(slug="what-the-codes-mean").current_version.quick_steps == []


def test_a_cause_article_keeps_its_confirm_and_fix_commands(content):
    content.write("disk-full")

    content.load()

    steps = Article.objects.get(slug="disk-full").current_version.quick_steps
    assert [(step["step"], step["command"]) for step in steps] == [
        ("confirm", "df -h /"),
        ("fix", "journalctl --vacuum-size=200M"),
    ]


def test_it_rejects_a_file_without_front_matter(content):
    (content.root / "articles" / "loose.md").write_text("# Just text\n")

    with pytest.raises(ContentError, match="loose.md: must start with front matter"):
        content.load()


def test_it_rejects_a_link_to_a_missing_article_or_heading(content):
    content.write("backend-down", body="See [disk](/kb/disk-full/) and [fix](/kb/other/#nope).\n")
    content.write("other", body="## Fix it\n\nText.\n")

    with pytest.raises(ContentError) as error:
        content.load()

    problems = error.value.problems
    missing = "links to /kb/disk-full/, but there is no article 'disk-full'"
    assert f"content/articles/backend-down.md: {missing}" in problems
    assert any("links to /kb/other/#nope, but 'other' has no heading" in p for p in problems)


def test_it_rejects_a_link_broken_by_a_change_to_the_target(content):
    content.write("backend-down", body="See [the fix](/kb/other/#fix-it).\n")
    content.write("other", body="## Fix it\n\nText.\n")
    content.load()
    content.write("other", body="## Repair\n\nText.\n")

    with pytest.raises(ContentError, match="links to /kb/other/#fix-it"):
        content.load()
    assert Article.objects.get(slug="other").current_version.number == 1


def test_versions_cannot_be_changed_once_written(content):
    content.write("backend-down")
    content.load()
    version = Version.objects.get()
    version.title = "Rewritten in place"

    with pytest.raises(ImmutableVersion):
        version.save()


def test_the_command_reports_what_it_did(content, capsys):
    content.write("backend-down")
    call_command("load_content", content_dir=content.root)
    out = capsys.readouterr().out
    assert "new article: backend-down v1 (First version.)" in out
    assert "1 new, 0 changed, 0 unchanged, 0 archived" in out


def test_the_command_fails_loudly_with_every_problem(content):
    content.write("backend-down", title=None, category="nonsense")

    with pytest.raises(CommandError) as error:
        call_command("load_content", content_dir=content.root)

    message = str(error.value)
    assert "nothing was changed" in message
    assert "'title' is required" in message
    assert "'category' 'nonsense'" in message


def test_the_headings_read_for_links_are_those_of_each_whole_article():
    import markdown

    from lib.content import split_front_matter
    from troubleshooter.flowchart import _Articles, heading_lines

    def headings(text):
        md = markdown.Markdown(extensions=_Articles.extensions)
        md.convert(text)
        return md.toc_tokens

    from django.conf import settings

    articles = sorted((settings.BASE_DIR / "content" / "articles").glob("*.md"))
    assert len(articles) > 20
    for path in articles:
        _, body = split_front_matter(path.read_text(encoding="utf-8"))
        assert headings(heading_lines(body)) == headings(body), path.name


@pytest.mark.reliability(
    "Content", "an article over 512 KB, front matter with YAML aliases: refused, nothing changed"
)
def test_an_article_over_the_size_limit_is_refused_and_nothing_changes(content, db):
    from kb.content import MAX_ARTICLE_BYTES
    from kb.models import Article

    content.write("backend-down")
    content.load()
    content.write("backend-down", body="Huge.\n\n" + "x" * (MAX_ARTICLE_BYTES + 1))
    with pytest.raises(ContentError) as error:
        content.load()
    assert "content/articles/backend-down.md: is " in str(error.value)
    assert "Split it into several articles" in str(error.value)
    assert Article.objects.get().current_version.number == 1


@pytest.mark.reliability(
    "Content", "an article over 512 KB, front matter with YAML aliases: refused, nothing changed"
)
def test_yaml_aliases_in_front_matter_are_refused_with_a_short_message(content, db):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n"
    bomb += "".join(
        f"{chr(99 + n)}: &{chr(99 + n)} [{', '.join([f'*{chr(98 + n)}'] * 8)}]\n" for n in range(6)
    )
    path = content.write("backend-down")
    text = path.read_text()
    path.write_text(text.replace("---\n", "---\n" + bomb, 1))
    with pytest.raises(ContentError) as error:
        content.load()
    message = str(error.value)
    assert "anchors and aliases (&name, *name) are not allowed" in message
    assert len(message) < 1000


def test_a_quoted_text_starting_with_an_ampersand_is_fine():
    from lib.content import load_yaml

    assert load_yaml("title: '&copy; and *stars*'\nx: a & b * c\n") == {
        "title": "&copy; and *stars*",
        "x": "a & b * c",
    }


def test_an_articles_sources_are_kept_with_its_version_and_listed_under_it(content, client):
    content.write(
        "backend-down",
        sources=["https://nginx.org/en/docs/http/ngx_http_upstream_module.html",
                 "https://github.com/php/php-src/blob/master/sapi/fpm/www.conf.in"],
    )  # fmt: skip
    content.load()
    from kb.models import Article

    version = Article.objects.get().current_version
    assert version.sources[0] == "https://nginx.org/en/docs/http/ngx_http_upstream_module.html"
    html = client.get("/kb/backend-down/").content.decode()
    assert "Sources of this article (2)" in html
    assert 'href="https://github.com/php/php-src/blob/master/sapi/fpm/www.conf.in"' in html


def test_a_source_that_is_not_a_web_address_is_refused(content, db):
    content.write("backend-down", sources=["javascript:alert(1)", "the nginx docs"])
    with pytest.raises(ContentError) as error:
        content.load()
    assert "'sources' entry 'javascript:alert(1)' must be an http:// or https:// address" in str(
        error.value
    )
    assert "'the nginx docs'" in str(error.value)
