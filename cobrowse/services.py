"""Every change of a video room: opening it, admitting and joining people, leaving, ending it,
and sending its link to the customer. Each locks the activity, then the room
(cobrowse/lock_objects.py), and writes the chat's history line through the core
(`event_record`, one `cobrowse` kind whose `data.text` says what happened)."""

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from cobrowse import events
from cobrowse.ice import ice_servers_for
from cobrowse.lock_objects import room_for_update
from cobrowse.models import NUMBER_DIGITS, Participant, Role, Room
from cobrowse.selectors import agent_may_join, open_room_of, present_in, room_by_number
from contactcenter.exceptions import ApplicationError
from contactcenter.lock_objects import activity_for_update
from contactcenter.models import Activity, ActivityState, Agent, EventKind
from contactcenter.selectors import agent_for_user, agent_takes_part
from contactcenter.services.activities import event_record
from messaging.models import Message
from messaging.services.outbound import message_send

logger = logging.getLogger(__name__)

CONFERENCE_PATH = "/external/conference/"
# Wrong room numbers one address may try in the window before every try is refused: ten in
# fifteen minutes makes guessing one of 9 * 10**9 numbers hopeless.
WRONG_NUMBERS_ALLOWED = 10
WRONG_NUMBERS_WINDOW = 15 * 60
# A customer's join token opens the room's socket for this long (the page connects at once).
JOIN_TOKEN_MAX_AGE = 10 * 60
JOIN_SALT = "cobrowse.join"
CUSTOMER_LABEL = "Customer"
# A page's socket says it is alive every HEARTBEAT seconds (rtc.js); a customer not heard of
# for STALE_AFTER is gone without a goodbye (the server that held the socket stopped), and no
# longer keeps the next one out.
HEARTBEAT = 20
STALE_AFTER = timedelta(seconds=3 * HEARTBEAT)


def room_url(room: Room) -> str:
    """The room's full address, to paste into a browser: the conference page, the number as
    its fragment (never sent to the server, so it stays out of access logs)."""
    return f"{settings.SITE_URL}{CONFERENCE_PATH}#{room.number}"


def _number_new() -> str:
    """NUMBER_DIGITS random digits, the first not a zero (the number reads as one)."""
    low = 10 ** (NUMBER_DIGITS - 1)
    return str(low + secrets.randbelow(9 * low))


@transaction.atomic(durable=True)
def room_create(*, activity_id: int, agent: Agent) -> Room:
    """Open a video room on the activity for `agent`, who must take part in it; the activity's
    open room if it has one (idempotent: two clicks make one room). Records "created" in the
    chat's history. Refuses a closed activity."""
    activity = _activity_locked(activity_id, agent)
    room = open_room_of(activity)
    if room is not None:
        return room
    number = _number_new()
    while Room.objects.filter(number=number).exists():
        number = _number_new()
    room = Room(activity=activity, created_by=agent, number=number, opened_at=timezone.now())
    room.full_clean()
    room.save()
    _history(activity, room, agent, f"created by {agent.display_name}")
    return room


@dataclass(frozen=True)
class Admission:
    """What the conference page gets for a right number: the room, the token its socket opens
    with, and the ICE servers (with fresh TURN credentials)."""

    room: Room
    token: str
    ice_servers: list[dict]


def room_admit(*, number: str, address: str) -> Admission:
    """A customer typed (or followed a link with) `number`: the room's join token, if it is the
    number of an open room. Wrong numbers count against the caller's address in the Redis
    cache; past WRONG_NUMBERS_ALLOWED in the window, every number is refused (429) until the
    window ends. Refuses an ended room (410). Writes nothing to the database."""
    if _wrong_numbers(address) >= WRONG_NUMBERS_ALLOWED:
        raise ApplicationError(
            "Too many wrong room numbers from your address: try again in 15 minutes.",
            code="throttled",
            status=429,
        )
    number = number.strip().replace(" ", "")
    room = room_by_number(number) if number.isdigit() else None
    if room is None:
        _wrong_number_count(address)
        raise ApplicationError(
            "There is no video room with this number.", code="no_room", status=404
        )
    if not room.is_open:
        raise ApplicationError("This video room has ended.", code="room_ended", status=410)
    token = signing.dumps({"room": room.pk}, salt=JOIN_SALT)
    return Admission(room=room, token=token, ice_servers=ice_servers_for(f"room{room.pk}"))


