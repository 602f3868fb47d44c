"""Channel accounts' credentials are stored encrypted (Fernet, keys from FIELD_ENCRYPTION_KEYS):
the database holds ciphertext, the product reads the secret; keys rotate; a migration encrypts
the rows written before, and undoes it."""

import pytest
from cryptography.fernet import Fernet, MultiFernet
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.management import call_command
from django.db import IntegrityError, connection
from django.db.migrations.executor import MigrationExecutor

from messaging.models import ChannelAccount
from tests.factories import META_SECRET, VIBER_TOKEN, ChannelAccountFactory, QueueFactory
from tests.messaging import payloads
from tests.messaging.helpers import post_webhook

SECRETS = ["access_token", "app_secret", "verify_token", "viber_auth_token"]
BEFORE = ("messaging", "0007_message_queued_index")
ENCRYPTED = ("messaging", "0008_encrypt_channel_secrets")


def stored(account_id: int) -> dict[str, str]:
    """The secrets as the database holds them."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(SECRETS)} FROM messaging_channelaccount WHERE id = %s",
            [account_id],
        )
        return dict(zip(SECRETS, cursor.fetchone(), strict=True))


def opened(token: str, key: str) -> str:
    return Fernet(key.encode()).decrypt(token.encode()).decode()


@pytest.mark.django_db
def test_meta_secrets_are_ciphertext_in_the_database_and_plain_in_the_product(settings):
    # when
    account = ChannelAccountFactory(access_token="EAAG-token", verify_token="verify-me")
    # then
    raw = stored(account.pk)
    key = settings.FIELD_ENCRYPTION_KEYS[0]
    assert "EAAG-token" not in raw["access_token"]
    assert META_SECRET not in raw["app_secret"]
    assert opened(raw["access_token"], key) == "EAAG-token"
    assert opened(raw["app_secret"], key) == META_SECRET
    assert opened(raw["verify_token"], key) == "verify-me"
    assert raw["viber_auth_token"] == ""
    fresh = ChannelAccount.objects.get(pk=account.pk)
    assert (fresh.access_token, fresh.app_secret) == ("EAAG-token", META_SECRET)


@pytest.mark.django_db
def test_a_viber_token_is_ciphertext_and_its_webhooks_still_verify(client, settings):
    # given
    account = ChannelAccountFactory(viber=True)
    body = payloads.encode({"event": "webhook", "timestamp": 1, "message_token": 1})
    # when
    response = post_webhook(client, account, body, process=False)
    # then
    assert VIBER_TOKEN not in stored(account.pk)["viber_auth_token"]
    assert response.status_code == 200


@pytest.mark.django_db
def test_a_signed_meta_webhook_verifies_against_the_decrypted_app_secret(client):
    account = ChannelAccountFactory(messenger=True, provider_account_id="PAGE_ID")
    response = post_webhook(client, account, payloads.messenger_text("m_1", "hi"), process=False)
    assert response.status_code == 200
    assert response.content == b"EVENT_RECEIVED"


@pytest.mark.django_db
def test_a_meta_account_without_its_secrets_is_still_refused():
    with pytest.raises(IntegrityError, match="channelaccount_meta_credentials"):
        ChannelAccountFactory(app_secret="")


@pytest.mark.django_db
def test_a_secret_cannot_be_searched_for_in_the_database():
    """Each encryption of a value differs, so the database cannot compare it: a lookup by a
    secret's value is refused instead of silently matching nothing."""
    with pytest.raises(FieldError, match="encrypted"):
        list(ChannelAccount.objects.filter(viber_auth_token=VIBER_TOKEN))


@pytest.mark.django_db
def test_a_new_key_first_reads_the_old_rows_and_reencrypting_retires_the_old_key(settings):
    # given: an account written under the old key
    old = settings.FIELD_ENCRYPTION_KEYS[0]
    account = ChannelAccountFactory(access_token="EAAG-token")
    new = Fernet.generate_key().decode()
    # when: the new key goes first, and every secret is written again
    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    readable_during_rotation = ChannelAccount.objects.get(pk=account.pk).access_token
    call_command("reencrypt_secrets", verbosity=0)
    settings.FIELD_ENCRYPTION_KEYS = [new]
    # then: the old key is no longer needed
    assert readable_during_rotation == "EAAG-token"
    assert opened(stored(account.pk)["access_token"], new) == "EAAG-token"
    assert ChannelAccount.objects.get(pk=account.pk).app_secret == META_SECRET


@pytest.mark.django_db
def test_a_secret_whose_key_was_dropped_names_the_setting(settings):
    # given
    account = ChannelAccountFactory()
    # when
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    # then
    with pytest.raises(ImproperlyConfigured, match="FIELD_ENCRYPTION_KEYS"):
        ChannelAccount.objects.get(pk=account.pk)


def migrate(target: tuple[str, str]):
    """Migrate messaging to `target`; the apps as of that state."""
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


@pytest.fixture
def migrations_restored():
    """Every migration applied again after the test, whichever it stopped at: the tests after
    it need the latest schema (messaging's later migrations too)."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("migrations_restored")
def test_the_migration_encrypts_the_rows_written_before_it_and_reverses(settings):
    # given: a Meta account stored in plain text before the migration
    apps = migrate(BEFORE)
    plain = {"access_token": "EAAG-token", "app_secret": "shh", "verify_token": "verify-me"}
    account = apps.get_model("messaging", "ChannelAccount").objects.create(
        provider="whatsapp",
        name="Old",
        queue_id=QueueFactory().pk,
        webhook_key="old-key",
        provider_account_id="106540352242922",
        **plain,
    )
    # when
    migrate(ENCRYPTED)
    encrypted = stored(account.pk)
    read = ChannelAccount.objects.get(pk=account.pk)
    migrate(BEFORE)
    reversed_ = stored(account.pk)
    migrate(ENCRYPTED)
    # then
    key = settings.FIELD_ENCRYPTION_KEYS[0]
    assert {name: opened(encrypted[name], key) for name in plain} == plain
    assert (read.access_token, read.app_secret, read.verify_token) == tuple(plain.values())
    assert reversed_ == {**plain, "viber_auth_token": ""}


@pytest.mark.django_db
def test_a_stored_secret_is_decrypted_once_however_often_its_row_is_read(monkeypatch):
    """A channel account is read on every webhook delivery and page that names it: the
    decryption is paid once per process and ciphertext, not per read."""
    # given
    account = ChannelAccountFactory()
    opened_tokens = []
    real_decrypt = MultiFernet.decrypt

    def counted(fernet: MultiFernet, token: bytes, *args) -> bytes:
        opened_tokens.append(token)
        return real_decrypt(fernet, token, *args)

    monkeypatch.setattr(MultiFernet, "decrypt", counted)
    # when
    reads = [ChannelAccount.objects.get(pk=account.pk).app_secret for _ in range(5)]
    # then: three secrets (access token, app secret, verify token), each opened once
    assert reads == [META_SECRET] * 5
    assert len(opened_tokens) == 3
