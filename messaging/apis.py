"""REST endpoints of messaging: channel accounts, customers' identities, an activity's messages."""

import django_filters
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import generics, serializers, status, viewsets
from rest_framework.permissions import DjangoModelPermissions, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from contactcenter.action_apis import AgentApi
from contactcenter.feeds import FeedApi, since_filter
from contactcenter.models import Activity
from contactcenter.openapi import ErrorSerializer
from contactcenter.rest import IdFilter
from contactcenter.selectors import activities_in_detail, agent_for_user, events_of
from contactcenter.serializers import (
    ActivityDetailSerializer,
    ActivityEventSerializer,
    QueueBriefSerializer,
)
from messaging.files import file_response
from messaging.models import (
    ChannelAccount,
    Direction,
    ExternalIdentity,
    Message,
    Provider,
    Template,
)
from messaging.policy import reply_window
from messaging.selectors import (
    activity_get,
    attachment_get,
    channel_accounts_visible_to,
    earlier_activity,
    identities_visible_to,
    message_feed,
    message_get,
    messages_of,
    webhook_url,
)
from messaging.serializers import (
    MessageFeedSerializer,
    MessageSerializer,
    ReplyWindowSerializer,
)
from messaging.services.accounts import (
    SECRET_FIELDS,
    channel_account_create,
    channel_account_update,
)
from messaging.services.conversations import conversation_start
from messaging.services.outbound import message_retry, message_send, not_participant


class ModelPermissionsIncludingReads(DjangoModelPermissions):
    """DjangoModelPermissions that also asks for the view permission to read: credentials are
    the supervisors' business, so other users get 403 rather than an empty list."""

    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }


