"""Redis down or restarted under an agent: what they did is committed and answered as done. The
events it would have sent are lost (logged); the pages resync when they reconnect or see a gap.
"""

import logging

import pytest
from django.test import override_settings
from django.urls import reverse

from config.embedded_redis import EmbeddedRedis
from config.environment import redis_settings
from contactcenter.models import Pause
from tests.factories import AgentFactory, PauseReasonFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def own_redis(tmp_path):
    """A real Redis the settings point at, which the test may stop and start again."""
    server = EmbeddedRedis(tmp_path / "redis.sock")
    server.start()
    with override_settings(**redis_settings(server.url)):
        yield server
    server.stop()


def pause(client, reason) -> int:
    return client.post(reverse("api-pause"), {"reason": reason.pk}, content_type="application/json")


@pytest.mark.parametrize("fault", ["down", "restarted"])
def test_an_agents_action_is_answered_as_done_when_its_events_cannot_be_sent(
    client, own_redis, caplog, fault
):
    # given: the agent's workspace has published before, then Redis goes away
    agent = AgentFactory()
    client.force_login(agent.user)
    lunch, training = PauseReasonFactory(), PauseReasonFactory()
    assert pause(client, lunch).status_code == 201
    own_redis.stop()
    if fault == "restarted":
        own_redis.start()
    # when
    with caplog.at_level(logging.ERROR):
        response = pause(client, training)
    # then
    assert response.status_code == 201
    assert Pause.objects.get(agent=agent, ended_at__isnull=True).reason == training
    if fault == "down":
        assert "on_commit" in caplog.text  # the lost event is logged
