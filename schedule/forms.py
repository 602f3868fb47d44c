"""The calendar's forms. They read what was typed, times in the agent's time zone (the caller
activates it); the services validate and store."""

from django import forms

from contactcenter.models import Agent, Queue
from crm.forms import PrefixedIdsForm

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


class LocalDateTimeField(forms.DateTimeField):
    """A datetime-local input: a wall-clock time in the active (the agent's) time zone."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_FORMAT)
    input_formats = [LOCAL_FORMAT, "%Y-%m-%dT%H:%M:%S"]


class EventForm(PrefixedIdsForm):
    id_prefix = "event"
    title = forms.CharField(max_length=200)
    starts_at = LocalDateTimeField(label="Starts")
    ends_at = LocalDateTimeField(label="Ends")
    queue = forms.ModelChoiceField(
        Queue.objects.none(),
        required=False,
        label="Shared with",
        empty_label="Only me",
        help_text="Every member of the queue sees the event and may change it.",
    )
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    remind = forms.BooleanField(required=False, label="Remind me when it starts")

    def __init__(self, *args, agent: Agent, **kwargs):
        super().__init__(*args, **kwargs)
        queue_ids = [membership.queue_id for membership in agent.memberships.all()]
        self.fields["queue"].queryset = Queue.objects.filter(pk__in=queue_ids).order_by("number")


class FollowUpForm(PrefixedIdsForm):
    id_prefix = "follow-up"
    starts_at = LocalDateTimeField(label="When")
    note = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class TimeZoneForm(PrefixedIdsForm):
    id_prefix = "calendar"
    time_zone = forms.CharField(required=False, max_length=64, label="Time zone")
