"""The demo's integrators: `make run` prints the integration account's token, which calls the
API as that account; loading the demo again makes no more tokens."""

import pytest
from django.core.management import call_command
from django.test import override_settings
from rest_framework.test import APIClient

from contactcenter.permissions import is_integration
from integrations.models import ApiToken

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=True)
def test_the_printed_token_calls_the_api_as_the_integration_account(capsys):
    # given
    call_command("demo")
    printed = capsys.readouterr().out
    # when
    [line] = [line for line in printed.splitlines() if "API token" in line]
    role, username, *_, token = line.split()
    response = APIClient(headers={"Authorization": f"Bearer {token}"}).get("/api/v1/me/")
    # then
    assert (role, username) == ("integration", "crm-sync")
    assert response.status_code == 200
    assert response.json()["username"] == "crm-sync"
    assert is_integration(ApiToken.objects.get(user__username="crm-sync").user)


@override_settings(DEBUG=True)
def test_loading_the_demo_again_makes_no_more_tokens(capsys):
    # given
    call_command("demo")
    first = list(ApiToken.objects.values_list("user__username", "name", "scope", "digest"))
    # when
    call_command("demo")
    # then
    assert list(ApiToken.objects.values_list("user__username", "name", "scope", "digest")) == first
    assert [(username, scope) for username, _, scope, _ in first] == [
        ("alice", "read"),
        ("crm-sync", "write"),
    ]
