"""Outgoing webhooks in the back office: endpoints, edited through their services (the URL and
event types checked as over the API), with the secret a supervisor gives the receiver; and the
delivery log, read-only, each delivery with its attempts and a "Redeliver" action."""

import json
from uuid import UUID

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from contactcenter.admin import ReadOnlyInline, ReadOnlyMixin
from contactcenter.exceptions import ApplicationError
from contactcenter.outbox import EVENT_TYPES
from integrations import signing
from integrations.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from integrations.services.deliveries import delivery_redeliver
from integrations.services.endpoints import (
    URL_MAX_LENGTH,
    endpoint_create,
    endpoint_delete,
    endpoint_rotate_secret,
    endpoint_update,
    endpoint_url_checked,
    event_types_checked,
)


def _checked(check, value):
    """A service's check of one field, its refusal as the field's error."""
    try:
        return check(value)
    except ApplicationError as exc:
        raise forms.ValidationError(exc.message) from exc


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(
        label="URL",
        max_length=URL_MAX_LENGTH,
        assume_scheme="https",
        help_text="Where the events are posted (http or https).",
    )
    event_types = forms.MultipleChoiceField(
        choices=[(name, f"{name}: {description}") for name, description in EVENT_TYPES.items()],
        widget=forms.CheckboxSelectMultiple,
        help_text="The events sent to this endpoint.",
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "description", "event_types", "is_active"]
        labels = {"is_active": "Active"}

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        return url if url == self.instance.url else _checked(endpoint_url_checked, url)

    def clean_event_types(self) -> list[str]:
        return _checked(event_types_checked, self.cleaned_data["event_types"])


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ["url", "description", "types", "is_active", "failing_since", "disabled_reason"]
    list_filter = ["is_active"]
    search_fields = ["url", "description"]
    readonly_fields = [
        "secret",
        "previous_secret_signs_until",
        "failing_since",
        "disabled_reason",
        "created_by",
        "created_at",
    ]
    fieldsets = [
        (None, {"fields": ["url", "description", "event_types", "is_active"]}),
        (
            "Signing (Standard Webhooks): give the receiver this secret",
            {"fields": ["secret", "previous_secret_signs_until"]},
        ),
        ("Health", {"fields": ["failing_since", "disabled_reason", "created_by", "created_at"]}),
    ]
    actions = ["rotate_secret"]

    @admin.display(description="event types")
    def types(self, endpoint: WebhookEndpoint) -> str:
        return ", ".join(endpoint.event_types)

    @admin.display(description="previous secret signs until", empty_value="—")
    def previous_secret_signs_until(self, endpoint: WebhookEndpoint):
        return endpoint.previous_secret_expires_at

    def get_fieldsets(self, request, obj=None):
        """A new endpoint's secret is made when it is saved."""
        return self.fieldsets[:1] if obj is None else self.fieldsets

    def save_model(self, request, obj: WebhookEndpoint, form, change) -> None:
        names = form.changed_data if change else form.fields
        fields = {name: form.cleaned_data[name] for name in names}
        if change:
            endpoint_update(endpoint_id=obj.pk, actor=request.user, **fields)
        else:
            obj.pk = endpoint_create(actor=request.user, **fields).pk

    def delete_model(self, request, obj: WebhookEndpoint) -> None:
        endpoint_delete(endpoint_id=obj.pk)

    def delete_queryset(self, request, queryset: QuerySet[WebhookEndpoint]) -> None:
        for endpoint_id in list(queryset.values_list("pk", flat=True)):
            endpoint_delete(endpoint_id=endpoint_id)

    @admin.action(description="Rotate secret (the old one signs for 24 hours more)",
                  permissions=["change"])  # fmt: skip
    def rotate_secret(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        for endpoint_id in list(queryset.values_list("pk", flat=True)):
            endpoint = endpoint_rotate_secret(endpoint_id=endpoint_id)
            self.message_user(request, f"{endpoint}: the new secret is {endpoint.secret}")


class WebhookAttemptInline(ReadOnlyInline):
    model = WebhookAttempt
    fields = ["attempted_at", "status_code", "duration_ms", "response_excerpt", "error"]
    verbose_name_plural = "attempts"


# Where a delivery stands, on the list and its page.
PROGRESS = ["state", "attempts", "last_status_code", "next_attempt_at"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["id", "event_type", "endpoint", *PROGRESS, "created_at"]
    list_filter = ["state", "endpoint", "event__type"]
    list_select_related = ["endpoint", "event"]
    search_fields = ["endpoint__url"]
    date_hierarchy = "created_at"
    fields = readonly_fields = [
        "webhook_id",
        "event_type",
        "endpoint",
        *PROGRESS,
        "delivered_at",
        "created_at",
        "payload",
    ]
    inlines = [WebhookAttemptInline]
    actions = ["redeliver"]

    def get_search_results(self, request, queryset, search_term):
        """A webhook-id, as the receiver logged it, finds its event's deliveries."""
        try:
            uid = UUID(hex=search_term.strip().removeprefix("msg_"))
        except ValueError:
            return super().get_search_results(request, queryset, search_term)
        return queryset.filter(event__uid=uid), False

    @admin.display(description="event", ordering="event__type")
    def event_type(self, delivery: WebhookDelivery) -> str:
        return delivery.event.type

    @admin.display(description="webhook-id")
    def webhook_id(self, delivery: WebhookDelivery) -> str:
        return delivery.event.webhook_id

    @admin.display(description="body")
    def payload(self, delivery: WebhookDelivery) -> str:
        body = json.loads(signing.body(delivery.event))
        return format_html("<pre>{}</pre>", json.dumps(body, indent=2, ensure_ascii=False))

    @admin.action(description="Redeliver (a new attempt, the same webhook-id)",
                  permissions=["redeliver"])  # fmt: skip
    def redeliver(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        queued = 0
        for delivery in queryset.select_related("endpoint", "event"):
            try:
                delivery_redeliver(delivery_id=delivery.pk)
            except ApplicationError as exc:
                self.message_user(request, f"{delivery}: {exc.message}", messages.WARNING)
                continue
            queued += 1
        noun = "delivery" if queued == 1 else "deliveries"
        self.message_user(request, f"{queued} {noun} queued to be sent again.")

    def has_redeliver_permission(self, request: HttpRequest) -> bool:
        """Redelivering changes a delivery: it needs the right to change deliveries."""
        return request.user.has_perm("integrations.change_webhookdelivery")
