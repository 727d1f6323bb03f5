from django.conf import settings
from django.core.paginator import InvalidPage, Paginator
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import condition, require_POST, require_safe

from events.models import Event, Kind
from incidents import known
from kb import pages
from kb.diff import metadata_changes
from kb.forms import CompareForm, FeedbackForm, PageForm
from kb.models import (
    HEAVY_FIELDS,
    Article,
    Category,
    Feedback,
    Tag,
    Version,
    review_cutoff,
)
from lib import generation, votes
from lib.diff import compare as compare_lines
from lib.prepared import Prepared

SHORT = 300  # seconds: current pages revalidate with their ETag after this
IMMUTABLE = 365 * 24 * 3600


# The current article's page, with what it shows around its stored article: compiled
# once per process (lib.prepared), as only the slug changes. Unordered: the slug is
# unique, and ordering the one row cost a fifth of the query's compiling.
PAGE_ARTICLE = Prepared(lambda slug: Article.objects.for_page().filter(slug=slug).order_by()[:1])

PER_PAGE = 50  # articles on a page of a category or a tag
PREVIEW = 5  # articles the index shows for each category


def _page_of(request, articles):
    """The page of `articles` (ordered) that the query string asks for; a 404 for one
    that does not exist, so a list has one address per page."""
    form = PageForm(request.GET)
    if not form.is_valid():
        raise Http404("Pages are numbered from 1.")
    # The page is picked on ids, then only its articles are read: sorting thousands of
    # rows with their summaries took four times as long.
    try:
        page = Paginator(articles.values_list("pk", flat=True), PER_PAGE).page(
            form.cleaned_data["page"]
        )
    except InvalidPage:
        raise Http404("This list has no such page.") from None
    ids = list(page.object_list)
    found = Article.objects.brief().in_bulk(ids)
    page.object_list = [found[pk] for pk in ids]
    return page


@require_safe
def index(request):
    """Each category with its count and its most recently updated articles: three
    queries however many articles there are."""
    categories = list(Category.objects.with_published_count())
    # The newest version has the highest id: ranked from an index of the articles'
    # category and version (kb_article_newest), without reading any row. The few ids
    # are read first: as a subquery, PostgreSQL expected thousands and joined every
    # article to its version before keeping the few.
    ranks = Window(
        RowNumber(), partition_by=F("category_id"), order_by=F("current_version_id").desc()
    )
    ids = list(
        Article.objects.published()
        .annotate(rank=ranks)
        .filter(rank__lte=PREVIEW)
        .values_list("pk", flat=True)
    )
    newest = Article.objects.brief("category").filter(pk__in=ids).order_by("-current_version_id")
    by_category = {}
    for article in newest:
        by_category.setdefault(article.category_id, []).append(article)
    for category in categories:
        category.newest = by_category.get(category.pk, [])
    return render(request, "kb/index.html", {"categories": categories, "preview": PREVIEW})


@require_safe
def category(request, category):
    category = get_object_or_404(Category, slug=category)
    articles = category.articles.published().order_by("current_version__title", "slug")
    page = _page_of(request, articles)
    if not page.paginator.count:
        raise Http404("No published article is in this category.")
    return render(request, "kb/category.html", {"category": category, "page": page})


@require_safe
def tag(request, tag):
    tag = get_object_or_404(Tag, slug=tag)
    articles = tag.articles.published().order_by("current_version__title", "slug")
    page = _page_of(request, articles)
    if not page.paginator.count:
        raise Http404("No published article has this tag.")
    return render(request, "kb/tag.html", {"tag": tag, "page": page})


def _etag(article_state):
    version_id, archived_at, reviewed = article_state
    # The notice of a review overdue appears on the day the cutoff passes, with no
    # content change: a page kept before that day must not be confirmed as current.
    overdue = int(reviewed is not None and reviewed < review_cutoff())
    archived = archived_at.timestamp() if archived_at else 0
    # Related articles, the archived banner and the way into the troubleshooter shown
    # on cause articles depend on other rows and on the flowchart, which change only
    # with a content load: the content generation, which every load bumps, stands for
    # all of them (it replaced asking for the newest version anywhere on every page).
    # The known-problem notice on top changes with the incidents.
    content = generation.current()
    return f"{settings.RELEASE}-{version_id}-{archived}-{overdue}-{content}-{known.page_key()}"


def _article_etag(request, slug):
    state = Article.objects.filter(slug=slug).values_list(
        "current_version_id", "archived_at", "current_version__reviewed"
    )
    return _etag(state[0]) if state else None


