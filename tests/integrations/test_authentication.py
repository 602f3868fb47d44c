"""Calling the API with an API token: `Authorization: Bearer <token>` (or `Token <token>`) is
its user's call; a read token reads only; a revoked, expired or unknown token, or an inactive
user's, gets 401 saying which; DRF's own keys keep working beside them."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from contactcenter.models import Queue
from integrations.models import ApiToken
from integrations.services.tokens import token_authenticate
from tests.factories import (
    AgentFactory,
    ApiTokenFactory,
    CustomerActivityFactory,
    GroupSupervisorFactory,
    MembershipFactory,
    QueueFactory,
)

pytestmark = pytest.mark.django_db


def bearer(token: ApiToken) -> APIClient:
    return APIClient(headers={"Authorization": f"Bearer {token.plaintext}"})


@pytest.fixture
def supervisor():
    """May write queues."""
    return GroupSupervisorFactory()


@pytest.mark.parametrize("keyword", ["Bearer", "Token", "bearer"])
def test_a_token_authenticates_its_user_under_either_keyword(keyword):
    # given
    agent = AgentFactory()
    token = ApiTokenFactory(user=agent.user)
    api = APIClient(headers={"Authorization": f"{keyword} {token.plaintext}"})
    # when
    response = api.get("/api/v1/me/")
    # then
    assert response.status_code == 200
    assert response.json()["username"] == agent.user.username


def test_a_rest_framework_key_still_works_under_token():
    # given
    agent = AgentFactory()
    key = Token.objects.create(user=agent.user).key
    # when
    response = APIClient(headers={"Authorization": f"Token {key}"}).get("/api/v1/me/")
    # then
    assert response.status_code == 200
    assert response.json()["username"] == agent.user.username


def test_a_write_token_writes(supervisor):
    # given
    queue = QueueFactory(name="Sales")
    api = bearer(ApiTokenFactory(user=supervisor, scope="write"))
    # when
    response = api.patch(f"/api/v1/queues/{queue.pk}/", {"name": "Sales EU"}, format="json")
    # then
    assert response.status_code == 200
    assert Queue.objects.get(pk=queue.pk).name == "Sales EU"


def test_a_read_token_reads(supervisor):
    # given
    queue = QueueFactory(name="Sales")
    api = bearer(ApiTokenFactory(user=supervisor, scope="read"))
    # when
    response = api.get(f"/api/v1/queues/{queue.pk}/")
    # then
    assert response.status_code == 200
    assert response.json()["name"] == "Sales"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/api/v1/queues/", {"number": 901, "name": "New", "accept_timeout": 30}),
        ("patch", "/api/v1/queues/{queue}/", {"name": "Renamed"}),
        ("put", "/api/v1/queues/{queue}/", {"number": 900, "name": "Renamed"}),
        ("delete", "/api/v1/queues/{queue}/", None),
    ],
)
def test_a_read_token_cannot_write_and_nothing_changes(supervisor, method, path, body):
    """Queues' views name their own permission classes: the refusal covers them too."""
    # given
    queue = QueueFactory(number=900, name="Sales")
    api = bearer(ApiTokenFactory(user=supervisor, scope="read"))
    # when
    response = getattr(api, method)(path.format(queue=queue.pk), body, format="json")
    # then
    assert response.status_code == 403
    assert response.json()["code"] == "token_read_only"
    assert list(Queue.objects.values_list("number", "name")) == [(900, "Sales")]


def test_a_read_token_cannot_take_an_agents_action():
    # given: an agent who could pause
    agent = MembershipFactory(logged_in=True).agent
    api = bearer(ApiTokenFactory(user=agent.user, scope="read"))
    # when
    response = api.post("/api/v1/pause/", {}, format="json")
    # then
    assert response.status_code == 403
    assert response.json()["code"] == "token_read_only"
    assert not agent.pauses.exists()


