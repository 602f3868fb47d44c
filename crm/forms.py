"""The CRM module's forms. They only read what was typed; the services validate and store
(phone numbers to E.164), and their refusals come back as form errors."""

import re

from django import forms

from crm.models import SLA, Account


def _lines(value: str) -> list[str]:
    return [line.strip() for line in re.split(r"[\n,;]", value or "") if line.strip()]


class PrefixedIdsForm(forms.Form):
    """Several forms share the workspace page: each kind gets ids of its own ("contact-title",
    "ticket-title"), so that labels find their fields."""

    id_prefix = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}-%s")
        super().__init__(*args, **kwargs)


class ContactForm(PrefixedIdsForm):
    id_prefix = "contact"
    first_name = forms.CharField(max_length=120, required=False)
    last_name = forms.CharField(max_length=120, required=False)
    title = forms.CharField(max_length=120, required=False)
    account = forms.ModelChoiceField(Account.objects.order_by("name"), required=False)
    phones = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One per line, with the country code (+420 ...).",
    )
    emails = forms.CharField(
        label="E-mails", required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One per line.",
    )  # fmt: skip
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean_phones(self) -> list[str]:
        return _lines(self.cleaned_data["phones"])

    def clean_emails(self) -> list[str]:
        return _lines(self.cleaned_data["emails"])


class AccountForm(PrefixedIdsForm):
    id_prefix = "account"
    name = forms.CharField(max_length=200)
    company_id = forms.CharField(label="Company ID", max_length=40, required=False)
    vat_id = forms.CharField(label="VAT ID", max_length=40, required=False)
    address = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    sla = forms.ModelChoiceField(SLA.objects.order_by("name"), label="SLA", required=False)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
