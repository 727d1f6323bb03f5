"""The pages that show several apps at once: the home page, search and the error pages."""

from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_safe

from events import masking
from events.models import Event, Kind
from kb import search as kb_search
from kb.models import Article, Category
from portal.forms import SearchForm
from troubleshooter import diagnosis, flowchart
from troubleshooter.views import diagnosis_context


@require_safe
def home(request):
    # Counts only: the home page names the categories, not their articles.
    categories = Category.objects.with_published_count()
    return render(request, "portal/home.html", {"categories": categories})


@require_safe
def robots_txt(request):
    """Crawlers may read the help; tickets, the admin and search results are not for
    them (search pages and walks are also marked noindex on the page)."""
    lines = [
        "User-agent: *",
        "Disallow: /tickets/",
        "Disallow: /admin/",
        "Disallow: /search/",
        "Disallow: /api/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    response = HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
    patch_cache_control(response, public=True, max_age=3600)
    return response


def _articles_of(outcomes):
    """The articles the diagnosed causes' outcomes point to: all of the first cause's,
    then the first of each other's, published ones only, in that order."""
    slugs = [link.slug for link in outcomes[0].articles] if outcomes else []
    slugs += [outcome.articles[0].slug for outcome in outcomes[1:] if outcome.articles]
    slugs = list(dict.fromkeys(slugs))
    articles = Article.objects.published().listed().in_bulk(slugs, field_name="slug")
    return [articles[slug] for slug in slugs if slug in articles]


MAX_OUTCOMES = 3  # outcome pages above the articles; more would push the articles away


def _outcomes_matching(query):
    """The troubleshooter's outcome pages whose title and summary hold every word typed:
    a page with the fix, for someone who searched for the cause's name."""
    if not query:
        return []
    outcomes = flowchart.get().outcomes.values()
    found = [o for o in outcomes if query.covered_by(f"{o.title} {o.summary}")]
    return found[:MAX_OUTCOMES]


@require_safe
def search(request):
    form = SearchForm(request.GET)
    context = {"form": form, "q": form.data.get("q", "")}
    status = 200
    if form.is_valid():
        query, page = form.cleaned_data["q"], form.cleaned_data["page"]
        results = context["results"] = kb_search.search(query, page=page)
        # A pasted log line gets its diagnosis first, above the articles, and the
        # articles of the causes it names come first among them. Later pages show
        # the articles alone.
        first_page = results.page is None or results.page.number == 1
        if first_page and diagnosis.looks_like_log(query) and diagnosis.check_text(query) is None:
            context.update(diagnosis_context(diagnosis.diagnose(query), summary=False))
            outcomes = [item["outcome"] for item in context["findings"]]
            results = context["results"] = results.with_first(_articles_of(outcomes))
        elif first_page:
            context["outcomes"] = _outcomes_matching(results.query)
        if results.query:
            # The page keeps this for its tab (static/js/portal.js): a ticket sent after
            # it counts as a search followed by a ticket.
            context["masked_query"] = masking.mask(query)
        # Counted for a search sent (Enter, or a link), not for each pause while typing:
        # a half-typed word finds nothing too.
        found = results or context.get("findings") or context.get("outcomes")
        if results.query and not found and not request.htmx:
            Event.objects.record(Kind.SEARCH_EMPTY, detail=query)
    else:
        status = 400
    template = "portal/search.html#results" if request.htmx else "portal/search.html"
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def page_not_found(request, exception):
    parts = [part for part in request.path.split("/") if part and part != "kb"]
    words = " ".join(parts).replace("-", " ")
    suggestions = kb_search.search(words, per_page=5) if words else []
    return render(request, "404.html", {"suggestion": words, "results": suggestions}, status=404)


def bad_request(request, exception):
    """The 400 page. What could not be read may be the request's body itself (a form in
    a charset other than UTF-8), so nothing here touches it: the page is rendered
    without the request, and no context processor runs."""
    return HttpResponseBadRequest(loader.render_to_string("400.html"))
