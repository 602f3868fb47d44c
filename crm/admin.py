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
        """Saved with its phone numbers by `save_related`."""

    def save_related(self, request, form, formsets, change) -> None:
        """The contact and the numbers its inline leaves, with their labels, in one service
        call: one change, which integrators hear of once, with its numbers."""
        inline = next((formset for formset in formsets if formset.model is ContactPhone), None)
        phones = None if inline is None else _phones(inline)
        if change:
            contact_update(contact=form.instance, phones=phones, **_fields(form, change))
        else:
            fields = _fields(form, change)
            form.instance.pk = contact_create(actor=request.user, phones=phones or (), **fields).pk
        if inline is not None:
            inline.save(commit=False)  # what changed, for the history (nothing is saved)


def _phones(inline) -> list[tuple[str, str]]:
    """The numbers the inline leaves, with their labels."""
    return [
        (phone_form.cleaned_data["number"], phone_form.cleaned_data.get("label", ""))
        for phone_form in inline.forms
        if phone_form.cleaned_data.get("number") and not phone_form.cleaned_data.get("DELETE")
    ]
