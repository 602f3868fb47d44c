"""How long the supervisors' report takes over a big history: `--activities` chats (one
million by default) spread over a year, with their notifications and messages, then a month's
report by each grouping, timed against a floor measured in the same run (counting that month's
activities, the least any report must read).

PostgreSQL is the back end this is about (a database whose name holds "bench"; it is dropped
and made again); SQLite works for a smaller `--activities`.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/contactcenter_bench \\
    REDIS_URL=redis://127.0.0.1:6379/13 .venv/bin/python bench/reports.py
"""

import argparse
import contextlib
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.e2e_latency import stage

GROUPINGS = ("queue", "agent", "channel", "day", "hour")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each report")
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        staged = stage(stack, "reports")
        started = time.perf_counter()
        seed(args.activities, postgres=not staged.database_url.startswith("sqlite"))
        print(f"seeded {args.activities:,} activities in {time.perf_counter() - started:.0f} s")
        measure(args.repeat)


def seed(activities: int, *, postgres: bool) -> None:
    """A year of chats in 5 queues over 4 channel accounts, 50 agents; each chat with one
    accepted notification (a fifth also a missed one) and four messages. Written with
    INSERT ... SELECT on PostgreSQL (seconds, not hours), in batches through the ORM on SQLite."""
    from contactcenter.models import Agent, Queue
    from tests.factories import AgentFactory, ChannelAccountFactory

    queues = [Queue.objects.create(number=900 + n, name=f"Bench {n}") for n in range(5)]
    accounts = [
        ChannelAccountFactory(queue=queues[n], **{provider: True} if provider else {})
        for n, provider in enumerate(["", "messenger", "instagram", "viber"])
    ]
    agents = [AgentFactory(display_name=f"Agent {n}") for n in range(50)]
    if not postgres:
        return seed_orm(activities, accounts, agents)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(SEED_SQL, {
            "n": activities,
            "queues": [queue.pk for queue in queues],
            "accounts": [account.pk for account in accounts],
            "agents": [agent.pk for agent in agents],
        })  # fmt: skip
        cursor.execute("ANALYZE")
    assert Agent.objects.count() == 50


# Identities, activities (arrived over the year before today; 90% accepted within 0-120 s,
# closed 2-30 min later), notifications and messages, each one statement.
SEED_SQL = """
CREATE TEMP TABLE bench_chat AS
SELECT g AS n,
       (%(queues)s::bigint[])[1 + g %% 5] AS queue_id,
       (%(accounts)s::bigint[])[1 + g %% 4] AS account_id,
       (%(agents)s::bigint[])[1 + g %% 50] AS agent_id,
       now() - (g::float / %(n)s) * interval '365 days' AS arrived,
       (g %% 10 <> 0) AS answered,
       (g %% 121) * interval '1 second' AS wait
FROM generate_series(1, %(n)s) AS g;

INSERT INTO messaging_externalidentity
    (created_at, updated_at, channel_account_id, provider_user_id, display_name, phone,
     viber_subscription)
SELECT arrived, arrived, account_id, 'bench-' || n, 'Customer ' || n, '', ''
FROM bench_chat;

INSERT INTO contactcenter_activity
    (created_at, updated_at, queue_id, channel_account_id, identity_id, owner_id, state, title,
     important, queued_at, accepted_at, started_by_agent, first_accepted_at,
     first_customer_message_at, first_reply_at, closed_at)
SELECT c.arrived, c.arrived, c.queue_id, c.account_id, i.id,
       CASE WHEN c.answered THEN c.agent_id END, 'closed', 'Customer ' || c.n, false,
       c.arrived, CASE WHEN c.answered THEN c.arrived + c.wait END, false,
       CASE WHEN c.answered THEN c.arrived + c.wait END, c.arrived,
       CASE WHEN c.answered THEN c.arrived + c.wait + interval '90 seconds' END,
       c.arrived + c.wait + (2 + c.n %% 28) * interval '1 minute'
FROM bench_chat c JOIN messaging_externalidentity i
    ON i.channel_account_id = c.account_id AND i.provider_user_id = 'bench-' || c.n;

INSERT INTO contactcenter_offer
    (created_at, updated_at, activity_id, agent_id, kind, outcome, deadline, decided_at)
SELECT a.queued_at, a.queued_at, a.id, coalesce(a.owner_id, (%(agents)s::bigint[])[1]), 'route',
       CASE WHEN a.owner_id IS NULL THEN 'expired' ELSE 'accepted' END,
       a.queued_at + interval '30 seconds', a.queued_at + interval '20 seconds'
FROM contactcenter_activity a WHERE a.title LIKE 'Customer %%';

INSERT INTO messaging_message
    (created_at, updated_at, activity_id, channel_account_id, identity_id, direction, author_id,
     text, template_parameters, provider_message_id, status, error_code, error_reason, tag,
     send_attempts)
SELECT a.queued_at + m * interval '1 minute', a.queued_at, a.id, a.channel_account_id,
       a.identity_id, CASE WHEN m %% 2 = 0 THEN 'in' ELSE 'out' END,
       CASE WHEN m %% 2 = 1 THEN a.owner_id END, 'Hello', '[]', 'bench-' || a.id || '-' || m,
       CASE WHEN m %% 2 = 0 THEN 'received' ELSE 'read' END, '', '', '', 0
FROM contactcenter_activity a, generate_series(0, 3) AS m
WHERE a.title LIKE 'Customer %%' AND (m %% 2 = 0 OR a.owner_id IS NOT NULL);
"""


