"""Instagram DM through Instagram Login: webhooks (object "instagram") and the Send API."""

from messaging.connectors.base import MB, AttachmentRule
from messaging.connectors.meta import GraphMessagingConnector, GraphProfiles
from messaging.models import AttachmentKind, Provider

CONNECTOR = GraphMessagingConnector(
    provider=Provider.INSTAGRAM,
    name="Instagram",
    api_url_setting="INSTAGRAM_API_URL",
    text_limit=1000,
    attachment_rules={
        AttachmentKind.IMAGE: AttachmentRule(
            8 * MB, frozenset({"image/png", "image/jpeg", "image/gif"})
        ),
        AttachmentKind.AUDIO: AttachmentRule(
            25 * MB,
            frozenset({"audio/aac", "audio/mp4", "audio/x-m4a", "audio/wav", "audio/x-wav"}),
        ),
        AttachmentKind.VIDEO: AttachmentRule(
            25 * MB,
            frozenset(
                {"video/mp4", "video/ogg", "video/x-msvideo", "video/quicktime", "video/webm"}
            ),
        ),
    },
    inbound_file_limit=25 * MB,
    profiles=GraphProfiles(
        api_url_setting="INSTAGRAM_API_URL", name_fields=("name",), fallback_fields=("username",)
    ),
)
