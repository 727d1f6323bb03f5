"""reverse(), remembered: a page names the same addresses on every request (the header's
links, the categories and tags), and an address only changes with the code.

An article page asked for 34 addresses, 23 of them the same on every page; working each
out again was a tenth of the page's time. The answers are kept per process, keyed on
everything reverse() reads (the URLconf, the script prefix, the current namespace), and
only for arguments that are plain text or whole numbers, so a key stands for one
address. At most `KEPT` are kept: an address seen on one page only (an article's own)
makes room for the next.
"""

from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf
from django.urls import reverse as django_reverse

KEPT = 4096


def _plain(value):
    return isinstance(value, str) or type(value) is int


@lru_cache(maxsize=KEPT)
def _remembered(urlconf, prefix, current_app, viewname, args, kwargs):
    return django_reverse(
        viewname, urlconf=urlconf, args=args, kwargs=dict(kwargs), current_app=current_app
    )


def reverse(viewname, args=None, kwargs=None, current_app=None):
    """django.urls.reverse() with the URLconf of the request, answered from memory for a
    name and arguments asked before."""
    args = tuple(args or ())
    kwargs = tuple(sorted((kwargs or {}).items()))
    if not isinstance(viewname, str) or not all(
        _plain(value) for value in (*args, *(value for _, value in kwargs))
    ):
        return django_reverse(viewname, args=args, kwargs=dict(kwargs), current_app=current_app)
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    return _remembered(urlconf, get_script_prefix(), current_app, viewname, args, kwargs)


def forget():
    """Drop what is remembered (the URLconf changed, as tests do)."""
    _remembered.cache_clear()
