"""Burst: webhooks from new customers at twice the rate this machine sustains, then quiet.

Why (#17): with every Celery task in one queue, webhooks at 50/s for 55 s queued 2,698 tasks,
and a notification's deadline was kept 1.3 to 9.5 s late: its timer waited behind them. Now
deadlines have a queue and a worker of their own (config/queues.py). This runs the product as
the Procfile does (one daphne; the main worker, `-Q inbound,outbound,webhooks,celery`,
concurrency 2; the deadlines worker, `-Q deadlines`, concurrency 1; beat; DEBUG off) and sends
signed WhatsApp webhooks, each from a new customer, at `--rate` for `--seconds`, then nothing. The
customers' queue has agents connected by real websockets whose notifications never expire
during the run. Meanwhile, once a second, a probe customer writes into a queue of its own
whose notifications ring for `--deadline` seconds and are never answered. The probes are
written from this process, straight through the service, so each notification is created on
time whatever the backlog: they measure how late a deadline is kept, not the queue in front
of a webhook.

It prints how late the probes' notifications expired after their deadlines (goal: p99 under
1 s); the time to drain, from the last webhook sent to the last new customer's `offer.new` on
an agent's websocket, and each customer's wait; first come, first served: the customers
notified after someone who wrote later, and by how much; lost (sent, never stored or never
notified) and duplicated (stored or notified twice), both 0.

`--one-queue` runs the setup before the split, for comparison: every task in Celery's default
queue, one worker (concurrency 2) for all of it, and beat.

    .venv/bin/python bench/burst.py --seconds 20     (see bench/README.md)
"""

import argparse
import asyncio
import contextlib
import json
import math
import os
import secrets
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: bench/ is on the path, the project is not
    sys.path.insert(0, str(ROOT))

from bench.e2e_latency import (  # noqa: E402
    Delivery,
    Hub,
    _stop,
    agent_sockets,
    agents_logged_in,
    celery_worker,
    cpu_sample,
    cpu_shares,
    daphne,
    deliveries,
    percentile,
    post_webhooks,
    print_cpu,
    reset_redis,
    seed,
    stage,
)

RATE = 80.0  # new customers a second: twice the 43/s this 2-core VM sustains (e2e_latency.py)
GOAL_P99_S = 1.0
PROBE_QUEUE_NUMBER = 902
FIRST_CUSTOMER = 19_000_000_000
WARMUP = 20  # customers before the burst, so that every worker process has started


@dataclass(frozen=True)
class Probe:
    account_id: int
    cookies: list[str]


def seed_probe(deadline: int) -> Probe:
    """A queue whose notifications ring for `deadline` seconds and expire without pausing
    anyone, a WhatsApp account feeding it, and one agent to ring, who never answers."""
    from django.db import connections

    from contactcenter.models import Queue
    from messaging.models import ChannelAccount, Provider

    queue = Queue.objects.create(
        number=PROBE_QUEUE_NUMBER,
        name="Bench burst probe",
        accept_timeout=deadline,
        unpaid_pause_on_timeout=False,
    )
    account = ChannelAccount.objects.create(
        provider=Provider.WHATSAPP,
        name="Bench burst probe",
        queue=queue,
        provider_account_id="106540352242924",
        access_token=secrets.token_urlsafe(32),
        app_secret=secrets.token_hex(16),
        verify_token=secrets.token_urlsafe(16),
    )
    _, cookies = agents_logged_in(queue, 1, "bench-burst-probe")
    connections.close_all()
    return Probe(account.pk, cookies)


def probe_customers(account_id: int, count: int) -> None:
    """One new probe customer a second, `count` times, through the service a webhook's task
    calls: each rings the probe agent at once, with the probe queue's deadline."""
    from django.db import connections, transaction

    from messaging.connectors.base import InboundMessage
    from messaging.models import ChannelAccount
    from messaging.services.webhooks import message_ingest

    account = ChannelAccount.objects.get(pk=account_id)
    start = time.monotonic()
    for n in range(count):
        time.sleep(max(0.0, start + n - time.monotonic()))
        inbound = InboundMessage(
            provider_message_id=f"wamid.bench.probe.{n}",
            sender_id=str(4_990_000_0000 + n),
            sent_at=None,
            text="probe",
            sender_name=f"Probe {n}",
        )
        with transaction.atomic():
            message_ingest(account=account, inbound=inbound)
    connections.close_all()


# --- the servers ------------------------------------------------------------------------------


def prefork(processes: int) -> argparse.Namespace:
    return argparse.Namespace(workers=processes, pool="prefork")


def start_workers(stack: contextlib.ExitStack, env: dict, log_dir: Path, one_queue: bool) -> dict:
    """The Procfile's workers ({label: pid}), or the one worker of the setup before."""
    if one_queue:
        return {"worker": stack.enter_context(celery_worker(env, log_dir, prefork(2)))}
    main = ("-Q", "inbound,outbound,webhooks,celery", "-n", "worker@%h")
    deadlines = ("-Q", "deadlines", "-n", "deadlines@%h")
    return {
        "worker": stack.enter_context(celery_worker(env, log_dir, prefork(2), *main)),
        "deadlines": stack.enter_context(
            celery_worker(env, log_dir, prefork(1), *deadlines, name="deadlines")
        ),
    }


