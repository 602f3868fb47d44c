"""The report's figures over REST, the same the page shows, for supervisors."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from contactcenter.models import Agent
from contactcenter.permissions import is_supervisor
from contactcenter.services.availability import pause_end, queue_login
from contactcenter.services.offers import activity_offer_to
from supervision.forms import ReportForm
from supervision.presenting import CSV_COLUMNS, csv_value
from supervision.reports import DEFINITIONS, GROUPINGS, Figures, report_build


class IsSupervisor(BasePermission):
    message = "Only supervisors see the reports."

    def has_permission(self, request, view) -> bool:
        return is_supervisor(request.user)


class FiguresSerializer(serializers.Serializer):
    """One row; durations in seconds, null where nothing was counted."""

    key = serializers.CharField(
        allow_null=True,
        help_text="The queue's or agent's id, the provider, the day or the hour; null in total.",
    )
    label = serializers.CharField()
    offered = serializers.IntegerField()
    accepted = serializers.IntegerField()
    unanswered = serializers.IntegerField()
    rejected = serializers.IntegerField()
    missed = serializers.IntegerField()
    service_level_percent = serializers.FloatField(allow_null=True)
    asa_seconds = serializers.IntegerField(allow_null=True)
    first_response_seconds = serializers.IntegerField(allow_null=True)
    handle_time_seconds = serializers.IntegerField(allow_null=True)
    messages_in = serializers.IntegerField()
    messages_out = serializers.IntegerField()
    unpaid_pause_seconds = serializers.IntegerField()


class StatusCountSerializer(serializers.Serializer):
    status = serializers.CharField()
    chats = serializers.IntegerField()


class ReportSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    tz = serializers.CharField()
    by = serializers.ChoiceField(choices=GROUPINGS)
    rows = FiguresSerializer(many=True)
    total = FiguresSerializer()
    statuses = StatusCountSerializer(many=True)
    definitions = serializers.DictField(child=serializers.CharField())


def _figures(row: Figures) -> dict:
    values = {heading: csv_value(getattr(row, name)) for heading, name in CSV_COLUMNS}
    values = {heading: None if value == "" else value for heading, value in values.items()}
    key = row.key.isoformat() if hasattr(row.key, "isoformat") else row.key
    return {"key": None if key is None else str(key), "label": row.label, **values}


class ReportApi(APIView):
    permission_classes = [IsAuthenticated, IsSupervisor]

    @extend_schema(
        tags=["reports"],
        parameters=[
            OpenApiParameter(
                "start", str, description="First day, YYYY-MM-DD (default: 6 days ago)"
            ),
            OpenApiParameter("end", str, description="Last day, YYYY-MM-DD (default: today)"),
            OpenApiParameter("by", str, enum=GROUPINGS, description="Rows per (default: queue)"),
            OpenApiParameter(
                "tz",
                str,
                description="IANA time zone of the days (default: the installation's TIME_ZONE)",
            ),
        ],
        responses=ReportSerializer,
    )
    def get(self, request: Request) -> Response:
        """The report's figures for a range of whole days, as the Reports page shows them."""
        form = ReportForm.of(request.query_params)
        if not form.is_valid():
            raise ValidationError({name: list(errors) for name, errors in form.errors.items()})
        report = report_build(**form.cleaned_data)
        return Response(
            {
                "start": report.start,
                "end": report.end,
                "tz": str(report.tz),
                "by": report.by,
                "rows": [_figures(row) for row in report.rows],
                "total": _figures(report.total),
                "statuses": [{"status": n, "chats": c} for n, c in report.statuses],
                "definitions": DEFINITIONS,
            }
        )


class OfferToSerializer(serializers.Serializer):
    agent = serializers.IntegerField(help_text="The agent to ring: online, in the queue.")


class MonitorAction(APIView):
    """The live monitor's actions: each goes through the service an agent or the admin uses."""

    permission_classes = [IsAuthenticated, IsSupervisor]

    def agent(self, agent_id: int) -> Agent:
        agent = Agent.objects.filter(pk=agent_id).first()
        if agent is None:
            raise NotFound("No such agent.")
        return agent


class PauseEndApi(MonitorAction):
    @extend_schema(tags=["monitor"], request=None, responses={204: None})
    def post(self, request: Request, agent_id: int) -> Response:
        """End the agent's pause (nothing happens when they are not paused)."""
        pause_end(agent=self.agent(agent_id), actor=request.user)
        return Response(status=204)


class QueueLogoutApi(MonitorAction):
    @extend_schema(tags=["monitor"], request=None, responses={204: None})
    def post(self, request: Request, agent_id: int, queue_id: int) -> Response:
        """Log the agent out of one of their queues."""
        queue_login(
            agent=self.agent(agent_id), queue_id=queue_id, logged_in=False, actor=request.user
        )
        return Response(status=204)


class OfferToApi(MonitorAction):
    @extend_schema(tags=["monitor"], request=OfferToSerializer, responses={204: None})
    def post(self, request: Request, activity_id: int) -> Response:
        """Ring the chosen agent for a waiting activity, instead of whoever rings now."""
        chosen = OfferToSerializer(data=request.data)
        chosen.is_valid(raise_exception=True)
        activity_offer_to(
            activity_id=activity_id, agent_id=chosen.validated_data["agent"], actor=request.user
        )
        return Response(status=204)
