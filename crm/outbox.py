"""What integrators' contact events carry (the types and their examples are the core's:
contactcenter/outbox.py)."""

from crm.models import Contact

# The contact's own fields an update reports as `changed` (besides "phones").
CONTACT_FIELDS = ["first_name", "last_name", "title", "account_id", "emails", "notes", "owner_id"]


def contact_data(contact: Contact) -> dict:
    """The contact as saved, its phone numbers read again (one query)."""
    return {
        "contact": {
            "id": contact.pk,
            **{name: getattr(contact, name) for name in CONTACT_FIELDS},
            "name": contact.name,
            "phones": [
                {"number": number, "label": label}
                for number, label in contact.phones.values_list("number", "label")
            ],
            "created_at": contact.created_at,
            "updated_at": contact.updated_at,
        }
    }
