"""Changes reported to integrators through outgoing webhooks, by type.

A service that makes such a change calls `outbox_record` inside its transaction: the row commits
with the change or not at all. Once the transaction commits, `ports.outbox_written` asks the
integrations app to fan the rows out to the endpoints that subscribed (and a sweep catches any
whose ask was lost), so the core knows nothing of endpoints, signing or retries.

What each type carries is built here for the core's rows (activities, agents) and in the owning
app's `outbox.py` for the others, always from the rows the service already holds, read after the
change: related rows by id, with the few names a receiver shows (queue, agent, status) so it
needs no call back. `EVENT_EXAMPLES` shows one of each, for the API docs and the README; the
tests hold every payload they record to its example's keys.
"""

from django.db import transaction

from contactcenter.models import Activity, Agent, Offer, OutboxEvent, Pause, Queue, QueueMembership
from contactcenter.permissions import is_integration
from contactcenter.ports import ports

EVENT_TYPES: dict[str, str] = {
    "activity.created": "A conversation entered a queue: a customer wrote, or an agent or an "
    "integration started one.",
    "activity.offered": "A conversation was offered to an agent (a notification with a deadline).",
    "activity.accepted": "An agent accepted a conversation or took it from the waiting list.",
    "activity.transferred": "A conversation was handed to another agent or queue.",
    "activity.closed": "A conversation was closed, with its status.",
    "message.created": "A message was written in a conversation: by the customer (`in`), by an "
    "agent or integration (`out`).",
    "message.status_changed": "An outgoing message was sent, delivered, read, or failed (or "
    "queued again to be retried).",
    "contact.created": "A CRM contact was created.",
    "contact.updated": "A CRM contact was changed.",
    "ticket.created": "A ticket was created.",
    "ticket.updated": "A ticket was changed.",
    "agent.state_changed": "An agent came online or went offline, started or ended a pause, or "
    "logged in or out of a queue.",
}

_ACTIVITY_EXAMPLE = {
    "id": 1042,
    "state": "open",
    "title": "Sheena Nelson",
    "queue": {"id": 1, "number": 100, "name": "Sales"},
    "channel_account": {"id": 3, "provider": "whatsapp"},
    "identity_id": 77,
    "contact_id": 12,
    "ticket_id": None,
    "owner": {"id": 5, "name": "Ada Novak"},
    "status": None,
    "important": False,
    "queued_at": "2026-03-02T09:14:03.120Z",
    "accepted_at": "2026-03-02T09:14:11.502Z",
    "closed_at": None,
}
_WAITING_EXAMPLE = {**_ACTIVITY_EXAMPLE, "state": "waiting", "owner": None, "accepted_at": None}
_AGENT_EXAMPLE = {"id": 5, "name": "Ada Novak"}

EVENT_EXAMPLES: dict[str, dict] = {
    "activity.created": {
        "activity": _WAITING_EXAMPLE,
        "started_by": {"type": "customer", "id": 77, "name": "Sheena Nelson"},
    },
    "activity.offered": {
        "activity": _WAITING_EXAMPLE,
        "agent": _AGENT_EXAMPLE,
        "offer_id": 3301,
        "kind": "route",
        "deadline": "2026-03-02T09:14:33.120Z",
    },
    "activity.accepted": {
        "activity": _ACTIVITY_EXAMPLE,
        "agent": _AGENT_EXAMPLE,
        "offer_id": 3301,
        "kind": "route",
    },
    "activity.transferred": {
        "activity": _WAITING_EXAMPLE,
        "from_agent": _AGENT_EXAMPLE,
        "to_agent": None,
        "to_queue": {"id": 2, "number": 200, "name": "Support"},
    },
    "activity.closed": {
        "activity": {
            **_ACTIVITY_EXAMPLE,
            "state": "closed",
            "status": {"id": 4, "name": "Resolved"},
            "closed_at": "2026-03-02T09:31:47.004Z",
        },
        "closed_by": {"type": "agent", "id": 5, "name": "Ada Novak"},
    },
    "message.created": {
        "message": {
            "id": 88120,
            "activity_id": 1042,
            "direction": "in",
            "text": "Has my order shipped?",
            "author": {"type": "customer", "id": 77, "name": "Sheena Nelson"},
            "template_id": None,
            "attachments": [
                {
                    "id": 501,
                    "kind": "image",
                    "filename": "receipt.jpg",
                    "content_type": "image/jpeg",
                    "size": 48213,
                }
            ],
            "status": "received",
            "created_at": "2026-03-02T09:14:03.120Z",
        }
    },
    "message.status_changed": {
        "message": {
            "id": 88121,
            "activity_id": 1042,
            "status": "failed",
            "error_code": "131047",
            "error_reason": "More than 24 hours have passed since the customer last wrote.",
        },
        "previous_status": "sent",
    },
    "contact.created": {
        "contact": {
            "id": 12,
            "first_name": "Sheena",
            "last_name": "Nelson",
            "name": "Sheena Nelson",
            "title": "Buyer",
            "account_id": 2,
            "emails": ["sheena@acme.example"],
            "phones": [{"number": "+16505551234", "label": "mobile"}],
            "notes": "",
            "owner_id": 1,
            "created_at": "2026-03-01T16:02:11.000Z",
            "updated_at": "2026-03-01T16:02:11.000Z",
        }
    },
    "ticket.created": {
        "ticket": {
            "id": 230,
            "number": "#230",
            "title": "Parcel not delivered",
            "description": "",
            "stage": "open",
            "priority": "high",
            "category_id": 1,
            "contact_id": 12,
            "account_id": 2,
            "owner_id": 9,
            "first_response_due": "2026-03-02T09:45:00.000Z",
            "resolution_due": "2026-03-02T17:15:00.000Z",
            "closed_at": None,
            "created_at": "2026-03-02T09:15:00.000Z",
            "updated_at": "2026-03-02T09:15:00.000Z",
        }
    },
    "agent.state_changed": {
        "agent": {
            "id": 5,
            "name": "Ada Novak",
            "online": True,
            "pause": {
                "reason": "Lunch",
                "paid": True,
                "cause": "manual",
                "started_at": "2026-03-02T12:00:04.310Z",
            },
            "queues": [{"id": 1, "logged_in": True}, {"id": 2, "logged_in": False}],
        },
        "change": "pause_started",
        "queue_id": None,
    },
}
EVENT_EXAMPLES["contact.updated"] = {
    **EVENT_EXAMPLES["contact.created"],
    "changed": ["title", "phones"],
}
EVENT_EXAMPLES["ticket.updated"] = {**EVENT_EXAMPLES["ticket.created"], "changed": ["stage"]}

