from django import forms

from lib.forms import TextField, VersionsForm
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
