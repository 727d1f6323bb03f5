import json
import os
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.text import capfirst

from troubleshooter import diagnosis
from troubleshooter.api import as_json as json_of
from troubleshooter.diagnosis.context import observe


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
        parser.add_argument(
            "--jobs",
            type=int,
            metavar="N",
            help="processes reading a large --file (default: one per processor, at most 8)",
        )

    def handle(self, *args, text, json: bool, file, batch, **options):
        if options["jobs"] is not None and options["jobs"] < 1:
            raise CommandError("--jobs must be 1 or more.")
        as_json = json
        library = diagnosis.library()
        if batch:
            return self._batch(batch, library)
        if file:
            if text:
                raise CommandError("Give either a log line or --file, not both.")
            try:
                if os.path.getsize(file) <= diagnosis.MAX_PASTE_BYTES:
                    # A file the size of a paste with command output in it (systemctl
                    # status, ss, ls) is read as the site reads a paste, so that output
                    # counts; a plain log is summarised line by line.
                    with open(file, encoding="utf-8", errors="replace") as pasted:
                        text = pasted.read()
                    if observe(text.splitlines()):
                        result = diagnosis.diagnose(text, library)
                        return self._print(result, as_json, summary=False)
                result = diagnosis.diagnose_file(file, library, jobs=options["jobs"])
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
                    result = json_of(diagnosis.diagnose(text, library))
                self.stdout.write(json.dumps(result, ensure_ascii=False))

    def _print(self, result, as_json, summary):
        data = json_of(result, summary=summary)
        if as_json:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        self.stdout.write(as_text(result, data, summary))


def as_text(result, data, summary=False):
    """The diagnosis as a person reads it in a terminal."""
    lines = [f"Read {data['lines']} line{'s' if data['lines'] != 1 else ''}."]
    if not data["causes"]:
        lines.append(
            "No known cause in this text. Paste the proxy's error log line (for nginx: "
            "/var/log/nginx/error.log) from the moment of the error, or start the "
            "troubleshooter at /troubleshoot/."
        )
        return "\n".join(lines)
    observations = getattr(result, "observations", None)
    if observations:
        lines += ["", "What the command output in it shows:"]
        lines += [f"   {capfirst(o.says)}: {o.line[:120]}" for o in observations]
        if result.ruled_out:
            lines.append("   So it is not: " + "; ".join(f.slug for f in result.ruled_out))
    lines.append("")
    for number, cause in enumerate(data["causes"], 1):
        lines.append(
            f"{number}. {cause['slug']}: {cause['title']} (confidence {cause['confidence']:.2f})"
        )
        if summary:
            lines.append(
                f"   {cause['count']} line(s), first seen {cause['first_seen'] or 'unknown'}, "
                f"last seen {cause['last_seen'] or 'unknown'}"
            )
            lines.append(f"   latest: {cause['example'][:300]}")
        for evidence in cause["evidence"]:
            lines.append(f"   evidence: {evidence}")
        lines.append(f"   more: {cause['url']}")
    if result.continue_query and len(result.findings) > 1:
        lines += [
            "",
            "The line alone cannot tell these causes apart; one more question can:",
            f"   /troubleshoot/?{result.continue_query}",
        ]
    if data["facts"]:
        lines += ["", "Facts: " + ", ".join(f"{k}={v}" for k, v in data["facts"].items())]
    commands = result.commands()
    if commands:
        lines += ["", "Commands to run:"]
        for command in commands:
            lines.append(f"   {command['run']}")
            lines.append(f"      # {command['why']}")
    return "\n".join(lines)
