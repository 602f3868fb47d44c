"""An activity's life from the queue on."""

from datetime import datetime

from django.db.models import DateTimeField, F, Value
from django.db.models.functions import Coalesce, Greatest

from contactcenter.models import Activity, ActivityEvent, EventKind
from contactcenter.tasks import route_activity


def activity_create_waiting(
    *, queue_id: int, channel_account, identity, title: str, customer_message_at: datetime
) -> Activity:
    """Open a new activity waiting in the queue for a customer who just wrote, record
    `queued`, and ask routing to offer it once the transaction commits.

    Caller holds a transaction. The database allows one activity that is not closed per
    identity: a concurrent creation raises IntegrityError, and the caller retries to find it.
    """
    activity = Activity.objects.create(
        queue_id=queue_id,
        channel_account=channel_account,
        identity=identity,
        title=title,
        first_customer_message_at=customer_message_at,
        last_customer_message_at=customer_message_at,
    )
    ActivityEvent.objects.create(activity=activity, kind=EventKind.QUEUED)
    route_activity.delay_on_commit(activity.id)
    return activity


def activity_note_customer_message(*, activity: Activity, sent_at: datetime) -> None:
    """Record that the customer wrote: first and last customer message times.

    Caller holds a transaction. One UPDATE computed in the database, so concurrent or late
    messages never move either time the wrong way.
    """
    at = Value(sent_at, output_field=DateTimeField())
    Activity.objects.filter(pk=activity.pk).update(
        first_customer_message_at=Coalesce(F("first_customer_message_at"), at),
        last_customer_message_at=Greatest(Coalesce(F("last_customer_message_at"), at), at),
    )
