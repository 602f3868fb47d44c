"""The times the report reads are kept by the services as chats happen."""

import pytest
from django.db import transaction

from contactcenter.demo import load_demo
from contactcenter.models import Activity, Offer
from contactcenter.services.activities import activity_note_agent_reply
from contactcenter.services.intake import activity_start
from contactcenter.services.offers import offer_accept
from contactcenter.services.sharing import activity_transfer
from messaging.models import ExternalIdentity
from supervision.demo import CHATS_A_DAY, CUSTOMER_PREFIX, DAYS
from tests.factories import (
    CustomerActivityFactory,
    IdentityFactory,
    OfferFactory,
    OnlineAgentFactory,
    QueueFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_first_acceptance_stays_through_a_transfer():
    # given: a customer waiting in Sales, Alice rung
    alice, bob = OnlineAgentFactory(), OnlineAgentFactory()
    waiting = CustomerActivityFactory(state="waiting", owner=None)
    offer = OfferFactory(activity=waiting, agent=alice)
    # when: Alice accepts and transfers it to Bob, who accepts
    offer_accept(offer_id=offer.pk, agent=alice)
    first = Activity.objects.get(pk=waiting.pk).first_accepted_at
    activity_transfer(activity_id=waiting.pk, agent=alice, to_agent_id=bob.pk)
    offer_accept(offer_id=Offer.objects.get(activity=waiting, agent=bob).pk, agent=bob)
    # then: the acceptance moved on, the first stays
    activity = Activity.objects.get(pk=waiting.pk)
    assert first is not None and activity.first_accepted_at == first
    assert activity.accepted_at > first
    assert not activity.started_by_agent


def test_the_first_reply_is_kept_once():
    activity = CustomerActivityFactory()
    with transaction.atomic():
        activity_note_agent_reply(activity=activity)
    first = Activity.objects.get(pk=activity.pk).first_reply_at
    with transaction.atomic():
        activity_note_agent_reply(activity=activity)
    assert first is not None
    assert Activity.objects.get(pk=activity.pk).first_reply_at == first


def test_a_chat_an_agent_starts_is_never_offered():
    alice = OnlineAgentFactory()
    identity = IdentityFactory()
    with transaction.atomic():
        activity = activity_start(
            agent=alice,
            queue=QueueFactory(),
            channel_account=identity.channel_account,
            identity=identity,
            title="Follow-up",
        )
    assert Activity.objects.get(pk=activity.pk).started_by_agent


def test_the_demo_has_a_week_of_history_once():
    load_demo()
    load_demo()
    customers = ExternalIdentity.objects.filter(provider_user_id__startswith=CUSTOMER_PREFIX)
    assert customers.count() == DAYS * CHATS_A_DAY
