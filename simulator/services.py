"""Controlling the simulator: failures to inject into the next sends, and resetting its state.

Rules live in the database, so a rule added from a test or the control endpoint applies to the
fake API that daphne serves while the Celery worker sends.
"""

from django.db import transaction
from django.db.models import F, Q

from contactcenter.exceptions import ApplicationError
from messaging.models import ChannelAccount, Provider
from simulator.answers import failure_answer, whatsapp_status_error
from simulator.models import (
    FailureMode,
    SimulatorCall,
    SimulatorFailure,
    SimulatorMedia,
    SimulatorWebhook,
)

LATE_DEFAULT_CODE = 131047


@transaction.atomic(durable=True)
def failure_add(
    *,
    provider: str,
    times: int = 1,
    http_status: int | None = None,
    code: int | None = None,
    body: dict | None = None,
    account: ChannelAccount | None = None,
    mode: str = FailureMode.ANSWER,
) -> SimulatorFailure:
    """Make the next `times` sends to `provider` (only `account`'s, when given) fail.

    `mode="answer"`: the send is answered with `http_status` and `body`; whatever is missing is
    made from the other or from the provider's error `code` (a Graph code, or a Viber status:
    `code=6` answers HTTP 200 with status 6). `mode="late"` (WhatsApp): the send is accepted,
    then a `failed` status webhook reports `code` (131047 unless given; `body` replaces the
    error object). Rules apply oldest first; each send uses up one. Not idempotent.
    """
    if provider not in Provider.values:
        raise ApplicationError(f"Unknown provider {provider!r}.", code="unknown_provider")
    if account is not None and account.provider != provider:
        raise ApplicationError("The account is on another provider.", code="wrong_account")
    if times < 1:
        raise ApplicationError("A failure applies to at least one send.", code="invalid_times")
    if mode not in FailureMode.values:
        raise ApplicationError(f"Unknown failure mode {mode!r}.", code="unknown_mode")
    if mode == FailureMode.LATE and provider != Provider.WHATSAPP:
        raise ApplicationError(
            "Only WhatsApp reports failures after accepting a send.", code="late_not_supported"
        )
    if http_status is not None and not 200 <= http_status <= 599:
        raise ApplicationError("The HTTP status must be 200 to 599.", code="invalid_status")
    if mode == FailureMode.LATE:
        http_status, body = 200, body or whatsapp_status_error(code or LATE_DEFAULT_CODE)
    elif body is None:
        if http_status is None and code is None:
            raise ApplicationError(
                "Say how the sends fail: an HTTP status, an error code or a body.",
                code="failure_unspecified",
            )
        answer = failure_answer(provider, code, http_status)
        http_status, body = answer.status, answer.body
    failure = SimulatorFailure(
        provider=provider,
        channel_account=account,
        mode=mode,
        remaining=times,
        http_status=http_status or 400,
        body=body,
    )
    failure.full_clean()
    failure.save()
    return failure


@transaction.atomic(durable=True)
def failures_reset() -> int:
    """Forget every failure rule; returns how many were pending. Idempotent."""
    pending = SimulatorFailure.objects.filter(remaining__gt=0).count()
    SimulatorFailure.objects.all().delete()
    return pending


@transaction.atomic(durable=True)
def simulator_reset() -> None:
    """Forget everything the simulator holds: rules, recorded calls, webhooks and files (our own
    messages, identities and accounts stay). Idempotent."""
    SimulatorFailure.objects.all().delete()
    SimulatorWebhook.objects.all().delete()
    SimulatorCall.objects.all().delete()
    SimulatorMedia.objects.all().delete()


def failure_take(*, provider: str, account: ChannelAccount) -> SimulatorFailure | None:
    """Use up one send of the oldest rule that applies to this account, if any.

    Caller holds a transaction. Compare-and-set on `remaining`, so two processes sending at
    once never both use the last one.
    """
    rules = SimulatorFailure.objects.filter(
        Q(channel_account=account) | Q(channel_account__isnull=True),
        provider=provider,
        remaining__gt=0,
    )
    for rule in rules.order_by("pk"):
        taken = SimulatorFailure.objects.filter(pk=rule.pk, remaining__gt=0).update(
            remaining=F("remaining") - 1
        )
        if taken:
            return rule
    return None
