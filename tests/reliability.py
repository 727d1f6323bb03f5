"""The "Security and reliability" table in README.md, produced by the tests it lists.

A test marked `@pytest.mark.reliability("Class", "what was tried")` counts towards that
row: its cases (each parametrised case; for a Hypothesis test, the examples it is set
to generate) and whether they all passed. The table is printed at the end of any run
that ran such tests; `make reliability` writes it into README.md between the markers.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
START = "<!-- reliability table: written by `make reliability` -->"
END = "<!-- end of reliability table -->"


@dataclass
class Row:
    tests: set = field(default_factory=set)
    cases: int = 0
    generated: bool = False
    failed: int = 0
    ran: int = 0


def cases(item):
    """How many inputs one test item tries: its Hypothesis examples, or one."""
    settings = getattr(item.obj, "_hypothesis_internal_use_settings", None)
    if getattr(item.obj, "is_hypothesis_test", False) and settings is not None:
        return settings.max_examples, True
    return 1, False


class Table:
    def __init__(self, config):
        self.config = config
        self.rows = defaultdict(Row)
        self.items = {}

    def pytest_collection_modifyitems(self, items):
        for item in items:
            marker = item.get_closest_marker("reliability")
            if marker:
                self.items[item.nodeid] = (tuple(marker.args), *cases(item))

    def pytest_runtest_logreport(self, report):
        if report.nodeid not in self.items:
            return
        key, count, generated = self.items[report.nodeid]
        row = self.rows[key]
        if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
            if report.nodeid not in row.tests:
                row.tests.add(report.nodeid)
                row.cases += count
                row.generated |= generated
                row.ran += 1
            if report.outcome == "failed":
                row.failed += 1

    def markdown(self):
        lines = ["| Class | What was tried | Cases | Result |", "|---|---|---:|---|"]
        for (kind, what), row in sorted(self.rows.items()):
            count = f"{row.cases:,}" + (" generated" if row.generated else "")
            result = "all passed" if not row.failed else f"{row.failed} of {row.ran} tests failed"
            lines.append(f"| {kind} | {what} | {count} | {result} |")
        return "\n".join(lines)

    def pytest_terminal_summary(self, terminalreporter):
        if not self.rows:
            return
        terminalreporter.section("Security and reliability")
        terminalreporter.write_line(self.markdown())
        if self.config.getoption("write_reliability"):
            text = README.read_text()
            before, _, rest = text.partition(START)
            _, _, after = rest.partition(END)
            README.write_text(f"{before}{START}\n{self.markdown()}\n{END}{after}")
            terminalreporter.write_line(f"Written to {README}")


def pytest_addoption(parser):
    parser.addoption(
        "--write-reliability", action="store_true",
        help="write the Security and reliability table into README.md",
    )  # fmt: skip


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "reliability(kind, what): a row of README.md's Security and reliability table"
    )
    config.pluginmanager.register(Table(config), "reliability-table")
