"""Cache invalidation only (STYLE rule 11): a saved or deleted channel account is looked up
afresh by the next webhook delivery in this process."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from messaging.models import ChannelAccount
from messaging.selectors import webhook_accounts_forget


@receiver([post_save, post_delete], sender=ChannelAccount)
def channel_account_changed(**kwargs) -> None:
    webhook_accounts_forget()
