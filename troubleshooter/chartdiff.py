"""What changed between two stored versions of the flowchart, in the chart's own terms:
questions added, removed and reworded; answers added, removed, relabelled and re-pointed;
outcomes added, removed and changed, with their text compared line by line."""

from dataclasses import dataclass, field

from lib.diff import compare as compare_lines


@dataclass(frozen=True)
class Target:
    """Where an answer leads: a question or an outcome, by id and as readers know it."""

    kind: str  # "question" or "outcome"
    id: str
    text: str


@dataclass(frozen=True)
class Reworded:
    id: str
    old: str
    new: str
    help: list  # lib.diff lines of the help text; empty when only the question changed


@dataclass(frozen=True)
class AnswerChange:
    question: str  # the question's text (in the newer version, if it has the question)
    key: str
    label: str
    old: Target | None = None
    new: Target | None = None
    old_label: str = ""


@dataclass(frozen=True)
class OutcomeChange:
    slug: str
    title: str
    details: list  # (label, before, after) of the front matter
    lines: list  # lib.diff lines of the text


@dataclass
class ChartChanges:
    start: tuple | None = None  # (old question text, new question text)
    questions_added: list = field(default_factory=list)
    questions_removed: list = field(default_factory=list)
    questions_reworded: list = field(default_factory=list)
    answers_added: list = field(default_factory=list)
    answers_removed: list = field(default_factory=list)
    answers_relabelled: list = field(default_factory=list)
    answers_repointed: list = field(default_factory=list)
    outcomes_added: list = field(default_factory=list)
    outcomes_removed: list = field(default_factory=list)
    outcomes_changed: list = field(default_factory=list)

    COUNTED = (
        ("questions_added", "question added", "questions added"),
        ("questions_removed", "question removed", "questions removed"),
        ("questions_reworded", "question reworded", "questions reworded"),
        ("answers_added", "answer added", "answers added"),
        ("answers_removed", "answer removed", "answers removed"),
        ("answers_relabelled", "answer relabelled", "answers relabelled"),
        ("answers_repointed", "answer re-pointed", "answers re-pointed"),
        ("outcomes_added", "outcome added", "outcomes added"),
        ("outcomes_removed", "outcome removed", "outcomes removed"),
        ("outcomes_changed", "outcome changed", "outcomes changed"),
    )

    def __bool__(self):
        return bool(self.start) or any(getattr(self, name) for name, _, _ in self.COUNTED)

    @property
    def summary(self):
        """One line for the history: "2 questions added, 1 answer re-pointed"."""
        parts = ["the first question changed"] if self.start else []
        for name, one, many in self.COUNTED:
            count = len(getattr(self, name))
            if count:
                parts.append(f"{count} {one if count == 1 else many}")
        if not parts:
            return "No change to the questions, answers or outcomes."
        text = ", ".join(parts)
        return text[0].upper() + text[1:] + "."


def target(chart, answer):
    if answer.get("cause"):
        outcome = chart["outcomes"].get(answer["cause"], {})
        return Target("outcome", answer["cause"], outcome.get("title", answer["cause"]))
    question = next((q for q in chart["questions"] if q["id"] == answer["next"]), {})
    return Target("question", answer["next"], question.get("question", answer["next"]))


OUTCOME_DETAILS = [
    ("title", "Title"),
    ("summary", "Summary"),
    ("codes", "Codes"),
    ("articles", "Articles"),
]


def compare(old, new):
    """The changes from chart `old` to chart `new` (two ChartVersion.chart values)."""
    changes = ChartChanges()
    before = {q["id"]: q for q in old["questions"]}
    after = {q["id"]: q for q in new["questions"]}
    if old["start"] != new["start"]:
        changes.start = (
            before.get(old["start"], {}).get("question", old["start"]),
            after.get(new["start"], {}).get("question", new["start"]),
        )
    changes.questions_added = [q for qid, q in after.items() if qid not in before]
    changes.questions_removed = [q for qid, q in before.items() if qid not in after]
    for qid, question in after.items():
        previous = before.get(qid)
        if previous is None:
            continue
        if previous["question"] != question["question"] or previous["help"] != question["help"]:
            help_lines = (
                compare_lines(previous["help"], question["help"])
                if previous["help"] != question["help"]
                else []
            )
            changes.questions_reworded.append(
                Reworded(qid, previous["question"], question["question"], help_lines)
            )
        old_answers = {a["key"]: a for a in previous["answers"]}
        new_answers = {a["key"]: a for a in question["answers"]}
        text = question["question"]
        for key, answer in new_answers.items():
            was = old_answers.get(key)
            if was is None:
                changes.answers_added.append(
                    AnswerChange(text, key, answer["label"], new=target(new, answer))
                )
                continue
            if was["label"] != answer["label"]:
                changes.answers_relabelled.append(
                    AnswerChange(text, key, answer["label"], old_label=was["label"])
                )
            old_target, new_target = target(old, was), target(new, answer)
            if (old_target.kind, old_target.id) != (new_target.kind, new_target.id):
                changes.answers_repointed.append(
                    AnswerChange(text, key, answer["label"], old=old_target, new=new_target)
                )
        for key, answer in old_answers.items():
            if key not in new_answers:
                changes.answers_removed.append(
                    AnswerChange(text, key, answer["label"], old=target(old, answer))
                )
    changes.outcomes_added = [
        {"slug": slug, **outcome}
        for slug, outcome in new["outcomes"].items()
        if slug not in old["outcomes"]
    ]
    changes.outcomes_removed = [
        {"slug": slug, **outcome}
        for slug, outcome in old["outcomes"].items()
        if slug not in new["outcomes"]
    ]
    for slug, outcome in new["outcomes"].items():
        previous = old["outcomes"].get(slug)
        if previous is None or previous == outcome:
            continue
        details = []
        for name, label in OUTCOME_DETAILS:
            if previous[name] != outcome[name]:
                was, now = previous[name], outcome[name]
                if isinstance(was, list):
                    was, now = ", ".join(was), ", ".join(now)
                details.append((label, was, now))
        same_text = previous["text"] == outcome["text"]
        lines = [] if same_text else compare_lines(previous["text"], outcome["text"])
        changes.outcomes_changed.append(OutcomeChange(slug, outcome["title"], details, lines))
    return changes
