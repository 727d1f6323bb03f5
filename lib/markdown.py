"""Markdown to sanitised HTML, done once when a version is written."""

import html
import re
from dataclasses import dataclass

import markdown
import nh3
from pygments.formatters import HtmlFormatter


class _Formatter(HtmlFormatter):
    """Pygments HTML that names the language on <code>, for the label above the block
    (the override Pygments' own HtmlFormatter documentation shows)."""

    def __init__(self, lang_str="", **options):
        super().__init__(**options)
        self.lang_str = lang_str

    def _wrap_code(self, inner):
        yield 0, f'<code class="{self.lang_str}">'
        yield from inner
        yield 0, "</code>"


_formatters = {}


def formatter(lang_str="", **options):
    """The formatter for one code block, made once per language and options and then
    reused. codehilite asks for a new one per block, and each HtmlFormatter builds its
    style's class table when made: most of the time spent highlighting a large
    knowledge base. A formatter holds no state between blocks, so reuse is safe."""
    key = (lang_str, repr(sorted(options.items())))
    if key not in _formatters:
        _formatters[key] = _Formatter(lang_str=lang_str, **options)
    return _formatters[key]


EXTENSIONS = [
    "markdown.extensions.fenced_code",
    "markdown.extensions.codehilite",
    "markdown.extensions.tables",
    "markdown.extensions.admonition",
    "markdown.extensions.sane_lists",
    "markdown.extensions.toc",
]
EXTENSION_CONFIGS = {
    "markdown.extensions.codehilite": {
        "css_class": "highlight",
        "guess_lang": False,
        "pygments_formatter": formatter,
    },
    "markdown.extensions.tables": {"use_align_attribute": True},
    "markdown.extensions.toc": {
        "permalink": "#",
        "permalink_class": "anchor",
        "permalink_title": "Link to this section",
    },
}

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em",
    "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "ol", "p", "pre",
    "s", "samp", "span", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr",
    "ul", "var",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "*": {"class"},
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "h2": {"id"},
    "h3": {"id"},
    "h4": {"id"},
    "h5": {"id"},
    "h6": {"id"},
    "th": {"align"},
    "td": {"align"},
}
TABLE = re.compile(r"<table>.*?</table>", re.S)
CODE_BLOCK = re.compile(r'<div class="highlight"><pre>(.*?)</pre></div>', re.S)
LANGUAGE = re.compile(r'<code class="language-([\w+-]+)">')
ANCHOR = re.compile(r'<a class="anchor"[^>]*>#</a>')
TAGS = re.compile(r"<[^>]+>")
SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Rendered:
    html: str
    toc: list
    headings_text: str
    plain_text: str


def _flatten(tokens):
    for token in tokens:
        yield {"level": token["level"], "id": token["id"], "name": html.unescape(token["name"])}
        yield from _flatten(token["children"])


def _add_copy_buttons(body):
    # The button starts hidden: it only works with JavaScript, which reveals it.
    def wrap(match):
        language = LANGUAGE.search(match.group(1))
        name = language.group(1) if language else "text"
        label = f'<span class="code-lang">{name}</span>' if name != "text" else ""
        return (
            '<div class="code-block">'
            f'<div class="code-bar">{label}'
            '<button type="button" class="copy-button" data-copy hidden>Copy</button></div>'
            # Focusable, so a block wider than the screen can be scrolled by keyboard.
            f'<div class="highlight"><pre tabindex="0">{match.group(1)}</pre></div></div>'
        )

    return TABLE.sub(_wrap_table, CODE_BLOCK.sub(wrap, body))


def _wrap_table(match):
    # Focusable and named for the same reason: wide tables scroll inside their box.
    opening = '<div class="table-wrap" tabindex="0" role="region" aria-label="Table">'
    return f"{opening}{match.group(0)}</div>"


def text_of(fragment):
    return SPACE.sub(" ", html.unescape(TAGS.sub(" ", fragment))).strip()


def render(source):
    md = markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS)
    raw = md.convert(source)
    clean = nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
    )
    toc = list(_flatten(md.toc_tokens))
    return Rendered(
        html=_add_copy_buttons(clean),
        toc=toc,
        headings_text=" ".join(entry["name"] for entry in toc),
        plain_text=text_of(ANCHOR.sub("", clean)),
    )
