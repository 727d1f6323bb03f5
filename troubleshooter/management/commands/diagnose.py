import json
import sys

from django.core.management.base import BaseCommand, CommandError

from troubleshooter import diagnosis


class Command(BaseCommand):
    # Reading a log needs no database and no project-wide checks; `manage.py check`
    # (and make test, and deploys) validate the patterns.
    requires_system_checks = []
    help = (
        'Diagnose log text: `diagnose "LINE"`, `diagnose -` (standard input), '
        "`diagnose --file PATH` (summary of a whole log) or `diagnose --batch PATH` "
        '(JSON Lines {"log": "..."} in, one JSON object per line out).'
    )

    def add_arguments(self, parser):
        parser.add_argument("text", nargs="?", help='a log line, or "-" for standard input')
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        source = parser.add_mutually_exclusive_group()
        source.add_argument("--file", metavar="PATH", help="summarise a whole log file")
        source.add_argument(
            "--batch", metavar="PATH", help='JSON Lines of {"log": "..."}; "-" for stdin'
        )

    def handle(self, *args, text, json: bool, file, batch, **options):
        as_json = json
        library = diagnosis.library()
        if batch:
            return self._batch(batch, library)
        if file:
            if text:
                raise CommandError("Give either a log line or --file, not both.")
            try:
                with open(file, encoding="utf-8", errors="replace") as lines:
                    result = diagnosis.diagnose_lines(lines, library)
            except OSError as exc:
                raise CommandError(f"Cannot read {file}: {exc.strerror}") from None
            return self._print(result, as_json, summary=True)
        if text is None:
            raise CommandError(
                'Give a log line in quotes, "-" to read standard input, --file or --batch.'
            )
        if text == "-":
            text = sys.stdin.read()
        if not text.strip():
            raise CommandError("The log text is empty.")
        self._print(diagnosis.diagnose(text, library), as_json, summary=False)

    def _batch(self, path, library):
        stream = sys.stdin if path == "-" else None
        try:
            stream = stream or open(path, encoding="utf-8", errors="replace")  # noqa: SIM115
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from None
        with stream:
            for number, line in enumerate(stream, 1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                    text = record["log"]
                    if not isinstance(text, str):
                        raise TypeError
                except (ValueError, KeyError, TypeError):
                    result = {"error": f'line {number}: expected a JSON object with a "log" string'}
                else:
                    result = diagnosis.diagnose(text, library).as_json()
                self.stdout.write(json.dumps(result, ensure_ascii=False))

    def _print(self, result, as_json, summary):
        data = result.as_json(summary=summary)
        if as_json:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        self.stdout.write(diagnosis.as_text(result, data, summary))