def seed_orm(activities: int, accounts, agents) -> None:
    from django.utils import timezone

    from contactcenter.models import Activity
    from messaging.models import ExternalIdentity

    now = timezone.now()
    for start in range(0, activities, 5000):
        batch = range(start, min(start + 5000, activities))
        identities = ExternalIdentity.objects.bulk_create(
            ExternalIdentity(channel_account=accounts[n % 4], provider_user_id=f"bench-{n}")
            for n in batch
        )
        Activity.objects.bulk_create(
            Activity(
                queue_id=identity.channel_account.queue_id,
                channel_account=identity.channel_account,
                identity=identity,
                state="closed",
                title=f"Customer {n}",
                queued_at=now - timedelta(days=365 * n / activities),
                closed_at=now - timedelta(days=365 * n / activities) + timedelta(minutes=5),
                first_accepted_at=now - timedelta(days=365 * n / activities, seconds=-30),
                owner=agents[n % 50],
            )
            for n, identity in zip(batch, identities, strict=True)
        )


def measure(repeat: int) -> None:
    """A month ending yesterday: the floor, then each grouping, medians of `repeat` runs."""
    from django.db import connection, reset_queries
    from django.utils import timezone

    from contactcenter.models import Activity
    from supervision.reports import report_build

    end = timezone.localdate() - timedelta(days=1)
    start = end - timedelta(days=30)
    tz = timezone.get_current_timezone()

    def floor() -> None:
        Activity.objects.filter(queued_at__date__gte=start, queued_at__date__lte=end).count()

    floor_ms = median_ms(floor, repeat)
    month = Activity.objects.filter(queued_at__date__gte=start, queued_at__date__lte=end).count()
    print(f"a month ({start} to {end}): {month:,} activities; floor (count them) "
          f"{floor_ms:.0f} ms")  # fmt: skip
    print(f"{'by':8} {'median ms':>10} {'x floor':>8} {'queries':>8} {'rows':>6}")
    for by in GROUPINGS:
        ms = median_ms(lambda by=by: report_build(start=start, end=end, by=by, tz=tz), repeat)
        reset_queries()
        connection.force_debug_cursor = True
        rows = len(report_build(start=start, end=end, by=by, tz=tz).rows)
        queries = len(connection.queries)
        connection.force_debug_cursor = False
        print(f"{by:8} {ms:10.0f} {ms / floor_ms:8.1f} {queries:8} {rows:6}")


def median_ms(call, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


if __name__ == "__main__":
    main()
