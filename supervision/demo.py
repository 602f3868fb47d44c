"""Demo history for the reports: a week of finished chats in the demo queues, so that the
Reports page shows figures on a fresh `make run`.

History is backdated, which no service does (they stamp the present): the rows are written as
a fixture would, once, and only on the channel accounts the demo already has.
"""

import random
from datetime import timedelta

from django.utils import timezone

from contactcenter.demo import DemoBase
from contactcenter.models import (
    Activity,
    ActivityState,
    Agent,
    Offer,
    OfferKind,
    OfferOutcome,
    Participant,
    ParticipantRole,
)
from messaging.models import ChannelAccount, DeliveryStatus, Direction, ExternalIdentity, Message

DAYS = 7
CHATS_A_DAY = 12
CUSTOMER_PREFIX = "history-"  # the demo customers' ids: how the loader knows it has run


def demo_load(base: DemoBase) -> None:
    """A week of chats, once (idempotent), when the demo has channel accounts and agents."""
    accounts = list(ChannelAccount.objects.filter(queue__in=base.queues.values()))
    if (
        not accounts
        or ExternalIdentity.objects.filter(provider_user_id__startswith=CUSTOMER_PREFIX).exists()
    ):
        return
    randomly = random.Random(7)  # the same week on every fresh start
    today = timezone.localtime().replace(hour=8, minute=0, second=0, microsecond=0)
    for day in range(DAYS, 0, -1):
        for n in range(CHATS_A_DAY):
            account = randomly.choice(accounts)
            agents = list(Agent.objects.filter(queues=account.queue_id).order_by("pk"))
            arrived = today - timedelta(days=day, minutes=-randomly.randrange(10 * 60))
            _chat(account, agents, arrived, randomly, f"{CUSTOMER_PREFIX}{day}-{n}")


def _chat(account, agents, arrived, randomly, customer_id) -> None:
    identity = ExternalIdentity.objects.create(
        channel_account=account,
        provider_user_id=customer_id,
        display_name=f"Customer {customer_id.removeprefix(CUSTOMER_PREFIX)}",
    )
    answered = agents and randomly.random() < 0.9
    agent = randomly.choice(agents) if answered else None
    wait = timedelta(seconds=randomly.choice([8, 15, 25, 40, 70, 150]))
    accepted = arrived + wait if answered else None
    reply = accepted + timedelta(seconds=randomly.randrange(20, 240)) if answered else None
    closed = (accepted or arrived) + timedelta(minutes=randomly.randrange(2, 25))
    statuses = list(account.queue.statuses.all())
    activity = Activity.objects.create(
        queue=account.queue, channel_account=account, identity=identity, owner=agent,
        state=ActivityState.CLOSED, title=identity.display_name,
        status=randomly.choice(statuses) if answered and statuses else None,
        queued_at=arrived, accepted_at=accepted, first_accepted_at=accepted,
        first_customer_message_at=arrived, first_reply_at=reply, closed_at=closed,
    )  # fmt: skip
    if agent is not None:
        Participant.objects.create(
            activity=activity, agent=agent, role=ParticipantRole.OWNER, joined_at=accepted,
            left_at=closed,
        )  # fmt: skip
    _offers(activity, agents, agent, arrived, accepted, randomly)
    _messages(activity, identity, agent, arrived, reply)


def _offers(activity, agents, agent, arrived, accepted, randomly) -> None:
    """The notifications: now and then one missed or rejected before the one accepted."""
    others = [other for other in agents if other != agent]
    if others and randomly.random() < 0.25:
        outcome = randomly.choice([OfferOutcome.EXPIRED, OfferOutcome.REJECTED])
        _offer(activity, randomly.choice(others), outcome, arrived)
    if agent is not None:
        _offer(activity, agent, OfferOutcome.ACCEPTED, accepted)


def _offer(activity, agent, outcome, decided) -> None:
    offer = Offer.objects.create(
        activity=activity, agent=agent, kind=OfferKind.ROUTE, outcome=outcome,
        deadline=timezone.now() + timedelta(seconds=1), decided_at=decided,
    )  # fmt: skip
    Offer.objects.filter(pk=offer.pk).update(
        created_at=decided, deadline=decided + timedelta(seconds=30)
    )


def _messages(activity, identity, agent, arrived, reply) -> None:
    written = [(arrived, Direction.IN, None, "Hello, I have a question about my order.")]
    if reply is not None:
        written.append((reply, Direction.OUT, agent, "Hello, let me look into it for you."))
    for when, direction, author, text in written:
        message = Message.objects.create(
            activity=activity, channel_account=activity.channel_account, identity=identity,
            direction=direction, author=author, text=text,
            status=DeliveryStatus.RECEIVED if direction == Direction.IN else DeliveryStatus.READ,
        )  # fmt: skip
        Message.objects.filter(pk=message.pk).update(created_at=when)
