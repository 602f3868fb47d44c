"""The API keeps to its schema: schemathesis reads /api/schema/ and sends every operation
requests made from it, valid and invalid, as an agent, a supervisor and an integration account
(each with a read-and-write API token); no answer may be a server error, and every status must
be one the schema documents.

In process, through the WSGI application, inside the test's transaction (nothing is committed,
no task is queued). Bounded and repeatable: a fixed seed, deterministic generation and a few
examples per operation. A number in a path names one of the objects made for the run, so the
requests reach past the lookup into validation and the services."""

from dataclasses import dataclass

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from contactcenter.models import Agent
from knowledgebase.services import article_create, folder_create
from tests.factories import (
    AccountFactory,
    ActivityFactory,
    ApiTokenFactory,
    AttachmentFactory,
    CalendarEventFactory,
    ContactFactory,
    GroupSupervisorFactory,
    InboundMessageFactory,
    IntegrationAccountFactory,
    MembershipFactory,
    OfferFactory,
    PauseReasonFactory,
    StatusFactory,
    TicketFactory,
    WebhookDeliveryFactory,
)

CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 20260501,
        "generation": {"max-examples": 10, "deterministic": True, "database": "none"},
        # Coverage cases (every boundary of every field) would take minutes; stateful runs
        # chain calls, which the objects below stand in for.
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
    }
)
SCHEMA = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application(), config=CONFIG)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@dataclass
class World:
    """The agent, and the objects the requests aim at by path parameter (`id` by resource)."""

    agent: Agent
    ids: dict[str, int]

    def aim(self, case) -> None:
        parts = case.operation.path.split("/")  # /api/v1/<resource>/... or /api/v1/kb/<resource>/
        resource = "/".join(parts[3:5]) if parts[3] == "kb" else parts[3]
        for name, value in case.path_parameters.items():
            if isinstance(value, int):
                case.path_parameters[name] = self.ids[resource if name == "id" else name]


@pytest.fixture
def world(db) -> World:
    """An agent in a queue with an open chat (a message with a file), a notification ringing
    and a pause reason; the CRM and ticket records and a channel account around them; a
    webhook endpoint with a delivery made."""
    membership = MembershipFactory(logged_in=True)
    agent, queue = membership.agent, membership.queue
    queue.statuses.add(StatusFactory())
    attachment = AttachmentFactory(
        stored=True, message__activity__owner=agent, message__activity__queue=queue
    )
    message = InboundMessageFactory(activity=attachment.message.activity)
    activity = message.activity
    offer = OfferFactory(agent=agent, activity=ActivityFactory(queue=queue, state="waiting"))
    PauseReasonFactory()
    delivery = WebhookDeliveryFactory(state="succeeded")
    article = article_create(actor=GroupSupervisorFactory(), title="Returns", body="30 days.",
                             folder=folder_create(actor=GroupSupervisorFactory(), name="Orders"),
                             state="published")  # fmt: skip
    return World(
        agent=agent,
        ids={
            "activity_id": activity.pk,
            "activities": activity.pk,
            "offer_id": offer.pk,
            "message_id": message.pk,
            "attachment_id": attachment.pk,
            "queue_id": queue.pk,
            "agent_id": agent.pk,
            "queues": queue.pk,
            "channel-accounts": activity.channel_account_id,
            "identities": activity.identity_id,
            "accounts": AccountFactory().pk,
            "contacts": ContactFactory().pk,
            "tickets": TicketFactory().pk,
            "webhook-endpoints": delivery.endpoint_id,
            "endpoint_id": delivery.endpoint_id,
            "delivery_id": delivery.pk,
            "kb/folders": article.folder_id,
            "kb/articles": article.pk,
            "revision_id": article.revisions.get().pk,
            "calendar": CalendarEventFactory(agent=agent).pk,  # /api/v1/calendar/events/{id}/
        },
    )


@pytest.fixture
def in_test_transaction():
    """The WSGI handler closes the database connection around each request as a server must;
    inside the test's transaction that would end it. Django's test client holds these back
    the same way."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


# Who calls: the world's agent, a supervisor with the supervisors' group, an integration account.
CALLERS = {
    "agent": lambda world: world.agent.user,
    "supervisor": lambda world: GroupSupervisorFactory(),
    "integration": lambda world: IntegrationAccountFactory(),
}


@pytest.fixture(params=list(CALLERS))
def token(request, world, in_test_transaction) -> str:
    """A read-and-write API token of the caller."""
    return ApiTokenFactory(user=CALLERS[request.param](world), scope="write").plaintext


# Health checks off: an operation's examples share its world and token on purpose (one
# function-scoped fixture each), and a busy machine must not fail the run for slow generation.
@settings(suppress_health_check=list(HealthCheck))
@SCHEMA.parametrize()
def test_every_answer_is_documented_and_none_is_a_server_error(case, world, token):
    world.aim(case)
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
