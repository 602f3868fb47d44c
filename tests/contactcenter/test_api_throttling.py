"""The REST API answers 429 to a caller past its rate: agents' sessions and integrators' tokens
per user, anonymous callers per address. The rates here are lowered for the test; the real ones
(README, API_THROTTLE_*) are far above what an agent or a well-behaved integrator does."""

import pytest
from django.conf import settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from tests.factories import AgentFactory, SupervisorFactory

pytestmark = pytest.mark.django_db

RATE = 3


@pytest.fixture
def low_rates(monkeypatch) -> None:
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "user", f"{RATE}/min")
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "anon", f"{RATE}/min")


def statuses(client: APIClient, url: str, times: int) -> list[int]:
    return [client.get(url).status_code for _ in range(times)]


def test_an_agent_past_the_rate_is_told_to_wait(low_rates):
    # given
    api = APIClient()
    api.force_login(AgentFactory().user)
    # when
    answers = statuses(api, "/api/v1/queues/", RATE)
    refused = api.get("/api/v1/queues/")
    # then
    assert answers == [200] * RATE
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "throttled" in refused.json()["detail"].lower()


def test_an_integrators_token_has_a_rate_too(low_rates):
    # given
    token = Token.objects.create(user=SupervisorFactory())
    api = APIClient(headers={"Authorization": f"Token {token.key}"})
    # when
    answers = statuses(api, "/api/v1/queues/", RATE + 1)
    # then
    assert answers == [200] * RATE + [429]


def test_one_users_rate_leaves_another_alone(low_rates):
    # given
    busy, other = APIClient(), APIClient()
    busy.force_login(AgentFactory().user)
    other.force_login(AgentFactory().user)
    statuses(busy, "/api/v1/queues/", RATE + 1)
    # when
    response = other.get("/api/v1/queues/")
    # then
    assert response.status_code == 200


def test_anonymous_callers_are_limited_per_address(low_rates):
    answers = statuses(APIClient(), "/api/schema/", RATE + 1)
    assert answers == [200] * RATE + [429]


def test_the_default_rates_are_far_above_an_agents_pace():
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] == {
        "user": "600/min",
        "anon": "60/min",
    }
