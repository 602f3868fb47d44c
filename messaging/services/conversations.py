"""Writing first to a customer who wrote to us before: the Send new message window, and the
API's conversations.

"Start chat" opens a new activity for the agent (a tab) with an optional first message; "Send"
sends the message and closes the activity with a status at once. Only identities that wrote to
us may be written to, and only what the reply window allows; every refusal comes before
anything is stored or sent.

An integration account writes first through the API by the same rules, and by default sends
and closes too: a proactive notice (an order shipped) rings no agent, and the
customer's answer opens a new chat, in whose history it is. Asked not to close, the activity
waits in the queue instead and rings an agent as a customer's chat does.
"""

from collections.abc import Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from contactcenter.exceptions import ApplicationError
from contactcenter.models import Activity, Agent, Queue, QueueMembership
from contactcenter.services.activities import Actor, acting, activity_close_locked
from contactcenter.services.intake import activity_start
from contactcenter.services.routing import activity_route_new
from messaging.models import ExternalIdentity, Template
from messaging.policy import reply_window
from messaging.services.outbound import check_window, message_send

NEVER_WROTE = "This customer has never written to us on this channel: they must write first."


@transaction.atomic(durable=True)
def conversation_start(
    *,
    agent: Agent | None = None,
    actor: AbstractBaseUser | None = None,
    identity_id: int,
    queue_id: int | None = None,
    text: str = "",
    template: Template | None = None,
    template_parameters: Sequence[str] = (),
    close_with_status: int | None = None,
    send: bool = False,
    ticket_id: int | None = None,
) -> Activity:
    """Open an activity with the customer of `identity_id` in `queue_id` (default: the queue
    their channel feeds; for an agent, one of theirs), assigned to `ticket_id`, the ticket it
    was started from, if any, and send what was written. With `send`, the message is required
    and the activity closes at once with `close_with_status` (required when the queue has
    statuses). Without it, the activity stays open in the `agent`'s tabs; started by an
    integration account (`actor`), whose message is then required too, it waits in the queue
    and rings an agent. Returns the activity. Not idempotent: each call starts a new
    conversation."""
    who = acting(agent, actor)
    identity = (
        ExternalIdentity.objects.select_related("channel_account").filter(pk=identity_id).first()
    )
    if identity is None or identity.last_inbound_at is None:
        raise ApplicationError(NEVER_WROTE, code="never_wrote")
    queue = _queue(who, queue_id or identity.channel_account.queue_id)
    window = reply_window(identity, timezone.now())
    if template is None:
        check_window(window)
    elif window.refusal:
        raise ApplicationError(window.refusal, code="outside_window")
    if (send or agent is None) and not text.strip() and template is None:
        raise ApplicationError("Write the message to send.", code="empty_message")
    if send:
        allowed = set(queue.statuses.values_list("pk", flat=True))
        if allowed and close_with_status not in allowed:
            raise ApplicationError("Choose a status to send and close.", code="status_required")
    activity = activity_start(
        agent=agent,
        actor=actor,
        queue=queue,
        channel_account=identity.channel_account,
        identity=identity,
        title=identity.display_name or identity.provider_user_id,
        ticket_id=ticket_id,
    )
    if text.strip() or template is not None:
        message_send(activity=activity, author=agent, actor=actor, text=text, template=template,
                     template_parameters=template_parameters)  # fmt: skip
    if send:
        activity_close_locked(activity, actor=who, status_id=close_with_status)
    elif agent is None:
        activity_route_new(activity)
    return activity


def _queue(who: Actor, queue_id: int) -> Queue:
    """The queue to write from: one of the agent's own; any, for an integration account."""
    if not isinstance(who, Agent):
        queue = Queue.objects.filter(pk=queue_id).first()
        if queue is None:
            raise ApplicationError("No such queue.", code="invalid_queue")
        return queue
    membership = (
        QueueMembership.objects.filter(agent=who, queue_id=queue_id).select_related("queue").first()
    )
    if membership is None:
        raise ApplicationError("Choose one of your queues.", code="invalid_queue")
    return membership.queue
