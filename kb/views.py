from django.conf import settings
from django.db.models import Count, Max, Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import condition, require_POST, require_safe

from kb import ratelimit
from kb import search as kb_search
from kb.diff import compare as compare_lines
from kb.diff import metadata_changes
from kb.models import Article, Category, Feedback, Tag, Version
from troubleshooter import diagnosis, flowchart
from troubleshooter.diagnosis import looks_like_log
from troubleshooter.views import diagnosis_context

SHORT = 300  # seconds: current pages revalidate with their ETag after this
IMMUTABLE = 365 * 24 * 3600


def _published_categories():
    articles = Article.objects.published().listed().order_by("current_version__title")
    return [
        category
        for category in Category.objects.prefetch_related(
            Prefetch("articles", queryset=articles, to_attr="published")
        )
        if category.published
    ]


@require_safe
def home(request):
    # Counts only: the home page names the categories, not their articles.
    published = Q(articles__archived_at__isnull=True, articles__current_version__isnull=False)
    categories = Category.objects.annotate(published_count=Count("articles", filter=published))
    # A grouped query drops Meta.ordering, so the categories' order is asked for again.
    categories = categories.filter(published_count__gt=0).order_by(*Category._meta.ordering)
    return render(request, "kb/home.html", {"categories": categories})


@require_safe
def index(request):
    return render(request, "kb/index.html", {"categories": _published_categories()})


@require_safe
def tag(request, tag):
    tag = get_object_or_404(Tag, slug=tag)
    articles = tag.articles.published().listed().order_by("current_version__title")
    if not articles:
        raise Http404("No published article has this tag.")
    return render(request, "kb/tag.html", {"tag": tag, "articles": articles})


def _article_etag(request, slug):
    state = Article.objects.filter(slug=slug).values_list("current_version_id", "archived_at")
    if not state:
        return None
    version_id, archived_at = state[0]
    # Related articles and the archived banner depend on other rows: the newest version
    # anywhere changes whenever any article does.
    newest = Version.objects.aggregate(newest=Max("pk"))["newest"]
    archived = archived_at.timestamp() if archived_at else 0
    # The way into the troubleshooter shown on cause articles comes from the flowchart.
    chart = flowchart.get().digest
    return f"{settings.RELEASE}-{version_id}-{newest}-{archived}-{chart}"


def _version_page(request, article, version):
    response = render(
        request,
        "kb/article.html",
        {
            "article": article,
            "version": version,
            "related": article.related(),
            "toc": [entry for entry in version.toc if entry["level"] in (2, 3)],
            "thanks": request.GET.get("feedback"),
        },
    )
    if version.is_current or article.is_archived:
        patch_cache_control(response, public=True, max_age=SHORT)
    else:
        # A superseded version never changes again.
        patch_cache_control(response, public=True, max_age=IMMUTABLE, immutable=True)
    return response


@require_safe
@condition(etag_func=_article_etag)
def article(request, slug):
    article = get_object_or_404(Article.objects.with_current(), slug=slug)
    if article.current_version is None:
        raise Http404("This article has no published version.")
    return _version_page(request, article, article.current_version)


def _get_version(slug, number):
    version = get_object_or_404(
        Version.objects.select_related("article__current_version", "article__category"),
        article__slug=slug,
        number=number,
    )
    return version.article, version


def _version_etag(request, slug, number):
    etag = _article_etag(request, slug)
    return f"{etag}-{number}" if etag else None


@require_safe
@condition(etag_func=_version_etag)
def version(request, slug, number):
    article, version = _get_version(slug, number)
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


def _version_number(value, default):
    try:
        return int(value) if value not in (None, "") else default
    except ValueError:
        return None


@require_safe
def compare(request, slug):
    article = get_object_or_404(Article.objects.with_current(), slug=slug)
    numbers = list(article.versions.order_by("number").values_list("number", flat=True))
    latest = numbers[-1] if numbers else 0
    old_number = _version_number(request.GET.get("from"), max(latest - 1, 1))
    new_number = _version_number(request.GET.get("to"), latest)
    errors = []
    for label, number in (("from", old_number), ("to", new_number)):
        if number not in numbers:
            errors.append(
                f"There is no version “{request.GET.get(label)}” of this article; "
                f"pick one of {', '.join(map(str, numbers))}."
            )
    context = {"article": article, "numbers": numbers, "errors": errors}
    if not errors:
        if old_number > new_number:
            old_number, new_number = new_number, old_number
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
    response = render(request, "kb/compare.html", context, status=400 if errors else 200)
    if not errors:
        patch_cache_control(response, public=True, max_age=SHORT)
    return response


# Votes are anonymous and carry no session, so article pages stay free of per-visitor
# tokens and can be cached publicly; a per-address limit keeps the counts honest.
@csrf_exempt
@require_POST
def feedback(request, slug, number):
    article, version = _get_version(slug, number)
    answer, refusal = ratelimit.read_vote(request, "helpful", "kb-feedback")
    if refusal:
        return refusal
    Feedback.objects.create(
        version=version, helpful=answer == "yes", comment=request.POST.get("comment", "")[:2000]
    )
    if request.htmx:
        return render(request, "kb/article.html#feedback-thanks", {"helpful": answer == "yes"})
    target = version.get_absolute_url() if not version.is_current else article.get_absolute_url()
    return redirect(f"{target}?feedback={answer}#feedback")


@require_safe
def search(request):
    query = request.GET.get("q", "")
    context = {"q": query, "results": kb_search.search(query)}
    # A pasted log line gets its diagnosis first, above the articles.
    if looks_like_log(query) and diagnosis.check_text(query) is None:
        context.update(diagnosis_context(diagnosis.diagnose(query), summary=False))
    template = "kb/search.html#results" if request.htmx else "kb/search.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def page_not_found(request, exception):
    parts = [part for part in request.path.split("/") if part and part != "kb"]
    words = " ".join(parts).replace("-", " ")
    suggestions = kb_search.search(words, limit=5) if words else []
    return render(request, "404.html", {"suggestion": words, "results": suggestions}, status=404)
