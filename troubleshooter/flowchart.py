"""The troubleshooting flowchart: read from content/, validated, and walked.

The flowchart is data (content/flowchart.yaml and content/outcomes/*.md). It is
parsed and validated once per change of those files and kept in memory; its help
texts and outcome sections are rendered to sanitised HTML once, the first time a page
needs them, never per request (and never in a process that only diagnoses logs).
"""

import difflib
import hashlib
import html
import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from urllib.parse import urlencode

import markdown
import yaml
from django.conf import settings
from django.utils.safestring import mark_safe

from lib import generation
from lib.content import (
    SLUG,
    ContentError,
    display,
    load_yaml,
    read_once,
    read_quick_steps,
    split_front_matter,
)
from lib.forms import whole_number
from lib.markdown import EXTENSIONS, render
from troubleshooter import setup

# Stable identifiers: the diagnosis and tickets use them too, and they never change
# meaning. Other outcomes (such as vps-unreachable) may exist beside them.
CAUSES = (
    "backend-down", "wrong-upstream-address", "socket-permission", "security-module",
    "firewall-block", "backend-slow", "worker-pool-exhausted", "backend-crash", "oom-killed",
    "disk-full", "header-too-big", "invalid-upstream-response", "upstream-tls", "stale-dns",
    "docker-network", "swarm-ipvs", "cdn-origin", "rate-limited", "maintenance-mode",
    "proxy-config-error",
)  # fmt: skip
# The exit for "nothing answers at all": not a 5xx, and maybe not the customer's VPS.
PLATFORM_EXIT = "vps-unreachable"

FLOWCHART_KEYS = {"start", "questions", "change_note"}
QUESTION_KEYS = {"id", "question", "help", "article", "answers"}
ANSWER_KEYS = {"key", "label", "next", "cause", "ticket", "log"}
# What an answer may tell the support ticket form, as `ticket: {error: "502"}`; the
# tickets app checks the values against its own choices.
TICKET_FIELDS = {"error", "docker"}
OUTCOME_KEYS = {"title", "summary", "codes", "articles", "from_log", "confirm", "fix"}
# An outcome's Markdown body has these `##` sections, in this order.
OUTCOME_SECTIONS = {
    "meaning": "What it means",
    "confirm": "Confirm it",
    "fix": "Fix it",
    "prevent": "Prevent it",
}
OUTCOME_SECTION = re.compile(r"^## +(.+?) *$", re.M)
# What visitors see at an outcome: the gateway codes, a CDN's 52x page, no answer at
# all, and the other errors a few causes give instead (a WordPress fatal error's 500, a
# web application firewall's 403 or 413, a Kubernetes router's 404).
CODES = {"502", "503", "504", "52x", "none", "500", "403", "404", "413"}
CHANGE = "change"  # query parameter: the question whose answer is being changed
# Query parameter: the number of the chart's stored version the walk began on, carried
# from page to page into the ticket and "did this fix it?" (see ChartVersion).
VERSION = "chart"
# Query parameters that belong to the pages rather than to the walk.
RESERVED = {CHANGE, "fixed", VERSION}


class FlowchartError(ContentError):
    """Problems in content/flowchart.yaml or content/outcomes/."""


@dataclass(frozen=True)
class ArticleLink:
    slug: str
    anchor: str = ""
    title: str = ""  # the article's title, and the heading's text when there is an anchor
    heading: str = ""

    @classmethod
    def parse(cls, text, articles):
        slug, _, anchor = (part.strip() for part in str(text).partition("#"))
        article = articles.get(slug, {})
        return cls(
            slug,
            anchor,
            title=article.get("title", slug),
            heading=article.get("headings", {}).get(anchor, ""),
        )

    @property
    def url(self):
        return f"/kb/{self.slug}/" + (f"#{self.anchor}" if self.anchor else "")

    def __str__(self):
        return self.slug + (f"#{self.anchor}" if self.anchor else "")


@dataclass(frozen=True)
class Answer:
    key: str
    label: str
    next: str = ""
    cause: str = ""
    ticket: tuple = ()  # ((field, value), ...) for the support ticket form
    log: bool = False  # the answer rests on a message read in a log


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    answers: tuple
    help_text: str = ""  # Markdown
    article: ArticleLink | None = None

    @cached_property
    def help(self):
        """The help as sanitised HTML, rendered once, when a page first needs it."""
        return _html(self.help_text)

    def answer(self, key):
        return next((answer for answer in self.answers if answer.key == key), None)


