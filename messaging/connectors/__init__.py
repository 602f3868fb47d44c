"""Provider connectors: one module per provider behind the interface in `base`."""

from messaging.connectors import instagram, messenger, viber, whatsapp
from messaging.connectors.base import Connector
from messaging.models import Provider

CONNECTORS: dict[str, Connector] = {
    Provider.WHATSAPP: whatsapp.CONNECTOR,
    Provider.MESSENGER: messenger.CONNECTOR,
    Provider.INSTAGRAM: instagram.CONNECTOR,
    Provider.VIBER: viber.CONNECTOR,
}


def connector_for(provider: str) -> Connector:
    return CONNECTORS[provider]
