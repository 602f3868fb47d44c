"""The calendar in the back office: supervisors manage every event (a queue's events for its
members, with no agent), through the services, and each agent's calendar settings."""

from django import forms
from django.contrib import admin
from django.db.models import QuerySet

from contactcenter.exceptions import ApplicationError
from schedule.models import CalendarEvent, CalendarSettings
from schedule.services import (
    EDITABLE,
    calendar_settings_update,
    event_create,
    event_delete,
    event_update,
    event_validate,
    time_zone_checked,
)


class CalendarEventForm(forms.ModelForm):
    class Meta:
        model = CalendarEvent
        fields = ["title", "agent", "queue", "starts_at", "ends_at", "description", "remind"]

    def _post_clean(self) -> None:
        super()._post_clean()
        timed = self.instance.pk is None or bool({"starts_at", "remind"} & set(self.changed_data))
        try:
            event_validate(self.instance, by=None, timed=timed)
        except ApplicationError as exc:
            self.add_error(None, exc.message)


@admin.register(CalendarEvent)
class CalendarEventAdmin(admin.ModelAdmin):
    """Every event; a queue's (no agent) is for the queue's members."""

    form = CalendarEventForm
    list_display = ["title", "agent", "queue", "starts_at", "ends_at", "remind", "reminded_at"]
    list_filter = ["queue", "remind", "agent"]
    list_select_related = ["agent", "queue"]
    search_fields = ["title", "description", "agent__display_name"]
    date_hierarchy = "starts_at"
    readonly_fields = ["activity", "contact", "reminded_at", "created_at", "updated_at"]

    def save_model(self, request, obj: CalendarEvent, form, change) -> None:
        data = {name: form.cleaned_data[name] for name in CalendarEventForm.Meta.fields}
        if change:
            changed = {name: data[name] for name in form.changed_data if name in EDITABLE}
            event_update(event_id=obj.pk, by=None, **changed)
        else:
            obj.pk = event_create(by=None, **data).pk

    def delete_model(self, request, obj: CalendarEvent) -> None:
        event_delete(event_id=obj.pk, by=None)

    def delete_queryset(self, request, queryset: QuerySet[CalendarEvent]) -> None:
        for event_id in list(queryset.values_list("pk", flat=True)):
            event_delete(event_id=event_id, by=None)


class CalendarSettingsForm(forms.ModelForm):
    class Meta:
        model = CalendarSettings
        fields = ["agent", "time_zone"]

    def clean_time_zone(self) -> str:
        try:
            return time_zone_checked(self.cleaned_data["time_zone"])
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message) from exc


@admin.register(CalendarSettings)
class CalendarSettingsAdmin(admin.ModelAdmin):
    """An agent's time zone; whether their private feed has an address (the agent makes and
    resets it in the Calendar module)."""

    form = CalendarSettingsForm
    list_display = ["agent", "time_zone", "has_feed"]
    list_select_related = ["agent"]
    search_fields = ["agent__display_name"]

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        return ["agent"] if obj else []

    @admin.display(boolean=True, description="Private feed")
    def has_feed(self, obj: CalendarSettings) -> bool:
        return bool(obj.feed_token_hash)

    def save_model(self, request, obj: CalendarSettings, form, change) -> None:
        calendar_settings_update(agent=obj.agent, time_zone=obj.time_zone)
