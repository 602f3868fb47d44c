"""Placeholders such as {customer.name} in templates and in a queue's admin URL.

Only the names listed in `activity_values` are filled; anything else in braces is left as it
is, so a supervisor's typo shows up in the text instead of failing the page, and no template can
reach an attribute it was not given (str.format would walk any attribute path).
"""

import re
from urllib.parse import quote

from contactcenter.models import Activity, Agent, Queue

PLACEHOLDER = re.compile(r"\{([a-z_]+\.[a-z_]+)\}")


def activity_values(activity: Activity, agent: Agent | None = None) -> dict[str, str]:
    """What a placeholder may name for an activity (and the agent writing in it). Reads the
    activity's queue and identity: load them with it."""
    values = customer_values(activity.identity, activity.queue, agent, fallback=activity.title)
    values |= {"activity.id": str(activity.pk), "activity.title": activity.title}
    contact = activity.contact
    if contact is not None:
        values |= {"contact.name": contact.name, "contact.first_name": contact.first_name}
    return values


def customer_values(
    identity, queue: Queue, agent: Agent | None = None, *, fallback: str = ""
) -> dict[str, str]:
    """What a placeholder may name before there is an activity (a new message to a
    customer): the customer on their channel, the queue and the agent."""
    name = (identity.display_name or identity.provider_user_id) if identity else fallback
    phone = identity.phone if identity else ""
    values = {
        "queue.number": str(queue.number),
        "queue.name": queue.name,
        "customer.name": name,
        "customer.first_name": name.split(" ")[0] if name else "",
        "customer.id": identity.provider_user_id if identity else "",
        "customer.phone": phone,
        # The CRM contact's, once paired (see activity_values); until then the channel's.
        "contact.name": name,
        "contact.first_name": name.split(" ")[0] if name else "",
        "contact.phone": phone,
    }
    if agent is not None:
        values["agent.name"] = agent.display_name
        values["agent.first_name"] = agent.display_name.split(" ")[0]
    return values


def fill(text: str, values: dict[str, str]) -> str:
    """The text with every known placeholder replaced by its value."""
    return PLACEHOLDER.sub(lambda match: values.get(match[1], match[0]), text)


def fill_url(url_template: str, values: dict[str, str]) -> str:
    """A URL with every known placeholder replaced by its value, percent-encoded: a customer's
    name cannot change the URL's shape. Only http(s) links come out ("" otherwise): agents
    open it with a click."""
    url = fill(url_template, {key: quote(value, safe="") for key, value in values.items()})
    return url if url.startswith(("https://", "http://")) else ""


def activity_admin_url(activity: Activity) -> str:
    """The queue's admin URL (the notification's white button, the widget's URL button) for
    this activity, or "" when the queue has none."""
    template = activity.queue.admin_url_template
    return fill_url(template, activity_values(activity)) if template else ""
