from django.db import models
from django.db.models import Q

from contactcenter.models.base import BaseModel
from messaging.models.accounts import ChannelAccount


class ViberSubscription(models.TextChoices):
    UNKNOWN = "", "Not applicable"
    SUBSCRIBED = "subscribed", "Subscribed"
    UNSUBSCRIBED = "unsubscribed", "Unsubscribed"


class ExternalIdentity(BaseModel):
    """A customer as one channel account knows them: wa_id, PSID, IGSID or Viber user id."""

    channel_account = models.ForeignKey(
        ChannelAccount, on_delete=models.CASCADE, related_name="identities"
    )
    provider_user_id = models.CharField(max_length=128)
    display_name = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=32, blank=True, help_text="E.164, for WhatsApp.")
    viber_subscription = models.CharField(
        max_length=20, choices=ViberSubscription, default=ViberSubscription.UNKNOWN, blank=True
    )
    last_inbound_at = models.DateTimeField(
        null=True, blank=True, help_text="The customer's last message: the reply window."
    )
    contact = models.ForeignKey(
        "crm.Contact",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="identities",
        help_text="The CRM contact this customer is paired with.",
    )

    class Meta:
        ordering = ["display_name"]
        verbose_name_plural = "external identities"
        constraints = [
            models.UniqueConstraint(
                fields=["channel_account", "provider_user_id"], name="identity_unique_per_account"
            ),
            models.CheckConstraint(
                condition=Q(viber_subscription__in=ViberSubscription.values),
                name="identity_viber_subscription_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.provider_user_id
