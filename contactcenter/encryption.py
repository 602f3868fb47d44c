"""Secrets at rest: a model field whose values the database only ever holds encrypted.

Fernet (AES-128-CBC with an HMAC-SHA256) with the keys of settings.FIELD_ENCRYPTION_KEYS: the
first encrypts, every one decrypts, so a new key is put first and the old one dropped once
`manage.py reencrypt_secrets` has written every value again under the new one. The empty value
stays empty, so the database can still require a secret to be set (a CHECK against '').
"""

from collections.abc import Iterator
from functools import cache, lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.signals import setting_changed
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models.lookups import Exact, IsNull
from django.dispatch import receiver
from django.utils.functional import cached_property


@cache
def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in settings.FIELD_ENCRYPTION_KEYS])


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


# A stored ciphertext always opens to the same text: each process keeps what it opened, so rows
# read again and again (a channel account on every webhook delivery and page) cost no crypto.
@lru_cache(maxsize=4096)
def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "A stored secret cannot be decrypted with FIELD_ENCRYPTION_KEYS: was the key it was "
            "written with removed before `manage.py reencrypt_secrets` ran?"
        ) from None


@receiver(setting_changed)
def _keys_changed(*, setting: str, **kwargs) -> None:
    """Cache invalidation: tests change the keys, as a deploy does between processes."""
    if setting == "FIELD_ENCRYPTION_KEYS":
        _fernet.cache_clear()
        decrypt.cache_clear()


class EmptyOnlyExact(Exact):
    """Each encryption of a value differs, so the database can tell only whether a secret is
    set: a lookup by value would match nothing, and is refused instead."""

    def get_prep_lookup(self):
        if self.rhs != "":
            raise FieldError("An encrypted field can only be compared with ''.")
        return super().get_prep_lookup()


class EncryptedTextField(models.TextField):
    """A text stored as Fernet ciphertext and read back as the text. `max_length` limits the
    text itself (the ciphertext is about 1.4 times longer, so the column is unbounded)."""

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt(value) if value else value

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value else value

    def get_lookup(self, lookup_name: str):
        return {"exact": EmptyOnlyExact, "isnull": IsNull}.get(lookup_name)

    @cached_property
    def validators(self) -> list:
        limit = [MaxLengthValidator(self.max_length)] if self.max_length else []
        return [*super().validators, *limit]


def encrypted_fields() -> Iterator[tuple[type[models.Model], list[str]]]:
    """Every installed model that has encrypted fields, with their names."""
    for model in apps.get_models():
        names = [f.attname for f in model._meta.fields if isinstance(f, EncryptedTextField)]
        if names:
            yield model, names


def encrypted_values_rewrite() -> int:
    """Write every encrypted value again under the first key; the number of rows. Storage
    upkeep, not a change of any row's meaning: no service, no signal, no `updated_at`.
    Idempotent."""
    rows = 0
    for model, names in encrypted_fields():
        manager = model._base_manager
        for values in manager.values("pk", *names).iterator():
            manager.filter(pk=values.pop("pk")).update(**values)
            rows += 1
    return rows
