"""The lists an article page repeats per entry (its contents, tags and sources), written
in Python: an article has some 11 headings, 9 tags and 21 sources, and the template
engine's loops over them were over a hundred variable nodes a page. Each gives exactly
what the loop it replaces gave, escaped as the template escapes (Django's escape() is
html.escape(), called here without its lazy-text wrapper: these are all plain text)."""

from html import escape

from django import template
from django.utils.safestring import mark_safe

from lib.urls import reverse

register = template.Library()


def _text(value):
    return escape(str(value))


@register.filter
def toc_items(toc):
    """The table of contents' entries, each an <li> linking to its heading."""
    return mark_safe(  # noqa: S308 - every value is escaped
        "".join(
            f'<li class="toc-level-{_text(entry["level"])}"><a href="#{_text(entry["id"])}">'
            f"{_text(entry['name'])}</a></li>"
            for entry in toc
        )
    )


@register.filter
def tag_chips(tags):
    """Each tag's chip, linking to its list."""
    return mark_safe(  # noqa: S308 - every value is escaped
        "".join(
            f'<a class="chip" href="{_text(reverse("kb:tag", args=[tag]))}">{_text(tag)}</a>'
            for tag in tags
        )
    )


@register.filter
def source_items(sources):
    """Each source an <li> linking to it."""
    return mark_safe(  # noqa: S308 - every value is escaped
        "".join(
            f'<li><a href="{_text(url)}" rel="nofollow noopener">{_text(url)}</a></li>'
            for url in sources
        )
    )
