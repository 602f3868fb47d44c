"""Supervisors manage the users who are agents, and no more: the users' admin lets them grant
nothing they do not hold themselves. Superuser status and permissions one by one are a
superuser's to give, and a superuser's account (its password above all) is a superuser's to
change."""

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse

from tests.factories import GroupSupervisorFactory, SupervisorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisor(client):
    user = GroupSupervisorFactory(username="sam")
    client.force_login(user)
    return user


def change_form(user, **extra) -> dict:
    """What the users' change form posts for `user`, with `extra` fields."""
    return {
        "username": user.username,
        "is_active": "on",
        "is_staff": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "09:00:00",
        "agent-TOTAL_FORMS": 0,
        "agent-INITIAL_FORMS": 0,
        **extra,
    }


def test_a_supervisor_cannot_make_themselves_a_superuser_or_grant_permissions(client, supervisor):
    page = reverse("admin:auth_user_change", args=[supervisor.pk])
    change_group = Permission.objects.get(codename="change_group")
    # when: the form is opened, and posted as if it had the superuser box and permissions
    form = client.get(page).content.decode()
    response = client.post(
        page,
        change_form(supervisor, is_superuser="on", user_permissions=[change_group.pk]),
    )
    # then: the form has neither, and the post changed neither
    assert 'name="is_superuser"' not in form
    assert 'name="user_permissions"' not in form
    assert response.status_code == 302
    supervisor.refresh_from_db()
    assert supervisor.is_superuser is False
    assert list(supervisor.user_permissions.all()) == []


def test_a_supervisor_cannot_change_a_superusers_account_or_password(client, supervisor):
    root = SupervisorFactory(username="root", is_superuser=True)
    password = root.password
    # when: they open and post its pages
    pages = [
        reverse("admin:auth_user_change", args=[root.pk]),
        reverse("admin:auth_user_password_change", args=[root.pk]),
        reverse("admin:auth_user_delete", args=[root.pk]),
    ]
    # then: the account is shown with nothing to save; changing it, its password or deleting
    # it is refused, and the password is the same
    shown = client.get(pages[0])
    assert shown.status_code == 200
    assert 'name="_save"' not in shown.content.decode()
    assert [client.get(page).status_code for page in pages[1:]] == [403, 403]
    posts = [
        client.post(pages[0], change_form(root, username="mine")),
        client.post(pages[1], {"password1": "taken-over-9", "password2": "taken-over-9"}),
        client.post(pages[2], {"post": "yes"}),
    ]
    assert [response.status_code for response in posts] == [403, 403, 403]
    root.refresh_from_db()
    assert (root.username, root.password) == ("root", password)


def test_a_supervisor_cannot_delete_a_superuser_from_the_list(client, supervisor):
    root = SupervisorFactory(username="root", is_superuser=True)
    agent = SupervisorFactory(username="dora")
    # when: both are selected for "Delete selected users", and it is confirmed
    selected = {"action": "delete_selected", "_selected_action": [root.pk, agent.pk]}
    asked = client.post(reverse("admin:auth_user_changelist"), selected)
    client.post(reverse("admin:auth_user_changelist"), {**selected, "post": "yes"})
    # then: the page says why it cannot, and both are still there
    assert "permission to delete the following types of objects" in asked.content.decode()
    assert set(User.objects.filter(pk__in=[root.pk, agent.pk])) == {root, agent}


def test_a_supervisor_still_edits_an_agent_and_its_groups(client, supervisor):
    agent = SupervisorFactory(username="dora", is_staff=False)
    group = supervisor.groups.get()
    page = reverse("admin:auth_user_change", args=[agent.pk])
    # when
    response = client.post(page, change_form(agent, first_name="Dora", groups=[group.pk]))
    # then
    assert response.status_code == 302
    agent.refresh_from_db()
    assert (agent.first_name, list(agent.groups.all())) == ("Dora", [group])


def test_a_superuser_grants_superuser_status(client):
    root = SupervisorFactory(username="root", is_superuser=True)
    agent = SupervisorFactory(username="dora")
    client.force_login(root)
    page = reverse("admin:auth_user_change", args=[agent.pk])
    # when
    assert 'name="is_superuser"' in client.get(page).content.decode()
    client.post(page, change_form(agent, is_superuser="on"))
    # then
    agent.refresh_from_db()
    assert agent.is_superuser is True
