from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kb.loading import load
from lib.content import ContentError


class Command(BaseCommand):
    help = (
        "Load articles from content/ in one transaction: a new version for each changed "
        "article, nothing for unchanged ones, removed files archived."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--content-dir", default=settings.CONTENT_DIR, help="default: %(default)s"
        )

    def handle(self, *args, content_dir, **options):
        try:
            report = load(Path(content_dir))
        except ContentError as exc:
            problems = "\n".join(f"  {problem}" for problem in exc.problems)
            raise CommandError(
                f"content/ was not loaded ({len(exc.problems)} problem(s)); "
                f"nothing was changed:\n{problems}"
            ) from None
        for line in report.lines():
            self.stdout.write(line)
