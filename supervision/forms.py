"""The report's choices: a range of whole days, how to group, in which time zone."""

from datetime import timedelta
from zoneinfo import ZoneInfo, available_timezones

from django import forms
from django.conf import settings
from django.utils import timezone

from supervision.reports import GROUPINGS

LONGEST_RANGE_DAYS = 366
TIME_ZONES = sorted(available_timezones() - {"localtime"})


class ReportForm(forms.Form):
    start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    by = forms.ChoiceField(
        label="Group by", choices=[(name, name.capitalize()) for name in GROUPINGS]
    )
    tz = forms.ChoiceField(label="Time zone", choices=[(name, name) for name in TIME_ZONES])

    @classmethod
    def of(cls, data) -> "ReportForm":
        """The form bound to the query string, the last seven days by queue where it is silent."""
        today = timezone.localdate()
        defaults = {
            "start": (today - timedelta(days=6)).isoformat(),
            "end": today.isoformat(),
            "by": "queue",
            "tz": settings.TIME_ZONE,
        }
        return cls({name: data.get(name) or value for name, value in defaults.items()})

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if end < start:
                raise forms.ValidationError("The range ends before it starts.", code="range")
            if (end - start).days >= LONGEST_RANGE_DAYS:
                raise forms.ValidationError(
                    f"Choose a range of at most {LONGEST_RANGE_DAYS} days.", code="range"
                )
        if cleaned.get("tz"):
            cleaned["tz"] = ZoneInfo(cleaned["tz"])
        return cleaned