def room_token_check(*, token: str, number: str) -> int | None:
    """The room id a customer's join token admits to, if it is the room numbered `number` and
    the token is recent; None otherwise."""
    try:
        data = signing.loads(token, salt=JOIN_SALT, max_age=JOIN_TOKEN_MAX_AGE)
    except signing.BadSignature:
        return None
    room = room_by_number(number) if number.isdigit() else None
    if room is None or not isinstance(data, dict) or data.get("room") != room.pk:
        return None
    return room.pk


def _wrong_numbers(address: str) -> int:
    try:
        return cache.get(_wrong_key(address), 0)
    except Exception:
        # Redis down: fail open, as the API's throttles do; the numbers' size still protects.
        logger.warning("Room number throttling skipped: Redis is unreachable", exc_info=True)
        return 0


def _wrong_number_count(address: str) -> None:
    key = _wrong_key(address)
    try:
        if not cache.add(key, 1, timeout=WRONG_NUMBERS_WINDOW):
            cache.incr(key)
    except Exception:
        logger.warning("Room number throttling skipped: Redis is unreachable", exc_info=True)


def _wrong_key(address: str) -> str:
    return f"cobrowse:wrong-numbers:{address}"


@transaction.atomic(durable=True)
def room_join(
    *, room_id: int, peer: str, agent: Agent | None = None, label: str = CUSTOMER_LABEL
) -> Participant:
    """Someone's socket enters the room as `peer`: an agent (the room's, or a colleague taking
    part in its activity), or without `agent` a customer, who was admitted by number. Refuses
    an ended room, an agent who may not join, and a second customer while one is in, unless
    the room allows more. A customer's joining is a history line."""
    room = _room_locked(room_id)
    if not room.is_open:
        raise ApplicationError("This video room has ended.", code="room_ended", status=410)
    if agent is not None and not agent_may_join(agent=agent, room=room):
        raise ApplicationError("You are not in this room's chat.", code="not_invited", status=403)
    role = Role.AGENT if agent is not None else Role.CUSTOMER
    silent = present_in(room.pk).filter(updated_at__lt=timezone.now() - STALE_AFTER)
    for gone in silent.select_for_update(of=("self",), no_key=True):
        _left(room, gone)
    customer_in = present_in(room.pk).filter(role=Role.CUSTOMER).exists()
    if role == Role.CUSTOMER and customer_in and not room.allow_more_customers:
        raise ApplicationError(
            "Someone is already in this room as the customer.", code="room_full", status=409
        )
    participant = Participant(
        room=room,
        role=role,
        agent=agent,
        label=agent.display_name if agent is not None else label,
        peer=peer,
        joined_at=timezone.now(),
    )
    participant.full_clean()
    participant.save()
    if role == Role.CUSTOMER:
        _history(room.activity, room, None, f"{participant.label} joined")
    return participant


@transaction.atomic(durable=True)
def room_leave(*, peer: str) -> Participant | None:
    """The socket `peer` left the room (closed, or lost). Idempotent: a second call, or one for
    a peer that never joined, changes nothing. A customer's leaving is a history line."""
    found = Participant.objects.filter(peer=peer).values_list("room_id", flat=True).first()
    if found is None:
        return None
    room = _room_locked(found)
    participant = Participant.objects.select_for_update(of=("self",), no_key=True).get(peer=peer)
    if participant.left_at is None:
        _left(room, participant)
    return participant


def participant_seen(*, peer: str) -> None:
    """The socket `peer` is alive (its page's heartbeat): it keeps its place in the room."""
    Participant.objects.filter(peer=peer, left_at__isnull=True).update(updated_at=timezone.now())


def _left(room: Room, participant: Participant) -> None:
    """Caller holds the activity's lock, then the room's."""
    participant.left_at = timezone.now()
    participant.save(update_fields=["left_at", "updated_at"])
    if participant.role == Role.CUSTOMER and room.is_open:
        _history(room.activity, room, None, f"{participant.label} left")


