"""The CRM in the back office: accounts with their SLA, contacts with their phone numbers (the
form normalises them to E.164 through the same service as the workspace)."""

from django import forms
from django.contrib import admin

from contactcenter.exceptions import ApplicationError
from crm.models import SLA, Account, Contact, ContactPhone
from crm.services import phone_e164


@admin.register(SLA)
class SLAAdmin(admin.ModelAdmin):
    list_display = ["name", "first_response_minutes", "resolution_minutes"]
    search_fields = ["name"]


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["name", "company_id", "vat_id", "sla", "owner"]
    list_filter = ["sla"]
    search_fields = ["name", "company_id", "vat_id"]
    autocomplete_fields = ["owner"]
    list_select_related = ["sla", "owner"]


class ContactPhoneForm(forms.ModelForm):
    class Meta:
        model = ContactPhone
        fields = ["number", "label"]

    def clean_number(self) -> str:
        try:
            return phone_e164(self.cleaned_data["number"])
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message) from exc


class ContactPhoneInline(admin.TabularInline):
    model = ContactPhone
    form = ContactPhoneForm
    extra = 1


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["name", "title", "account", "owner"]
    list_filter = ["account"]
    search_fields = ["first_name", "last_name", "emails", "phones__number", "account__name"]
    autocomplete_fields = ["account", "owner"]
    list_select_related = ["account", "owner"]
    inlines = [ContactPhoneInline]
