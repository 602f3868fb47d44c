"""Demo channel accounts: one per provider, talking to the simulator (its fake APIs are where the
API URL settings point while it is on), each feeding a demo queue."""

import secrets

from django.conf import settings

from contactcenter.demo import DemoBase
from contactcenter.models import Queue
from messaging.models import ChannelAccount, Provider, Template
from messaging.services.accounts import channel_account_create

# provider, name, queue number, provider account id (the ids from CHANNELS.md's examples)
DEMO_ACCOUNTS = [
    (Provider.WHATSAPP, "Demo WhatsApp", 100, "106540352242922"),
    (Provider.MESSENGER, "Demo Messenger", 200, "104918224753121"),
    (Provider.INSTAGRAM, "Demo Instagram", 200, "17841405822304914"),
    (Provider.VIBER, "Demo Viber", 300, ""),
]


def demo_load(base: DemoBase) -> None:
    """Messaging's demo data: channel accounts and templates. Idempotent."""
    demo_channel_accounts_load(base.queues)
    demo_templates_load()


def demo_channel_accounts_load(queues: dict[int, Queue]) -> list[ChannelAccount]:
    """Create the demo accounts that are missing (found by provider and name); the credentials
    are random, and the simulator checks our calls against them. Idempotent. Only while the
    simulator is on: real providers would know none of these accounts."""
    if not settings.SIMULATOR_ENABLED:
        return []
    accounts = []
    for provider, name, number, account_id in DEMO_ACCOUNTS:
        account = ChannelAccount.objects.filter(provider=provider, name=name).first()
        if account is None:
            account = channel_account_create(
                provider=provider, name=name, queue=queues[number], **_credentials(account_id)
            )
        accounts.append(account)
    return accounts


# name, text, WhatsApp name, language, parameters: canned replies for every queue, and one
# approved WhatsApp template (the simulator accepts any) for customers outside the 24 h window.
DEMO_TEMPLATES = [
    ("Greeting", "Hello {customer.first_name}, this is {agent.first_name}. How can I help you?",
     "", "", []),
    ("Thanks", "Thank you for writing to us, {customer.first_name}. Have a nice day!", "", "", []),
    ("Follow-up (WhatsApp)", "Hello {{1}}, we have news about your request {{2}}.",
     "follow_up", "en_US", ["customer.first_name", "request"]),
]  # fmt: skip


def demo_templates_load() -> None:
    """Create the demo templates that are missing (found by name). Idempotent."""
    for name, text, whatsapp_name, language, parameters in DEMO_TEMPLATES:
        Template.objects.get_or_create(
            name=name,
            defaults={
                "text": text,
                "whatsapp_name": whatsapp_name,
                "whatsapp_language": language,
                "whatsapp_parameters": parameters,
            },
        )


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
