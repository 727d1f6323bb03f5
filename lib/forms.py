import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator


class _MaxLength(MaxLengthValidator):
    """Django's length check, with the numbers in the message written as people read
    them: "2,700 characters; the limit is 2,000"."""

    # Django's own message formats the numbers with %d, which these strings would break.
    message = "This is %(show_value)s characters long; the limit is %(limit_value)s."

    def __call__(self, value):
        if len(value) > self.limit_value:
            params = {
                "limit_value": f"{self.limit_value:,}",
                "show_value": f"{len(value):,}",
                "value": value,
            }
            raise ValidationError(self.message, code=self.code, params=params)


# Half of a UTF-16 pair on its own: JSON may carry one ("\ud800"), no text can.
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class TextField(forms.CharField):
    """A CharField whose limit reads well in its message; with `allow_nul`, NUL
    characters pass, for text that is read and never stored as typed (a search, a log
    to diagnose), so the reader can say what is wrong with it instead of Django's
    "Null characters are not allowed". A lone surrogate, which cannot be written
    out as UTF-8, becomes U+FFFD, as a decoder would have made it."""

    def to_python(self, value):
        value = super().to_python(value)
        return LONE_SURROGATE.sub("\ufffd", value) if value else value

    def __init__(self, *, allow_nul=False, **kwargs):
        super().__init__(**kwargs)
        validators = []
        for validator in self.validators:
            if isinstance(validator, MaxLengthValidator):
                validator = _MaxLength(validator.limit_value)
            elif allow_nul and isinstance(validator, ProhibitNullCharactersValidator):
                continue
            validators.append(validator)
        self.validators = validators


ID = re.compile(r"[0-9]{1,18}")


def whole_number(value):
    """An id or a version number as sent in a form: ASCII digits only (str.isdigit()
    also accepts "²" and "١٢٣"), or None."""
    return int(value) if value and ID.fullmatch(value) else None


class VersionsForm(forms.Form):
    """Two version numbers of one thing that is versioned (`subject`, as the messages name
    it); blank ones default to its last change."""

    subject = "this"

    def __init__(self, data, numbers):
        super().__init__(data)
        self.numbers = numbers
        latest = numbers[-1] if numbers else 0
        self.defaults = {"from": max(latest - 1, 1), "to": latest}
        for name in ("from", "to"):
            self.fields[name] = forms.CharField(required=False, max_length=20)

    def _unknown(self, value):
        choices = ", ".join(map(str, self.numbers))
        return f"There is no version “{value}” of {self.subject}; pick one of {choices}."

    def clean(self):
        data = super().clean()
        for name in ("from", "to"):
            value = data.get(name)
            if value is None:
                continue  # already reported by its field
            if not value:
                data[name] = self.defaults[name]
            elif whole_number(value) in self.numbers:
                data[name] = whole_number(value)
            else:
                self.add_error(name, self._unknown(value))
        if not self.errors and data["from"] > data["to"]:
            data["from"], data["to"] = data["to"], data["from"]
        return data
