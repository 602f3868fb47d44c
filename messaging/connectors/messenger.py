"""Facebook Messenger: Page webhooks (object "page") and the Send API."""

from messaging.connectors.base import MB, AttachmentRule
from messaging.connectors.meta import GraphMessagingConnector, GraphProfiles
from messaging.models import AttachmentKind, Provider

CONNECTOR = GraphMessagingConnector(
    provider=Provider.MESSENGER,
    name="Messenger",
    api_url_setting="MESSENGER_API_URL",
    text_limit=2000,
    attachment_rules={
        AttachmentKind.IMAGE: AttachmentRule(8 * MB),  # images fetched from a URL
        AttachmentKind.AUDIO: AttachmentRule(25 * MB),
        AttachmentKind.VIDEO: AttachmentRule(25 * MB),
        AttachmentKind.FILE: AttachmentRule(25 * MB),
    },
    inbound_file_limit=25 * MB,
    profiles=GraphProfiles(
        api_url_setting="MESSENGER_API_URL", name_fields=("first_name", "last_name")
    ),
)
