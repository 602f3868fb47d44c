from datetime import date, datetime, time

from django import forms
from django.utils import timezone

from integrations.models import TokenScope


class TokenForm(forms.Form):
    """A new API token of the signed-in user's own, on the API tokens page."""

    name = forms.CharField(
        max_length=100, help_text="What will use it, so you know it later: “CRM sync”."
    )
    scope = forms.ChoiceField(choices=TokenScope.choices, initial=TokenScope.READ)
    expires_on = forms.DateField(
        label="Expires on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Optional. It stops working as this day starts; empty: until you revoke it.",
    )

    def clean_expires_on(self) -> date | None:
        day = self.cleaned_data["expires_on"]
        if day is not None and day <= timezone.localdate():
            raise forms.ValidationError("Choose a day after today.")
        return day

    def expires_at(self) -> datetime | None:
        """The start of the chosen day, in the server's time zone."""
        day = self.cleaned_data["expires_on"]
        return None if day is None else timezone.make_aware(datetime.combine(day, time.min))
