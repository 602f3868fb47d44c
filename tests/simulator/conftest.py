import pytest

from tests.factories import SupervisorFactory


@pytest.fixture
def staff_client(client):
    """The simulator's pages and control API are for staff: a signed-in supervisor's client."""
    client.force_login(SupervisorFactory())
    return client
