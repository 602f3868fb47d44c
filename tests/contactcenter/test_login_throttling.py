"""Guessing passwords on the login page (and the admin's) stops after a few tries: the username
is locked for that address for some minutes, and the page says so in a sentence."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD, AgentFactory, SupervisorFactory

pytestmark = pytest.mark.django_db


def guess(client, url: str, username: str, times: int) -> None:
    for attempt in range(times):
        client.post(url, {"username": username, "password": f"wrong-{attempt}"})


def test_after_the_failure_limit_even_the_right_password_does_not_sign_in(client):
    # given: someone guessed the agent's password as often as the limit allows
    agent = AgentFactory()
    guess(client, reverse("login"), agent.user.username, settings.AXES_FAILURE_LIMIT)
    # when: the right one comes next
    response = client.post(
        reverse("login"), {"username": agent.user.username, "password": PASSWORD}
    )
    # then: refused, with the login page saying how long to wait and what else to do
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many failed sign-ins" in page
    assert f"Try again in {settings.LOGIN_LOCKOUT_MINUTES} minutes" in page
    assert "ask an administrator to unlock" in page
    assert 'name="password"' in page
    assert client.get("/").status_code == 302


def test_a_few_mistakes_then_the_right_password_signs_in_and_forgets_them(client):
    # given
    agent = AgentFactory()
    guess(client, reverse("login"), agent.user.username, settings.AXES_FAILURE_LIMIT - 1)
    # when
    response = client.post(
        reverse("login"), {"username": agent.user.username, "password": PASSWORD}
    )
    # then
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username=agent.user.username).exists()


def test_a_locked_username_does_not_lock_a_colleague_at_the_same_address(client):
    # given
    locked, colleague = AgentFactory(), AgentFactory()
    guess(client, reverse("login"), locked.user.username, settings.AXES_FAILURE_LIMIT)
    # when
    response = client.post(
        reverse("login"), {"username": colleague.user.username, "password": PASSWORD}
    )
    # then
    assert response.status_code == 302


def test_after_the_cool_off_the_right_password_signs_in_again(client):
    # given: a lockout whose last failure is older than the cool-off
    agent = AgentFactory()
    guess(client, reverse("login"), agent.user.username, settings.AXES_FAILURE_LIMIT)
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES, seconds=1)
    )
    # when
    response = client.post(
        reverse("login"), {"username": agent.user.username, "password": PASSWORD}
    )
    # then
    assert response.status_code == 302


def test_the_admin_login_is_locked_the_same_way(client):
    # given
    supervisor = SupervisorFactory()
    admin_login = reverse("admin:login")
    guess(client, admin_login, supervisor.username, settings.AXES_FAILURE_LIMIT)
    # when
    response = client.post(
        admin_login, {"username": supervisor.username, "password": PASSWORD, "next": "/admin/"}
    )
    # then
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
    assert client.get("/admin/").status_code == 302


def test_a_forged_forwarded_address_does_not_escape_the_lockout(client):
    """With no proxy configured in front, X-Forwarded-For is whatever the caller wrote."""
    # given
    agent = AgentFactory()
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("login"),
            {"username": agent.user.username, "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{attempt}",
        )
    # when
    response = client.post(
        reverse("login"),
        {"username": agent.user.username, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    # then
    assert response.status_code == 429


def test_behind_a_proxy_the_lockout_holds_for_the_address_the_proxy_saw(client, settings):
    # given: one proxy in front, which appends the address it saw; a lockout at one address
    settings.TRUSTED_PROXY_COUNT = 1
    agent = AgentFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("login"),
            {"username": agent.user.username, "password": "wrong"},
            HTTP_X_FORWARDED_FOR="forged, 203.0.113.9",
        )
    # when: the same username from another address behind the same proxy
    elsewhere = client.post(
        reverse("login"),
        {"username": agent.user.username, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.7",
    )
    # then
    assert elsewhere.status_code == 302
    assert AccessAttempt.objects.get().ip_address == "203.0.113.9"
