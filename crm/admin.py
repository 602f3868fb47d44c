"""The CRM in the back office: accounts with their SLA, contacts with their phone numbers. Both
are saved through the same services as the workspace (names trimmed, e-mails checked, numbers
in E.164)."""

from django import forms
from django.contrib import admin

from contactcenter.exceptions import ApplicationError
from crm.models import SLA, Account, Contact, ContactPhone
from crm.services import (
    account_create,
    account_update,
    contact_create,
    contact_phones_set,
    contact_update,
    phone_e164,
)


def _fields(form: forms.ModelForm, change: bool) -> dict:
    """What the form sets: every field of a new record, the changed ones of an existing one."""
    names = form.changed_data if change else form.fields
    return {name: form.cleaned_data[name] for name in names}


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

    def save_model(self, request, obj: Account, form, change) -> None:
        if change:
            account_update(account=obj, **_fields(form, change))
        else:
            obj.pk = account_create(actor=request.user, **_fields(form, change)).pk


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

    def save_model(self, request, obj: Contact, form, change) -> None:
        if change:
            contact_update(contact=obj, **_fields(form, change))
        else:
            obj.pk = contact_create(actor=request.user, **_fields(form, change)).pk

    def save_formset(self, request, form, formset, change) -> None:
        """The numbers the inline leaves, with their labels, replace the contact's."""
        formset.save(commit=False)  # what changed, for the history (nothing is saved)
        phones = [
            (phone_form.cleaned_data["number"], phone_form.cleaned_data.get("label", ""))
            for phone_form in formset.forms
            if phone_form.cleaned_data.get("number") and not phone_form.cleaned_data.get("DELETE")
        ]
        contact_phones_set(contact_id=form.instance.pk, phones=phones)
