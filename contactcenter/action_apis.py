"""The agent's actions over REST: answer notifications, work activities, pause, log into queues.

Every endpoint here is for agents only: other signed-in users get 403 `not_an_agent`; but those
that say `integrations_act` (closing an activity; the messaging, CRM and tickets apps have
theirs) are open to integration accounts too, in any activity. Each view
parses its input, calls the one service that makes the change (the same one the timers and the
admin call), and answers with the state the agent now sees; refusals come back from the service
as {"detail", "code"}. An action after which the agent no longer takes part in the activity
(transfer, leave, close) answers 204.
"""

from drf_spectacular.utils import extend_schema, extend_schema_serializer, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from contactcenter.exceptions import ApplicationError
from contactcenter.models import Activity, Agent, PauseReason, QueueMembership
from contactcenter.permissions import is_integration
from contactcenter.selectors import (
    activities_in_detail,
    activities_of_agent,
    agent_for_user,
    colleagues_of,
    waiting_for_agent,
)
from contactcenter.serializers import (
    ActivityDetailSerializer,
    ActivitySerializer,
    ColleagueSerializer,
    MembershipSerializer,
    OfferSerializer,
    PauseReasonSerializer,
    PauseSerializer,
)
from contactcenter.services.activities import (
    activity_close,
    activity_postpone,
    activity_resume,
    activity_set_important,
    activity_set_status,
    activity_take,
)
from contactcenter.services.availability import pause_end, pause_start, queue_login
from contactcenter.services.offers import offer_accept, offer_reject
from contactcenter.services.sharing import activity_invite, activity_leave, activity_transfer
from contactcenter.snapshot import agent_snapshot


