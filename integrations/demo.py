"""Demo integrators.

- The integration account `crm-sync` with a read-and-write token (printed with the demo's
  logins), and a read token of the agent Alice, so that her API tokens page shows one. The
  tokens are well known, derived from the username as the demo's passwords are, which is also
  how a second load finds them instead of making more.
- The webhook endpoint of the demo company's CRM, with a log of what was sent to it. Its
  deliveries are history, written as they would have been kept: the first was delivered at
  once, the second after a retry, and the third was answered 410 Gone, which disabled the
  endpoint (so the demo's workers post nothing to example.com). A supervisor sees the log, the
  secret and why the endpoint is disabled; enabling it with a receiver's URL sends new events.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from contactcenter.demo import AGENTS, DemoBase, Login, demo_password
from contactcenter.models import OutboxEvent
from contactcenter.outbox import EVENT_EXAMPLES
from integrations.models import (
    ApiToken,
    DeliveryState,
    TokenScope,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from integrations.services.accounts import integration_account_create, integration_group
from integrations.services.deliveries import gone_reason
from integrations.services.tokens import TOKEN_PREFIX, token_create, token_digest
from integrations.signing import secret_new

INTEGRATION = "crm-sync"
DEMO_URL = "https://crm.example.com/hooks/contact-center"
# minutes ago, type, then each attempt: seconds after the event, status, ms, answer
DEMO_LOG = [
    (95, "activity.created", [(1, 200, 84, '{"ok":true}')]),
    (60, "message.created", [(1, 503, 15002, "upstream unavailable"), (7, 200, 91, '{"ok":true}')]),
    (20, "activity.closed", [(1, 410, 63, "This integration was removed.")]),
]  # fmt: skip


def demo_api_token(username: str) -> str:
    return f"{TOKEN_PREFIX}{demo_password(username)}"


def demo_load(base: DemoBase) -> list[Login]:
    """Create what is missing (accounts by username, tokens by their digest, the endpoint by
    its URL). Idempotent."""
    users = get_user_model().objects
    account = users.filter(username=INTEGRATION).first()
    if account is None:
        account = integration_account_create(username=INTEGRATION, name="CRM sync")
    # Brought up to date however the account came first (the simulator's demo makes it too,
    # for the order update it sent).
    integration_group()
    _token(account, "Contacts and tickets sync", TokenScope.WRITE, actor=base.supervisor)
    agent = users.get(username=AGENTS[0][0])
    _token(agent, "Reports export", TokenScope.READ, actor=agent)
    if not WebhookEndpoint.objects.filter(url=DEMO_URL).exists():
        _endpoint_with_log(base)
    return [Login(INTEGRATION, "", "integration", api_token=demo_api_token(INTEGRATION))]


def _token(user: AbstractBaseUser, name: str, scope: str, *, actor: AbstractBaseUser) -> None:
    plaintext = demo_api_token(user.get_username())
    if not ApiToken.objects.filter(digest=token_digest(plaintext)).exists():
        token_create(user=user, name=name, scope=scope, actor=actor, plaintext=plaintext)


def _endpoint_with_log(base: DemoBase) -> None:
    now = timezone.now()
    endpoint = WebhookEndpoint.objects.create(
        url=DEMO_URL,
        description="The CRM's receiver (demo)",
        event_types=[type_ for _, type_, _ in DEMO_LOG],
        secret=secret_new(),
        is_active=False,
        disabled_reason=gone_reason(now - timedelta(minutes=20)),
        created_by=base.supervisor,
    )
    for minutes_ago, type_, attempts in DEMO_LOG:
        occurred_at = now - timedelta(minutes=minutes_ago)
        event = OutboxEvent.objects.create(
            type=type_,
            data=EVENT_EXAMPLES[type_],
            occurred_at=occurred_at,
            dispatched_at=occurred_at,
        )
        *_, (last_after, last_status, _, _) = attempts
        delivered = last_status == 200
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint,
            event=event,
            state=DeliveryState.SUCCEEDED if delivered else DeliveryState.FAILED,
            attempts=len(attempts),
            last_status_code=last_status,
            delivered_at=occurred_at + timedelta(seconds=last_after) if delivered else None,
        )
        for after, status, duration_ms, excerpt in attempts:
            WebhookAttempt.objects.create(
                delivery=delivery,
                attempted_at=occurred_at + timedelta(seconds=after),
                status_code=status,
                duration_ms=duration_ms,
                response_excerpt=excerpt,
            )
