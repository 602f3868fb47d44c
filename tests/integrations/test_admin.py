"""Supervisors manage everyone's API tokens and the integration accounts in the admin: a token
made there is shown once, the digest never; revoking goes through the service; an integration
account has no password and the integrations' group's permissions."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from contactcenter.permissions import is_integration
from integrations.models import ApiToken
from tests.factories import (
    ApiTokenFactory,
    GroupSupervisorFactory,
    IntegrationAccountFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TOKENS = "/admin/integrations/apitoken/"
ACCOUNTS = "/admin/integrations/integrationaccount/"


@pytest.fixture
def supervisor(client):
    user = GroupSupervisorFactory()
    client.force_login(user)
    return user


def test_a_supervisor_makes_a_token_for_a_user_and_sees_it_once(client, supervisor):
    # given
    user = UserFactory()
    # when
    made = client.post(f"{TOKENS}add/", {"user": user.pk, "name": "Export", "scope": "read"})
    listed = client.get(TOKENS)
    # then
    token = ApiToken.objects.get(user=user)
    [plaintext] = re.findall(r'id="new-token" [^>]*value="([^"]+)"', made.content.decode())
    assert plaintext[:12] == token.prefix
    assert "it will not be shown again" in made.content.decode()
    assert "no-store" in made["Cache-Control"]
    assert plaintext not in listed.content.decode()
    assert f"{token.prefix}…" in listed.content.decode()


def test_an_expiry_that_passed_is_refused_in_the_admin(client, supervisor):
    past = timezone.localtime() - timedelta(days=1)
    form = {"user": UserFactory().pk, "name": "Late", "scope": "read",
            "expires_at_0": past.date().isoformat(), "expires_at_1": "10:00:00"}  # fmt: skip
    response = client.post(f"{TOKENS}add/", form)
    assert "Choose a time in the future." in response.content.decode()
    assert not ApiToken.objects.exists()


def test_a_tokens_page_shows_it_read_only_without_its_digest(client, supervisor):
    # given
    token = ApiTokenFactory(name="Export")
    # when
    page = client.get(f"{TOKENS}{token.pk}/change/").content.decode()
    # then
    assert f"{token.prefix}…" in page
    assert token.digest not in page
    assert 'name="name"' not in page  # no field to edit


def test_the_revoke_action_revokes_the_live_ones(client, supervisor):
    # given
    live = ApiTokenFactory()
    revoked_at = timezone.now() - timedelta(days=1)
    old = ApiTokenFactory(revoked_at=revoked_at)
    # when
    response = client.post(
        TOKENS,
        {"action": "revoke", "_selected_action": [live.pk, old.pk]},
        follow=True,
    )
    # then
    assert ApiToken.objects.get(pk=live.pk).state == "revoked"
    assert ApiToken.objects.get(pk=old.pk).revoked_at == revoked_at
    assert "Revoked 1 token." in response.content.decode()


@pytest.mark.parametrize(("state", "shown"), [("active", "Live"), ("revoked", "Gone")])
def test_the_list_filters_by_state(client, supervisor, state, shown):
    # given
    ApiTokenFactory(name="Live")
    ApiTokenFactory(name="Gone", revoked_at=timezone.now())
    # when
    page = client.get(TOKENS, {"state": state}).content.decode()
    # then
    assert re.findall(r'class="field-__str__"><a [^>]*>(\w+) \(', page) == [shown]


def test_a_supervisor_makes_an_integration_account(client, supervisor):
    # when
    client.post(f"{ACCOUNTS}add/", {"username": "erp", "first_name": "ERP"})
    # then
    account = get_user_model().objects.get(username="erp")
    assert is_integration(account)
    assert not account.has_usable_password()
    assert (account.is_staff, account.first_name) == (False, "ERP")


def test_an_accounts_page_lists_its_tokens_and_offers_a_new_one(client, supervisor):
    # given
    account = IntegrationAccountFactory()
    token = ApiTokenFactory(user=account, name="Sync")
    # when
    page = client.get(f"{ACCOUNTS}{account.pk}/change/").content.decode()
    # then
    assert f"{token.prefix}…" in page
    assert f'href="{TOKENS}add/?user={account.pk}"' in page


def test_the_accounts_list_is_of_integration_accounts_only(client, supervisor):
    # given
    IntegrationAccountFactory(username="erp")
    UserFactory(username="alice")
    # when
    page = client.get(ACCOUNTS).content.decode()
    # then
    assert re.findall(r'class="field-username"><a [^>]*>([\w-]+)</a>', page) == ["erp"]


def test_the_integrations_group_reads_everything_and_writes_crm_and_tickets():
    # given
    account = IntegrationAccountFactory()
    # then
    assert account.has_perms(
        ["contactcenter.view_activity", "messaging.view_message", "crm.add_contact",
         "crm.change_account", "tickets.change_ticket", "integrations.add_webhookendpoint"]
    )  # fmt: skip
    assert not any(
        account.has_perm(permission)
        for permission in ["contactcenter.change_queue", "integrations.view_apitoken",
                           "messaging.add_message", "crm.delete_contact"]
    )  # fmt: skip