# What `agent.state_changed` says changed.
ONLINE, OFFLINE = "online", "offline"
PAUSE_STARTED, PAUSE_ENDED = "pause_started", "pause_ended"
QUEUE_LOGIN, QUEUE_LOGOUT = "queue_login", "queue_logout"

# Who started or closed a conversation or wrote a message, when no person did.
BY_SYSTEM = {"type": "system", "id": None, "name": None}


def outbox_record(*, type: str, data: dict) -> OutboxEvent:
    """Write one event for integrators. Call inside the transaction of the change it reports;
    `data` is JSON (dates and decimals are encoded). Not idempotent: one call, one event."""
    if type not in EVENT_TYPES:
        raise ValueError(f"Unknown outbox event type {type!r}")
    event = OutboxEvent.objects.create(type=type, data=data)
    _ask_dispatch_on_commit()
    return event


def _ask_dispatch_on_commit() -> None:
    """One ask per transaction, however many events it wrote."""
    connection = transaction.get_connection()
    if not any(callback is _ask_dispatch for _, callback, _ in connection.run_on_commit):
        transaction.on_commit(_ask_dispatch, robust=True)


def _ask_dispatch() -> None:
    ports.outbox_written()


def example_problems(type: str, data: dict) -> list[str]:
    """Where `data` strays from its type's example (empty: nowhere): a key missing or extra, at
    any depth, so the documented examples cannot drift from what is sent. A null or an empty
    list on either side matches anything (`owner` of a waiting activity, no attachments)."""
    if type not in EVENT_EXAMPLES:
        return [f"no example for the event type {type!r}"]
    return _shape_problems(EVENT_EXAMPLES[type], data, type)


def _shape_problems(example, data, path: str) -> list[str]:
    if isinstance(example, dict) and isinstance(data, dict):
        problems = [f"{path}.{key} is missing" for key in example.keys() - data.keys()]
        problems += [f"{path}.{key} is not in the example" for key in data.keys() - example.keys()]
        for key in example.keys() & data.keys():
            problems += _shape_problems(example[key], data[key], f"{path}.{key}")
        return sorted(problems)
    if isinstance(example, list) and isinstance(data, list) and example and data:
        return [problem for item in data for problem in _shape_problems(example[0], item, path)]
    if isinstance(example, dict) != isinstance(data, dict) and None not in (example, data):
        return [f"{path} is {data!r}, where the example has {example!r}"]
    return []


# Builders


def by_agent(agent: Agent) -> dict:
    """Who did it, as `started_by`, `closed_by` and a message's `author` say: an agent."""
    return {"type": "agent", "id": agent.pk, "name": agent.display_name}


def by_user(user) -> dict:
    """A user who is no agent: an integration account (type `integration`, so a receiver can
    tell its own integration's doings from the rest), or another user such as a supervisor."""
    kind = "integration" if is_integration(user) else "user"
    return {"type": kind, "id": user.pk, "name": user.get_full_name() or user.get_username()}


