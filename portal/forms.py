from django import forms

from lib.forms import TextField, whole_number

MAX_SEARCH = 2_000


class SearchForm(forms.Form):
    """The search box; a pasted log line is a search too, and gets its diagnosis first."""

    q = TextField(
        allow_nul=True,
        required=False,
        strip=False,  # a trailing space says the last word is finished
        max_length=MAX_SEARCH,
        error_messages={
            "max_length": (
                "Your search is %(show_value)s characters long; the limit is %(limit_value)s. "
                "Search for the error message itself, or paste the whole log into the "
                "log diagnosis."
            )
        },
    )
    # Which page of the results; a number that is not one reads as the first page, one
    # past the last as the last (the results of a search can change between pages).
    page = forms.CharField(required=False, strip=False)

    def clean_page(self):
        return whole_number(self.cleaned_data["page"]) or 1
