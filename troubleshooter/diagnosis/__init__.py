"""Diagnosis from log text: which cause a line (or a whole log) shows, and the facts in it.

The knowledge of which message means what is content (content/diagnosis/); this
package is the engine: `text` (normalising pasted text), `facts` (what a line
says: program, time, upstream, socket…), `library` (reading and validating the
pattern files, with the prefilter's `literals`), `engine` (matching and ranking),
`evidence` (rules that reorder a pattern's causes from the rest of its line),
`context` (pasted command output as evidence) and `commands` (filling the
suggested commands, and the setup values of a line). Each renderer lives with its
interface: plain text in the `diagnose` command, JSON in `troubleshooter.api`, HTML
in `troubleshooter.views`.
The web page, the JSON API and the command all call `diagnose`.
"""

from troubleshooter.diagnosis.commands import setup_of, values_for
from troubleshooter.diagnosis.engine import (
    Diagnosis,
    Finding,
    diagnose,
    diagnose_file,
    diagnose_lines,
)
from troubleshooter.diagnosis.facts import FACT_LABELS, extract_facts, guess_program, parse_time
from troubleshooter.diagnosis.library import DiagnosisError, library, read
from troubleshooter.diagnosis.text import (
    MAX_PASTE_BYTES,
    MAX_UPLOAD_BYTES,
    check_text,
    looks_like_log,
    normalise,
)

__all__ = [
    "FACT_LABELS", "MAX_PASTE_BYTES", "MAX_UPLOAD_BYTES", "Diagnosis", "DiagnosisError",
    "Finding", "check_text", "diagnose", "diagnose_file", "diagnose_lines", "extract_facts",
    "guess_program", "library",
    "looks_like_log", "normalise", "parse_time", "read", "setup_of", "values_for",
]  # fmt: skip