def by_actor(actor) -> dict:
    """`by_agent` for an agent, `by_user` for a user acting without one."""
    return by_agent(actor) if isinstance(actor, Agent) else by_user(actor)


def by_customer(identity) -> dict:
    """The customer as their channel knows them (an identity of the messaging app)."""
    return {"type": "customer", "id": identity.pk, "name": str(identity)}


def agent_brief(agent: Agent | None) -> dict | None:
    return {"id": agent.pk, "name": agent.display_name} if agent else None


def queue_brief(queue: Queue | None) -> dict | None:
    return {"id": queue.pk, "number": queue.number, "name": queue.name} if queue else None


def activity_data(activity: Activity) -> dict:
    """The activity as every activity.* event carries it. Reads the queue, channel account,
    owner and status the locking query (`activity_for_update`) or the creating service loaded
    with it: no query."""
    account, status = activity.channel_account, activity.status
    return {
        "id": activity.pk,
        "state": activity.state,
        "title": activity.title,
        "queue": queue_brief(activity.queue),
        "channel_account": {"id": account.pk, "provider": account.provider} if account else None,
        "identity_id": activity.identity_id,
        "contact_id": activity.contact_id,
        "ticket_id": activity.ticket_id,
        "owner": agent_brief(activity.owner),
        "status": {"id": status.pk, "name": status.name} if status else None,
        "important": activity.important,
        "queued_at": activity.queued_at,
        "accepted_at": activity.accepted_at,
        "closed_at": activity.closed_at,
    }


def activity_created_data(activity: Activity, *, started_by: dict) -> dict:
    """`started_by`: `by_customer`, `by_agent` or `by_user`."""
    return {"activity": activity_data(activity), "started_by": started_by}


def activity_offered_data(offer: Offer) -> dict:
    """`kind`: route (from the queue), transfer (from a colleague) or invite (to join)."""
    return {
        "activity": activity_data(offer.activity),
        "agent": agent_brief(offer.agent),
        "offer_id": offer.pk,
        "kind": offer.kind,
        "deadline": offer.deadline,
    }


def activity_accepted_data(activity: Activity, *, agent: Agent, offer: Offer | None) -> dict:
    """Accepted from a notification (`kind` is the offer's: an invitation's agent joins beside
    the owner) or taken from the waiting list (`kind` waiting_list, no offer)."""
    return {
        "activity": activity_data(activity),
        "agent": agent_brief(agent),
        "offer_id": offer.pk if offer else None,
        "kind": offer.kind if offer else "waiting_list",
    }


def activity_transferred_data(
    activity: Activity, *, from_agent: Agent, to_agent: Agent | None, to_queue: Queue | None
) -> dict:
    """To a colleague (`to_agent`, who is offered it next) or to a queue (`to_queue`)."""
    return {
        "activity": activity_data(activity),
        "from_agent": agent_brief(from_agent),
        "to_agent": agent_brief(to_agent),
        "to_queue": queue_brief(to_queue),
    }


def activity_closed_data(activity: Activity, *, closed_by: dict) -> dict:
    """`closed_by`: `by_agent`, `by_user` or BY_SYSTEM."""
    return {"activity": activity_data(activity), "closed_by": closed_by}


def agent_state_data(agent: Agent, *, change: str, queue_id: int | None = None) -> dict:
    """The agent as they are after `change` (ONLINE ... QUEUE_LOGOUT; `queue_id` names the queue
    of a login or logout): online, paused, and logged into which of their queues. Caller holds
    `agent_for_update(agent.pk)` and passes the row it returned; two queries read the rest."""
    pause = (
        Pause.objects.filter(agent=agent, ended_at__isnull=True).select_related("reason").first()
    )
    queues = QueueMembership.objects.filter(agent=agent).order_by("queue_id")
    return {
        "agent": {
            "id": agent.pk,
            "name": agent.display_name,
            "online": agent.is_online,
            "pause": _pause_data(pause) if pause else None,
            "queues": [
                {"id": pk, "logged_in": logged_in}
                for pk, logged_in in queues.values_list("queue_id", "logged_in")
            ],
        },
        "change": change,
        "queue_id": queue_id,
    }


def _pause_data(pause: Pause) -> dict:
    return {
        "reason": pause.reason.name,
        "paid": pause.reason.paid,
        "cause": pause.cause,
        "started_at": pause.started_at,
    }


def fields_changed(instance, before: dict) -> list[str]:
    """The fields of `before` (by attribute name, as stored before the change) that `instance`
    now holds otherwise: the `changed` list of a *.updated event."""
    return [name for name, value in before.items() if getattr(instance, name) != value]
