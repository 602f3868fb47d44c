"""Demo channel accounts: one per provider, talking to the simulator (its fake APIs are where the
API URL settings point while it is on), each feeding a demo queue. Registered by this app, so
only while the simulator is on: real providers would know none of these accounts.

The simulator's default WhatsApp customer has had an order update from the demo's integration
account ("CRM sync"), so the first chat the demo user plays as them opens with it."""

import secrets
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from contactcenter.demo import DemoBase
from contactcenter.models import Activity, ActivityEvent, ActivityState, EventKind, Queue
from contactcenter.permissions import INTEGRATION_GROUP
from messaging.models import (
    ChannelAccount,
    DeliveryStatus,
    Direction,
    ExternalIdentity,
    Message,
    Provider,
)
from messaging.services.accounts import channel_account_create
from simulator.views import DEFAULT_CUSTOMER_IDS, DEFAULT_CUSTOMER_NAME

# provider, name, queue number, provider account id (the ids from CHANNELS.md's examples)
DEMO_ACCOUNTS = [
    (Provider.WHATSAPP, "Demo WhatsApp", 100, "106540352242922"),
    (Provider.MESSENGER, "Demo Messenger", 200, "104918224753121"),
    (Provider.INSTAGRAM, "Demo Instagram", 200, "17841405822304914"),
    (Provider.VIBER, "Demo Viber", 300, ""),
]


def demo_load(base: DemoBase) -> None:
    """The simulator's demo data: a channel account per provider, and an integration's order
    update to the default WhatsApp customer. Idempotent."""
    accounts = demo_channel_accounts_load(base.queues)
    demo_order_update_load(next(a for a in accounts if a.provider == Provider.WHATSAPP))


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


ORDER_UPDATE = "Hello Sheena, your order #1042 has shipped and arrives on Thursday."


def demo_order_update_load(account: ChannelAccount) -> None:
    """The default WhatsApp customer, who wrote to us two days ago, got an order update from
    the "CRM sync" integration account yesterday: a conversation it started and closed at
    once (what the API does by default). Written as a fixture, backdated, once: no service
    stamps the past, and loading neither publishes nor queues a task."""
    identity, created = ExternalIdentity.objects.get_or_create(
        channel_account=account,
        provider_user_id=DEFAULT_CUSTOMER_IDS[Provider.WHATSAPP],
        defaults={"display_name": DEFAULT_CUSTOMER_NAME},
    )
    if not created:
        return
    now = timezone.now()
    identity.last_inbound_at = now - timedelta(days=2)
    identity.save(update_fields=["last_inbound_at"])
    crm_sync = _integration_account("crm-sync", "CRM sync")
    sent = now - timedelta(days=1)  # a day of its own in the reports: the history ends yesterday
    activity = Activity.objects.create(
        queue=account.queue, channel_account=account, identity=identity,
        title=identity.display_name, state=ActivityState.CLOSED, started_by_agent=True,
        status=account.queue.statuses.order_by("pk").first(), queued_at=sent, closed_at=sent,
    )  # fmt: skip
    message = Message.objects.create(
        activity=activity, channel_account=account, identity=identity, direction=Direction.OUT,
        author_user=crm_sync, text=ORDER_UPDATE, status=DeliveryStatus.READ, sent_at=sent,
    )  # fmt: skip
    Message.objects.filter(pk=message.pk).update(created_at=sent)
    for kind in (EventKind.STARTED, EventKind.CLOSED):
        event = ActivityEvent.objects.create(activity=activity, kind=kind, actor=crm_sync)
        ActivityEvent.objects.filter(pk=event.pk).update(created_at=sent)


def _integration_account(username: str, name: str):
    """A user of the integrations' group, who signs in with an API token only."""
    user, created = get_user_model().objects.get_or_create(
        username=username, defaults={"first_name": name}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        user.groups.add(Group.objects.get_or_create(name=INTEGRATION_GROUP)[0])
    return user
