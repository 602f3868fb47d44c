"""Tickets in the back office: categories, and the tickets with their deadlines."""

from django.contrib import admin

from tickets.models import Category, Ticket
from tickets.services import ticket_create, ticket_update

CREATE_FIELDS = [
    "title", "description", "contact", "account", "category", "priority", "stage", "owner",
]  # fmt: skip


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "stage", "priority", "contact", "account", "owner",
                    "resolution_due"]  # fmt: skip
    list_filter = ["stage", "priority", "category"]
    search_fields = ["title", "description", "contact__last_name", "account__name"]
    autocomplete_fields = ["contact", "account", "owner", "favourite_of"]
    readonly_fields = ["first_response_due", "resolution_due", "closed_at"]
    list_select_related = ["contact", "account", "owner"]

    def save_model(self, request, obj, form, change) -> None:
        """Through the services, so the deadlines follow the account."""
        data = form.cleaned_data
        if change:
            changed = {name: data[name] for name in form.changed_data if name != "favourite_of"}
            ticket_update(ticket=Ticket.objects.get(pk=obj.pk), **changed)
            return
        created = ticket_create(
            actor=request.user,
            **{name: data[name] for name in CREATE_FIELDS if data.get(name) is not None},
        )
        obj.pk = created.pk
