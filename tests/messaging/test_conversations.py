"""Writing first to a customer who wrote before (the Send new message window): what the reply
window allows, and refusals that store and send nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from contactcenter.exceptions import ApplicationError
from contactcenter.models import Activity, ActivityEvent, EventKind
from messaging.models import Message, ViberSubscription
from messaging.services.conversations import conversation_start
from tests.factories import (
    AgentFactory,
    ChannelAccountFactory,
    CustomerActivityFactory,
    IdentityFactory,
    MembershipFactory,
    StatusFactory,
    TemplateFactory,
)

pytestmark = pytest.mark.django_db


def wrote(hours_ago: float | None, **identity):
    """A customer who last wrote `hours_ago` hours ago (None: never)."""
    last = timezone.now() - timedelta(hours=hours_ago) if hours_ago is not None else None
    return IdentityFactory(last_inbound_at=last, **identity)


@pytest.fixture
def agent():
    return AgentFactory(display_name="Alice Novak")


def start(agent, identity, **kwargs):
    """Start from the queue of the customer's channel, which the agent is a member of."""
    queue = identity.channel_account.queue
    if not agent.memberships.filter(queue=queue).exists():
        MembershipFactory(agent=agent, queue=queue)
    return conversation_start(agent=agent, identity_id=identity.pk, queue_id=queue.pk, **kwargs)


def refused(agent, identity, **kwargs) -> str:
    with pytest.raises(ApplicationError) as refusal:
        start(agent, identity, **kwargs)
    assert not Message.objects.exists()
    assert not Activity.objects.exists()
    return refusal.value.code


def test_start_chat_opens_an_activity_for_the_agent_with_the_first_message(agent):
    # given
    identity = wrote(2)
    # when
    activity = start(agent, identity, text="Your parcel is on its way.")
    # then
    assert (activity.state, activity.owner, activity.identity) == ("open", agent, identity)
    [message] = Message.objects.all()
    assert (message.text, message.author, message.status) == (
        "Your parcel is on its way.",
        agent,
        "queued",
    )
    assert ActivityEvent.objects.filter(activity=activity, kind=EventKind.STARTED).exists()


def test_start_chat_needs_no_message(agent):
    activity = start(agent, wrote(2))
    assert activity.state == "open"
    assert not Message.objects.exists()


def test_send_sends_and_closes_with_the_status(agent):
    # given: a queue that closes with statuses
    identity = wrote(2)
    resolved = StatusFactory(name="Resolved")
    identity.channel_account.queue.statuses.add(resolved)
    # when
    activity = start(agent, identity, text="Done.", send=True, close_with_status=resolved.pk)
    # then
    assert (activity.state, activity.status) == ("closed", resolved)
    assert Message.objects.get().text == "Done."


def test_send_without_a_status_is_refused(agent):
    identity = wrote(2)
    identity.channel_account.queue.statuses.add(StatusFactory())
    assert refused(agent, identity, text="Done.", send=True) == "status_required"


def test_send_without_a_message_is_refused(agent):
    assert refused(agent, wrote(2), send=True) == "empty_message"


def test_a_customer_who_never_wrote_cannot_be_written_to(agent):
    assert refused(agent, wrote(None), text="Hello") == "never_wrote"


def test_whatsapp_after_24_hours_takes_only_a_template(agent):
    # given
    identity = wrote(30)
    # then: free text is refused
    assert refused(agent, identity, text="Hello") == "template_required"
    # when: an approved template
    template = TemplateFactory(whatsapp_parameters=["first_name"])
    activity = start(agent, identity, template=template, template_parameters=["Jana"])
    # then
    assert Message.objects.get(activity=activity).template == template


def test_messenger_between_24_hours_and_7_days_goes_with_human_agent(agent):
    identity = wrote(50, channel_account=ChannelAccountFactory(messenger=True))
    activity = start(agent, identity, text="Following up")
    assert Message.objects.get(activity=activity).tag == "HUMAN_AGENT"


def test_instagram_after_7_days_is_refused_with_the_reason(agent):
    identity = wrote(24 * 8, channel_account=ChannelAccountFactory(instagram=True))
    assert refused(agent, identity, text="Hi") == "outside_window"


def test_an_unsubscribed_viber_customer_is_refused(agent):
    identity = wrote(
        1,
        channel_account=ChannelAccountFactory(viber=True),
        viber_subscription=ViberSubscription.UNSUBSCRIBED,
    )
    assert refused(agent, identity, text="Hi") == "outside_window"


def test_a_customer_already_in_a_conversation_is_refused(agent):
    # given: the customer's chat with a colleague is still open
    identity = wrote(1)
    CustomerActivityFactory(identity=identity)
    # when
    with pytest.raises(ApplicationError) as refusal:
        start(agent, identity, text="Hi")
    # then
    assert refusal.value.code == "conversation_open"
    assert Activity.objects.count() == 1
    assert not Message.objects.exists()


def test_only_the_agents_own_queues_can_be_written_from(agent):
    identity = wrote(1)
    with pytest.raises(ApplicationError) as refusal:
        conversation_start(
            agent=agent, identity_id=identity.pk, queue_id=identity.channel_account.queue_id
        )
    assert refusal.value.code == "invalid_queue"
