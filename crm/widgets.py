"""The Contact and Account widgets of the activity screen."""

from django.http import HttpRequest

from contactcenter.models import Activity, QueueWidget, WidgetKind
from contactcenter.widgets import Widget
from crm.selectors import contacts_matching, past_activities

PAST_SHOWN = 20


def contact_widget_context(_: HttpRequest, activity: Activity, __: QueueWidget) -> dict:
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


def account_widget_context(_: HttpRequest, activity: Activity, __: QueueWidget) -> dict:
    """The account of the paired contact, with its SLA."""
    account = activity.contact.account if activity.contact else None
    return {"account": account, "sla": account.sla if account else None}


WIDGETS = {
    WidgetKind.CONTACT: Widget("crm/widgets/contact.html", contact_widget_context),
    WidgetKind.ACCOUNT: Widget("crm/widgets/account.html", account_widget_context),
}
