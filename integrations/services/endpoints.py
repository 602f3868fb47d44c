"""Webhook endpoints: where integrators receive events. Supervisors manage them in the admin,
integration accounts over the API, both through these."""

import socket
from collections.abc import Iterable
from datetime import timedelta

import httpx
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from contactcenter.exceptions import ApplicationError
from contactcenter.outbox import EVENT_TYPES
from contactcenter.public_hosts import NotPublic, checked_address
from integrations.lock_objects import endpoint_for_update
from integrations.models import DeliveryState, WebhookEndpoint
from integrations.signing import secret_new

URL_MAX_LENGTH = WebhookEndpoint._meta.get_field("url").max_length
REASON_MAX_LENGTH = WebhookEndpoint._meta.get_field("disabled_reason").max_length
# How long the secret a rotation replaced still signs: the time to configure the receiver.
ROTATION_OVERLAP = timedelta(hours=24)


def endpoint_url_checked(url: str) -> str:
    """The URL deliveries will be posted to, or ApplicationError saying why not: an http or
    https URL whose host resolves, to public addresses only unless
    WEBHOOK_ALLOW_PRIVATE_TARGETS allows others. Each delivery checks the addresses again."""
    url = url.strip()
    try:
        URLValidator(schemes=["http", "https"], message="Enter an http or https URL.")(url)
    except ValidationError as exc:
        raise ApplicationError(exc.messages[0], code="invalid_url") from exc
    if len(url) > URL_MAX_LENGTH:
        raise ApplicationError(
            f"The URL is longer than {URL_MAX_LENGTH} characters.", code="invalid_url"
        )
    if settings.WEBHOOK_ALLOW_PRIVATE_TARGETS:
        return url
    host = httpx.URL(url).raw_host.decode("ascii")
    try:
        checked_address(host)
    except socket.gaierror as exc:
        raise ApplicationError(
            f"{host} could not be found: check the URL.", code="url_unresolvable"
        ) from exc
    except NotPublic as exc:
        raise ApplicationError(not_public_refusal(host, exc), code="url_not_public") from exc
    return url


def not_public_refusal(host: str, refusal: NotPublic) -> str:
    return (
        f"Refused: {host} is on this machine or a private network ({refusal}) and "
        "WEBHOOK_ALLOW_PRIVATE_TARGETS is off."
    )


def event_types_checked(types: Iterable[str]) -> list[str]:
    """The event types in the registry's order, or ApplicationError for none or an unknown one."""
    wanted = set(types)
    unknown = sorted(wanted - EVENT_TYPES.keys())
    if unknown:
        raise ApplicationError(
            f"Unknown event types: {', '.join(unknown)}.", code="unknown_event_type"
        )
    if not wanted:
        raise ApplicationError("Choose at least one event type.", code="no_event_types")
    return [name for name in EVENT_TYPES if name in wanted]


@transaction.atomic
def endpoint_create(
    *,
    actor: AbstractBaseUser,
    url: str,
    event_types: Iterable[str],
    description: str = "",
    is_active: bool = True,
) -> WebhookEndpoint:
    """A new endpoint with a new secret; refused (ApplicationError) for a URL or event types
    `endpoint_url_checked` and `event_types_checked` refuse. It receives the events that occur
    from now on. One created inactive says who made it so."""
    return WebhookEndpoint.objects.create(
        url=endpoint_url_checked(url),
        event_types=event_types_checked(event_types),
        description=description.strip(),
        secret=secret_new(),
        is_active=is_active,
        disabled_reason="" if is_active else _disabled_by(actor),
        created_by=actor if actor.is_authenticated else None,
    )


@transaction.atomic
def endpoint_update(
    *, endpoint_id: int, actor: AbstractBaseUser, is_active: bool | None = None, **fields
) -> WebhookEndpoint:
    """Change the given fields (`url`, `event_types`, `description`), checked as at creation (a
    URL only when it changed). `is_active` enables the endpoint (forgetting why it was disabled
    and since when it failed) or disables it as `endpoint_disable_locked` does, in `actor`'s
    name."""
    endpoint = _locked(endpoint_id)
    if "url" in fields and fields["url"].strip() != endpoint.url:
        endpoint.url = endpoint_url_checked(fields["url"])
    if "event_types" in fields:
        endpoint.event_types = event_types_checked(fields["event_types"])
    if "description" in fields:
        endpoint.description = fields["description"].strip()
    endpoint.save(update_fields=["url", "event_types", "description", "updated_at"])
    if is_active is True and not endpoint.is_active:
        _enable(endpoint)
    elif is_active is False and endpoint.is_active:
        endpoint_disable_locked(endpoint=endpoint, reason=_disabled_by(actor))
    return endpoint


@transaction.atomic
def endpoint_delete(*, endpoint_id: int) -> None:
    """Delete an endpoint with its deliveries and their log. Idempotent."""
    endpoint = endpoint_for_update(endpoint_id, deleting=True)
    if endpoint is not None:
        endpoint.delete()


@transaction.atomic
def endpoint_rotate_secret(*, endpoint_id: int) -> WebhookEndpoint:
    """A new secret signs from now on; the one it replaces signs too for ROTATION_OVERLAP, so
    the receiver can be given the new one without refusing a delivery meanwhile. Rotating again
    within the overlap drops the oldest."""
    endpoint = _locked(endpoint_id)
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = timezone.now() + ROTATION_OVERLAP
    endpoint.secret = secret_new()
    endpoint.save(
        update_fields=["secret", "previous_secret", "previous_secret_expires_at", "updated_at"]
    )
    return endpoint


def _locked(endpoint_id: int) -> WebhookEndpoint:
    endpoint = endpoint_for_update(endpoint_id)
    if endpoint is None:
        raise ApplicationError("No such webhook endpoint.", code="not_found", status=404)
    return endpoint


def _disabled_by(actor: AbstractBaseUser) -> str:
    return f"Disabled by {actor.get_username()} on {timezone.now():%Y-%m-%d %H:%M} UTC."


def endpoint_disable_locked(*, endpoint: WebhookEndpoint, reason: str) -> None:
    """Stop delivering to an active endpoint, saying why (supervisors read it); its pending
    deliveries fail. Caller holds `endpoint_for_update(endpoint.pk)`."""
    endpoint.is_active = False
    endpoint.disabled_reason = reason[:REASON_MAX_LENGTH]
    endpoint.save(update_fields=["is_active", "disabled_reason", "updated_at"])
    endpoint.deliveries.filter(state=DeliveryState.PENDING).update(
        state=DeliveryState.FAILED, next_attempt_at=None, updated_at=timezone.now()
    )


def _enable(endpoint: WebhookEndpoint) -> None:
    """Caller holds `endpoint_for_update(endpoint.pk)`."""
    endpoint.is_active = True
    endpoint.disabled_reason = ""
    endpoint.failing_since = None
    endpoint.save(update_fields=["is_active", "disabled_reason", "failing_since", "updated_at"])
