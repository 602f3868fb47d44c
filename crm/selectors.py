"""Read queries of the CRM."""

from django.db.models import Q, QuerySet

from contactcenter.models import Activity
from crm.models import Account, Contact
from messaging.connectors import connector_for
from messaging.models import ExternalIdentity


def identity_phone(identity: ExternalIdentity) -> str:
    """The customer's number in E.164 where the channel's user id is one (WhatsApp's wa_id),
    or ""."""
    if not connector_for(identity.channel_account.provider).user_id_is_phone:
        return ""
    if identity.phone:
        return identity.phone if identity.phone.startswith("+") else f"+{identity.phone}"
    digits = identity.provider_user_id
    return f"+{digits}" if digits.isdigit() else ""


def contacts_matching(identity: ExternalIdentity) -> QuerySet[Contact]:
    """The contacts whose phone numbers include the customer's (WhatsApp), oldest first."""
    number = identity_phone(identity)
    if not number:
        return Contact.objects.none()
    return Contact.objects.filter(phones__number=number).distinct().order_by("pk")


def contacts_list() -> QuerySet[Contact]:
    """Contacts with what the lists show: their account, phones and identities."""
    return Contact.objects.select_related("account").prefetch_related(
        "phones", "identities__channel_account"
    )


def contacts_search(query: str) -> QuerySet[Contact]:
    """Contacts whose name, e-mail, phone or account matches every word of `query`."""
    contacts = contacts_list()
    for word in query.split():
        contacts = contacts.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(emails__icontains=word)
            | Q(phones__number__contains=word.lstrip("+0"))
            | Q(account__name__icontains=word)
        )
    return contacts.distinct()


def accounts_list() -> QuerySet[Account]:
    return Account.objects.select_related("sla", "owner")


def past_activities(
    *, contact: Contact | None, identity: ExternalIdentity | None, exclude: Activity | None = None
) -> QuerySet[Activity]:
    """The contact's activities on every channel (without a contact: the customer's on this
    channel), newest first, with what the Activities tab shows."""
    if contact is not None:
        activities = Activity.objects.filter(Q(contact=contact) | Q(identity__contact=contact))
    elif identity is not None:
        activities = Activity.objects.filter(identity=identity)
    else:
        return Activity.objects.none()
    if exclude is not None:
        activities = activities.exclude(pk=exclude.pk)
    return activities.select_related("queue", "channel_account", "owner", "status").order_by(
        "-queued_at", "-pk"
    )
