"""What a comparison of two article versions shows besides the text (lib.diff)."""

METADATA = [
    ("title", "Title"),
    ("summary", "Summary"),
    ("category_slug", "Category"),
    ("tags", "Tags"),
    ("applies_to", "Applies to"),
    ("reviewed", "Last reviewed"),
]


def metadata_changes(old, new):
    """(label, old value, new value) for each front-matter field that differs."""
    changes = []
    for attribute, label in METADATA:
        before, after = getattr(old, attribute), getattr(new, attribute)
        if before != after:
            if isinstance(before, list):
                before, after = ", ".join(before), ", ".join(after)
            changes.append((label, str(before), str(after)))
    return changes
