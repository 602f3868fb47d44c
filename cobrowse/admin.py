"""Rooms in the back office: read-only (every change is a service's, from the widget and the
sockets), with who joined and left when."""

from django.contrib import admin
from django.db.models import Count

from cobrowse.models import Participant, Room


class ParticipantInline(admin.TabularInline):
    model = Participant
    fields = ["label", "role", "agent", "joined_at", "left_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["number", "activity", "created_by", "opened_at", "ended_at", "people"]
    list_filter = [("ended_at", admin.EmptyFieldListFilter)]
    search_fields = ["number", "activity__title", "created_by__display_name"]
    list_select_related = ["activity", "created_by"]
    fields = ["number", "activity", "created_by", "opened_at", "ended_at", "allow_more_customers"]
    readonly_fields = fields
    inlines = [ParticipantInline]
    date_hierarchy = "opened_at"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(people_count=Count("participants"))

    @admin.display(description="Joins", ordering="people_count")
    def people(self, room: Room) -> int:
        return room.people_count

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return request.method in ("GET", "HEAD") and super().has_view_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
