"""Writing first to a customer who wrote to us before: the Send new message window.

"Start chat" opens a new activity for the agent (a tab) with an optional first message; "Send"
sends the message and closes the activity with a status at once. Only identities that wrote to
us may be written to, and only what the reply window allows; every refusal comes before
anything is stored or sent.
"""

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from contactcenter.exceptions import ApplicationError
from contactcenter.models import Activity, Agent, QueueMembership
from contactcenter.services.activities import activity_close
from contactcenter.services.intake import activity_start
from messaging.models import ExternalIdentity, Template
from messaging.policy import reply_window
from messaging.services.outbound import check_window, message_send

NEVER_WROTE = "This customer has never written to us on this channel: they must write first."


def conversation_start(
    *,
    agent: Agent,
    identity_id: int,
    queue_id: int,
    text: str = "",
    template: Template | None = None,
    template_parameters: Sequence[str] = (),
    close_with_status: int | None = None,
    send: bool = False,
    ticket_id: int | None = None,
) -> Activity:
    """Open an activity with the customer of `identity_id` in one of the agent's queues
    (assigned to `ticket_id`, the ticket it was started from, if any) and send what was
    written. With `send`, the message is required and the activity closes at
    once with `close_with_status` (required when the queue has statuses). Returns the
    activity. Not idempotent: each call starts a new conversation."""
    activity = _open_and_send(
        agent=agent, identity_id=identity_id, queue_id=queue_id, text=text, template=template,
        template_parameters=template_parameters, status_id=close_with_status, send=send,
        ticket_id=ticket_id,
    )  # fmt: skip
    if send:
        activity_close(activity_id=activity.pk, agent=agent, status_id=close_with_status)
        activity.refresh_from_db()
    return activity


@transaction.atomic(durable=True)
def _open_and_send(
    *,
    agent: Agent,
    identity_id: int,
    queue_id: int,
    text: str,
    template: Template | None,
    template_parameters: Sequence[str],
    status_id: int | None,
    send: bool,
    ticket_id: int | None,
) -> Activity:
    identity = (
        ExternalIdentity.objects.select_related("channel_account").filter(pk=identity_id).first()
    )
    if identity is None or identity.last_inbound_at is None:
        raise ApplicationError(NEVER_WROTE, code="never_wrote")
    membership = (
        QueueMembership.objects.filter(agent=agent, queue_id=queue_id)
        .select_related("queue")
        .first()
    )
    if membership is None:
        raise ApplicationError("Choose one of your queues.", code="invalid_queue")
    queue = membership.queue
    window = reply_window(identity, timezone.now())
    if template is None:
        check_window(window)
    elif window.refusal:
        raise ApplicationError(window.refusal, code="outside_window")
    if send:
        if not text.strip() and template is None:
            raise ApplicationError("Write the message to send.", code="empty_message")
        allowed = set(queue.statuses.values_list("pk", flat=True))
        if allowed and status_id not in allowed:
            raise ApplicationError("Choose a status to send and close.", code="status_required")
    activity = activity_start(
        agent=agent,
        queue=queue,
        channel_account=identity.channel_account,
        identity=identity,
        title=identity.display_name or identity.provider_user_id,
        ticket_id=ticket_id,
    )
    if text.strip() or template is not None:
        message_send(activity=activity, author=agent, text=text, template=template,
                     template_parameters=template_parameters)  # fmt: skip
    return activity
