"""The room locks, taken after the activity's (contactcenter/lock_objects.py): activity, then
room. `no_key=True`: rooms are updated under the lock, never deleted or re-keyed, so new
participants (which reference the room) are not blocked."""

from cobrowse.models import Room


def room_for_update(room_id: int) -> Room | None:
    return (
        Room.objects.filter(pk=room_id)
        .select_related("activity", "created_by")
        .select_for_update(of=("self",), no_key=True)
        .first()
    )
