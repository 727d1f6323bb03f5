from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from kb.loading import load
from lib import generation
from lib.content import ContentError
from troubleshooter import flowchart
from troubleshooter.models import ChartVersion


class Command(BaseCommand):
    help = (
        "Load content/ in one transaction: a new version for each changed article, nothing "
        "for unchanged ones, removed files archived; a new version of the flowchart when it "
        "or an outcome changed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--content-dir", default=settings.CONTENT_DIR, help="default: %(default)s"
        )

    def handle(self, *args, content_dir, **options):
        content_dir = Path(content_dir)
        try:
            with transaction.atomic():
                # Read first: a broken flowchart stops the load before anything is written.
                chart = self._chart(content_dir)
                report = load(content_dir)
                version = ChartVersion.objects.record(chart) if chart else None
        except ContentError as exc:
            problems = "\n".join(f"  {problem}" for problem in exc.problems)
            raise CommandError(
                f"content/ was not loaded ({len(exc.problems)} problem(s)); "
                f"nothing was changed:\n{problems}"
            ) from None
        # The articles' load made cached pages stale before this transaction ended; once
        # more now that the chart's version is stored, so no page keeps the old number.
        generation.bump()
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(self._chart_line(chart, version))

    def _chart(self, content_dir):
        if not (content_dir / "flowchart.yaml").exists():
            return None
        return flowchart.read(content_dir)

    def _chart_line(self, chart, version):
        if chart is None:
            return "flowchart: none in this folder, no version recorded"
        if version is None:
            return f"flowchart: unchanged (version {ChartVersion.objects.latest().number})"
        return f"flowchart: new version {version.number} ({version.summary})"
