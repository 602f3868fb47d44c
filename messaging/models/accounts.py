import secrets

from django.db import models
from django.db.models import Q

from contactcenter.encryption import EncryptedTextField
from contactcenter.models import Queue
from contactcenter.models.base import BaseModel


class Provider(models.TextChoices):
    WHATSAPP = "whatsapp", "WhatsApp"
    MESSENGER = "messenger", "Facebook Messenger"
    INSTAGRAM = "instagram", "Instagram DM"
    VIBER = "viber", "Viber"


def new_webhook_key() -> str:
    return secrets.token_urlsafe(24)


class ChannelAccount(BaseModel):
    """One of our accounts on a provider: a WhatsApp number, a Facebook Page, an Instagram
    professional account or a Viber bot, with its credentials and the queue it feeds."""

    provider = models.CharField(max_length=20, choices=Provider)
    name = models.CharField(max_length=120, help_text="Shown to agents.")
    queue = models.ForeignKey(
        Queue,
        on_delete=models.PROTECT,
        related_name="channel_accounts",
        help_text="Where new conversations wait.",
    )
    webhook_key = models.CharField(
        max_length=64,
        unique=True,
        default=new_webhook_key,
        help_text="The random part of this account's webhook URL.",
    )
    provider_account_id = models.CharField(
        max_length=64,
        blank=True,
        help_text="WhatsApp phone number id, Facebook Page id or Instagram account id.",
    )
    # Credentials: encrypted in the database (FIELD_ENCRYPTION_KEYS), never shown back.
    access_token = EncryptedTextField(blank=True, help_text="Graph API token (Meta providers).")
    app_secret = EncryptedTextField(
        max_length=128, blank=True, help_text="Signs Meta's webhooks (X-Hub-Signature-256)."
    )
    verify_token = EncryptedTextField(
        max_length=128, blank=True, help_text="Meta's webhook verification handshake."
    )
    viber_auth_token = EncryptedTextField(
        max_length=128,
        blank=True,
        help_text="Viber bot token: authenticates calls, signs webhooks.",
    )
    viber_sender_name = models.CharField(
        max_length=28, blank=True, help_text="The name Viber shows on our messages."
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["provider", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(provider__in=Provider.values), name="channelaccount_provider_valid"
            ),
            models.CheckConstraint(
                condition=Q(provider="viber")
                | (
                    ~Q(provider_account_id="")
                    & ~Q(access_token="")
                    & ~Q(app_secret="")
                    & ~Q(verify_token="")
                ),
                name="channelaccount_meta_credentials",
                violation_error_message="A Meta account needs its id, access token, app secret "
                "and verify token.",
            ),
            models.CheckConstraint(
                condition=~Q(provider="viber")
                | (~Q(viber_auth_token="") & ~Q(viber_sender_name="")),
                name="channelaccount_viber_credentials",
                violation_error_message="A Viber bot needs its auth token and sender name.",
            ),
            models.UniqueConstraint(
                fields=["provider", "provider_account_id"],
                condition=~Q(provider="viber"),
                name="channelaccount_one_per_provider_account",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_provider_display()})"
