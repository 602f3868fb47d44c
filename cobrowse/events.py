"""What the room's signaling sockets hear from the server (not from each other): one group per
room, messages sent once the change that causes them commits."""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from contactcenter.events.transport import after_commit

# The consumer's handler of each: cobrowse/consumers.py.
ROOM_ENDED = "room.ended"
SIGNAL = "room.signal"
PEER_JOINED = "room.peer_joined"
PEER_LEFT = "room.peer_left"


def room_group(room_id: int) -> str:
    return f"cobrowse.room.{room_id}"


def room_ended(room_id: int) -> None:
    """Every socket in the room is told, once the end commits, and closes."""
    after_commit(lambda: async_to_sync(get_channel_layer().group_send)(
        room_group(room_id), {"type": ROOM_ENDED}
    ))  # fmt: skip
