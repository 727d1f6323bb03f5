from django import forms

from lib.forms import TextField, whole_number
from lib.votes import YesNoField

MAX_COMMENT = 2_000


class FeedbackForm(forms.Form):
    """ "Was this helpful?" under a version of an article."""

    helpful = YesNoField()
    comment = TextField(
        required=False,
        max_length=MAX_COMMENT,
        error_messages={
            "max_length": (
                "Your comment is %(show_value)s characters long; the limit is "
                "%(limit_value)s. Shorten it and send it again."
            )
        },
    )


class CompareForm(forms.Form):
    """Two version numbers of one article; blank ones default to its last change."""

    def __init__(self, data, numbers):
        super().__init__(data)
        self.numbers = numbers
        latest = numbers[-1] if numbers else 0
        self.defaults = {"from": max(latest - 1, 1), "to": latest}
        for name in ("from", "to"):
            self.fields[name] = forms.CharField(required=False, max_length=20)

    def _unknown(self, value):
        choices = ", ".join(map(str, self.numbers))
        return f"There is no version “{value}” of this article; pick one of {choices}."

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


class PageForm(forms.Form):
    """Which page of a long list: a whole number from 1, the first when left out."""

    page = forms.CharField(required=False, max_length=20)

    def clean_page(self):
        value = self.cleaned_data["page"]
        if not value:
            return 1
        number = whole_number(value)
        if not number:
            raise forms.ValidationError("Pages are numbered from 1.")
        return number