@pytest.mark.parametrize(
    ("stamps", "code", "detail"),
    [
        ({"revoked_at": timezone.now()}, "token_revoked", "This token was revoked."),
        (
            {"expires_at": timezone.now() - timedelta(seconds=1)},
            "token_expired",
            "This token has expired.",
        ),
    ],
    ids=["revoked", "expired"],
)
def test_a_revoked_or_expired_token_gets_401(stamps, code, detail):
    # given
    token = ApiTokenFactory(user=AgentFactory().user, scope="write", **stamps)
    # when
    response = bearer(token).get("/api/v1/me/")
    # then
    assert response.status_code == 401
    assert response.json() == {"detail": detail, "code": code}
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_token_not_yet_expired_works():
    token = ApiTokenFactory(expires_at=timezone.now() + timedelta(minutes=5))
    assert bearer(token).get("/api/v1/me/").status_code == 200


@pytest.mark.parametrize(
    ("header", "code"),
    [
        ("Bearer cct_no-such-token", "token_invalid"),
        ("Token cct_no-such-token", "token_invalid"),
        ("Bearer no-such-token", "token_invalid"),
        ("Bearer", "token_malformed"),
        ("Bearer two parts", "token_malformed"),
    ],
)
def test_an_unknown_or_missing_token_gets_401(header, code):
    # given: a token that exists, which these are not
    ApiTokenFactory()
    # when
    response = APIClient(headers={"Authorization": header}).get("/api/v1/me/")
    # then
    assert response.status_code == 401
    assert response.json()["code"] == code
    assert response["WWW-Authenticate"] == "Bearer"


def test_an_inactive_users_token_gets_401():
    # given
    token = ApiTokenFactory(user__is_active=False)
    # when
    response = bearer(token).get("/api/v1/me/")
    # then
    assert response.status_code == 401
    assert response.json() == {"detail": "The token's user is inactive.", "code": "user_inactive"}


def test_an_agents_token_sees_what_the_agents_session_sees(client):
    # given: the agent's two chats (one postponed), a colleague's
    agent = AgentFactory()
    CustomerActivityFactory(owner=agent)
    CustomerActivityFactory(owner=agent, state="postponed")
    CustomerActivityFactory()
    client.force_login(agent.user)
    # when
    by_session = client.get("/api/v1/activities/").json()
    by_token = bearer(ApiTokenFactory(user=agent.user)).get("/api/v1/activities/").json()
    # then
    assert by_token == by_session
    assert len(by_token["results"]) == 2


def test_the_last_use_is_written_at_most_once_a_minute(django_assert_num_queries):
    # given: a token last used 30 seconds ago, and one 61 seconds ago
    now = timezone.now()
    recent = ApiTokenFactory(last_used_at=now - timedelta(seconds=30))
    stale = ApiTokenFactory(last_used_at=now - timedelta(seconds=61))
    # when: each is used
    with django_assert_num_queries(1):
        token_authenticate(plaintext=recent.plaintext)
    with django_assert_num_queries(2):
        token_authenticate(plaintext=stale.plaintext)
    # then: only the stale time moved
    recent_used, stale_used = (
        ApiToken.objects.get(pk=token.pk).last_used_at for token in (recent, stale)
    )
    assert recent_used == recent.last_used_at
    assert stale_used > now


def test_a_first_use_is_written_and_the_next_costs_no_write(django_assert_num_queries):
    # given
    token = ApiTokenFactory()
    api = bearer(token)
    api.get("/api/v1/me/")
    first_use = ApiToken.objects.get(pk=token.pk).last_used_at
    # when
    with django_assert_num_queries(1):
        token_authenticate(plaintext=token.plaintext)
    # then
    assert first_use is not None
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first_use


def test_the_api_schema_documents_the_bearer_scheme(client):
    # when
    schema = client.get("/api/schema/", {"format": "json"}).json()
    # then: the scheme, and every operation of /me/ accepts it
    scheme = schema["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    assert {"bearerAuth": []} in schema["paths"]["/api/v1/me/"]["get"]["security"]
