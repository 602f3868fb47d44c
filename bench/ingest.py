"""Ingest benchmark: signed WhatsApp webhooks against the real server, beside a bare view.

Why: providers retry every delivery that is slow or fails, and Meta sends retries to every
subscribed app, so the webhook must keep up with bursts and store each message exactly once.
This script measures both on the product as it is deployed: daphne serving
`config.asgi:application` (settings `bench.settings`), on PostgreSQL and Redis when
DATABASE_URL / REDIS_URL are set, else on a fresh SQLite file (var/bench.sqlite3) and a private
embedded Redis. The same load against a bare Django view under the same server gives the
ceiling (DESIGN.md: about 900 req/s on 2 cores); the target is ingest >= half of it.

The HTTP client runs in this process and shares the machine's CPU with the server, so on a
small machine every figure is a lower bound; the "CPU" line shows how the cores were shared.

    .venv/bin/python bench/ingest.py --help      (see bench/README.md)
"""

import argparse
import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import math
import os
import random
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: bench/ is on the path, the project is not
    sys.path.insert(0, str(ROOT))

SETTINGS_MODULE = "bench.settings"
SQLITE_PATH = ROOT / "var" / "bench.sqlite3"
BARE_PATH = "/bench/bare/"
TARGET_RATIO = 0.5
REQUEST_TIMEOUT = 30.0
TEXT = "Hello, is order #{n} ready? \u00c7a marche tr\u00e8s bien"  # non-ASCII, as customers write


# --- what is sent ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Account:
    """The WhatsApp number the deliveries are addressed to, and the secret that signs them."""

    webhook_key: str
    app_secret: str
    phone_number_id: str


@dataclass(frozen=True)
class Batch:
    """One series of deliveries, with message ids and customer numbers of its own, so that its
    rows can be counted apart from the warm-up's and the other rounds'."""

    label: str
    first_customer: int  # a multiple of 10**6: customer numbers share the digits before

    @property
    def message_prefix(self) -> str:
        return f"wamid.bench.{self.label}."

    @property
    def customer_prefix(self) -> str:
        return str(self.first_customer // 10**6)

    def customer(self, n: int) -> str:
        return str(self.first_customer + n)


@dataclass(frozen=True)
class Delivery:
    """One webhook POST: the exact bytes, their signature, and the message they carry."""

    body: bytes
    signature: str
    message_id: str
    customer: str


def sign(secret: str, body: bytes) -> str:
    """X-Hub-Signature-256 over the exact bytes sent, as Meta computes it."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def whatsapp_text(account: Account, message_id: str, customer: str, n: int) -> bytes:
    """A WhatsApp text message in Meta's shape and encoding: compact JSON, non-ASCII escaped."""
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881",
                     "phone_number_id": account.phone_number_id},
        "contacts": [{"profile": {"name": f"Customer {customer}"}, "wa_id": customer}],
        "messages": [{"from": customer, "id": message_id, "timestamp": str(1_750_000_000 + n),
                      "type": "text", "text": {"body": TEXT.format(n=n)}}],
    }  # fmt: skip
    payload = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "WABA_ID", "changes": [{"field": "messages", "value": value}]}],
    }
    return json.dumps(payload, separators=(",", ":")).encode()


def delivery(account: Account, batch: Batch, n: int, customer_n: int) -> Delivery:
    message_id = f"{batch.message_prefix}{n:07d}"
    customer = batch.customer(customer_n)
    body = whatsapp_text(account, message_id, customer, n)
    return Delivery(body, sign(account.app_secret, body), message_id, customer)


def build_deliveries(
    account: Account, batch: Batch, count: int, duplicates: float, customers: int, seed: int
) -> list[Delivery]:
    """`count` deliveries, a `duplicates` share of them identical resends of others, in a
    shuffled order: a resend may come before, after or at the same time as its original, as
    Meta's retries and multi-app deliveries do."""
    rng = random.Random(seed)
    resends = round(count * duplicates)
    unique = [delivery(account, batch, n, n % customers) for n in range(count - resends)]
    plan = unique + [rng.choice(unique) for _ in range(resends)]
    rng.shuffle(plan)
    return plan


# --- backends -------------------------------------------------------------------------------


