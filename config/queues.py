"""Which Celery queue each task waits in, by task name, in one table.

Why: with every task in one queue, a backlog of webhooks delayed the clock. Webhooks at 50/s for
55 s queued 2,698 tasks in front of everything else; an offer's expiry (a task with an ETA,
which a worker only receives once it reaches the head of the queue) was 1.3 to 9.5 s late, and
the once-a-second deadline sweep reached a worker every 3 to 13 s. So:

- `deadlines`: everything the clock drives (offer deadlines, reminders, postponed returns,
  presence timers, calendar follow-ups) and every beat sweep. Its own worker (the Procfile's
  `deadlines`) consumes nothing else, so no backlog can stand between a deadline and the
  worker that keeps it.
- `inbound`: applying providers' webhook deliveries. A Redis list is first in, first out, and
  workers take one task per process at a time (prefetch 1), so under a backlog customers are
  served in the order they wrote. A delivery retried after an error waits out its backoff in
  the worker, beside the queue, so it holds up no one behind it.
- `outbound`: calls to providers (sends, inbound files fetched, customers' profiles): slow,
  retried with backoff, and never in the way of customers' messages being applied.
- `webhooks`: integrators' outgoing webhooks, fanned out from the outbox and posted to their
  endpoints. A receiver may take its whole timeout (WEBHOOK_TIMEOUT) to answer, and a dead one
  fails every delivery of a burst: in a queue of their own they wait behind each other, never in
  front of customers' sends (`outbound`) or routing (`celery`); a worker takes from its queues
  in turn, so a backlog here only slows webhooks.
- `celery`, Celery's default name, for the rest (routing an agent who became free, the
  simulator's webhooks). Kept by that name so tasks queued before an upgrade are still taken.

A worker started without `-Q` consumes every queue here (tests, benches, a one-process
deployment); `config.settings` declares them for that.
"""

DEADLINES = "deadlines"
INBOUND = "inbound"
OUTBOUND = "outbound"
WEBHOOKS = "webhooks"
DEFAULT = "celery"
QUEUES = (DEADLINES, INBOUND, OUTBOUND, WEBHOOKS, DEFAULT)

ROUTES = {
    "contactcenter.tasks.offer_expire": DEADLINES,
    "contactcenter.tasks.offers_expire_overdue": DEADLINES,
    "contactcenter.tasks.activities_route_waiting": DEADLINES,
    "contactcenter.tasks.activity_resume_due": DEADLINES,
    "contactcenter.tasks.activities_resume_due": DEADLINES,
    "contactcenter.tasks.reminder_due": DEADLINES,
    "contactcenter.tasks.presence_settle": DEADLINES,
    "contactcenter.tasks.presence_sweep": DEADLINES,
    "messaging.tasks.messages_requeue_stale": DEADLINES,
    "messaging.tasks.webhook_events_requeue_stale": DEADLINES,
    "messaging.tasks.webhook_event_process": INBOUND,
    "messaging.tasks.message_deliver": OUTBOUND,
    "messaging.tasks.attachment_download": OUTBOUND,
    "messaging.tasks.identity_profile_fetch": OUTBOUND,
    "schedule.tasks.event_remind": DEADLINES,
    "schedule.tasks.events_remind_due": DEADLINES,
    "integrations.tasks.webhooks_sweep": DEADLINES,
    "integrations.tasks.webhooks_prune": DEADLINES,
    "integrations.tasks.outbox_dispatch": WEBHOOKS,
    "integrations.tasks.delivery_attempt": WEBHOOKS,
}
