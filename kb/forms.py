from django import forms

from lib.forms import TextField, VersionsForm, whole_number
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


class CompareForm(VersionsForm):
    """Two version numbers of one article; blank ones default to its last change."""

    subject = "this article"


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