def prepare_sqlite() -> str:
    """A fresh SQLite file of the bench's own, never the developer's var/db.sqlite3."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
    SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{SQLITE_PATH}"


def prepare_postgres(url: str) -> None:
    """Drop and recreate the bench database, so counts start from zero. Refuses any database
    whose name does not say "bench": this must never be the developer's main database."""
    import dj_database_url
    import psycopg
    from psycopg import sql

    db = dj_database_url.parse(url)
    if "bench" not in db["NAME"]:
        raise SystemExit(
            f"refusing to drop database {db['NAME']!r}: use a dedicated one whose name says "
            "bench, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/contactcenter_bench"
        )
    params = {
        "dbname": "postgres",
        "user": db["USER"] or None,
        "password": db["PASSWORD"] or None,
        "host": db["HOST"] or None,
        "port": db["PORT"] or None,
    }
    with psycopg.connect(autocommit=True, **{k: v for k, v in params.items() if v}) as admin:
        name = sql.Identifier(db["NAME"])
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(name))


def server_env(database_url: str, redis_url: str) -> dict[str, str]:
    """The environment of the server, of `manage.py migrate` and of this process's ORM."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
        "DEBUG": "1",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def migrate(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT, env=env, check=True,
    )  # fmt: skip


def setup_django(env: dict[str, str]) -> None:
    """Configure this process's ORM like the server, to seed the account and count rows."""
    os.environ.update(env)
    import django

    django.setup()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # the product logs INFO: one per request


def seed_account() -> Account:
    """A WhatsApp ChannelAccount with a fresh app secret, and the Queue it feeds."""
    from contactcenter.models import Queue
    from messaging.models import ChannelAccount, Provider

    queue = Queue.objects.create(number=900, name="Bench")
    account = ChannelAccount.objects.create(
        provider=Provider.WHATSAPP,
        name="Bench WhatsApp",
        queue=queue,
        provider_account_id="106540352242922",
        access_token=secrets.token_urlsafe(32),
        app_secret=secrets.token_hex(16),
        verify_token=secrets.token_urlsafe(16),
    )
    return Account(account.webhook_key, account.app_secret, account.provider_account_id)


def purge_celery_queue(redis_url: str) -> None:
    """Start from empty queues: tasks left by an earlier run would skew the worker's time."""
    import redis

    from config.queues import QUEUES

    client = redis.Redis.from_url(redis_url)
    try:
        client.delete(*QUEUES)
    finally:
        client.close()


