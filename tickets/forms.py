from django import forms

from crm.forms import PrefixedIdsForm
from crm.models import Account, Contact
from tickets.models import Category, Priority, Stage


class TicketForm(PrefixedIdsForm):
    id_prefix = "ticket"
    title = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    stage = forms.ChoiceField(choices=Stage.choices, initial=Stage.OPEN)
    priority = forms.ChoiceField(choices=Priority.choices, initial=Priority.NORMAL)
    category = forms.ModelChoiceField(Category.objects.order_by("name"), required=False)
    contact = forms.ModelChoiceField(Contact.objects.order_by("last_name", "first_name"),
                                     required=False)  # fmt: skip
    account = forms.ModelChoiceField(Account.objects.order_by("name"), required=False)
