"""The supervisors' back office.

Plain configuration (queues, statuses, pause reasons) is edited here directly. Agents
and who works in which queue are saved through their services (`save_model`, `save_formset`),
inside the admin's own transaction: a new member is routed at once, their workspace updated.
Activities, offers, pauses and queue logins change only through their services, so the admin
shows them read-only; its actions ("End pause", "Log out of queue" ...) call those services
with the supervisor as the actor, one agent at a time, outside any transaction of the admin's
own (those services are durable transactions).
"""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest

from contactcenter.exceptions import ApplicationError
from contactcenter.models import (
    Activity,
    ActivityEvent,
    Agent,
    Offer,
    Participant,
    Pause,
    PauseReason,
    Queue,
    QueueMembership,
    QueueWidget,
    Status,
)
from contactcenter.selectors import offers_ringing, open_chats
from contactcenter.services.availability import pause_end, queue_login
from contactcenter.services.configuration import (
    agent_profile_create,
    agent_update,
    membership_add,
    membership_remove,
)
from contactcenter.widgets import widget_installed

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


class ServiceActionsMixin:
    """Actions that call services. The model admins they sit on may be read-only
    (`has_change_permission` is False), so they ask for the model permission itself."""

    def has_end_pause_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("contactcenter.change_pause")

    def has_queue_login_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("contactcenter.change_queuemembership")

    def pauses_end(self, request: HttpRequest, agents: list[Agent]) -> None:
        ended = sum(pause_end(agent=agent, actor=request.user) for agent in agents)
        not_paused = len(agents) - ended
        message = f"Ended {ended} pause{'' if ended == 1 else 's'}."
        if not_paused:
            message += f" {not_paused} agent{' was' if not_paused == 1 else 's were'} not paused."
        self.message_user(request, message, messages.SUCCESS if ended else messages.WARNING)


class AgentInline(admin.StackedInline):
    model = Agent
    can_delete = False
    fields = ["display_name", "max_open_chats"]
    verbose_name_plural = "agent profile (makes this user an agent)"


def agent_save(form: ModelForm, *, user=None) -> None:
    """A new agent profile or a changed one, from an admin form, through the services."""
    agent = form.instance
    if agent.pk is None:
        fields = {name: form.cleaned_data[name] for name in ("display_name", "max_open_chats")}
        agent.pk = agent_profile_create(user=user or agent.user, **fields).pk
    elif form.has_changed():
        agent_update(
            agent_id=agent.pk, **{name: form.cleaned_data[name] for name in form.changed_data}
        )


def memberships_save(formset: BaseInlineFormSet) -> None:
    """An inline of queue memberships, through the services: removed rows leave, new rows join
    (a row moved to another agent or queue does both)."""
    for membership in formset.save(commit=False):
        if membership.pk is not None:
            membership_remove(membership_id=membership.pk)
        membership_add(agent=membership.agent, queue=membership.queue)
    for membership in formset.deleted_objects:
        membership_remove(membership_id=membership.pk)


class MembershipsSavedByServices:
    """A model admin whose queue-membership inline saves through the services."""

    def save_formset(self, request, form, formset, change) -> None:
        if formset.model is QueueMembership:
            memberships_save(formset)
        else:
            super().save_formset(request, form, formset, change)


admin.site.unregister(User)


