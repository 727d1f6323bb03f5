"""Markdown to sanitised HTML, done once when a version is written."""

import html
import re
from dataclasses import dataclass

import markdown
import nh3
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor
from pygments.formatters import HtmlFormatter

from lib.yoursetup import label, parse_condition


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


# An opening fence marked as one variant of a command: ```bash {setup="os:rhel"}
VARIANT_FENCE = re.compile(
    r'^(?P<fence>`{3,}|~{3,})(?P<lang>[\w+-]*)[ \t]*\{setup="(?P<setup>[^"]*)"\}[ \t]*$'
)


class SetupVariants(Preprocessor):
    """Consecutive fenced blocks marked {setup="…"} (blank lines between them) become one
    group, each variant labelled with what it is for. Every variant stays in the HTML, so
    the page works and caches the same for everyone; the browser shows the one that fits
    the reader's setup. An unknown key or value stops the render with a message."""

    def run(self, lines):
        out, index = [], 0
        while index < len(lines):
            if not VARIANT_FENCE.match(lines[index]):
                out.append(lines[index])
                index += 1
                continue
            out += self._stash('<div class="setup-variants">')
            while index < len(lines) and VARIANT_FENCE.match(lines[index]):
                index = self._variant(lines, index, out)
                after = index
                while after < len(lines) and not lines[after].strip():
                    after += 1
                if after < len(lines) and VARIANT_FENCE.match(lines[after]):
                    index = after
            out += self._stash("</div>")
        return out

    def _variant(self, lines, index, out):
        """Copy one marked block, less its mark, wrapped and labelled; the next line."""
        match = VARIANT_FENCE.match(lines[index])
        pairs = parse_condition(match.group("setup"))
        condition = html.escape(" ".join(f"{key}:{value}" for key, value in pairs))
        out += self._stash(
            f'<div class="setup-variant" data-setup="{condition}">'
            f'<p class="setup-variant-label">Setup: {html.escape(label(pairs))}</p>'
        )
        fence = match.group("fence")
        out.append(f"{fence}{match.group('lang')}")
        index += 1
        while index < len(lines) and not (
            lines[index].startswith(fence) and not lines[index].strip(fence[0]).strip()
        ):
            out.append(lines[index])
            index += 1
        if index == len(lines):
            raise ValueError(f'The block marked setup="{match.group("setup")}" is never closed.')
        out.append(lines[index])
        out += self._stash("</div>")
        return index + 1

    def _stash(self, fragment):
        return ["", self.md.htmlStash.store(fragment), ""]


class SetupVariantsExtension(Extension):
    def extendMarkdown(self, md):
        # Before fenced_code (25), which would take the marked blocks as its own.
        md.preprocessors.register(SetupVariants(md), "setup_variants", 30)


EXTENSIONS = [
    "lib.markdown:SetupVariantsExtension",
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
    "div": {"data-setup"},
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
# Tags inside a line of text: they go without a space, so "the <code>listen</code>
# directive," reads as "the listen directive," in a search snippet, not "listen ,".
INLINE_TAG = re.compile(
    r"</?(?:a|abbr|b|code|em|i|kbd|mark|q|s|samp|small|span|strong|sub|sup|var)\b[^>]*>"
)
CODE = re.compile(r"(<code[^>]*>)(.*?)(</code>)", re.S)
# A value of the customer's setup in a command, written @name@: a form no shell, curl
# (-w "%{time_total}"), printf, awk or Go template ({{.Name}}) uses.
VALUE = re.compile(r"(?<!@)@([a-z_]+)@(?!@)")
# A comment line of its own naming what a value is, "# @service@: php8.3-fpm, gunicorn…",
# indented or not, at the start of a block or after a line; left out once it is known.
HINT = re.compile(
    r'(?:(?<=\n)|(?<=<code class="language-bash">)|(?<=<code class="language-nginx">))'
    r'((?:<span class="w"> +</span>)?<span class="c1?"># @(?P<name>[a-z_]+)@:[^<]*</span>\n)'
)
SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Rendered:
    html: str
    toc: list
    headings_text: str
    plain_text: str
    prose_text: str


# What a search snippet is cut from: the text without its code blocks (and the labels
# of their setup variants), tables and headings, so a result reads as a sentence
# rather than a command, a row or "Setup: PHP-FPM · Debian / Ubuntu".
CODE_OR_TABLE = re.compile(
    r'<div class="code-block">.*?</pre></div></div>|<div class="table-wrap".*?</table></div>'
    r'|<p class="setup-variant-label">.*?</p>|<h([2-6])\b.*?</h\1>',
    re.S,
)


def prose_of(html_text):
    """The sentences of rendered HTML, as plain text."""
    return text_of(ANCHOR.sub("", CODE_OR_TABLE.sub(" ", html_text)))


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


def _mark_values(body):
    """Each @name@ in code becomes a marked YOUR_NAME: a word the shell takes as it is,
    that a page fills with the customer's value (the server from a form or a log, the
    browser from the stored setup), and that shows as a placeholder until then."""

    def hint(match):
        return (
            f'<span class="setup-hint" data-setup-hint="{match.group("name")}">'
            f"{match.group(1)}</span>"
        )

    def value(match):
        name = match.group(1)
        return f'<var class="setup-value" data-setup-value="{name}">YOUR_{name.upper()}</var>'

    def code(match):
        return match.group(1) + VALUE.sub(value, match.group(2)) + match.group(3)

    return CODE.sub(code, HINT.sub(hint, body))


def _wrap_table(match):
    # Focusable and named for the same reason: wide tables scroll inside their box.
    opening = '<div class="table-wrap" tabindex="0" role="region" aria-label="Table">'
    return f"{opening}{match.group(0)}</div>"


def text_of(fragment):
    return SPACE.sub(" ", html.unescape(TAGS.sub(" ", INLINE_TAG.sub("", fragment)))).strip()


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
    page = _mark_values(_add_copy_buttons(clean))
    return Rendered(
        html=page,
        toc=toc,
        headings_text=" ".join(entry["name"] for entry in toc),
        plain_text=text_of(ANCHOR.sub("", clean)),
        prose_text=prose_of(page),
    )
