"""The supervisors' back office.

Configuration (queues, statuses, pause reasons, agents, calendar) is edited here directly.
Activities, offers and pauses change only through their services, so the admin shows them
read-only; the actions that change them are added with those services.
"""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db.models import Count, OuterRef, Subquery

from contactcenter.models import (
    Activity,
    ActivityEvent,
    Agent,
    CalendarEvent,
    Offer,
    Participant,
    Pause,
    PauseReason,
    Queue,
    QueueMembership,
    QueueWidget,
    Status,
)

User = get_user_model()

admin.site.site_header = "Contact center back office"
admin.site.site_title = "Contact center"
admin.site.index_title = "Configuration and live state"


class ReadOnlyMixin:
    """Viewable, never edited here: these rows change only through services."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class AgentInline(admin.StackedInline):
    model = Agent
    can_delete = False
    fields = ["display_name", "max_open_chats"]
    verbose_name_plural = "agent profile (makes this user an agent)"


admin.site.unregister(User)


@admin.register(User)
class ContactCenterUserAdmin(UserAdmin):
    inlines = [*UserAdmin.inlines, AgentInline]


class QueueWidgetInline(admin.TabularInline):
    model = QueueWidget
    extra = 0
    fields = ["position", "kind", "url"]
    verbose_name_plural = "activity screen layout (the message widget is always shown)"


class MembershipInline(admin.TabularInline):
    model = QueueMembership
    extra = 0
    autocomplete_fields = ["agent"]
    fields = ["agent", "logged_in"]


@admin.register(Queue)
class QueueAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "name",
        "routing_strategy",
        "accept_timeout",
        "unpaid_pause_on_timeout",
        "reminder_mode",
        "member_count",
    ]
    list_display_links = ["number", "name"]
    list_filter = ["routing_strategy", "reminder_mode", "unpaid_pause_on_timeout"]
    search_fields = ["name", "=number"]
    filter_horizontal = ["statuses"]
    inlines = [QueueWidgetInline, MembershipInline]
    fieldsets = [
        (None, {"fields": ["number", "name", "routing_strategy"]}),
        ("Notifications", {"fields": ["accept_timeout", "unpaid_pause_on_timeout"]}),
        ("Reminders", {"fields": ["reminder_mode", "reminder_delay"]}),
        ("Closing and links", {"fields": ["statuses", "admin_url_template"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_count=Count("memberships"))

    @admin.display(description="agents", ordering="member_count")
    def member_count(self, queue: Queue) -> int:
        return queue.member_count


@admin.register(Status)
class StatusAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]


@admin.register(Agent)
class AgentAdmin(admin.ModelAdmin):
    list_display = [
        "display_name",
        "user",
        "max_open_chats",
        "is_online",
        "current_pause",
    ]
    list_filter = ["is_online", "memberships__queue"]
    list_select_related = ["user"]
    search_fields = ["display_name", "user__username", "user__email"]
    readonly_fields = ["is_online"]
    autocomplete_fields = ["user"]
    inlines = [MembershipInline]

    def get_queryset(self, request):
        open_pause = Pause.objects.filter(agent=OuterRef("pk"), ended_at__isnull=True)
        return (
            super()
            .get_queryset(request)
            .annotate(current_pause=Subquery(open_pause.values("reason__name")[:1]))
        )

    @admin.display(description="paused for")
    def current_pause(self, agent: Agent) -> str:
        return agent.current_pause or "—"


@admin.register(PauseReason)
class PauseReasonAdmin(admin.ModelAdmin):
    list_display = ["name", "paid", "is_missed_offer"]
    list_filter = ["paid"]
    search_fields = ["name"]


@admin.register(Pause)
class PauseAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["agent", "reason", "cause", "started_at", "ended_at", "ended_by"]
    list_filter = ["reason", "cause", ("ended_at", admin.EmptyFieldListFilter)]
    list_select_related = ["agent", "reason", "ended_by"]
    search_fields = ["agent__display_name"]
    date_hierarchy = "started_at"


class ParticipantInline(ReadOnlyMixin, admin.TabularInline):
    model = Participant
    fields = ["agent", "role", "joined_at", "left_at"]


class OfferInline(ReadOnlyMixin, admin.TabularInline):
    model = Offer
    fields = ["agent", "kind", "outcome", "created_at", "deadline", "decided_at"]


class ActivityEventInline(ReadOnlyMixin, admin.TabularInline):
    model = ActivityEvent
    fields = ["created_at", "kind", "actor", "agent", "data"]


@admin.register(Activity)
class ActivityAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "id",
        "title",
        "queue",
        "state",
        "owner",
        "important",
        "queued_at",
        "closed_at",
    ]
    list_filter = ["state", "queue", "important", "status"]
    list_select_related = ["queue", "owner"]
    search_fields = ["title", "owner__display_name"]
    date_hierarchy = "queued_at"
    inlines = [ParticipantInline, OfferInline, ActivityEventInline]


@admin.register(Offer)
class OfferAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "id",
        "activity",
        "agent",
        "kind",
        "outcome",
        "created_at",
        "deadline",
    ]
    list_filter = ["outcome", "kind", "activity__queue"]
    list_select_related = ["activity", "agent"]
    search_fields = ["agent__display_name", "activity__title"]


@admin.register(CalendarEvent)
class CalendarEventAdmin(admin.ModelAdmin):
    list_display = ["title", "agent", "starts_at", "ends_at"]
    list_filter = ["agent"]
    list_select_related = ["agent"]
    search_fields = ["title", "agent__display_name"]
    date_hierarchy = "starts_at"
