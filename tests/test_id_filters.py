"""Filters by id take whole numbers an id can be: anything else is a 400 with the reason, never
a server error (found by the schema's fuzzing: a float beyond SQLite's integers gave 500)."""

import pytest

from tests.factories import AgentFactory, CustomerActivityFactory

pytestmark = pytest.mark.django_db

OUT_OF_RANGE = ["-1.7976931348623157e%2B308", "9223372036854775808", "1.5", "-1"]


@pytest.mark.parametrize("value", OUT_OF_RANGE)
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/identities/?channel_account={}",
        "/api/v1/tickets/?contact={}",
        "/api/v1/tickets/?account={}",
        "/api/v1/activities/{activity}/events/?after={}",
    ],
)
def test_an_id_no_row_can_have_is_refused(client, path, value):
    agent = AgentFactory()
    activity = CustomerActivityFactory(owner=agent)
    client.force_login(agent.user)
    answer = client.get(path.format(value, activity=activity.pk))
    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid"