@admin.register(User)
class ContactCenterUserAdmin(UserAdmin):
    """Supervisors manage the users who are agents and can grant nothing they do not hold:
    superuser status and permissions one by one are shown to them, not edited, and a
    superuser's account (its password above all) is only shown."""

    inlines = [*UserAdmin.inlines, AgentInline]
    superuser_only_fields = ["is_superuser", "user_permissions"]

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if request.user.is_superuser:
            return fields
        return [*fields, *self.superuser_only_fields]

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and _may_manage(request.user, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and _may_manage(request.user, obj)

    def save_formset(self, request, form, formset, change) -> None:
        if formset.model is not Agent:
            super().save_formset(request, form, formset, change)
            return
        formset.save(commit=False)  # what changed, for the history (nothing is saved)
        for agent_form in formset.forms:
            if agent_form.has_changed():
                agent_save(agent_form, user=form.instance)


def _may_manage(user, account) -> bool:
    """Whether `user` may change or delete `account` (None: users in general)."""
    return account is None or user.is_superuser or not account.is_superuser


class QueueWidgetInline(admin.TabularInline):
    """The queue's layout, each widget saying whether it reaches the screen: one whose app is
    not installed is listed with the reason, rather than silently missing there."""

    model = QueueWidget
    extra = 0
    fields = ["position", "kind", "url", "on_screen"]
    readonly_fields = ["on_screen"]
    verbose_name_plural = "activity screen layout (the message widget is always shown)"

    @admin.display(description="on the screen")
    def on_screen(self, widget: QueueWidget) -> str:
        if widget.pk is None:
            return ""
        if widget_installed(widget.kind):
            return "Shown"
        return f"Not shown: the app of the {widget.get_kind_display()} widget is not installed"


class MembershipInline(admin.TabularInline):
    """Which queues an agent works in. Whether they are logged in right now is shown, not
    edited: supervisors change it with the queue memberships' actions."""

    model = QueueMembership
    extra = 0
    autocomplete_fields = ["agent"]
    fields = ["agent", "logged_in"]
    readonly_fields = ["logged_in"]


class AgentMembershipInline(MembershipInline):
    autocomplete_fields = ["queue"]
    fields = ["queue", "logged_in"]


@admin.register(Queue)
class QueueAdmin(MembershipsSavedByServices, admin.ModelAdmin):
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
        (
            "Service level and the live monitor",
            {
                "fields": [
                    "service_level_seconds",
                    "service_level_target",
                    "service_level_alert",
                    "wait_warning_seconds",
                    "wait_alert_seconds",
                ]
            },
        ),
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
class AgentAdmin(MembershipsSavedByServices, ServiceActionsMixin, admin.ModelAdmin):
    """Agents' configuration, and their live state on the list: online, pause, load, logins.

    Every column comes from the list's own query (annotations) or one prefetch, so the page
    runs the same queries for 1 agent or 100.
    """

    list_display = [
        "display_name",
        "user",
        "is_online",
        "pause_reason",
        "pause_since",
        "chats",
        "pending_offers",
        "logged_in_queues",
    ]
    list_filter = ["is_online", "memberships__queue"]
    list_select_related = ["user"]
    search_fields = ["display_name", "user__username", "user__email"]
    readonly_fields = ["is_online"]
    autocomplete_fields = ["user"]
    inlines = [AgentMembershipInline]
    actions = ["end_pause"]

    def get_queryset(self, request):
        open_pause = Pause.objects.filter(agent=OuterRef("pk"), ended_at__isnull=True)
        logged_in = QueueMembership.objects.filter(logged_in=True).select_related("queue")
        return (
            super()
            .get_queryset(request)
            .annotate(
                pause_reason=Subquery(open_pause.values("reason__name")[:1]),
                pause_since=Subquery(open_pause.values("started_at")[:1]),
                open_chats=open_chats(),
                pending_offers=offers_ringing(),
            )
            .prefetch_related(
                Prefetch("memberships", queryset=logged_in, to_attr="logged_in_memberships")
            )
        )

    @admin.display(description="pause", ordering="pause_reason", empty_value="—")
    def pause_reason(self, agent: Agent) -> str | None:
        return agent.pause_reason

    @admin.display(description="paused since", ordering="pause_since", empty_value="—")
    def pause_since(self, agent: Agent):
        return agent.pause_since

    @admin.display(description="open chats / max", ordering="open_chats")
    def chats(self, agent: Agent) -> str:
        return f"{agent.open_chats}/{agent.max_open_chats}"

    @admin.display(description="notifications ringing", ordering="pending_offers")
    def pending_offers(self, agent: Agent) -> int:
        return agent.pending_offers

    @admin.display(description="logged into", empty_value="—")
    def logged_in_queues(self, agent: Agent) -> str:
        return ", ".join(str(membership.queue) for membership in agent.logged_in_memberships)

    @admin.action(description="End pause", permissions=["end_pause"])
    def end_pause(self, request: HttpRequest, queryset: QuerySet[Agent]) -> None:
        self.pauses_end(request, list(queryset))

    def save_model(self, request, obj: Agent, form, change) -> None:
        agent_save(form)


@admin.register(QueueMembership)
class QueueMembershipAdmin(ServiceActionsMixin, admin.ModelAdmin):
    """Who works in which queue. Logging an agent into or out of a queue is an action (the
    service locks the agent, tells their workspace and routes them), never a form edit."""

    list_display = ["agent", "queue", "logged_in", "updated_at"]
    list_filter = ["logged_in", "queue", "agent__is_online"]
    list_select_related = ["agent", "queue"]
    search_fields = [
        "agent__display_name",
        "agent__user__username",
        "queue__name",
        "=queue__number",
    ]
    autocomplete_fields = ["agent", "queue"]
    readonly_fields = ["logged_in"]
    actions = ["log_out", "log_in"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:  # a membership is not moved to another agent or queue
            return ["agent", "queue", "logged_in"]
        return self.readonly_fields

    def save_model(self, request, obj: QueueMembership, form, change) -> None:
        if not change:
            obj.pk = membership_add(agent=obj.agent, queue=obj.queue).pk

    def delete_model(self, request, obj: QueueMembership) -> None:
        membership_remove(membership_id=obj.pk)

    def delete_queryset(self, request, queryset: QuerySet[QueueMembership]) -> None:
        for membership_id in list(queryset.values_list("pk", flat=True)):
            membership_remove(membership_id=membership_id)

    @admin.action(description="Log out of queue", permissions=["queue_login"])
    def log_out(self, request: HttpRequest, queryset: QuerySet[QueueMembership]) -> None:
        self._queue_login(request, queryset, logged_in=False)

    @admin.action(description="Log into queue", permissions=["queue_login"])
    def log_in(self, request: HttpRequest, queryset: QuerySet[QueueMembership]) -> None:
        self._queue_login(request, queryset, logged_in=True)

    def _queue_login(
        self, request: HttpRequest, queryset: QuerySet[QueueMembership], *, logged_in: bool
    ) -> None:
        changed = 0
        for membership in queryset.select_related("agent", "queue"):
            if membership.logged_in == logged_in:
                continue
            try:
                queue_login(
                    agent=membership.agent,
                    queue_id=membership.queue_id,
                    logged_in=logged_in,
                    actor=request.user,
                )
            except ApplicationError as error:  # removed from the queue meanwhile
                self.message_user(request, f"{membership}: {error.message}", messages.ERROR)
                continue
            changed += 1
        verb = "into" if logged_in else "out of"
        noun = "membership" if changed == 1 else "memberships"
        self.message_user(request, f"Logged {changed} {noun} {verb} the queue.", messages.SUCCESS)


@admin.register(PauseReason)
class PauseReasonAdmin(admin.ModelAdmin):
    list_display = ["name", "paid", "is_missed_offer"]
    list_filter = ["paid"]
    search_fields = ["name"]


@admin.register(Pause)
class PauseAdmin(ServiceActionsMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["agent", "reason", "cause", "started_at", "ended_at", "ended_by"]
    list_filter = ["reason", "cause", ("ended_at", admin.EmptyFieldListFilter)]
    list_select_related = ["agent", "reason", "ended_by"]
    search_fields = ["agent__display_name"]
    date_hierarchy = "started_at"
    actions = ["end_pause"]

    @admin.action(description="End pause", permissions=["end_pause"])
    def end_pause(self, request: HttpRequest, queryset: QuerySet[Pause]) -> None:
        """Ends the selected pauses that are still open (ended ones are left as they are)."""
        open_pauses = queryset.filter(ended_at__isnull=True).select_related("agent")
        self.pauses_end(request, list({pause.agent for pause in open_pauses}))


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    """Rows shown on their parent's page, never edited there. Every field listed is read-only,
    so the list may name fields no form can hold (timestamps such as `created_at`)."""

    def get_readonly_fields(self, request, obj=None):
        return self.fields


class ParticipantInline(ReadOnlyInline):
    model = Participant
    fields = ["agent", "role", "joined_at", "left_at"]


class OfferInline(ReadOnlyInline):
    model = Offer
    fields = ["agent", "kind", "outcome", "created_at", "deadline", "decided_at"]


class ActivityEventInline(ReadOnlyInline):
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