class AgentRequired:
    """For views only agents may use: sets `self.agent` (with its queue memberships), or
    answers 403 `not_an_agent` to users without an agent profile (supervisors, integrators).
    Anonymous calls are refused before this, with 401.

    A view that sets `integrations_act` also lets integration accounts call its service as
    `actor=`, by the same rules, in any activity; `self.agent` is None for them. Supervisors
    still may not: they watch agents' chats, they do not act in them."""

    agent: Agent | None
    integrations_act = False

    def initial(self, request: Request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        agent = agent_for_user(request.user)
        if agent is None and not (self.integrations_act and is_integration(request.user)):
            raise ApplicationError(
                "Only agents can do this.", code="not_an_agent", status=status.HTTP_403_FORBIDDEN
            )
        self.agent = agent

    @property
    def acting(self) -> dict:
        """Who acts, as the services name them: `agent=`, or `actor=` the user."""
        return {"agent": self.agent} if self.agent else {"actor": self.request.user}


class AgentApi(AgentRequired, APIView):
    def activity_data(self, activity_id: int) -> dict:
        """The activity as the agent sees it now (in their tabs or postponed list); as it is,
        for an integration account."""
        activities = (
            activities_in_detail() if self.agent is None else activities_of_agent(self.agent)
        )
        return ActivityDetailSerializer(activities.get(pk=activity_id)).data


# Notifications


class OfferAcceptApi(AgentApi):
    """Accept a notification: the activity opens for the agent (an invitation: they join it).
    409 when it was already decided or its deadline passed."""

    @extend_schema(request=None, responses=ActivityDetailSerializer)
    def post(self, request: Request, offer_id: int) -> Response:
        activity = offer_accept(offer_id=offer_id, agent=self.agent)
        return Response(self.activity_data(activity.pk))


class OfferRejectApi(AgentApi):
    """Decline a notification: the activity rings the next agent, never this one again."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request, offer_id: int) -> Response:
        offer_reject(offer_id=offer_id, agent=self.agent)
        return Response(status=status.HTTP_204_NO_CONTENT)


# Lists


class ActivityWaitingListApi(AgentRequired, generics.ListAPIView):
    """Activities waiting in the agent's queues (logged in or not), oldest first; `offered_to`
    names the colleague one rings now."""

    queryset = Activity.objects.none()
    serializer_class = ActivitySerializer
    filter_backends = []

    def get_queryset(self):
        return waiting_for_agent(self.agent)


class ColleagueListApi(AgentRequired, generics.ListAPIView):
    """The other agents, available ones first, with their state: whom an activity can be
    transferred to or shared with."""

    queryset = Agent.objects.none()
    serializer_class = ColleagueSerializer
    filter_backends = []

    def get_queryset(self):
        return colleagues_of(self.agent)


# Activities


class ActivityTakeApi(AgentApi):
    """Take a waiting activity from the waiting list of one of the agent's queues.
    409 `not_waiting` when someone else was faster."""

    @extend_schema(request=None, responses=ActivityDetailSerializer)
    def post(self, request: Request, activity_id: int) -> Response:
        activity_take(activity_id=activity_id, agent=self.agent)
        return Response(self.activity_data(activity_id))


class TargetSerializer(serializers.Serializer):
    agent = serializers.IntegerField(required=False, allow_null=True, default=None)
    queue = serializers.IntegerField(required=False, allow_null=True, default=None)


class _ActivityTargetApi(AgentApi):
    """An action aimed at exactly one of a colleague (`agent`) or a queue (`queue`)."""

    @staticmethod
    def act(**kwargs) -> None:
        raise NotImplementedError

    def post(self, request: Request, activity_id: int) -> Response:
        serializer = TargetSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.act(
            activity_id=activity_id,
            agent=self.agent,
            to_agent_id=serializer.validated_data["agent"],
            to_queue_id=serializer.validated_data["queue"],
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(post=extend_schema(request=TargetSerializer, responses={204: None}))
class ActivityTransferApi(_ActivityTargetApi):
    """Hand the activity to a colleague (who gets a notification) or to a queue (where it waits
    for routing). Name exactly one of `agent` and `queue`."""

    act = staticmethod(activity_transfer)


@extend_schema_view(post=extend_schema(request=TargetSerializer, responses={204: None}))
class ActivityInviteApi(_ActivityTargetApi):
    """Invite a colleague, or the first available agent of a queue, to join the open activity:
    they get a notification. Name exactly one of `agent` and `queue`."""

    act = staticmethod(activity_invite)


class ActivityLeaveApi(AgentApi):
    """Leave a shared activity (an owner who leaves hands it to the colleague who joined first).
    409 `last_participant` for the only agent in it."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request, activity_id: int) -> Response:
        activity_leave(activity_id=activity_id, agent=self.agent)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ActivityPostponeApi(AgentApi):
    """Park the open activity; given `until` (in the future), it comes back by itself then."""

    @extend_schema_serializer(component_name="ActivityPostpone")
    class InputSerializer(serializers.Serializer):
        until = serializers.DateTimeField(required=False, allow_null=True, default=None)

    @extend_schema(request=InputSerializer, responses=ActivityDetailSerializer)
    def post(self, request: Request, activity_id: int) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        activity_postpone(activity_id=activity_id, agent=self.agent, **serializer.validated_data)
        return Response(self.activity_data(activity_id))


class ActivityResumeApi(AgentApi):
    """Bring a postponed activity back to the agent's tabs."""

    @extend_schema(request=None, responses=ActivityDetailSerializer)
    def post(self, request: Request, activity_id: int) -> Response:
        activity_resume(activity_id=activity_id, agent=self.agent)
        return Response(self.activity_data(activity_id))


class ActivityStatusApi(AgentApi):
    """Choose the activity's status from its queue's allowed statuses (null clears it)."""

    @extend_schema_serializer(component_name="ActivityStatus")
    class InputSerializer(serializers.Serializer):
        status = serializers.IntegerField(allow_null=True)

    @extend_schema(request=InputSerializer, responses=ActivityDetailSerializer)
    def post(self, request: Request, activity_id: int) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        activity_set_status(
            activity_id=activity_id,
            agent=self.agent,
            status_id=serializer.validated_data["status"],
        )
        return Response(self.activity_data(activity_id))


class ActivityImportantApi(AgentApi):
    """Flag or unflag the activity as important, for everyone taking part."""

    @extend_schema_serializer(component_name="ActivityImportant")
    class InputSerializer(serializers.Serializer):
        important = serializers.BooleanField()

    @extend_schema(request=InputSerializer, responses=ActivityDetailSerializer)
    def post(self, request: Request, activity_id: int) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        activity_set_important(
            activity_id=activity_id, agent=self.agent, **serializer.validated_data
        )
        return Response(self.activity_data(activity_id))


class ActivityCloseApi(AgentApi):
    """Close the activity, with a `status` given here or chosen before; 400 `status_required`
    when its queue has statuses and none is chosen, 400 `status_not_allowed` for a status the
    queue does not allow (nothing changes). Agents close the activities they own; integration
    accounts any that is not closed (409 `wrong_state` once it is), a waiting one too, recorded
    in its history as closed by them."""

    integrations_act = True

    @extend_schema_serializer(component_name="ActivityClose")
    class InputSerializer(serializers.Serializer):
        status = serializers.IntegerField(required=False, allow_null=True, default=None)

    @extend_schema(request=InputSerializer, responses={204: None})
    def post(self, request: Request, activity_id: int) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        activity_close(
            activity_id=activity_id,
            **self.acting,
            status_id=serializer.validated_data["status"],
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


# The workspace


class WorkspaceApi(AgentApi):
    """Everything the agent's workspace shows, as the websocket's snapshot: apply websocket
    events with a larger `event_id` than their stream's in `event_ids` on top of it."""

    @extend_schema_serializer(component_name="Workspace")
    class OutputSerializer(serializers.Serializer):
        """Documents `agent_snapshot()`'s document, which is already serialized."""

        @extend_schema_serializer(component_name="WorkspaceAgent")
        class AgentSerializer(serializers.Serializer):
            id = serializers.IntegerField()
            display_name = serializers.CharField()
            max_open_chats = serializers.IntegerField()
            is_online = serializers.BooleanField()

        type = serializers.CharField(help_text='Always "snapshot".')
        event_ids = serializers.DictField(
            child=serializers.IntegerField(),
            help_text="The id of the last websocket event this snapshot includes, per stream "
            '(the agent\'s "agent.N", each of their queues\' "queue.N").',
        )
        server_time = serializers.DateTimeField(
            help_text="The server's clock when the snapshot was read (pages count down by it)."
        )
        agent = AgentSerializer()
        pause = PauseSerializer(allow_null=True)
        pause_reasons = PauseReasonSerializer(many=True)
        queues = MembershipSerializer(many=True)
        offers = OfferSerializer(many=True)
        activities = ActivityDetailSerializer(many=True)
        waiting = ActivitySerializer(many=True)

    @extend_schema(responses=OutputSerializer)
    def get(self, request: Request) -> Response:
        return Response(agent_snapshot(self.agent.pk))


# Pauses


class PauseReasonListApi(AgentRequired, generics.ListAPIView):
    """The reasons an agent may choose to pause with."""

    serializer_class = PauseReasonSerializer
    filter_backends = []

    def get_queryset(self):
        return PauseReason.objects.filter(is_missed_offer=False).order_by("name", "pk")


class PauseStartApi(AgentApi):
    """Pause with a reason: no notifications until the pause ends. A running pause is replaced."""

    @extend_schema_serializer(component_name="PauseStart")
    class InputSerializer(serializers.Serializer):
        reason = serializers.IntegerField()

    @extend_schema(request=InputSerializer, responses={201: PauseSerializer})
    def post(self, request: Request) -> Response:
        """Pause with a reason: no notifications until the pause ends. A running pause is
        replaced."""
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        pause = pause_start(agent=self.agent, reason_id=serializer.validated_data["reason"])
        return Response(PauseSerializer(pause).data, status=status.HTTP_201_CREATED)


class PauseEndApi(AgentApi):
    """End the agent's pause, if any (idempotent): notifications resume."""

    @extend_schema(responses={204: None})
    def delete(self, request: Request) -> Response:
        """End the agent's pause, if any (idempotent): notifications resume."""
        pause_end(agent=self.agent, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PauseApi(PauseStartApi, PauseEndApi):
    """One URL, two operations: POST is PauseStartApi, DELETE is PauseEndApi."""


# Queue logins


class QueueLoginApi(AgentApi):
    """Log into one of the agent's queues: its activities may ring them. Idempotent."""

    logged_in = True

    @extend_schema(request=None, responses=MembershipSerializer)
    def post(self, request: Request, queue_id: int) -> Response:
        queue_login(
            agent=self.agent, queue_id=queue_id, logged_in=self.logged_in, actor=request.user
        )
        membership = QueueMembership.objects.select_related("queue").get(
            agent=self.agent, queue_id=queue_id
        )
        return Response(MembershipSerializer(membership).data)


class QueueLogoutApi(QueueLoginApi):
    """Log out of one of the agent's queues: its activities stop ringing them (its waiting list
    stays visible). Idempotent."""

    logged_in = False
