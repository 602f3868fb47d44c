"""The message widget of the activity screen: what its template and script need, read in a
fixed number of queries whatever the length of the chat."""

from django.http import HttpRequest
from django.utils import timezone

from contactcenter.models import Activity, QueueWidget, WidgetKind
from contactcenter.placeholders import activity_admin_url, activity_values, fill
from contactcenter.selectors import events_of
from contactcenter.serializers import ActivityEventSerializer
from contactcenter.widgets import Widget
from messaging.connectors import connector_for
from messaging.connectors.base import Connector
from messaging.policy import reply_window
from messaging.selectors import earlier_activity, messages_of, templates_for
from messaging.serializers import MessageSerializer, ReplyWindowSerializer


def message_widget_context(request: HttpRequest, activity: Activity, _: QueueWidget) -> dict:
    """The chat so far, the composer's rules and the activity's controls. `activity` comes from
    `activities_in_detail()` (queue, identity and channel account loaded)."""
    values = activity_values(activity, request.agent)
    templates = list(templates_for(activity))
    # An approved template's text holds WhatsApp's {{1}} places: it is sent with its
    # parameters (the composer asks for them), never inserted as text.
    inserts = [
        {"id": template.pk, "name": template.name, "text": fill(template.text, values)}
        for template in templates
        if not template.is_whatsapp
    ]
    composer = composer_rules(activity, templates, values)
    earlier = earlier_activity(activity)
    history = history_data(request, activity) | {
        "has_older": earlier is not None,
        "show_older": earlier is not None and _unanswered_outreach(earlier),
    }
    return {
        "activity": activity,
        # Status, Transfer and Postpone are the owner's: an invited agent is not shown them.
        "owner": activity.owner_id == request.agent.pk,
        "admin_url": activity_admin_url(activity),
        "statuses": list(activity.queue.statuses.all()),
        "templates": inserts,
        "composer": composer,
        # For the widget's script, as JSON in the page.
        "data": {"history": history, "composer": composer, "templates": inserts},
    }


def _unanswered_outreach(activity: Activity) -> bool:
    """We wrote first (an integration's order update, an agent's Send) and the customer did not
    answer in that chat: their answer opened this one, which opens with it shown above."""
    return activity.started_by_agent and activity.first_customer_message_at is None


def history_data(request: HttpRequest, activity: Activity) -> dict:
    """An activity's messages and events, as the page's chat script renders them."""
    return {
        "messages": MessageSerializer(
            messages_of(activity), many=True, context={"request": request}
        ).data,
        "events": ActivityEventSerializer(events_of(activity), many=True).data,
    }


def composer_rules(activity: Activity, templates: list, values: dict[str, str]) -> dict | None:
    """What the composer lets the agent send, checked again by the server on sending: the
    reply window now, the channel's text and file limits, and the approved WhatsApp templates
    with their parameters (those named like a placeholder come filled in) where the channel
    can send them. None without a channel."""
    identity = activity.identity
    if identity is None:
        return None
    identity.channel_account = activity.channel_account  # already loaded: no second read
    connector = connector_for(activity.channel_account.provider)
    return {
        "identity_id": identity.pk,
        "provider": connector.provider,
        "channel": connector.name,
        "window": ReplyWindowSerializer(reply_window(identity, timezone.now())).data,
        "text_limit": connector.text_limit,
        "captioned_kinds": sorted(connector.captioned_kinds),
        "attachment_rules": _attachment_rules(connector),
        "whatsapp_templates": [
            {
                "id": template.pk,
                "name": template.name,
                "text": template.text,
                "parameters": [
                    {"name": name, "value": values.get(name, "")}
                    for name in template.whatsapp_parameters
                ],
            }
            for template in templates
            if template.is_whatsapp and connector.sends_templates
        ],
    }


def _attachment_rules(connector: Connector) -> dict:
    return {
        kind: {"max_bytes": rule.max_bytes, "content_types": sorted(rule.content_types)}
        for kind, rule in connector.attachment_rules.items()
    }


WIDGETS = {WidgetKind.MESSAGE: Widget("messaging/widgets/message.html", message_widget_context)}