@transaction.atomic(durable=True)
def room_end(*, room_id: int, agent: Agent) -> Room:
    """End the room for everyone: whoever is connected leaves, their sockets are told and
    closed once this commits; the number admits nobody again. `agent` is one who may join it.
    Idempotent."""
    room = _room_locked(room_id)
    if not agent_may_join(agent=agent, room=room):
        raise ApplicationError("You are not in this room's chat.", code="not_invited", status=403)
    if room.is_open:
        _end(room, agent, f"ended by {agent.display_name}")
    return room


def activity_room_end(*, activity: Activity) -> None:
    """The chat is closing: its open room ends with it, so its number admits nobody and the
    customer still in it is told. Plugged into the core's `ports.activity_closing`; the
    caller holds the activity's lock."""
    room = (
        Room.objects.filter(activity=activity, ended_at__isnull=True)
        .select_for_update(of=("self",), no_key=True)
        .first()
    )
    if room is not None:
        room.activity = activity
        _end(room, None, "ended with the chat")


def _end(room: Room, agent: Agent | None, text: str) -> None:
    """Caller holds the activity's lock, then the room's."""
    now = timezone.now()
    room.ended_at = now
    room.save(update_fields=["ended_at", "updated_at"])
    present_in(room.pk).update(left_at=now, updated_at=now)
    _history(room.activity, room, agent, text)
    events.room_ended(room.pk)


@transaction.atomic(durable=True)
def room_allow_more(*, room_id: int, agent: Agent, allow: bool) -> Room:
    """Let more than one customer in (or not), for people joining from now on."""
    room = _room_locked(room_id)
    if not agent_may_join(agent=agent, room=room):
        raise ApplicationError("You are not in this room's chat.", code="not_invited", status=403)
    room.allow_more_customers = allow
    room.save(update_fields=["allow_more_customers", "updated_at"])
    return room


def room_send_link(*, room_id: int, agent: Agent) -> list[Message]:
    """Post the room's full URL into the chat, to the customer through the channel (as the
    agent's message: the same checks, the reply window included). Refuses an ended room."""
    with transaction.atomic(durable=True):
        room = _room_locked(room_id)
        if not room.is_open:
            raise ApplicationError("This video room has ended.", code="room_ended", status=410)
        text = f"Join me in a video call: {room_url(room)}"
        return message_send(activity=room.activity, author=agent, text=text)


def _activity_locked(activity_id: int, agent: Agent) -> Activity:
    activity = activity_for_update(activity_id)
    if activity is None or not agent_takes_part(agent=agent, activity=activity):
        raise ApplicationError("You are not in this chat.", code="not_participant", status=403)
    if activity.state == ActivityState.CLOSED:
        raise ApplicationError("The chat is closed.", code="activity_closed", status=409)
    return activity


def _room_locked(room_id: int) -> Room:
    """The activity's lock, then the room's (the order every service takes them in)."""
    activity_id = Room.objects.filter(pk=room_id).values_list("activity_id", flat=True).first()
    activity = activity_for_update(activity_id) if activity_id is not None else None
    room = room_for_update(room_id) if activity is not None else None
    if room is None:
        raise ApplicationError("There is no such video room.", code="no_room", status=404)
    room.activity = activity
    return room


def _history(activity: Activity, room: Room, agent: Agent | None, text: str) -> None:
    """Caller holds the activity's lock."""
    event_record(activity, EventKind.COBROWSE, agent, {"room": room.number, "text": text})


def room_enter(
    *, number: str, peer: str, user: AbstractBaseUser | None, token: str = ""
) -> Participant:
    """A signaling socket asks into the room numbered `number`: with a join token (from
    `room_admit`) as the customer, else as the signed-in agent. Refuses (ApplicationError)
    anyone else, and whatever `room_join` refuses."""
    if token:
        room_id = room_token_check(token=token, number=number)
        if room_id is None:
            raise ApplicationError("Join the room with its number first.", code="no_token",
                                   status=403)  # fmt: skip
        return room_join(room_id=room_id, peer=peer)
    agent = agent_for_user(user) if user is not None and user.is_authenticated else None
    room = room_by_number(number) if number.isdigit() else None
    if agent is None or room is None:
        raise ApplicationError("Join the room with its number first.", code="no_token",
                               status=403)  # fmt: skip
    return room_join(room_id=room.pk, peer=peer, agent=agent)