class _Section:
    """An outcome's section as sanitised HTML, rendered from its Markdown the first time
    it is read, then kept on the outcome."""

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, outcome, owner=None):
        if outcome is None:
            return self
        html = _html(dict(outcome.texts)[self.name])
        outcome.__dict__[self.name] = html  # read from there from now on
        return html


@dataclass(frozen=True)
class Outcome:
    slug: str
    title: str
    summary: str
    codes: tuple
    articles: tuple
    texts: tuple = ()  # ((section, Markdown), ...) in the order of OUTCOME_SECTIONS
    # The setup values a pasted log may fill on this page (None: all of them). Where
    # the log names what is wrong (the old socket, the old address), the commands that
    # put it right must wait for the value the customer types.
    from_log: frozenset | None = None
    # The box at the top: the command that confirms the cause, then the one that fixes it
    # (lib.content.QuickStep), with @name@ values filled like the sections' commands.
    quick_steps: tuple = ()

    # Each section as sanitised HTML, rendered once, when a page first needs it: a
    # process that only diagnoses logs never renders them.
    meaning = _Section()
    confirm = _Section()
    fix = _Section()
    prevent = _Section()

    @property
    def is_cause(self):
        return self.slug in CAUSES

    @property
    def text(self):
        """What the page says as its author wrote it: the box's two commands, then the
        Markdown body's four sections under their headings (a stored chart version keeps
        this, so a changed command shows in the comparison of two versions)."""
        box = [f"{step.step.title()}: `{step.command}`\n{step.text}" for step in self.quick_steps]
        headings = OUTCOME_SECTIONS
        sections = [f"## {headings[name]}\n\n{body}" for name, body in self.texts]
        return "\n\n".join(box + sections)

    def get_absolute_url(self):
        return f"/troubleshoot/cause/{self.slug}/"


@dataclass(frozen=True)
class Step:
    question: Question
    answer: Answer


@dataclass
class Walk:
    """Where a set of answers (a URL's query string) leads, from the start."""

    flowchart: "Flowchart"
    steps: list = field(default_factory=list)
    question: Question | None = None
    outcome: Outcome | None = None
    dropped: list = field(default_factory=list)
    changing: Answer | None = None
    later: list = field(default_factory=list)
    carried: str | None = None  # the chart version the walk's links name (VERSION)

    @cached_property
    def version(self):
        """The number of the stored chart version this walk began on: the one its links
        carried when a stored version has it, else the current one (None: none stored)."""
        return self.flowchart.known_version(self.carried)

    def query(self, steps=None, extra=()):
        """The answers as a query string: what a ticket or a map link keeps."""
        pairs = [
            (step.question.id, step.answer.key) for step in (self.steps if steps is None else steps)
        ]
        return urlencode([*pairs, *extra])

    def link_query(self, steps=None, extra=()):
        """The answers and the chart version walked: what the next page is given."""
        carried = [(VERSION, self.version)] if self.version else []
        return self.query(steps, [*extra, *carried])

    @property
    def setup(self):
        """What the answers say of the customer's setup, as "your setup" writes it:
        Docker, when an answer tells the ticket it is used or not."""
        said = [dict(step.answer.ticket).get("docker") for step in self.steps]
        docker = [value for value in said if value in ("yes", "no")]
        return {"docker": docker[-1]} if docker else {}

    @property
    def path(self):
        """The answers as one short text, for records and tickets: code=502 > log-502=refused."""
        return " > ".join(f"{s.question.id}={s.answer.key}" for s in self.steps)

    def answer_url(self, answer):
        """Where choosing `answer` to the current question leads: the next step, or the outcome."""
        extra = [(self.question.id, answer.key), *self.later]
        query = self.link_query(extra=extra)
        if answer.cause and not self.later:
            return f"/troubleshoot/cause/{answer.cause}/?{query}"
        return f"/troubleshoot/?{query}"

    def change_url(self, index):
        """Ask question `index` again, keeping the answers after it where they still apply."""
        later = [(s.question.id, s.answer.key) for s in self.steps[index:]]
        return "/troubleshoot/?" + self.link_query(
            self.steps[:index], [*later, (CHANGE, self.steps[index].question.id)]
        )

    @property
    def back_url(self):
        return f"/troubleshoot/?{self.link_query(self.steps[:-1])}" if self.steps else None

    @property
    def outcome_url(self):
        return f"{self.outcome.get_absolute_url()}?{self.link_query()}" if self.outcome else None


