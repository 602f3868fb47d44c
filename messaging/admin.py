"""Messaging in the back office.

Channel accounts, identities and templates are configuration, edited here. Messages, their
attachments, delivery receipts and raw webhook deliveries change only through services (or are
audit records), so they are shown read-only.
"""

from django import forms
from django.contrib import admin

from contactcenter.admin import ReadOnlyInline, ReadOnlyMixin
from messaging.models import (
    Attachment,
    ChannelAccount,
    DeliveryReceipt,
    ExternalIdentity,
    Message,
    Template,
    WebhookEvent,
)
from messaging.selectors import webhook_url
from messaging.services.accounts import SECRET_FIELDS
from messaging.services.webhooks import webhook_events_replay


class ChannelAccountForm(forms.ModelForm):
    """Secrets never travel back to the browser: their inputs start empty, and an empty input
    keeps the stored value (a secret is replaced, never read or cleared here)."""

    class Meta:
        model = ChannelAccount
        fields = ["provider", *SECRET_FIELDS]  # the ones handled here; fieldsets add the rest
        widgets = {
            name: forms.PasswordInput(attrs={"placeholder": "unchanged when left empty"})
            for name in SECRET_FIELDS
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Fixed once the account exists, as in channel_account_update. Disabled rather than
        # read-only: the field stays in the form, so the per-provider constraints still apply.
        self.fields["provider"].disabled = self.instance.pk is not None

    def clean(self) -> dict:
        cleaned = super().clean()
        for name in SECRET_FIELDS:
            cleaned[name] = cleaned.get(name) or getattr(self.instance, name)
        return cleaned


@admin.register(ChannelAccount)
class ChannelAccountAdmin(admin.ModelAdmin):
    form = ChannelAccountForm
    list_display = ["name", "provider", "queue", "is_active", "webhook_url"]
    list_filter = ["provider", "is_active", "queue"]
    list_select_related = ["queue"]
    search_fields = ["name", "provider_account_id"]
    readonly_fields = ["webhook_url"]
    fieldsets = [
        (None, {"fields": ["provider", "name", "queue", "is_active", "webhook_url"]}),
        (
            "Meta (WhatsApp, Messenger, Instagram)",
            {"fields": ["provider_account_id", "access_token", "app_secret", "verify_token"]},
        ),
        ("Viber", {"fields": ["viber_auth_token", "viber_sender_name"]}),
    ]

    @admin.display(description="webhook URL")
    def webhook_url(self, account: ChannelAccount) -> str:
        return webhook_url(account) if account.pk else "—"


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(admin.ModelAdmin):
    list_display = [
        "display_name",
        "provider_user_id",
        "channel_account",
        "phone",
        "viber_subscription",
        "last_inbound_at",
    ]
    list_filter = ["channel_account__provider", "channel_account", "viber_subscription"]
    list_select_related = ["channel_account"]
    search_fields = ["display_name", "=provider_user_id", "phone"]
    readonly_fields = ["last_inbound_at", "viber_subscription"]  # what the customer last did


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ["kind", "filename", "content_type", "size", "caption", "transfer", "transfer_error"]


@admin.register(Message)
class MessageAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["id", "activity", "channel_account", "direction", "status", "created_at"]
    list_filter = ["direction", "status", "channel_account__provider"]
    list_select_related = ["activity", "channel_account"]
    search_fields = ["text", "=provider_message_id"]
    date_hierarchy = "created_at"
    inlines = [AttachmentInline]


@admin.register(Template)
class TemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "whatsapp_name", "whatsapp_language"]
    list_filter = ["queues"]
    search_fields = ["name", "text", "whatsapp_name"]
    filter_horizontal = ["queues"]
    fieldsets = [
        (None, {"fields": ["name", "text", "queues"]}),
        (
            "WhatsApp approved template",
            {"fields": ["whatsapp_name", "whatsapp_language", "whatsapp_parameters"]},
        ),
    ]


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["created_at", "provider", "channel_account", "verdict", "outcome", "error"]
    list_filter = ["provider", "verdict", "outcome"]
    list_select_related = ["channel_account"]
    search_fields = ["body", "error"]
    date_hierarchy = "created_at"
    actions = ["replay"]

    @admin.action(description="Apply the selected failed deliveries again", permissions=["replay"])
    def replay(self, request, queryset) -> None:
        count = webhook_events_replay(event_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{count} failed deliveries queued to be applied again.")

    def has_replay_permission(self, request) -> bool:
        """Replaying writes messages: it needs the right to change messaging's records."""
        return request.user.has_perm("messaging.change_webhookevent")


@admin.register(DeliveryReceipt)
class DeliveryReceiptAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["provider_message_id", "channel_account", "status", "occurred_at", "error_code"]
    list_filter = ["status", "channel_account__provider"]
    list_select_related = ["channel_account"]
    search_fields = ["=provider_message_id"]
    date_hierarchy = "occurred_at"
