"""Read queries of messaging, scoped to what the acting user may see (the activities of
`contactcenter.selectors.activities_visible_to`). Each queryset loads what its API output reads,
so a page costs the same queries whatever its length.
"""

import time

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse

from contactcenter.models import Activity
from contactcenter.permissions import is_supervisor
from contactcenter.selectors import activities_readable_by, activities_visible_to
from messaging.models import (
    Attachment,
    ChannelAccount,
    ExternalIdentity,
    Message,
    Template,
    TransferState,
)


def activity_get(*, user: AbstractBaseUser, activity_id: int) -> Activity:
    """The activity with its customer and channel, or Http404 where the user may not see it."""
    activities = activities_visible_to(user).select_related("identity__channel_account", "queue")
    return get_object_or_404(activities, pk=activity_id)


def earlier_activity(activity: Activity, *, before: Activity | None = None) -> Activity | None:
    """The customer's activity just before `before` (default: `activity` itself) on the same
    channel identity: "Load older messages" shows one earlier chat at a time."""
    if activity.identity_id is None:
        return None
    before = before or activity
    return (
        Activity.objects.filter(identity_id=activity.identity_id, queued_at__lt=before.queued_at)
        .select_related("queue")
        .order_by("-queued_at", "-pk")
        .first()
    )


def identities_visible_to(user: AbstractBaseUser) -> QuerySet[ExternalIdentity]:
    """The customers of the activities the user may see, each with its channel account (the
    reply window needs the provider)."""
    identities = ExternalIdentity.objects.select_related("channel_account")
    if is_supervisor(user):
        return identities
    return identities.filter(pk__in=activities_visible_to(user).values("identity"))


def messages_of(activity: Activity) -> QuerySet[Message]:
    """The activity's messages oldest first, with their authors (agents, or users who are not,
    with what `actor_role` reads of them) and attachments."""
    return (
        Message.objects.filter(activity=activity)
        .select_related("author", "author_user__agent")
        .prefetch_related("attachments", "author_user__groups")
        .order_by("created_at", "id")
    )


def message_feed() -> QuerySet[Message]:
    """Every activity's messages, with what `MessageFeedSerializer` reads (the feed's order is
    `contactcenter.feeds`')."""
    return Message.objects.select_related("author", "author_user__agent").prefetch_related(
        "attachments", "author_user__groups"
    )


def message_get(*, user: AbstractBaseUser, message_id: int) -> Message:
    """A message of an activity the user may see, or Http404."""
    messages = Message.objects.filter(activity__in=activities_visible_to(user))
    return get_object_or_404(messages, pk=message_id)


def attachment_get(*, user: AbstractBaseUser, attachment_id: int) -> Attachment:
    """A stored file of an activity the user may read, or Http404 (also while it downloads)."""
    attachments = Attachment.objects.filter(
        message__activity__in=activities_readable_by(user), transfer=TransferState.DONE
    )
    return get_object_or_404(attachments, pk=attachment_id)


def templates_for(activity: Activity) -> QuerySet[Template]:
    """The templates offered in the activity's queue: its own and those of every queue."""
    return templates_of_queue(activity.queue_id)


def templates_of_queue(queue_id: int) -> QuerySet[Template]:
    return Template.objects.filter(Q(queues=queue_id) | Q(queues__isnull=True)).distinct()


def identities_to_write_to(*, provider: str, query: str = "") -> QuerySet[ExternalIdentity]:
    """Customers on the provider's channels who wrote to us (only they can be written to
    first), matching every word of `query` by name, id, number or CRM contact."""
    identities = ExternalIdentity.objects.filter(
        channel_account__provider=provider, last_inbound_at__isnull=False
    ).select_related("channel_account", "contact")
    for word in query.split():
        identities = identities.filter(
            Q(display_name__icontains=word)
            | Q(provider_user_id__icontains=word)
            | Q(phone__icontains=word)
            | Q(contact__first_name__icontains=word)
            | Q(contact__last_name__icontains=word)
        )
    return identities.order_by("-last_inbound_at", "pk")


def channel_accounts_visible_to(user: AbstractBaseUser) -> QuerySet[ChannelAccount]:
    """Channel accounts hold credentials: supervisors only."""
    if is_supervisor(user):
        return ChannelAccount.objects.all()
    return ChannelAccount.objects.none()


def webhook_url(account: ChannelAccount) -> str:
    """The address to paste into the provider's console for this account."""
    return settings.SITE_URL + reverse("webhook", args=[account.provider, account.webhook_key])


# Every delivery names its account by URL, and accounts change rarely: each process keeps the
# ones it has seen for a few seconds. A change made elsewhere takes effect within that time;
# one made in this process at once (see messaging/signals.py). Unknown keys are not kept.
ACCOUNT_CACHE_SECONDS = 10.0
_webhook_accounts: dict[tuple[str, str], tuple[float, ChannelAccount]] = {}


def webhook_account(*, provider: str, key: str) -> ChannelAccount | None:
    """The active channel account a webhook URL names, or None."""
    cached = _webhook_accounts.get((provider, key))
    if cached and time.monotonic() - cached[0] < ACCOUNT_CACHE_SECONDS:
        return cached[1]
    account = ChannelAccount.objects.filter(
        provider=provider, webhook_key=key, is_active=True
    ).first()
    if account is None:
        _webhook_accounts.pop((provider, key), None)
        return None
    _webhook_accounts[(provider, key)] = (time.monotonic(), account)
    return account


def webhook_accounts_forget() -> None:
    _webhook_accounts.clear()