@contextlib.contextmanager
def beat(env: dict[str, str], log_dir: Path) -> Iterator[int]:
    """`celery beat` as the Procfile starts it: the sweeps."""
    command = [sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO",
               f"--schedule={log_dir / 'beat-schedule'}"]  # fmt: skip
    with (log_dir / "beat.log").open("a") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        yield process.pid
    finally:
        _stop(process, 10)


# --- the run ----------------------------------------------------------------------------------


@dataclass
class Burst:
    items: list[Delivery]
    sent: list[float]
    arrived: list[float | None]
    statuses: Counter
    cpu: dict[str, float]


async def run_burst(port: int, hub: Hub, seeded, probe: Probe, args, servers: dict) -> Burst:
    """A warm-up, then the burst with the probes beside it, then the wait for the last
    customer's notification (at most --timeout after the last send)."""
    url = f"http://127.0.0.1:{port}/webhooks/whatsapp/{seeded.account.webhook_key}/"
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        warm = deliveries(seeded.account, FIRST_CUSTOMER - WARMUP, WARMUP)
        await post_webhooks(client, url, warm, 10)
        await hub.wait_for(lambda: all(d.title in hub.offers for d in warm), 60)
        items = deliveries(seeded.account, FIRST_CUSTOMER, round(args.rate * args.seconds))
        before = cpu_sample()
        start = time.monotonic()
        prober = asyncio.create_task(
            asyncio.to_thread(probe_customers, probe.account_id, int(args.seconds))
        )
        sent, _, statuses = await post_webhooks(client, url, items, args.rate)
        await prober
    await hub.wait_for(lambda: all(d.title in hub.offers for d in items), args.timeout)
    cpu = cpu_shares(before, cpu_sample(), time.monotonic() - start, servers)
    await asyncio.sleep(args.deadline + 2)  # the last probe's deadline, should the drain be short
    return Burst(items, sent, [hub.offers.get(d.title) for d in items], statuses, cpu)


async def client_main(port: int, seeded, probe: Probe, args, servers: dict) -> tuple[Burst, Hub]:
    hub = Hub()
    async with agent_sockets(port, [*seeded.cookies, *probe.cookies], hub):
        return await run_burst(port, hub, seeded, probe, args, servers), hub


# --- figures ----------------------------------------------------------------------------------


def probe_lateness() -> tuple[list[float], int]:
    """Seconds from each probe notification's deadline to its expiry; and how many never
    expired."""
    from django.db import connections

    from contactcenter.models import Offer, OfferOutcome

    offers = Offer.objects.filter(activity__queue__number=PROBE_QUEUE_NUMBER)
    late = [
        (decided - deadline).total_seconds()
        for decided, deadline in offers.filter(outcome=OfferOutcome.EXPIRED).values_list(
            "decided_at", "deadline"
        )
    ]
    never = offers.exclude(outcome=OfferOutcome.EXPIRED).count()
    connections.close_all()
    return late, never


def stored_messages() -> tuple[int, int]:
    """The burst's (and warm-up's) messages stored, and how many distinct ids among them."""
    from django.db import connections

    from messaging.models import Message

    ids = list(
        Message.objects.filter(provider_message_id__startswith="wamid.bench.e2e.").values_list(
            "provider_message_id", flat=True
        )
    )
    connections.close_all()
    return len(ids), len(set(ids))


def served_order(items: Sequence[Delivery]) -> list[tuple[float, float | None]]:
    """Per customer of the burst: when our server kept their webhook (its arrival), and when
    their notification was created (the worker's turn), from the database: the queue's order,
    without the client's and the sockets' jitter."""
    from django.db import connections

    from contactcenter.models import Offer
    from messaging.models import WebhookEvent

    wa_ids = {d.wa_id for d in items}
    kept = {}
    for created, body in WebhookEvent.objects.filter(body__contains="wamid.bench.e2e.").values_list(
        "created_at", "body"
    ):
        wa_id = json.loads(body)["entry"][0]["changes"][0]["value"]["contacts"][0]["wa_id"]
        if wa_id in wa_ids:
            kept.setdefault(wa_id, created.timestamp())
    offered = {}
    for wa_id, created in (
        Offer.objects.filter(activity__identity__provider_user_id__in=wa_ids)
        .order_by("created_at")
        .values_list("activity__identity__provider_user_id", "created_at")
    ):
        offered.setdefault(wa_id, created.timestamp())
    connections.close_all()
    return [(kept[w], offered.get(w)) for w in wa_ids if w in kept]


def overtaken(order: Sequence[tuple[float, float | None]]) -> tuple[int, float]:
    """Of (arrival, served) pairs: how many were served after someone who arrived later, and
    by at most how long."""
    count, worst, earliest_later = 0, 0.0, math.inf
    for _, served in sorted(order, reverse=True):
        if served is None:
            continue
        if served > earliest_later:
            count += 1
            worst = max(worst, served - earliest_later)
        earliest_later = min(earliest_later, served)
    return count, worst


