"""How messages look to agents: one shape for the REST API and the websocket's message.new."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from contactcenter.serializers import actor_name, actor_role
from messaging.models import Attachment, Message, TransferState

AUTHOR_KINDS = ["agent", "integration"]


@extend_schema_serializer(component_name="MessageAttachment")
class AttachmentSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField(
        help_text="Where the file is, once it is stored (null while it downloads or failed)."
    )

    class Meta:
        model = Attachment
        fields = [
            "id",
            "kind",
            "filename",
            "content_type",
            "size",
            "caption",
            "transfer",
            "transfer_error",
            "download_url",
        ]

    def get_download_url(self, attachment: Attachment) -> str | None:
        if attachment.transfer != TransferState.DONE:
            return None
        path = reverse("api-attachment-download", args=[attachment.id])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


@extend_schema_serializer(component_name="Message")
class MessageSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField(
        help_text="Who wrote an outbound message (never shown to the customer): the agent's "
        "display name, or the integration account's name marked as one (\"CRM sync "
        '(integration)").'
    )
    author_kind = serializers.SerializerMethodField(
        help_text="What the author of an outbound message is: an agent, or an integration "
        "account (which wrote through the API); null when no one is named."
    )
    attachments = AttachmentSerializer(many=True)

    class Meta:
        model = Message
        fields = [
            "id",
            "direction",
            "author",
            "author_kind",
            "text",
            "template",
            "template_parameters",
            "attachments",
            "status",
            "error_code",
            "error_reason",
            "provider_message_id",
            "provider_timestamp",
            "created_at",
            "sent_at",
            "delivered_at",
            "read_at",
        ]
        read_only_fields = fields

    def get_author(self, message: Message) -> str | None:
        return author_name(message)

    @extend_schema_field(serializers.ChoiceField(choices=AUTHOR_KINDS, allow_null=True))
    def get_author_kind(self, message: Message) -> str | None:
        if message.author is not None:
            return "agent"
        return None if message.author_user is None else actor_role(message.author_user) or None


@extend_schema_serializer(component_name="MessageInFeed")
class MessageFeedSerializer(MessageSerializer):
    """A message of the organisation-wide feed, which says whose activity it belongs to."""

    activity = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta(MessageSerializer.Meta):
        fields = ["activity", *MessageSerializer.Meta.fields]
        read_only_fields = fields


def author_name(message: Message) -> str | None:
    """Who wrote our message, as agents see them: the agent, or the integration named as one."""
    if message.author is not None:
        return message.author.display_name
    return None if message.author_user is None else actor_name(message.author_user)


class ReplyWindowSerializer(serializers.Serializer):
    free_text = serializers.BooleanField(help_text="Text and files may be sent.")
    template_required = serializers.BooleanField(
        help_text="WhatsApp: only an approved template may be sent."
    )
    tag = serializers.CharField(help_text='The Meta message tag a send uses ("" or HUMAN_AGENT).')
    refusal = serializers.CharField(help_text='Why nothing may be sent ("" when something may).')
    closes_at = serializers.DateTimeField(
        allow_null=True, help_text="When the current allowance ends."
    )
