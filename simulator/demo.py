"""Demo channel accounts: one per provider, talking to the simulator (its fake APIs are where the
API URL settings point while it is on), each feeding a demo queue. Registered by this app, so
only while the simulator is on: real providers would know none of these accounts."""

import secrets

from contactcenter.demo import DemoBase
from contactcenter.models import Queue
from messaging.models import ChannelAccount, Provider
from messaging.services.accounts import channel_account_create

# provider, name, queue number, provider account id (the ids from CHANNELS.md's examples)
DEMO_ACCOUNTS = [
    (Provider.WHATSAPP, "Demo WhatsApp", 100, "106540352242922"),
    (Provider.MESSENGER, "Demo Messenger", 200, "104918224753121"),
    (Provider.INSTAGRAM, "Demo Instagram", 200, "17841405822304914"),
    (Provider.VIBER, "Demo Viber", 300, ""),
]


def demo_load(base: DemoBase) -> None:
    """The simulator's demo data: a channel account per provider. Idempotent."""
    demo_channel_accounts_load(base.queues)


def demo_channel_accounts_load(queues: dict[int, Queue]) -> list[ChannelAccount]:
    """Create the demo accounts that are missing (found by provider and name); the credentials
    are random, and the simulator checks our calls against them. Idempotent."""
    accounts = []
    for provider, name, number, account_id in DEMO_ACCOUNTS:
        account = ChannelAccount.objects.filter(provider=provider, name=name).first()
        if account is None:
            account = channel_account_create(
                provider=provider, name=name, queue=queues[number], **_credentials(account_id)
            )
        accounts.append(account)
    return accounts


def _credentials(account_id: str) -> dict:
    if not account_id:
        return {"viber_auth_token": _secret(), "viber_sender_name": "Demo Support"}
    return {
        "provider_account_id": account_id,
        "access_token": _secret(),
        "app_secret": _secret(),
        "verify_token": _secret(),
    }


def _secret() -> str:
    return secrets.token_urlsafe(24)
