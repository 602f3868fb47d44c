"""A delivery as Standard Webhooks specifies it (standardwebhooks.com), so that any receiver
verifies it with that project's libraries.

The body is `{"type", "timestamp", "data"}` as compact JSON, and exactly those bytes are signed:
`v1,` and the base64 HMAC-SHA256, under the endpoint's secret, of `<webhook-id>.<webhook-timestamp>.
<body>`. The webhook-id is the event's, the same on every attempt, so a receiver drops repeats;
the timestamp is the attempt's, so a receiver refuses an old one replayed. During a rotation
each secret signs and the header carries every signature, space-separated.
"""

import base64
import hashlib
import hmac
import json
from collections.abc import Sequence
from secrets import token_bytes

from django.core.serializers.json import DjangoJSONEncoder

from contactcenter.models import OutboxEvent

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32


def secret_new() -> str:
    return SECRET_PREFIX + base64.b64encode(token_bytes(SECRET_BYTES)).decode()


def payload(event: OutboxEvent) -> dict:
    return {"type": event.type, "timestamp": event.occurred_at, "data": event.data}


def body(event: OutboxEvent) -> bytes:
    """What is posted and signed: the payload as compact JSON (times in ISO 8601, UTC)."""
    return json.dumps(payload(event), cls=DjangoJSONEncoder, separators=(",", ":")).encode()


def signature(secret: str, *, webhook_id: str, timestamp: int, content: bytes) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    digest = hmac.new(key, f"{webhook_id}.{timestamp}.".encode() + content, hashlib.sha256)
    return f"v1,{base64.b64encode(digest.digest()).decode()}"


def signed_headers(
    secrets: Sequence[str], *, webhook_id: str, timestamp: int, content: bytes
) -> dict[str, str]:
    signatures = (
        signature(secret, webhook_id=webhook_id, timestamp=timestamp, content=content)
        for secret in secrets
    )
    return {
        "Content-Type": "application/json",
        "webhook-id": webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signatures),
    }
