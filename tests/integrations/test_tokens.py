"""Making and revoking API tokens: the plaintext is shown once and kept nowhere, only its digest
and first characters; a user makes and revokes their own, a supervisor anyone's."""

import hashlib
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from contactcenter.exceptions import ApplicationError
from integrations.models import ApiToken
from integrations.services.tokens import token_create, token_revoke
from tests.factories import ApiTokenFactory, GroupSupervisorFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisor():
    return GroupSupervisorFactory()


def test_the_plaintext_is_in_no_column_and_the_digest_matches_it():
    # given
    user = UserFactory()
    # when
    token, plaintext = token_create(user=user, name="CRM sync", scope="write", actor=user)
    # then: every column of the row, as the database holds it
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ApiToken._meta.db_table} WHERE id = %s", [token.pk])
        row = [str(value) for value in cursor.fetchone()]
    assert plaintext.startswith("cct_")
    assert len(plaintext) == 47
    assert not any(plaintext in value for value in row)
    assert hashlib.sha256(plaintext.encode()).hexdigest() in row
    assert plaintext[:12] in row


def test_each_token_is_new():
    user = UserFactory()
    made = {token_create(user=user, name="t", scope="read", actor=user)[1] for _ in range(3)}
    assert len(made) == 3


def test_a_supervisor_makes_a_token_for_anyone(supervisor):
    # given
    user = UserFactory()
    # when
    token, _ = token_create(user=user, name="Nightly export", scope="read", actor=supervisor)
    # then
    assert token.user == user


def test_nobody_else_makes_a_token_for_another_user():
    # given
    user, stranger = UserFactory(), UserFactory()
    # when
    with pytest.raises(ApplicationError) as refused:
        token_create(user=user, name="Mine now", scope="write", actor=stranger)
    # then
    assert (refused.value.code, refused.value.status) == ("permission_denied", 403)
    assert not ApiToken.objects.exists()


def test_an_expiry_that_passed_is_refused():
    user = UserFactory()
    with pytest.raises(ApplicationError, match="future"):
        token_create(
            user=user,
            name="Late",
            scope="read",
            expires_at=timezone.now() - timedelta(minutes=1),
            actor=user,
        )
    assert not ApiToken.objects.exists()


def test_the_owner_revokes_their_token_once():
    # given
    token = ApiTokenFactory()
    # when
    first = token_revoke(token_id=token.pk, actor=token.user).revoked_at
    again = token_revoke(token_id=token.pk, actor=token.user).revoked_at
    # then
    assert first is not None
    assert again == first
    assert ApiToken.objects.get(pk=token.pk).state == "revoked"


def test_a_supervisor_revokes_anyones_token(supervisor):
    token = ApiTokenFactory()
    assert token_revoke(token_id=token.pk, actor=supervisor).state == "revoked"


def test_a_stranger_is_told_there_is_no_such_token():
    # given
    token = ApiTokenFactory()
    # when
    with pytest.raises(ApplicationError) as refused:
        token_revoke(token_id=token.pk, actor=UserFactory())
    # then
    assert (refused.value.code, refused.value.status) == ("not_found", 404)
    assert ApiToken.objects.get(pk=token.pk).state == "active"