class ChannelAccountSerializer(serializers.ModelSerializer):
    webhook_url = serializers.SerializerMethodField()

    class Meta:
        model = ChannelAccount
        fields = [
            "id",
            "provider",
            "name",
            "queue",
            "is_active",
            "provider_account_id",
            *SECRET_FIELDS,
            "viber_sender_name",
            "webhook_url",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {secret: {"write_only": True} for secret in SECRET_FIELDS}

    def get_webhook_url(self, account: ChannelAccount) -> str:
        return webhook_url(account)


class ChannelAccountViewSet(viewsets.ModelViewSet):
    """Supervisors configure the channels: credentials are write-only, the webhook URL to give
    the provider is read-only. Accounts are deactivated, not deleted: messages refer to them."""

    serializer_class = ChannelAccountSerializer
    permission_classes = [IsAuthenticated, ModelPermissionsIncludingReads]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    filterset_fields = ["provider", "queue", "is_active"]
    search_fields = ["name", "provider_account_id"]
    ordering_fields = ["name", "provider", "created_at"]
    ordering = ["provider", "name"]

    def get_queryset(self):
        return channel_accounts_visible_to(self.request.user)

    def perform_create(self, serializer: ChannelAccountSerializer) -> None:
        serializer.instance = channel_account_create(**serializer.validated_data)

    def perform_update(self, serializer: ChannelAccountSerializer) -> None:
        serializer.instance = channel_account_update(
            account=serializer.instance, **serializer.validated_data
        )


class IdentitySerializer(serializers.ModelSerializer):
    provider = serializers.ChoiceField(source="channel_account.provider", choices=Provider.choices)
    reply_window = serializers.SerializerMethodField()

    class Meta:
        model = ExternalIdentity
        fields = [
            "id",
            "channel_account",
            "provider",
            "provider_user_id",
            "display_name",
            "phone",
            "viber_subscription",
            "last_inbound_at",
            "reply_window",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(ReplyWindowSerializer)
    def get_reply_window(self, identity: ExternalIdentity) -> dict:
        return ReplyWindowSerializer(reply_window(identity, self.context["now"])).data


class IdentityFilter(django_filters.FilterSet):
    channel_account = IdFilter(field_name="channel_account_id")
    provider = django_filters.ChoiceFilter(
        field_name="channel_account__provider", choices=Provider.choices
    )

    class Meta:
        model = ExternalIdentity
        fields = ["channel_account", "provider"]


class IdentityViewSet(viewsets.ReadOnlyModelViewSet):
    """Customers on the channels, each with what may be sent to them right now."""

    serializer_class = IdentitySerializer
    filterset_class = IdentityFilter
    search_fields = ["display_name", "provider_user_id", "phone"]
    ordering_fields = ["display_name", "last_inbound_at"]
    ordering = ["display_name", "id"]

    def get_queryset(self):
        return identities_visible_to(self.request.user)

    def get_serializer_context(self) -> dict:
        # One instant for the whole page, so that every row's window is judged alike.
        return {**super().get_serializer_context(), "now": timezone.now()}


class MessageListApi(generics.ListAPIView):
    """The activity's messages, oldest first."""

    queryset = Message.objects.none()  # names the model for the schema; rows: get_queryset
    serializer_class = MessageSerializer
    filter_backends = []

    def get_queryset(self):
        return messages_of(
            activity_get(user=self.request.user, activity_id=self.kwargs["activity_id"])
        )


class MessageFeedFilter(django_filters.FilterSet):
    activity = IdFilter(help_text="Only this activity's messages.")
    channel_account = IdFilter(help_text="Only messages on this channel account.")
    direction = django_filters.ChoiceFilter(choices=Direction.choices)
    since = since_filter("messages")

    class Meta:
        model = Message
        fields = ["activity", "channel_account", "direction", "since"]


class MessageFeedApi(FeedApi):
    """Every activity's messages, in and out, each once, in the order they were stored: a feed
    for copying them into a CRM. Keep `resume` and call again with it as `cursor` to get what
    came since: no message is skipped or repeated, however many are written meanwhile (the
    newest may show a moment after they are written, once the transactions before them are
    done). A message's later delivery receipts do not bring it back: the
    `message.status_changed` webhook reports those. Supervisors and integration accounts."""

    queryset = Message.objects.none()  # names the model for the schema; rows: get_queryset
    serializer_class = MessageFeedSerializer
    filterset_class = MessageFeedFilter

    def get_queryset(self):
        return message_feed()


@extend_schema_field({"type": "array", "items": {"type": "string", "format": "binary"}})
class UploadsField(serializers.ListField):
    """Files as multipart parts of one name (the schema would call a FileField a URL)."""

    child = serializers.FileField()


class MessageSendApi(APIView):
    """Send to the customer as the activity's owner or a participant, or, in any activity, as
    an integration account (the agents see the message as the integration's, named "CRM sync
    (integration)"; the customer sees only the text): text, files (multipart) or a
    WhatsApp template, by the same reply-window and channel rules. One send may make several
    messages (one per file), so they come back as {"messages": [...]}. Refusals answer
    {"detail", "code"} and store nothing."""

    @extend_schema_serializer(component_name="MessageSend")
    class InputSerializer(serializers.Serializer):
        text = serializers.CharField(required=False, default="", allow_blank=True)
        template = serializers.PrimaryKeyRelatedField(
            queryset=Template.objects.all(), required=False, default=None, allow_null=True
        )
        template_parameters = serializers.ListField(
            child=serializers.CharField(), required=False, default=list
        )
        files = UploadsField(required=False, default=list)

    @extend_schema_serializer(component_name="MessagesSent")
    class OutputSerializer(serializers.Serializer):
        messages = MessageSerializer(many=True)

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request: Request, activity_id: int) -> Response:
        author = agent_for_user(request.user)
        activity = activity_get(user=request.user, activity_id=activity_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        sent = message_send(
            activity=activity,
            author=author,
            actor=None if author else request.user,  # refused unless an integration account
            **serializer.validated_data,
        )
        messages = messages_of(activity).filter(pk__in=[message.pk for message in sent])
        output = self.OutputSerializer({"messages": messages}, context={"request": request})
        return Response(output.data, status=status.HTTP_201_CREATED)


class ActivityMessagesApi(MessageListApi, MessageSendApi):
    """One URL, two operations: GET is MessageListApi, POST is MessageSendApi."""


class ConversationStartApi(AgentApi):
    """Write first to a customer who wrote to us before (an identity: see /identities/, or a
    contact's `identities`), by the reply window's rules: free text while it is open, on
    WhatsApp an approved template after 24 hours. 409 `conversation_open` when the customer
    has a conversation that is not closed: post into it instead.

    By default the activity closes once the message is queued (with `status`, required where
    the queue has statuses): a notice such as an order update rings no agent, and the
    customer's answer opens a new chat in whose history it is. With `close: false` it stays:
    for an integration account it waits in the queue and rings an agent as a customer's chat
    does; for an agent it opens in their tabs (no message needed)."""

    integrations_act = True

    @extend_schema_serializer(component_name="ConversationStart")
    class InputSerializer(serializers.Serializer):
        identity = serializers.IntegerField(help_text="The customer, who must have written.")
        queue = serializers.IntegerField(
            required=False,
            allow_null=True,
            default=None,
            help_text="Where the activity belongs (default: the queue the customer's channel "
            "feeds); an agent writes from one of their queues.",
        )
        text = serializers.CharField(required=False, default="", allow_blank=True)
        template = serializers.PrimaryKeyRelatedField(
            queryset=Template.objects.all(), required=False, default=None, allow_null=True
        )
        template_parameters = serializers.ListField(
            child=serializers.CharField(), required=False, default=list
        )
        close = serializers.BooleanField(
            required=False,
            default=True,
            help_text="Close the activity once the message is queued (default), or leave it "
            "waiting in the queue (an agent's: open in their tabs).",
        )
        status = serializers.IntegerField(
            required=False,
            allow_null=True,
            default=None,
            help_text="The status to close with: one of the queue's.",
        )
        ticket = serializers.IntegerField(
            required=False, allow_null=True, default=None, help_text="The ticket it is for."
        )

    @extend_schema_serializer(component_name="ConversationStarted")
    class OutputSerializer(serializers.Serializer):
        activity = ActivityDetailSerializer()
        messages = MessageSerializer(many=True)

    @extend_schema(
        request=InputSerializer,
        responses={
            201: OutputSerializer,
            404: OpenApiResponse(ErrorSerializer, description="No such ticket."),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        activity = conversation_start(
            **self.acting,
            identity_id=data["identity"],
            queue_id=data["queue"],
            text=data["text"],
            template=data["template"],
            template_parameters=data["template_parameters"],
            send=data["close"],
            close_with_status=data["status"],
            ticket_id=data["ticket"],
        )
        started = {"activity": activities_in_detail().get(pk=activity.pk),
                   "messages": messages_of(activity)}  # fmt: skip
        output = self.OutputSerializer(started, context={"request": request})
        return Response(output.data, status=status.HTTP_201_CREATED)


class ActivityEarlierApi(APIView):
    """ "Load older messages": the customer's chat just before `before` (an earlier activity of
    the same customer; default: this one), with its messages and history, and whether there is
    an even earlier one. For anyone who may see this activity (404 otherwise)."""

    @extend_schema_serializer(component_name="EarlierActivityQuery")
    class InputSerializer(serializers.Serializer):
        before = serializers.IntegerField(required=False, default=None, allow_null=True)

    @extend_schema_serializer(component_name="EarlierActivity")
    class OutputSerializer(serializers.Serializer):
        @extend_schema_serializer(component_name="EarlierActivityBrief")
        class ActivityBriefSerializer(serializers.Serializer):
            id = serializers.IntegerField()
            title = serializers.CharField()
            queue = QueueBriefSerializer()
            queued_at = serializers.DateTimeField()
            closed_at = serializers.DateTimeField(allow_null=True)

        activity = ActivityBriefSerializer(allow_null=True)
        messages = MessageSerializer(many=True)
        events = ActivityEventSerializer(many=True)
        has_more = serializers.BooleanField()

    @extend_schema(parameters=[InputSerializer], responses=OutputSerializer)
    def get(self, request: Request, activity_id: int) -> Response:
        activity = activity_get(user=request.user, activity_id=activity_id)
        query = self.InputSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        before = activity
        if query.validated_data["before"] is not None:
            before = get_object_or_404(
                Activity, pk=query.validated_data["before"], identity_id=activity.identity_id
            )
        earlier = earlier_activity(activity, before=before)
        data = {"activity": earlier, "messages": [], "events": [], "has_more": False}
        if earlier is not None:
            data |= {
                "messages": messages_of(earlier),
                "events": events_of(earlier),
                "has_more": earlier_activity(activity, before=earlier) is not None,
            }
        return Response(self.OutputSerializer(data, context={"request": request}).data)


class MessageRetryApi(APIView):
    """Send a failed message again (the same message, queued anew). 409 `not_failed` unless
    it failed; refused like a new send when the reply window forbids it now."""

    @extend_schema(request=None, responses=MessageSerializer)
    def post(self, request: Request, message_id: int) -> Response:
        message = message_get(user=request.user, message_id=message_id)
        author = agent_for_user(request.user)
        if author is None:
            raise not_participant()
        message_retry(message_id=message.pk, agent=author)
        stored = messages_of(message.activity).get(pk=message.pk)
        return Response(MessageSerializer(stored, context={"request": request}).data)


class AttachmentDownloadApi(APIView):
    """A stored file of a message, for users who may see its activity: always a download,
    sandboxed, so that nothing a customer sent runs on our origin."""

    @extend_schema(responses={(200, "*/*"): OpenApiTypes.BINARY})  # the file's own type
    def get(self, request: Request, attachment_id: int) -> FileResponse:
        attachment = attachment_get(user=request.user, attachment_id=attachment_id)
        return file_response(attachment, download=True)

    def perform_content_negotiation(self, request: Request, force: bool = False):
        """A file answers whatever the client accepts; only errors are rendered (as JSON)."""
        return super().perform_content_negotiation(request, force=True)