def spread(values: Sequence[float], unit: str = "s") -> str:
    if not values:
        return "none"
    cells = ", ".join(f"p{q} {percentile(values, q):.2f}" for q in (50, 95, 99))
    return f"{cells}, max {max(values):.2f} {unit}"


def report(burst: Burst, hub: Hub) -> int:
    late, never = probe_lateness()
    stored, distinct = stored_messages()
    waits = [a - s for s, a in zip(burst.sent, burst.arrived, strict=True) if a is not None]
    lost = sum(a is None for a in burst.arrived)
    arrived = [a for a in burst.arrived if a is not None]
    drain = max(arrived) - max(burst.sent) if arrived else math.nan
    order = served_order(burst.items)
    behind, by = overtaken(order)
    rate = (len(burst.sent) - 1) / (max(burst.sent) - min(burst.sent))
    expected = len(burst.items) + WARMUP
    p99 = percentile(late, 99) if late else math.inf
    print(f"\n  sent: {len(burst.items)} new customers at {rate:.1f}/s; HTTP "
          + ", ".join(f"{k}: {v}" for k, v in sorted(burst.statuses.items(), key=str)))  # fmt: skip
    print(f"  deadline lateness, {len(late)} notifications expiring during the burst: "
          f"{spread(late)} (goal p99 < {GOAL_P99_S:g} s: "
          f"{'met' if p99 < GOAL_P99_S else 'MISSED'}); never expired: {never}")  # fmt: skip
    print(f"  customers' wait, webhook -> offer.new: {spread(waits)}")
    print(f"  time to drain after the last webhook: {drain:.1f} s")
    print(f"  first come, first served: {behind} of {len(order)} customers' notifications "
          f"created after that of someone whose webhook came later (by at most "
          f"{1000 * by:.0f} ms)")  # fmt: skip
    print(f"  lost: {expected - distinct} not stored, {lost} never notified; duplicated: "
          f"{stored - distinct} stored twice, {hub.duplicate_offers} notified twice")  # fmt: skip
    print_cpu(burst.cpu)
    failed = lost or never or hub.duplicate_offers or stored != distinct or distinct != expected
    return 1 if failed or set(burst.statuses) != {200} else 0


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Webhooks from new customers at twice the sustainable rate for a while, "
        "then quiet, against the product as the Procfile runs it; prints deadline lateness, "
        "drain time, arrival order, losses and duplicates. PostgreSQL and Redis when "
        "DATABASE_URL / REDIS_URL are set (the database name must contain 'bench': it is "
        "dropped and recreated), else var/bench-e2e.sqlite3 and an embedded Redis.",
    )
    parser.add_argument("-r", "--rate", type=float, default=RATE, help=f"per second ({RATE:g})")
    parser.add_argument("-s", "--seconds", type=float, default=60, help="of burst (60)")
    parser.add_argument("--deadline", type=int, default=2, help="probes' ring time, s (2)")
    parser.add_argument("--agents", type=int, default=4, help="customers' agents (4)")
    parser.add_argument(
        "--timeout", type=float, default=600,
        help="seconds after the last send to wait for the last notification (600)",
    )  # fmt: skip
    parser.add_argument(
        "--one-queue", action="store_true",
        help="the setup before #17: every task in one queue, one worker",
    )  # fmt: skip
    args = parser.parse_args(argv)
    limits = [
        (0 < args.rate <= 1000, "--rate must be in (0, 1000]"),
        (1 <= args.seconds <= 600, "--seconds must be 1..600"),
        (1 <= args.deadline <= 60, "--deadline must be 1..60"),
        (1 <= args.agents <= 100, "--agents must be 1..100"),
        (0 < args.timeout <= 3600, "--timeout must be in (0, 3600]"),
    ]
    for ok, message in limits:
        if not ok:
            parser.error(message)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    with contextlib.ExitStack() as stack:
        ready = stage(stack, "burst", **({"BENCH_ONE_QUEUE": "1"} if args.one_queue else {}))
        scratch, env = ready.scratch, ready.env
        database_url, redis_url = ready.database_url, ready.redis_url
        seeded, probe = seed(args.agents), seed_probe(args.deadline)
        reset_redis(redis_url)
        stack.callback(reset_redis, redis_url)
        setup = "one queue, one worker" if args.one_queue else "split queues, as the Procfile"
        print(f"burst: {args.rate:g}/s new customers for {args.seconds:g} s, then quiet; "
              f"{setup}; {os.cpu_count()} cores; {'embedded ' if ready.embedded else ''}Redis, "
              f"{'SQLite' if database_url.startswith('sqlite') else 'PostgreSQL'}")  # fmt: skip
        port, daphne_pid = stack.enter_context(daphne(env, scratch))
        servers = {"daphne": daphne_pid, **start_workers(stack, env, scratch, args.one_queue)}
        servers["beat"] = stack.enter_context(beat(env, scratch))
        burst, hub = asyncio.run(client_main(port, seeded, probe, args, servers))
    return report(burst, hub)


if __name__ == "__main__":
    sys.exit(main())