def _current_page_etag(request, slug):
    """The current version's ETag. A request that carries no ETag to check cannot be
    answered with a 304, so the article is read here whole, for the page, and kept on
    the request: one query for both, not one for the ETag and one for the page."""
    if "HTTP_IF_NONE_MATCH" in request.META:
        return _article_etag(request, slug)
    article = PAGE_ARTICLE.first(slug)
    if article is None:
        return None
    request.kb_article = article
    version = article.current_version
    return _etag((article.current_version_id, article.archived_at, version and version.reviewed))


def _version_page(request, article, version, stored_body=None):
    """The page of `version`, around its article as stored (`stored_body`, see
    kb.pages) or rendered here."""
    page = {
        "article": article,
        "version": version,
        "related": article.related(),
        "thanks": request.GET.get("feedback"),
        "stored_body": stored_body,
    }
    if stored_body is None:
        page.update(pages.context(article, version))
    response = render(request, "kb/article.html", page)
    if version.is_current or article.is_archived:
        patch_cache_control(response, public=True, max_age=SHORT)
    else:
        # A superseded version never changes again.
        patch_cache_control(response, public=True, max_age=IMMUTABLE, immutable=True)
    return response


@require_safe
@condition(etag_func=_current_page_etag)
def article(request, slug):
    article = getattr(request, "kb_article", None) or PAGE_ARTICLE.first(slug)
    if article is None:
        raise Http404("No article here.")
    version = article.current_version
    if version is None:
        raise Http404("This article has no published version.")
    stored_body = pages.stored(article)
    if stored_body is None:
        # The article must be rendered: read what the page query left out.
        version = Version.objects.for_page().get(pk=version.pk)
    version.article = article  # the page asks it whether it is current
    return _version_page(request, article, version, stored_body)


def _get_version(slug, number, shown=False):
    """The article and its version `number`; `shown` leaves out what only the Markdown
    download and the comparison read, for a page that shows the version."""
    versions = Version.objects.select_related("article__current_version", "article__category")
    if shown:
        versions = versions.for_page().defer(*(f"article__{field}" for field in HEAVY_FIELDS))
    version = get_object_or_404(versions, article__slug=slug, number=number)
    return version.article, version


def _version_etag(request, slug, number):
    etag = _article_etag(request, slug)
    return f"{etag}-{number}" if etag else None


@require_safe
@condition(etag_func=_version_etag)
def version(request, slug, number):
    article, version = _get_version(slug, number, shown=True)
    return _version_page(request, article, version)


@require_safe
def raw(request, slug, number):
    article, version = _get_version(slug, number)
    response = HttpResponse(version.source, content_type="text/plain; charset=utf-8")
    patch_cache_control(response, public=True, max_age=IMMUTABLE, immutable=True)
    return response


@require_safe
def history(request, slug):
    article = get_object_or_404(Article.objects.with_current(), slug=slug)
    versions = list(article.versions.order_by("-number"))
    response = render(request, "kb/history.html", {"article": article, "versions": versions})
    patch_cache_control(response, public=True, max_age=SHORT)
    return response


@require_safe
def compare(request, slug):
    article = get_object_or_404(Article.objects.with_current(), slug=slug)
    numbers = list(article.versions.order_by("number").values_list("number", flat=True))
    form = CompareForm(request.GET, numbers)
    context = {"article": article, "numbers": numbers, "form": form}
    if form.is_valid():
        old_number, new_number = form.cleaned_data["from"], form.cleaned_data["to"]
        versions = {
            v.number: v for v in article.versions.filter(number__in=[old_number, new_number])
        }
        old, new = versions[old_number], versions[new_number]
        context.update(
            old=old,
            new=new,
            lines=compare_lines(old.body, new.body),
            metadata=metadata_changes(old, new),
        )
    response = render(request, "kb/compare.html", context, status=200 if form.is_valid() else 400)
    if form.is_valid():
        patch_cache_control(response, public=True, max_age=SHORT)
    return response


# Votes are anonymous and carry no session, so article pages stay free of per-visitor
# tokens and can be cached publicly; a per-address limit keeps the counts honest.
@csrf_exempt
@require_POST
def feedback(request, slug, number):
    article, version = _get_version(slug, number)
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        return votes.refused(form)
    refusal = votes.from_elsewhere(request) or votes.over_limit(request, "kb-feedback")
    if refusal:
        return refusal
    helpful = form.cleaned_data["helpful"]
    Feedback.objects.create(version=version, helpful=helpful, comment=form.cleaned_data["comment"])
    answer = "yes" if helpful else "no"
    Event.objects.record(Kind.ARTICLE_HELPFUL, article.slug, answer, version.number)
    if request.htmx:
        return render(request, "kb/article.html#feedback-thanks", {"helpful": helpful})
    target = version.get_absolute_url() if not version.is_current else article.get_absolute_url()
    return redirect(f"{target}?feedback={answer}#feedback")