# --- the server -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Servers:
    urls: list[str]
    pids: list[int]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_healthy(url: str, server: subprocess.Popen, log: Path, timeout: float) -> None:
    """/healthz answers 200 once Django is loaded and both the database and Redis answer."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:  # refused while starting, 503 while a backend is down, or slow
            time.sleep(0.1)
    raise RuntimeError(f"daphne at {url} did not become healthy:\n{log.read_text()[-3000:]}")


@contextlib.contextmanager
def daphne(count: int, env: dict[str, str], log_dir: Path) -> Iterator[Servers]:
    """`count` daphne processes as the Procfile starts them (one per core in production,
    behind a proxy), each on a free port of 127.0.0.1; the client spreads requests over them
    round-robin, as the proxy would."""
    started: list[subprocess.Popen] = []
    urls, logs = [], []
    try:
        for _ in range(count):
            port = free_port()
            logs.append(log_dir / f"daphne-{port}.log")
            command = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
                       "config.asgi:application"]  # fmt: skip
            with logs[-1].open("a") as output:
                started.append(
                    subprocess.Popen(
                        command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
                    )
                )
            urls.append(f"http://127.0.0.1:{port}")
        for url, server, log in zip(urls, started, logs, strict=True):
            wait_until_healthy(url, server, log, timeout=60)
        yield Servers(urls, [server.pid for server in started])
    finally:
        for server in started:
            server.terminate()
        for server in started:
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


@contextlib.contextmanager
def celery_worker(env: dict[str, str], log_dir: Path) -> Iterator[int]:
    """One Celery worker process as the Procfile starts it: it applies the kept deliveries."""
    command = [sys.executable, "-m", "celery", "-A", "config", "worker",
               "--loglevel=WARNING", "--concurrency=1",
               "--without-gossip", "--without-mingle"]  # fmt: skip
    with (log_dir / "worker.log").open("a") as output:
        worker = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        yield worker.pid
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def wait_applied(batch: Batch, timeout: float) -> float:
    """Seconds until no kept delivery of the batch is pending any more (the worker is done)."""
    from django.db import connections

    from messaging.models import Outcome, WebhookEvent

    start = time.monotonic()
    pending = WebhookEvent.objects.filter(
        body__contains=f'"{batch.message_prefix}', outcome=Outcome.PENDING
    )
    while pending.exists() and time.monotonic() - start < timeout:
        connections.close_all()  # SQLite: hold no lock while the worker writes
        time.sleep(0.05)
    connections.close_all()
    return time.monotonic() - start


# --- measuring ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CpuSample:
    """CPU seconds so far: the whole machine (busy, all cores), the servers, this process."""

    machine: float
    servers: float
    client: float


def cpu_sample(pids: Sequence[int]) -> CpuSample:
    """From /proc, so that the report can say whether the cores, not the code, were the limit."""
    ticks = os.sysconf("SC_CLK_TCK")
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    busy = sum(fields[:8]) - idle  # user nice system idle iowait irq softirq steal
    servers = 0
    for pid in pids:
        stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        servers += int(stat[11]) + int(stat[12])  # utime, stime
    return CpuSample(busy / ticks, servers / ticks, time.process_time())


@dataclass
class LoadResult:
    """What one measured series did: who was sent, how it was answered, how long it took."""

    sent: list[Delivery]
    latencies: list[float]
    outcomes: Counter
    elapsed: float
    cpu_before: CpuSample
    cpu_after: CpuSample

    @property
    def throughput(self) -> float:
        return len(self.sent) / self.elapsed

    @property
    def non_200(self) -> int:
        return sum(count for outcome, count in self.outcomes.items() if outcome != 200)

    def percentile_ms(self, q: float) -> float:
        """Nearest-rank percentile: a latency some request actually had."""
        ordered = sorted(self.latencies)
        return 1000 * ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


async def post_all(
    client: httpx.AsyncClient,
    urls: Sequence[str],
    deliveries: Sequence[Delivery],
    concurrency: int,
    deadline: float,
) -> tuple[list[Delivery], list[float], Counter]:
    """Send every delivery with at most `concurrency` in flight; stop taking new ones at
    `deadline` (monotonic), so that a slow server cannot make the bench run forever."""
    pending = iter(enumerate(deliveries))
    sent: list[Delivery] = []
    latencies: list[float] = []
    outcomes: Counter = Counter()

    async def worker() -> None:
        for index, item in pending:
            if time.monotonic() > deadline:
                return
            headers = {
                "Content-Type": "application/json",
                "User-Agent": "facebookexternalua",
                "X-Hub-Signature-256": item.signature,
            }
            start = time.perf_counter()
            try:
                response = await client.post(
                    urls[index % len(urls)], content=item.body, headers=headers
                )
                outcome: int | str = response.status_code
            except httpx.HTTPError as exc:
                outcome = type(exc).__name__
            latencies.append(time.perf_counter() - start)
            outcomes[outcome] += 1
            sent.append(item)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return sent, latencies, outcomes


async def load(
    urls: Sequence[str],
    warmup: Sequence[Delivery],
    measured: Sequence[Delivery],
    args: argparse.Namespace,
    pids: Sequence[int],
) -> LoadResult:
    """Warm up (connections open, code paths hot), then measure, on the same keep-alive
    connections, as a provider's delivery pipeline would hold them."""
    limits = httpx.Limits(max_connections=args.concurrency, max_keepalive_connections=None)
    async with httpx.AsyncClient(limits=limits, timeout=REQUEST_TIMEOUT) as client:
        deadline = time.monotonic() + args.time_limit
        await post_all(client, urls, warmup, args.concurrency, deadline)
        before = cpu_sample(pids)
        start = time.perf_counter()
        deadline = time.monotonic() + args.time_limit
        sent, latencies, outcomes = await post_all(
            client, urls, measured, args.concurrency, deadline
        )
        elapsed = time.perf_counter() - start
        after = cpu_sample(pids)
    return LoadResult(sent, latencies, outcomes, elapsed, before, after)


