"""The dashboard's date range, read from the query string like any other form."""

from datetime import date, datetime, time, timedelta

from django import forms
from django.utils import timezone

DEFAULT_DAYS = 30
PRESETS = (7, 30, 90)
LONGEST = 366  # days: more than a year of events is never kept (EVENT_RETENTION_DAYS)
EARLIEST = date(2000, 1, 1)


class RangeForm(forms.Form):
    """From and to, both days included; blank ones mean the last DEFAULT_DAYS days."""

    def __init__(self, data, today=None):
        self.today = today or timezone.localdate()
        # The range shown is the one counted: blank fields show their defaults.
        data = {name: data.get(name, "") for name in ("from", "to")}
        if not data["to"]:
            data["to"] = self.today.isoformat()
        if not data["from"]:
            try:
                end = date.fromisoformat(data["to"])
                data["from"] = (end - timedelta(days=DEFAULT_DAYS - 1)).isoformat()
            except (ValueError, OverflowError):
                pass  # the error is the one "to" reports
        super().__init__(data)
        invalid = {"invalid": "Write the date as YYYY-MM-DD, for example 2026-11-21."}
        for name, label in (("from", "From"), ("to", "To")):
            self.fields[name] = forms.DateField(
                label=label,
                required=False,
                input_formats=["%Y-%m-%d"],
                error_messages=invalid,
                help_text="YYYY-MM-DD",
                widget=forms.TextInput(attrs={"placeholder": "YYYY-MM-DD", "size": 10}),
            )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        end = data.get("to") or self.today
        start = data.get("from")
        for name, day in (("from", start), ("to", end)):
            if day is not None and not EARLIEST <= day <= self.today:
                self.add_error(
                    name,
                    f"Pick a day between {EARLIEST:%-d %B %Y} and today ({self.today:%-d %B %Y}).",
                )
        if self.errors:
            return data
        start = start or end - timedelta(days=DEFAULT_DAYS - 1)
        if start > end:
            self.add_error("from", "The first day comes after the last; swap them.")
        elif (end - start).days + 1 > LONGEST:
            self.add_error("to", f"A range is at most {LONGEST} days; shorten it.")
        data["from"], data["to"] = start, end
        return data

    def bounds(self):
        """The range as [start, end) datetimes in the site's time zone."""
        zone = timezone.get_current_timezone()
        start = datetime.combine(self.cleaned_data["from"], time.min, tzinfo=zone)
        end = datetime.combine(self.cleaned_data["to"] + timedelta(days=1), time.min, tzinfo=zone)
        return start, end

    def presets(self):
        """The last 7, 30 and 90 days, as the query each link sends."""
        return [
            {
                "days": days,
                "from": (self.today - timedelta(days=days - 1)).isoformat(),
                "to": self.today.isoformat(),
            }
            for days in PRESETS
        ]
