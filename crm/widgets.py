"""The Contact and Account widgets of the activity screen."""

from contactcenter.models import Activity
from crm.selectors import contacts_matching, past_activities

PAST_SHOWN = 20


def contact_widget_context(activity: Activity) -> dict:
    """The paired contact with its numbers, or the contacts the customer's number matches
    (the Link choice); and the Activities tab. `activity` comes with its contact and
    identity loaded."""
    contact = activity.contact
    identity = activity.identity
    matches = []
    if contact is None and identity is not None:
        matches = list(contacts_matching(identity).select_related("account"))
    return {
        "contact": contact,
        "phones": list(contact.phones.all()) if contact else [],
        "identity": identity,
        "matches": matches,
        "past_shown": PAST_SHOWN,
        "past": list(
            past_activities(contact=contact, identity=identity, exclude=activity)[:PAST_SHOWN]
        ),
    }


def account_widget_context(activity: Activity) -> dict:
    """The account of the paired contact, with its SLA."""
    account = activity.contact.account if activity.contact else None
    return {"account": account, "sla": account.sla if account else None}