@dataclass(frozen=True)
class Stored:
    messages: int
    distinct_messages: int
    activities: int
    webhook_events: int


def count_stored(batch: Batch) -> Stored:
    """What the database holds for one batch, counted by its message id and customer prefixes."""
    from django.db import connections

    from contactcenter.models import Activity
    from messaging.models import Message, WebhookEvent

    messages = Message.objects.filter(provider_message_id__startswith=batch.message_prefix)
    stored = Stored(
        messages=messages.count(),
        distinct_messages=messages.values("provider_message_id").distinct().count(),
        activities=Activity.objects.filter(
            identity__provider_user_id__startswith=batch.customer_prefix
        ).count(),
        webhook_events=WebhookEvent.objects.filter(
            body__contains=f'"{batch.message_prefix}'
        ).count(),
    )
    connections.close_all()  # SQLite: hold no lock while the servers write
    return stored


def probe_queries(account: Account, show: bool) -> list[str]:
    """Queries and in-process time per webhook, in this process (no server, connection kept):
    what the view costs to acknowledge, and what the worker costs to apply it."""
    from django.db import connection, connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from messaging.models import WebhookEvent
    from messaging.services.webhooks import webhook_event_process

    client = Client(HTTP_HOST="127.0.0.1")
    url = f"/webhooks/whatsapp/{account.webhook_key}/"
    batch = Batch("probe", 19_990_000_000)
    first, again = delivery(account, batch, 0, 0), delivery(account, batch, 1, 0)
    warm = delivery(account, batch, 2, 1)  # the process's first request imports and compiles
    client.post(url, warm.body, "application/json", HTTP_X_HUB_SIGNATURE_256=warm.signature)
    lines = []
    for label, item in [("first contact", first), ("returning", again), ("duplicate", again)]:
        for step in ("acknowledge", "apply"):
            start = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                if step == "acknowledge":
                    client.post(
                        url, item.body, "application/json",
                        HTTP_X_HUB_SIGNATURE_256=item.signature,
                    )  # fmt: skip
                else:
                    webhook_event_process(event_id=WebhookEvent.objects.latest("pk").pk)
            elapsed = 1000 * (time.perf_counter() - start)
            lines.append(f"{label:<13} {step:<11} {len(queries):>2} queries {elapsed:.1f} ms")
            if show:
                lines += [f"      {q['sql'][:150]}" for q in queries.captured_queries]
    connections.close_all()
    return lines


# --- report ---------------------------------------------------------------------------------


def cpu_line(result: LoadResult, cores: int) -> str:
    seconds = result.elapsed
    machine = (result.cpu_after.machine - result.cpu_before.machine) / seconds
    servers = (result.cpu_after.servers - result.cpu_before.servers) / seconds
    client = (result.cpu_after.client - result.cpu_before.client) / seconds
    other = max(0.0, machine - servers - client)
    return (
        f"{machine:.2f} of {cores} cores busy: daphne {servers:.2f}, bench client {client:.2f}, "
        f"other {other:.2f} (database, Redis, kernel)"
    )


def print_load(title: str, result: LoadResult, args: argparse.Namespace, cores: int) -> None:
    outcomes = ", ".join(f"{k}: {v}" for k, v in sorted(result.outcomes.items(), key=str))
    stopped = " (stopped at --time-limit)" if len(result.sent) < args.requests else ""
    print(f"  {title}")
    print(f"    requests        {len(result.sent)}{stopped}")
    print(f"    concurrency     {args.concurrency}")
    print(f"    throughput      {result.throughput:.1f} req/s")
    print(
        f"    response time   p50 {result.percentile_ms(50):.1f} ms  "
        f"p95 {result.percentile_ms(95):.1f} ms  p99 {result.percentile_ms(99):.1f} ms"
    )
    print(f"    non-200         {result.non_200}   ({outcomes})")
    print(f"    CPU             {cpu_line(result, cores)}")


