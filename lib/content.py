"""Reading content files: YAML, front matter, the content error, the read-once cache.

Used by every app that keeps its knowledge under content/ (articles, the flowchart,
log patterns). Nothing here knows what the files mean.
"""

import re
from dataclasses import dataclass

import yaml
from django.conf import settings

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# libyaml's parser when PyYAML was built with it (its wheels are): about ten times
# faster, which matters when a knowledge base has thousands of articles.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text):
    """yaml.safe_load, on the C parser when there is one. Anchors and aliases are
    refused: no content file needs them, and a few hundred bytes of nested aliases
    expand to gigabytes (and so does the error message that quotes them)."""
    if ("&" in text or "*" in text) and _has_alias(text):
        raise yaml.YAMLError(
            "anchors and aliases (&name, *name) are not allowed in content files; "
            "write the value out, or quote a text that starts with & or *"
        )
    return yaml.load(text, Loader=_YAML_LOADER)  # noqa: S506 (a safe loader)


def _has_alias(text):
    try:
        for event in yaml.parse(text, Loader=_YAML_LOADER):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                return True
    except yaml.YAMLError:
        return False  # the load below reports it, with its line
    return False


class ContentError(Exception):
    """One or more problems in content/; str() lists them all, one per line."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def display(path, root):
    """`path` as an author knows it: relative to the folder that holds content/."""
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


def split_front_matter(text):
    """Return (front matter, body) of a file that starts with a --- fenced YAML block."""
    if not text.startswith("---\n"):
        return None, text
    end = text.find("\n---\n", 3)
    if end == -1:
        return None, text
    return text[4:end], text[end + 5 :]


_read_once = {}


def read_once(build, content_dir, sources):
    """`build(content_dir)`, kept for the life of the process.

    Content changes reach production with a deploy, which restarts the app servers, so
    requests never touch the files. In development (DEBUG) the files' modification
    times are checked on each call, so an edited file shows up without a restart.
    """
    key = (build, content_dir)
    stamp = None
    if settings.DEBUG or key not in _read_once:
        stamp = tuple((p, p.stat().st_mtime_ns, p.stat().st_size) for p in sources() if p.exists())
    cached = _read_once.get(key)
    if cached is None or (stamp is not None and cached[0] != stamp):
        cached = (stamp, build(content_dir))
        _read_once[key] = cached
    return cached[1]


# The box at the top of a cause's article and outcome: one command that confirms the
# cause and one that fixes it, each with a sentence saying what to look for or what it
# does. A customer at 3 AM reads this before anything else, so each is one line.
QUICK_STEPS = {"confirm": "confirms", "fix": "fixes"}
QUICK_STEP_KEYS = {"command", "text"}
MAX_QUICK_COMMAND = 400
MAX_QUICK_TEXT = 240


@dataclass(frozen=True)
class QuickStep:
    step: str  # "confirm" or "fix"
    command: str
    text: str


def _quick_step(name, entry):
    """The step `name` of front matter, or the problems that stop it being read."""
    shape = f"'{name}' must be a mapping with 'command' (one line of shell) and 'text'"
    if not isinstance(entry, dict):
        return None, [f'{shape}, like {name}: {{command: "df -h /", text: "..."}}']
    problems = [
        f"'{name}' has an unknown key '{key}'"
        for key in sorted(set(entry) - QUICK_STEP_KEYS, key=str)
    ]
    command, text = entry.get("command"), entry.get("text")
    for key, value, limit in (
        ("command", command, MAX_QUICK_COMMAND),
        ("text", text, MAX_QUICK_TEXT),
    ):
        if not isinstance(value, str) or not value.strip():
            problems.append(
                f"'{name}.{key}' is missing or empty: '{name}' needs a 'command' "
                "(one line of shell) and a 'text' (what it shows or does)"
            )
        elif "\n" in value.strip():
            problems.append(f"'{name}.{key}' must be one line; move the rest into the article")
        elif len(value.strip()) > limit:
            problems.append(
                f"'{name}.{key}' is {len(value.strip())} characters; the limit is {limit}"
            )
    if problems:
        return None, problems
    return QuickStep(name, command.strip(), text.strip()), []


def read_quick_steps(meta, problems, required):
    """The confirm and fix steps of front matter `meta`, in that order; each problem is
    added to `problems`. `required`: whether this file must have both."""
    steps = []
    for name in QUICK_STEPS:
        if name not in meta:
            if required:
                problems.append(
                    f"'{name}' is required: the one command that {QUICK_STEPS[name]} "
                    f'this cause, as {name}: {{command: "...", text: "..."}}'
                )
            continue
        step, found = _quick_step(name, meta[name])
        problems.extend(found)
        if step:
            steps.append(step)
    return tuple(steps)
