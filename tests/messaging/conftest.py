from collections.abc import Iterator

import pytest

from tests.messaging.scripted_server import ScriptedServer


@pytest.fixture
def provider_api(settings) -> Iterator[ScriptedServer]:
    """Every provider API base URL pointed at one scripted server, the one place besides the
    public internet that inbound files may be fetched from."""
    with ScriptedServer() as server:
        for name in ("WHATSAPP_API_URL", "MESSENGER_API_URL", "INSTAGRAM_API_URL", "VIBER_API_URL"):
            setattr(settings, name, server.url)
        settings.PROVIDER_FETCH_ALLOW = [server.host]
        yield server