def print_server_errors(log_dir: Path) -> None:
    """The servers' most frequent error lines: why requests failed, without opening the logs."""
    errors: Counter = Counter()
    for log in log_dir.glob("daphne-*.log"):
        errors.update(
            line.strip()[:160]
            for line in log.read_text(errors="replace").splitlines()
            if "Error:" in line or "FATAL" in line
        )
    for line, count in errors.most_common(2):
        print(f"    server log      {line} ({count} lines)")


def check_stored(result: LoadResult, stored: Stored) -> list[str]:
    """Zero lost, zero duplicated: one message per distinct id sent, one activity per customer
    (none is closed during the bench), one WebhookEvent per request. Returns the failures."""
    distinct_ids = len({item.message_id for item in result.sent})
    customers = len({item.customer for item in result.sent})
    print(f"    stored messages {stored.messages} (distinct message ids sent: {distinct_ids})")
    print(f"    activities      {stored.activities} (distinct customers: {customers})")
    print(f"    webhook events  {stored.webhook_events} (requests: {len(result.sent)})")
    checks = [
        ("messages", stored.messages, distinct_ids),
        ("distinct stored message ids", stored.distinct_messages, distinct_ids),
        ("activities", stored.activities, customers),
        ("webhook events", stored.webhook_events, len(result.sent)),
        ("non-200 responses", result.non_200, 0),
    ]
    failures = [f"{name}: {got}, expected {want}" for name, got, want in checks if got != want]
    for failure in failures:
        print(f"    FAIL {failure}")
    if not failures:
        print("    OK  every message stored exactly once (none lost, none duplicated)")
    return failures


# --- the run --------------------------------------------------------------------------------


def run_round(
    processes: int, account: Account, env: dict[str, str], args: argparse.Namespace, log_dir: Path
) -> list[str]:
    """One server size: the webhook load, the check, then the same load on the bare view."""
    cores = os.cpu_count() or 1
    plural = "es" if processes > 1 else ""
    print(f"\n== {processes} daphne process{plural} ==")
    warm = Batch(f"w{processes}", (14_440 + processes) * 10**6)
    measured = Batch(f"m{processes}", (15_550 + processes) * 10**6)
    warmup = build_deliveries(account, warm, args.warmup, 0.0, args.customers, args.seed)
    plan = build_deliveries(
        account, measured, args.requests, args.duplicates, args.customers, args.seed
    )
    logs = log_dir / f"daphne-x{processes}"
    logs.mkdir()
    with daphne(processes, env, logs) as servers:
        webhook = [f"{url}/webhooks/whatsapp/{account.webhook_key}/" for url in servers.urls]
        ingest = asyncio.run(load(webhook, warmup, plan, args, servers.pids))
        print_load("WhatsApp webhooks (verify, keep, acknowledge)", ingest, args, cores)
        # The worker starts after the load so that the two capacities are measured apart;
        # until then every acknowledged delivery waits, kept, as pending.
        with celery_worker(env, logs):
            drain = wait_applied(measured, timeout=args.time_limit)
        print(f"    applied         by one worker in {drain:.1f} s "
              f"({len(plan) / drain:.1f} deliveries/s)")  # fmt: skip
        failures = check_stored(ingest, count_stored(measured))
        if ingest.non_200:
            print_server_errors(logs)
        bare_urls = [f"{url}{BARE_PATH}" for url in servers.urls]
        bare = asyncio.run(load(bare_urls, warmup, plan, args, servers.pids))
        print_load("bare Django view (the ceiling)", bare, args, cores)
    ratio = ingest.throughput / bare.throughput
    verdict = "meets" if ratio >= TARGET_RATIO else "BELOW"
    print(f"  ingest / bare throughput: {ratio:.2f} ({verdict} the target of {TARGET_RATIO})")
    return failures