@dataclass
class Flowchart:
    start: str
    questions: dict
    outcomes: dict
    digest: str
    change_note: str = ""

    def snapshot(self):
        """The whole chart as plain data, as a ChartVersion stores it: each question
        with its answers and where each leads, and each outcome with its text."""
        return {
            "start": self.start,
            "questions": [
                {
                    "id": question.id,
                    "question": question.question,
                    "help": question.help_text,
                    "article": str(question.article) if question.article else "",
                    "answers": [
                        {
                            "key": answer.key,
                            "label": answer.label,
                            "next": answer.next,
                            "cause": answer.cause,
                        }
                        for answer in question.answers
                    ],  # fmt: skip
                }
                for question in self.questions.values()
            ],
            "outcomes": {
                slug: {
                    "title": outcome.title,
                    "summary": outcome.summary,
                    "codes": list(outcome.codes),
                    "articles": [str(link) for link in outcome.articles],
                    "text": outcome.text,
                }
                for slug, outcome in sorted(self.outcomes.items())
            },
        }

    @cached_property
    def content_hash(self):
        """What the chart says, hashed: the same whatever the files' layout or comments."""
        data = json.dumps(self.snapshot(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(data.encode()).hexdigest()

    @property
    def version(self):
        """The number of the stored version this chart is, or None when none is."""
        return _stored_versions(self)[0]

    def known_version(self, value):
        """`value` (a carried number, as text) when a stored version has it, else the
        number of this chart's version: no database query, only numbers."""
        mine, latest = _stored_versions(self)
        number = whole_number(str(value)) if value is not None else None
        return number if number and latest and number <= latest else mine

    def walk(self, params):
        """Follow `params` (question id -> answer key) from the start.

        Anything that does not fit (an unknown question, an answer that does not belong,
        answers left over on another branch) is dropped and described in `dropped`.
        The walk keeps the chart version it began on (VERSION in `params`), or this one.
        """
        walk = Walk(self, carried=params.get(VERSION))
        changing = params.get(CHANGE, "")
        used = set(RESERVED)
        node = self.start
        while True:
            question = self.questions[node]
            key = params.get(question.id)
            if question.id == changing:
                used.add(question.id)
                walk.question = question
                walk.changing = question.answer(key) if key else None
                walk.later = [
                    (name, value)
                    for name, value in _pairs(params)
                    if name not in used and name in self.questions
                ]
                return walk
            if key is None:
                walk.question = question
                break
            used.add(question.id)
            answer = question.answer(key)
            if answer is None:
                walk.dropped.append(
                    f"“{key}” is not one of the answers to “{question.question}”, "
                    "so that question is asked again."
                )
                walk.question = question
                break
            walk.steps.append(Step(question, answer))
            if answer.cause:
                walk.outcome = self.outcomes[answer.cause]
                break
            node = answer.next
        for name, _value in _pairs(params):
            if name in used:
                continue
            if name in self.questions:
                walk.dropped.append(
                    f"Your answer to “{self.questions[name].question}” no longer applies "
                    "to the path you took, so it was dropped."
                )
            else:
                walk.dropped.append(
                    f"“{name}” is not a step of this guide (perhaps from an older link), "
                    "so it was ignored."
                )
        return walk

    @cached_property
    def parents(self):
        """For each question and outcome, the questions whose answers lead to it."""
        parents = {}
        for question in self.questions.values():
            for answer in question.answers:
                parents.setdefault(answer.next or answer.cause, []).append(question.id)
        return parents

    def path_to(self, target):
        """The shortest list of (question id, answer key) from the start to `target`."""
        frontier, seen = [(self.start, [])], {self.start}
        while frontier:
            node, path = frontier.pop(0)
            if node == target:
                return path
            question = self.questions.get(node)
            for answer in question.answers if question else ():
                child = answer.next or answer.cause
                if child not in seen:
                    seen.add(child)
                    frontier.append((child, [*path, (node, answer.key)]))
        return None

    @cached_property
    def _entries(self):
        return {}  # cause -> entry_for(cause): every cause article's page asks for one

    def entry_for(self, cause):
        """The step that decides `cause`, as a query string, or None."""
        if cause not in self._entries:
            self._entries[cause] = self._entry_for(cause)
        return self._entries[cause]

    def _entry_for(self, cause):
        parents = self.parents.get(cause)
        if not parents:
            return None
        paths = [path for path in (self.path_to(parent) for parent in parents) if path is not None]
        return urlencode(min(paths, key=len)) if paths else None


# Which stored version each chart read is, and the newest number: (content generation,
# content hash) -> (number or None, newest or None). Asked of the database once per
# process and content load (`load_content` bumps the generation), never per request.
_versions = {}


def _stored_versions(chart):
    key = (generation.current(), chart.content_hash)
    if key not in _versions:
        from troubleshooter.models import ChartVersion  # the models need the app registry

        _versions.clear()
        _versions[key] = ChartVersion.objects.numbers_for(chart.content_hash)
    return _versions[key]


def forget_versions():
    """Ask the database again on next use (after versions were recorded or removed)."""
    _versions.clear()
    _version_ids.clear()


def version_walked(value):
    """The stored ChartVersion a walk began on, by its carried number (text); the current
    chart's version when that is missing or unknown; None when no version is stored."""

    chart = get()
    number = whole_number(str(value)) if value is not None else None
    found = _version_row(number) if number else None
    if found is None and chart.version:
        found = _version_row(chart.version)
    return found


# Stored versions' ids by number, for the tickets that name them: (content generation,
# number) -> id. Versions are only ever added (never changed or deleted: tickets protect
# them), so an id found once stays right; the generation keeps a test's rolled-back
# versions from outliving it. Saves a ticket submission a query.
_version_ids = {}


def _version_row(number):
    """The ChartVersion numbered `number`, as its id and number only (the stored chart,
    which took longer to parse than the rest of a ticket's queries, is not read)."""
    from troubleshooter.models import ChartVersion

    key = (generation.current(), number)
    if key not in _version_ids:
        found = ChartVersion.objects.filter(number=number).values_list("pk", flat=True).first()
        if found is None:
            return None
        if len(_version_ids) > 1000:
            _version_ids.clear()
        _version_ids[key] = found
    return ChartVersion(pk=_version_ids[key], number=number)


def _pairs(params):
    if hasattr(params, "lists"):
        return [(name, values[-1]) for name, values in params.lists() if values]
    return list(params.items())


# Reading and validating ---------------------------------------------------------


FENCE = re.compile(r"^(```|~~~)")
ATX_HEADING = re.compile(r"^#{1,6} ")


def heading_lines(body):
    """Only the headings of an article's Markdown, outside code blocks: the same
    headings, ids and texts as the whole text gives, for a fraction of the rendering.
    (tests/test_content_loading.py holds every article to that.)"""
    lines, fence = [], None
    for line in body.splitlines():
        if fence:
            if line.startswith(fence):
                fence = None
        elif found := FENCE.match(line):
            fence = found.group(1)
        elif ATX_HEADING.match(line):
            lines.append(line)
    return "\n\n".join(lines)


class _Articles(dict):
    """Each linked article's title and headings (anchor -> text), read from content/
    (no database) the first time the flowchart names it. The flowchart links to a few
    dozen articles; the knowledge base may hold thousands, and every process reads the
    flowchart once, so none of the others is ever opened."""

    # The article renderer's extensions, less highlighting: the same headings and ids.
    extensions = [e for e in EXTENSIONS if not e.endswith("codehilite")]

    def __init__(self, content_dir):
        super().__init__()
        self.directory = content_dir / "articles"

    def __missing__(self, slug):
        path = self.directory / f"{slug}.md"
        if not SLUG.match(slug) or not path.is_file():
            raise KeyError(slug)
        front, body = split_front_matter(path.read_text(encoding="utf-8"))
        try:
            title = (load_yaml(front or "") or {}).get("title", slug)
        except (yaml.YAMLError, AttributeError):
            title = slug  # the article loader reports the broken front matter
        md = markdown.Markdown(extensions=self.extensions)
        md.convert(heading_lines(body))
        stack, headings = list(md.toc_tokens), {}
        while stack:
            token = stack.pop()
            headings[token["id"]] = html.unescape(token["name"])
            stack.extend(token["children"])
        self[slug] = article = {"title": str(title), "headings": headings}
        return article

    def __contains__(self, slug):
        return self.get(slug) is not None

    def get(self, slug, default=None):
        try:
            return self[slug]
        except KeyError:
            return default


def _check_link(where, link, articles, problems):
    if link.slug not in articles:
        problems.append(f"{where}: links to article '{link.slug}', which does not exist")
    elif link.anchor and link.anchor not in articles[link.slug]["headings"]:
        hint = _did_you_mean(link.anchor, articles[link.slug]["headings"])
        problems.append(
            f"{where}: links to '{link}', but article '{link.slug}' has no heading "
            f"with the anchor '{link.anchor}'{hint}"
        )


def _did_you_mean(word, choices):
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _unknown_keys(where, data, allowed, problems):
    for key in sorted(set(data) - allowed, key=str):
        problems.append(f"{where}: unknown key '{key}'")


def _text(where, data, key, problems, required=True):
    value = data.get(key)
    if value is None and not required:
        return ""
    if isinstance(value, bool):
        problems.append(f"{where}: '{key}' must be text; put quotes around Yes, No, On or Off")
        return ""
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}: '{key}' is required and must be text")
        return ""
    return value.strip()


def _html(text):
    return mark_safe(render(text).html) if text else ""


def _read_yaml(path, content_dir, problems):
    try:
        return load_yaml(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.append(f"{display(path, content_dir)}: file is missing")
    except yaml.YAMLError as exc:
        problems.append(f"{display(path, content_dir)}: not valid YAML: {exc}")
    return None


def _check_placeholders(where, text, problems):
    """Each `@name@` a text uses must be a setup value a page knows how to fill."""
    for name in sorted(set(setup.PLACEHOLDER.findall(text or ""))):
        if name not in setup.BY_NAME:
            problems.append(
                f"{where}: '@{name}@' is not a value of the customer's setup; use one of "
                + ", ".join(f"@{known}@" for known in setup.NAMES)
            )


def _outcome_sections(where, body, problems):
    """The body's four `##` sections, in order, as Markdown texts."""
    parts = OUTCOME_SECTION.split(body)
    found = [heading.strip() for heading in parts[1::2]]
    if found != list(OUTCOME_SECTIONS.values()):
        expected = ", ".join(f"'## {h}'" for h in OUTCOME_SECTIONS.values())
        problems.append(f"{where}: the text must have exactly the sections {expected}, in order")
        return dict.fromkeys(OUTCOME_SECTIONS, "")
    return dict(zip(OUTCOME_SECTIONS, (text.strip() for text in parts[2::2]), strict=True))


def _read_outcomes(content_dir, anchors, problems):
    outcomes = {}
    for path in sorted((content_dir / "outcomes").glob("*.md")):
        where = display(path, content_dir)
        front, body = split_front_matter(path.read_text(encoding="utf-8"))
        try:
            data = load_yaml(front) if front is not None else None
        except yaml.YAMLError as exc:
            problems.append(f"{where}: front matter is not valid YAML: {exc}")
            continue
        if not isinstance(data, dict):
            problems.append(f"{where}: must start with front matter between two '---' lines")
            continue
        if not SLUG.match(path.stem):
            problems.append(f"{where}: the file name must be a slug (lowercase words and hyphens)")
        _unknown_keys(where, data, OUTCOME_KEYS, problems)
        codes = data.get("codes") or []
        if not isinstance(codes, list) or not codes:
            problems.append(f"{where}: 'codes' must list the status codes visitors see")
            codes = []
        codes = [str(code) for code in codes]
        for code in codes:
            if code not in CODES:
                problems.append(f"{where}: code '{code}' is not one of {', '.join(sorted(CODES))}")
        links = data.get("articles") or []
        if not isinstance(links, list) or not links:
            problems.append(f"{where}: 'articles' must list at least one article section")
            links = []
        links = [ArticleLink.parse(link, anchors) for link in links]
        for link in links:
            _check_link(where, link, anchors, problems)
        sections = _outcome_sections(where, body, problems)
        _check_placeholders(where, body, problems)
        quick = []
        quick_steps = read_quick_steps(data, quick, required=True)
        problems.extend(f"{where}: {problem}" for problem in quick)
        for step in quick_steps:
            _check_placeholders(f"{where}: '{step.step}'", step.command, problems)
        from_log = data.get("from_log")
        if from_log is not None:
            if not isinstance(from_log, list):
                problems.append(f"{where}: 'from_log' must list setup values, such as [socket]")
                from_log = []
            _check_placeholders(where, " ".join(f"@{name}@" for name in from_log), problems)
            from_log = frozenset(from_log)
        outcomes[path.stem] = Outcome(
            slug=path.stem,
            title=_text(where, data, "title", problems),
            summary=_text(where, data, "summary", problems),
            codes=tuple(codes),
            articles=tuple(links),
            from_log=from_log,
            texts=tuple(sections.items()),
            quick_steps=quick_steps,
        )
    return outcomes


def _read_questions(where, data, anchors, problems):
    questions = {}
    entries = data.get("questions")
    if not isinstance(entries, list) or not entries:
        problems.append(f"{where}: 'questions' must be a list of questions")
        return questions
    for position, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            problems.append(f"{where}: question {position} must be a mapping")
            continue
        qid = entry.get("id")
        label = f"{where}: question '{qid}'" if qid else f"{where}: question {position}"
        if not isinstance(qid, str) or not SLUG.match(qid) or qid == CHANGE:
            problems.append(f"{label}: 'id' must be a slug (lowercase words and hyphens)")
            continue
        if qid in questions:
            problems.append(f"{label}: the id is used twice")
            continue
        _unknown_keys(label, entry, QUESTION_KEYS, problems)
        article = None
        if entry.get("article"):
            article = ArticleLink.parse(entry["article"], anchors)
            _check_link(label, article, anchors, problems)
        answers, keys = [], set()
        raw_answers = entry.get("answers")
        if not isinstance(raw_answers, list) or not raw_answers:
            problems.append(f"{label}: has no answers")
            raw_answers = []
        for number, raw in enumerate(raw_answers, start=1):
            if not isinstance(raw, dict):
                problems.append(f"{label}: answer {number} must be a mapping")
                continue
            key = str(raw.get("key", "")).strip()
            where_answer = f"{label}, answer '{key or number}'"
            _unknown_keys(where_answer, raw, ANSWER_KEYS, problems)
            if not key:
                problems.append(f"{where_answer}: 'key' is required")
            elif key in keys:
                problems.append(f"{where_answer}: the key is used twice in this question")
            keys.add(key)
            next_id, cause = raw.get("next"), raw.get("cause")
            if bool(next_id) == bool(cause):
                problems.append(
                    f"{where_answer}: needs exactly one of 'next' (a question) "
                    "or 'cause' (an outcome)"
                )
            answers.append(
                Answer(
                    key=key,
                    label=_text(where_answer, raw, "label", problems),
                    next=str(next_id or ""),
                    cause=str(cause or ""),
                    ticket=_ticket_hints(where_answer, raw.get("ticket"), problems),
                    log=_log_flag(where_answer, raw.get("log", False), problems),
                )
            )
        help_text = _text(label, entry, "help", problems, required=False)
        _check_placeholders(label, help_text, problems)
        questions[qid] = Question(
            id=qid,
            question=_text(label, entry, "question", problems),
            help_text=help_text,
            article=article,
            answers=tuple(answers),
        )
    return questions


def _log_flag(where, value, problems):
    if not isinstance(value, bool):
        problems.append(f"{where}: 'log' must be true or false")
        return False
    return value


def _ticket_hints(where, hints, problems):
    if hints is None:
        return ()
    if not isinstance(hints, dict):
        problems.append(f"{where}: 'ticket' must be a mapping such as {{error: \"502\"}}")
        return ()
    pairs = []
    for name, value in hints.items():
        if name not in TICKET_FIELDS:
            known = ", ".join(sorted(TICKET_FIELDS))
            problems.append(f"{where}: 'ticket' has an unknown field '{name}' (known: {known})")
        elif not isinstance(value, str) or not value:
            problems.append(f"{where}: 'ticket' field '{name}' must be text, such as \"yes\"")
        else:
            pairs.append((name, value))
    return tuple(pairs)


def _check_graph(where, start, questions, outcomes, problems):
    if start not in questions:
        problems.append(f"{where}: 'start' must name a question, not '{start}'")
        return
    for qid in set(questions) & set(outcomes):
        problems.append(f"{where}: '{qid}' is both a question and an outcome")
    for question in questions.values():
        for answer in question.answers:
            label = f"{where}: question '{question.id}', answer '{answer.key}'"
            if answer.next and answer.next not in questions:
                problems.append(
                    f"{label}: 'next' is '{answer.next}', which is not a question"
                    + _did_you_mean(answer.next, questions)
                )
            if answer.cause and answer.cause not in outcomes:
                problems.append(
                    f"{label}: 'cause' is '{answer.cause}', which has no file "
                    f"content/outcomes/{answer.cause}.md" + _did_you_mean(answer.cause, outcomes)
                )
    # Every node reachable from the start, and no way back to a question already asked.
    reached, cycles = set(), set()

    def visit(node, trail):
        if node in trail:
            cycles.add(" > ".join([*trail[trail.index(node) :], node]))
            return
        if node in reached:
            return
        reached.add(node)
        question = questions.get(node)
        for answer in question.answers if question else ():
            if answer.next in questions:
                visit(answer.next, [*trail, node])
            elif answer.cause in outcomes:
                reached.add(answer.cause)

    visit(start, [])
    for cycle in sorted(cycles):
        problems.append(f"{where}: the questions form a loop: {cycle}")
    for qid in questions:
        if qid not in reached:
            problems.append(f"{where}: question '{qid}' cannot be reached from '{start}'")
    for slug in outcomes:
        if slug not in reached:
            problems.append(f"content/outcomes/{slug}.md: no answer leads to this outcome")
    for slug in CAUSES:
        if slug not in outcomes:
            problems.append(f"content/outcomes/{slug}.md: missing; every cause needs an outcome")
    # A customer who cannot find or read a log must still be able to reach every outcome.
    without_log = _reachable(start, questions, lambda answer: not answer.log)
    for slug in sorted(set(outcomes) & reached):
        if slug not in without_log:
            problems.append(
                f"content/outcomes/{slug}.md: every path to it uses an answer marked "
                "'log: true'; add one that a customer without a log message can take"
            )


def _reachable(start, questions, allowed):
    """The questions and outcomes reachable from `start` through answers `allowed` keeps."""
    seen, todo = set(), [start]
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for answer in questions[node].answers if node in questions else ():
            if allowed(answer):
                todo.append(answer.next or answer.cause)
    return seen


def read(content_dir=None):
    """Parse and validate the flowchart; raise FlowchartError listing every problem."""
    content_dir = Path(content_dir or settings.CONTENT_DIR)
    problems = []
    path = content_dir / "flowchart.yaml"
    where = display(path, content_dir)
    anchors = _Articles(content_dir)
    outcomes = _read_outcomes(content_dir, anchors, problems)
    data = _read_yaml(path, content_dir, problems)
    questions, change_note = {}, ""
    if isinstance(data, dict):
        _unknown_keys(where, data, FLOWCHART_KEYS, problems)
        questions = _read_questions(where, data, anchors, problems)
        _check_graph(where, data.get("start"), questions, outcomes, problems)
        change_note = _text(where, data, "change_note", problems, required=False)
    elif data is not None:
        problems.append(f"{where}: must be a mapping with 'start' and 'questions'")
    if problems:
        raise FlowchartError(problems)
    return Flowchart(data["start"], questions, outcomes, _digest(content_dir), change_note)


def _sources(content_dir):
    return [content_dir / "flowchart.yaml", *sorted((content_dir / "outcomes").glob("*.md"))]


def _digest(content_dir):
    hasher = hashlib.sha256()
    for path in _sources(content_dir):
        hasher.update(path.name.encode() + b"\0" + path.read_bytes())
    return hasher.hexdigest()[:16]


def get(content_dir=None):
    """The current flowchart (see read_once for when the files are read again)."""
    content_dir = Path(content_dir or settings.CONTENT_DIR)
    return read_once(read, content_dir, lambda: _sources(content_dir))
