"""The API tokens page: a signed-in user makes a token and sees it once, lists their own and
revokes them; nobody reaches another user's. The workspace and the page for users who are not
agents link to it. (In a real browser: tests/e2e/test_api_tokens.py.)"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.models import ApiToken
from tests.factories import (
    AgentFactory,
    ApiTokenFactory,
    IntegrationAccountFactory,
    SupervisorFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PAGE = "/integrations/tokens/"


def test_a_new_token_is_shown_once(client):
    # given
    agent = AgentFactory()
    client.force_login(agent.user)
    # when
    made = client.post(PAGE, {"name": "Reports", "scope": "read"})
    again = client.get(PAGE)
    # then
    token = ApiToken.objects.get(user=agent.user)
    [plaintext] = re.findall(r'id="new-token" [^>]*value="([^"]+)"', made.content.decode())
    assert token.prefix == plaintext[:12]
    assert "it will not be shown again" in made.content.decode()
    assert "no-store" in made["Cache-Control"]
    assert plaintext not in again.content.decode()
    assert f"{token.prefix}…" in again.content.decode()


def test_the_expiry_day_is_when_it_stops_working(client):
    # given
    user = UserFactory()
    client.force_login(user)
    day = timezone.localdate() + timedelta(days=30)
    # when
    client.post(PAGE, {"name": "Trial", "scope": "write", "expires_on": day.isoformat()})
    # then
    token = ApiToken.objects.get(user=user)
    assert (token.scope, timezone.localtime(token.expires_at).date()) == ("write", day)
    assert timezone.localtime(token.expires_at).time().isoformat() == "00:00:00"


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({"name": "", "scope": "read"}, "This field is required."),
        ({"name": "x", "scope": "admin"}, "Select a valid choice."),
        ({"name": "x", "scope": "read", "expires_on": str(timezone.localdate())}, "after today"),
    ],
)
def test_a_form_in_error_makes_no_token(client, form, error):
    client.force_login(UserFactory())
    response = client.post(PAGE, form)
    assert error in response.content.decode()
    assert not ApiToken.objects.exists()


def test_the_list_shows_only_the_users_own_tokens_with_their_state(client):
    # given
    user = UserFactory()
    ApiTokenFactory(user=user, name="Live one")
    ApiTokenFactory(user=user, name="Old one", revoked_at=timezone.now())
    ApiTokenFactory(user=user, name="Done one", expires_at=timezone.now() - timedelta(days=1))
    ApiTokenFactory(name="Somebody else's")
    client.force_login(user)
    # when
    page = client.get(PAGE).content.decode()
    # then: newest first, each row's name and state
    rows = re.findall(r"<tr>\s*<td>([^<]+)</td>.*?pill--(\w+)", page, flags=re.DOTALL)
    assert rows == [("Done one", "expired"), ("Old one", "revoked"), ("Live one", "active")]


def test_the_owner_revokes_a_token(client):
    # given
    token = ApiTokenFactory()
    client.force_login(token.user)
    # when
    response = client.post(f"{PAGE}{token.pk}/revoke/", follow=True)
    # then
    assert ApiToken.objects.get(pk=token.pk).state == "revoked"
    assert f"Revoked “{token.name}”" in response.content.decode()


def test_nobody_revokes_another_users_token_from_the_page(client):
    """Not even a supervisor: the page is for one's own (the admin is for everyone's)."""
    # given
    token = ApiTokenFactory()
    client.force_login(SupervisorFactory(is_superuser=True))
    # when
    response = client.post(f"{PAGE}{token.pk}/revoke/")
    # then
    assert response.status_code == 404
    assert ApiToken.objects.get(pk=token.pk).state == "active"


def test_signing_in_is_needed(client):
    assert client.get(PAGE)["Location"].startswith("/login/")


def test_the_workspace_menu_links_the_page_in_a_tab_of_its_own(client):
    client.force_login(AgentFactory().user)
    menu = re.search(r'<nav class="main-menu".*?</nav>', client.get("/").content.decode(), re.S)
    assert re.search(rf'<a href="{PAGE}" [^>]*target="_blank"[^>]*>API tokens</a>', menu[0])


def test_an_integration_account_signed_in_finds_the_page(client):
    # given: an integration account a supervisor gave a password
    account = IntegrationAccountFactory()
    client.force_login(account)
    # when
    landing = client.get("/")
    page = client.get(PAGE)
    # then
    assert f'href="{PAGE}">API tokens</a>' in landing.content.decode()
    assert page.status_code == 200