def describe_backends(database_url: str, redis_url: str, embedded_redis: bool) -> None:
    import dj_database_url

    db = dj_database_url.parse(database_url)
    if db["ENGINE"].endswith("sqlite3"):
        database = f"SQLite {Path(db['NAME']).relative_to(ROOT)} (fresh)"
    else:
        database = f"PostgreSQL {db['NAME']} on {db['HOST']}:{db['PORT']} (recreated)"
    redis = f"embedded redis-server on {redis_url}" if embedded_redis else redis_url
    if not db["ENGINE"].endswith("sqlite3"):
        database += f", pool of {os.environ.get('DATABASE_POOL_SIZE', '10')} per process"
    print(f"database: {database}")
    print(f"redis:    {redis}")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Fire signed WhatsApp webhooks at the product under daphne, check that "
        "every message is stored exactly once, and compare throughput with a bare view. "
        "PostgreSQL and Redis when DATABASE_URL / REDIS_URL are set (the database name must "
        "contain 'bench': it is dropped and recreated), else var/bench.sqlite3 and an "
        "embedded Redis.",
    )
    parser.add_argument(
        "-n",
        "--requests",
        type=int,
        default=2000,
        help="measured requests per target, resends included (default 2000)",
    )
    parser.add_argument(
        "-c", "--concurrency", type=int, default=32, help="requests in flight at once (default 32)"
    )
    parser.add_argument(
        "--duplicates",
        type=float,
        default=0.1,
        help="share of requests that resend an identical delivery (default 0.1)",
    )
    parser.add_argument("--customers", type=int, default=200, help="distinct senders (default 200)")
    parser.add_argument(
        "--warmup", type=int, default=300, help="requests sent first and not counted (default 300)"
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=1,
        help="after the single-process round, also measure with this many "
        "daphne processes (production runs one per core; default 1: only one)",
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        default=120,
        help="seconds after which a series stops sending (default 120)",
    )
    parser.add_argument("--seed", type=int, default=1, help="order of the deliveries")
    parser.add_argument(
        "--show-queries", action="store_true", help="print the SQL of one webhook of each kind"
    )
    args = parser.parse_args(argv)
    limits = [
        (1 <= args.requests <= 100_000, "--requests must be 1..100000"),
        (1 <= args.concurrency <= 1000, "--concurrency must be 1..1000"),
        (0 <= args.duplicates < 1, "--duplicates must be in [0, 1)"),
        (1 <= args.customers <= 999_999, "--customers must be 1..999999"),
        (0 <= args.warmup <= 10_000, "--warmup must be 0..10000"),
        (1 <= args.processes <= 16, "--processes must be 1..16"),
        (0 < args.time_limit <= 3600, "--time-limit must be in (0, 3600]"),
    ]
    for ok, message in limits:
        if not ok:
            parser.error(message)
    return args


def prepare_backends(stack: contextlib.ExitStack, scratch: Path) -> tuple[str, str, bool]:
    """The database (fresh) and Redis the run uses: (database URL, Redis URL, embedded?)."""
    database_url = os.environ.get("DATABASE_URL") or prepare_sqlite()
    if not database_url.startswith("sqlite"):
        prepare_postgres(database_url)
    redis_url = os.environ.get("REDIS_URL", "")
    if redis_url:
        return database_url, redis_url, False
    from config.embedded_redis import EmbeddedRedis

    return database_url, stack.enter_context(EmbeddedRedis(scratch / "redis.sock")).url, True


def print_header(args: argparse.Namespace, database_url: str, redis_url: str, embedded: bool):
    print(f"ingest benchmark: {os.cpu_count()} cores; the bench client (httpx, this process)")
    print("shares them with the server, so figures are lower bounds. DEBUG=1 as `make run`.")
    describe_backends(database_url, redis_url, embedded)
    print(
        f"load: {args.requests} requests ({args.duplicates:.0%} identical resends), "
        f"{args.customers} customers, concurrency {args.concurrency}, "
        f"warm-up {args.warmup} not counted"
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    with contextlib.ExitStack() as stack:
        scratch = Path(tempfile.mkdtemp(prefix="cc-bench-"))
        stack.callback(shutil.rmtree, scratch, ignore_errors=True)
        database_url, redis_url, embedded = prepare_backends(stack, scratch)
        env = server_env(database_url, redis_url)
        migrate(env)
        setup_django(env)
        account = seed_account()
        purge_celery_queue(redis_url)

        print_header(args, database_url, redis_url, embedded)
        print("per webhook, in-process (test client, no server):")
        for line in probe_queries(account, args.show_queries):
            print(f"    {line}")
        failures = []
        for processes in sorted({1, args.processes}):
            failures += run_round(processes, account, env, args, scratch)

    print("FAIL: " + "; ".join(failures) if failures else "OK: no message lost or duplicated")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
