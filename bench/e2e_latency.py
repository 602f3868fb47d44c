"""End-to-end latency: a signed webhook in, the offer out on an agent's real websocket.

Why: a customer's first message must ring an agent at once. This measures the whole path as it
is deployed: daphne (`config.asgi:application`, settings `bench.settings`) acknowledges
the signed WhatsApp delivery and queues its processing; a Celery worker applies it (a new
customer: a new activity) and, in the same transaction, routes it: it creates the offer and
serializes `offer.new` (and the queue's `waiting.changed`), which are published through the
channel layer once it commits; daphne pushes them to the agents' websockets, where this
script's client receives them. Each message comes from a new customer at a fixed rate, and its
latency is the time from the POST to the `offer.new` frame. The servers run with DEBUG off, as
in production.

The floors are measured the same way, at the same rate, after the webhook series: the same
POSTs to a bare sync view under the same daphne and middleware (the product's p50 is printed in
multiples of it), a bare Redis PUBLISH -> SUBSCRIBE round trip, a channel-layer group_send ->
the agent's websocket (the last hop alone), and the product's own publish
(`events.publish_rollback_unsafe`, sync, from a thread, as the worker calls it) -> the
websocket.

The servers are instrumented (Celery signals, and wrappers around routing, the serialization and
the publish of `offer.new`) to time every stage of the path, so a missed target says where the
time goes.

    .venv/bin/python bench/e2e_latency.py --help      (see bench/README.md)
"""

import argparse
import asyncio
import base64
import contextlib
import hashlib
import json
import logging
import math
import os
import secrets
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: bench/ is on the path, the project is not
    sys.path.insert(0, str(ROOT))

from bench.ingest import (  # noqa: E402
    Account,
    free_port,
    migrate,
    prepare_postgres,
    server_env,
    setup_django,
    sign,
    wait_until_healthy,
)
from config.queues import QUEUES  # noqa: E402

SQLITE_PATH = ROOT / "var" / "bench-e2e.sqlite3"
STAGES_ENV = "BENCH_E2E_STAGES"  # directory the instrumented servers write their stamps to
CELERY_KEYS = (*QUEUES, "unacked", "unacked_index")  # the broker's queues and unacked tasks
QUEUE_NUMBER = 901
ACCEPT_TIMEOUT = 3600  # no offer expires during the run (expiry would route again)
MAX_OPEN_CHATS = 10_000  # pending offers count against it: never the limit here
TARGET_P50_MS = 15.0
TARGET_P99_MS = 60.0
FLOOR_RATIO_GOAL = 3.0  # the whole path, in bare POSTs through the same server
PING_EVERY = 25.0  # seconds, as the workspace page pings
# The servers run as deployed: DEBUG off (no query log), so secrets of the run's own.
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
}
TRACED_TASKS = {"messaging.tasks.webhook_event_process": "webhook"}


# --- instrumentation, installed in the server processes ---------------------------------------
# Each stamp is one line "unix time<TAB>stage<TAB>key" in a file per process; keys are the
# the WebhookEvent id for the task's stamps, the Activity id for routing's and the offer's.

_stamp_lock = threading.Lock()
_stamp_file: dict[int, object] = {}


def _stamp(stage: str, key) -> None:
    now = time.time()
    directory = os.environ.get(STAGES_ENV)
    if not directory or key is None:
        return
    with _stamp_lock:
        out = _stamp_file.get(os.getpid())
        if out is None:  # first stamp of this process (prefork children open their own)
            out = open(Path(directory) / f"stages-{os.getpid()}.tsv", "a", buffering=1)  # noqa: SIM115
            _stamp_file[os.getpid()] = out
        out.write(f"{now:.6f}\t{stage}\t{key}\n")


def _first_arg(args, kwargs) -> object:
    if args:
        return args[0]
    return next(iter((kwargs or {}).values()), None)


def install_probes(*, worker: bool) -> None:
    """Stamp the path's stages: the webhook task published (any process), received by the
    worker's consumer, started and finished in a pool process; routing of the new activity
    (`activity_route_new`, called by `activity_customer_wrote` in its transaction) started and
    returned; `offer.new` serialized and before and after its publish with the queue's
    `waiting.changed` (after the commit: Redis INCR + group_send)."""
    from celery import signals

    def published(sender=None, headers=None, body=None, **_) -> None:
        kind = TRACED_TASKS.get((headers or {}).get("task") or sender)
        if kind and isinstance(body, (tuple, list)) and body:
            _stamp(f"{kind}.published", _first_arg(body[0], None))

    signals.after_task_publish.connect(published, weak=False)
    if not worker:
        return

    def received(sender=None, request=None, **_) -> None:
        kind = TRACED_TASKS.get(getattr(request, "name", None))
        if kind:
            _stamp(f"{kind}.received", _first_arg(request.args, request.kwargs))

    def started(sender=None, task=None, args=None, kwargs=None, **_) -> None:
        kind = TRACED_TASKS.get(getattr(task, "name", None))
        if kind:
            _stamp(f"{kind}.start", _first_arg(args, kwargs))

    def finished(sender=None, task=None, args=None, kwargs=None, **_) -> None:
        kind = TRACED_TASKS.get(getattr(task, "name", None))
        if kind:
            _stamp(f"{kind}.done", _first_arg(args, kwargs))

    signals.task_received.connect(received, weak=False)
    signals.task_prerun.connect(started, weak=False)
    signals.task_postrun.connect(finished, weak=False)

    from contactcenter import events
    from contactcenter.events import workspace
    from contactcenter.services import intake

    route = intake.activity_route_new  # what `activity_customer_wrote` calls, by this name

    def traced_route(activity):
        _stamp("route.start", activity.pk)
        try:
            return route(activity)
        finally:
            _stamp("route.done", activity.pk)

    intake.activity_route_new = traced_route

    serialize = events.offer_new  # what routing calls, by the package's name

    def traced_offer_new(offer):
        serialize(offer)
        _stamp("offer.serialized", offer.activity_id)

    events.offer_new = traced_offer_new

    publish = workspace.publish_all_rollback_unsafe  # what offer_new calls, by this name

    def traced_publish(batch):
        batch = list(batch)
        offers = [e["offer"] for _, e in batch if e.get("type") == events.OFFER_NEW]
        activity_id = offers[0]["activity"]["id"] if offers else None
        _stamp("offer.publish", activity_id)
        try:
            return publish(batch)
        finally:
            _stamp("offer.sent", activity_id)

    workspace.publish_all_rollback_unsafe = traced_publish


def worker_main() -> None:
    """A Celery worker with the probes: `python -c '...worker_main()' <worker options>`."""
    import django

    django.setup()
    install_probes(worker=True)
    from config.celery import app

    app.worker_main(argv=["worker", *sys.argv[1:]])


def daphne_main() -> None:
    """daphne with the publish probe: `python -c '...daphne_main()' <daphne arguments>`."""
    install_probes(worker=False)
    from daphne.cli import CommandLineInterface

    CommandLineInterface.entrypoint()


def _wrapped(function: str) -> list[str]:
    return [sys.executable, "-c", f"from bench.e2e_latency import {function}; {function}()"]


# --- backends and data ------------------------------------------------------------------------


def prepare_sqlite() -> str:
    """A fresh SQLite file of this bench's own (not ingest.py's, not var/db.sqlite3)."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
    SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{SQLITE_PATH}"


def prepare_backends(stack: contextlib.ExitStack, scratch: Path) -> tuple[str, str, bool]:
    """The database (fresh) and Redis the run uses: (database URL, Redis URL, embedded?)."""
    database_url = os.environ.get("DATABASE_URL") or prepare_sqlite()
    if not database_url.startswith("sqlite"):
        prepare_postgres(database_url)  # refuses a database whose name lacks "bench"
    redis_url = os.environ.get("REDIS_URL", "")
    if redis_url:
        return database_url, redis_url, False
    from config.embedded_redis import EmbeddedRedis

    return database_url, stack.enter_context(EmbeddedRedis(scratch / "redis.sock")).url, True


@dataclass
class Stage:
    """A bench run's scratch directory, backends and server environment, ready to be seeded."""

    scratch: Path
    env: dict[str, str]
    database_url: str
    redis_url: str
    embedded: bool  # a private redis-server of this run's


def stage(stack: contextlib.ExitStack, name: str, *, stamps: bool = False, **extra_env) -> Stage:
    """What every bench does first: a scratch directory (removed after the run), fresh backends,
    the servers' environment (production settings, `extra_env`, and with `stamps` the probes'
    stage stamps under scratch/stages), migrated, and this process's ORM set up like the
    servers, to seed the run."""
    scratch = Path(tempfile.mkdtemp(prefix=f"cc-bench-{name}-"))
    stack.callback(shutil.rmtree, scratch, ignore_errors=True)
    (scratch / "stages").mkdir()
    database_url, redis_url, embedded = prepare_backends(stack, scratch)
    if stamps:
        extra_env[STAGES_ENV] = str(scratch / "stages")
    env = {**server_env(database_url, redis_url), **PRODUCTION, **extra_env}
    migrate(env)
    setup_django({k: v for k, v in env.items() if k != STAGES_ENV})
    logging.getLogger("axes").setLevel(logging.WARNING)  # a line per agent signed in
    return Stage(scratch, env, database_url, redis_url, embedded)


def reset_redis(redis_url: str) -> None:
    """The database is recreated, so the product's Redis state goes too: Celery's queue and
    unacked tasks (an earlier run's offer deadlines, presence timers) and every key of the
    channel layer and the core (prefix "cc": groups holding dead channels, event counters and
    presence of agent ids that the new database reuses)."""
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        client.delete(*CELERY_KEYS)
        for key in client.scan_iter(match="cc*", count=1000):
            client.delete(key)
    finally:
        client.close()


@dataclass(frozen=True)
class Seeded:
    account: Account
    agent_ids: list[int]
    cookies: list[str]  # a session of each agent's, logged in


def seed(agents: int) -> Seeded:
    """A queue (offers never expire during the run), a WhatsApp account feeding it, and
    `agents` agents logged into it, each with capacity to spare and a session of their own."""
    from django.db import connections

    from contactcenter.models import Queue
    from messaging.models import ChannelAccount, Provider

    queue = Queue.objects.create(
        number=QUEUE_NUMBER, name="Bench e2e", accept_timeout=ACCEPT_TIMEOUT
    )
    account = ChannelAccount.objects.create(
        provider=Provider.WHATSAPP,
        name="Bench e2e WhatsApp",
        queue=queue,
        provider_account_id="106540352242923",
        access_token=secrets.token_urlsafe(32),
        app_secret=secrets.token_hex(16),
        verify_token=secrets.token_urlsafe(16),
    )
    agent_ids, cookies = agents_logged_in(queue, agents, "bench-e2e-agent")
    connections.close_all()  # SQLite: hold no lock while the servers write
    return Seeded(
        Account(account.webhook_key, account.app_secret, account.provider_account_id),
        agent_ids,
        cookies,
    )


def agents_logged_in(queue, count: int, prefix: str) -> tuple[list[int], list[str]]:
    """`count` agents logged into `queue`, each with capacity to spare: their ids, and a
    session cookie of each."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from contactcenter.models import Agent, QueueMembership

    agent_ids, cookies = [], []
    for n in range(count):
        # No password: hashing one costs the real hasher's deliberate half-second, and the
        # session comes from force_login.
        user = get_user_model().objects.create_user(username=f"{prefix}-{n}")
        agent = Agent.objects.create(
            user=user, display_name=f"{prefix} {n}", max_open_chats=MAX_OPEN_CHATS
        )
        QueueMembership.objects.create(agent=agent, queue=queue, logged_in=True)
        client = Client()
        client.force_login(user)
        agent_ids.append(agent.pk)
        cookies.append(client.cookies["sessionid"].value)
    return agent_ids, cookies


# --- what is sent -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    body: bytes
    signature: str
    wa_id: str

    @property
    def title(self) -> str:
        """The activity's title: the customer's profile name, unique per delivery."""
        return f"Customer {self.wa_id}"


def whatsapp_first_message(account: Account, wa_id: str, n: int) -> Delivery:
    """A WhatsApp text from a customer never seen before, in Meta's shape and encoding."""
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881",
                     "phone_number_id": account.phone_number_id},
        "contacts": [{"profile": {"name": f"Customer {wa_id}"}, "wa_id": wa_id}],
        "messages": [{"from": wa_id, "id": f"wamid.bench.e2e.{wa_id}",
                      "timestamp": str(int(time.time())), "type": "text",
                      "text": {"body": f"Hello, is order #{n} ready? \u00c7a marche"}}],
    }  # fmt: skip
    payload = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "WABA_ID", "changes": [{"field": "messages", "value": value}]}],
    }
    body = json.dumps(payload, separators=(",", ":")).encode()
    return Delivery(body, sign(account.app_secret, body), wa_id)


def deliveries(account: Account, first: int, count: int) -> list[Delivery]:
    return [whatsapp_first_message(account, str(first + n), n) for n in range(count)]


# --- the servers ------------------------------------------------------------------------------


def _stop(process: subprocess.Popen, timeout: float) -> None:
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextlib.contextmanager
def daphne(env: dict[str, str], log_dir: Path) -> Iterator[tuple[int, int]]:
    """One daphne process as the Procfile starts it (with the publish probe): (port, pid)."""
    port = free_port()
    log = log_dir / "daphne.log"
    command = [*_wrapped("daphne_main"), "-b", "127.0.0.1", "-p", str(port),
               "config.asgi:application"]  # fmt: skip
    with log.open("a") as output:
        server = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        wait_until_healthy(f"http://127.0.0.1:{port}", server, log, timeout=60)
        yield port, server.pid
    finally:
        _stop(server, 10)


@contextlib.contextmanager
def celery_worker(
    env: dict[str, str], log_dir: Path, args: argparse.Namespace, *options: str,
    name: str = "worker",
) -> Iterator[int]:  # fmt: skip
    """One Celery worker as the Procfile starts it (INFO log, `--concurrency`, every queue
    unless `options` say `-Q`), with the probes; gossip and mingle off, which only slow its
    start. Its log is `<name>.log`."""
    command = [*_wrapped("worker_main"), "--loglevel=INFO", f"--concurrency={args.workers}",
               f"--pool={args.pool}", "--without-gossip", "--without-mingle",
               *options]  # fmt: skip
    with (log_dir / f"{name}.log").open("a") as output:
        worker = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        yield worker.pid
    finally:
        _stop(worker, 20)


def _process_tree(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        with contextlib.suppress(OSError):
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
    return found


@dataclass(frozen=True)
class CpuSample:
    """CPU seconds so far: the machine's (busy, all cores), and every process's (name, seconds)."""

    machine: float
    processes: dict[int, tuple[str, float]]


def cpu_sample() -> CpuSample:
    """From /proc, so that the report can say who had the cores (a test suite running beside
    the bench moves every figure)."""
    ticks = os.sysconf("SC_CLK_TCK")
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    busy = sum(fields[:8]) - fields[3] - fields[4]  # all but idle and iowait
    processes = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                text = (entry / "stat").read_text()
                name, rest = text[text.index("(") + 1 : text.rindex(")")], text.rsplit(")", 1)[1]
                stat = rest.split()
                processes[int(entry.name)] = (name, (int(stat[11]) + int(stat[12])) / ticks)
    return CpuSample(busy / ticks, processes)


def cpu_shares(before: CpuSample, after: CpuSample, seconds: float, servers: dict) -> dict:
    """Cores used over the interval: the machine, each of `servers` ({label: pid}, with its
    children), this client, and the rest by process name (postgres, redis-server, ...)."""
    owner = {os.getpid(): "bench client"}
    for label, pid in servers.items():
        owner.update(dict.fromkeys(_process_tree(pid), label))
    shares: dict[str, float] = defaultdict(float)
    for pid, (name, used) in after.processes.items():
        earlier = before.processes.get(pid)
        spent = used - (earlier[1] if earlier and earlier[0] == name else 0.0)
        shares[owner.get(pid, name)] += spent / seconds
    return {"machine": (after.machine - before.machine) / seconds, **shares}


# --- the client -------------------------------------------------------------------------------


@dataclass
class Hub:
    """What every agent socket received: when each activity's first offer (by title) and each
    ping (by sequence number) arrived, the event-id gaps (events the channel layer dropped), and
    offers received twice (by offer id: an activity rung again, in a new round after a decline,
    is a new offer, not a duplicate)."""

    offers: dict[str, float] = field(default_factory=dict)
    offered_to: dict[str, int] = field(default_factory=dict)
    offer_ids: set[int] = field(default_factory=set)
    duplicate_offers: int = 0
    pings: dict[int, float] = field(default_factory=dict)
    snapshots: int = 0
    closing: bool = False  # the bench closes the sockets: their ends are not reported
    closed: list[str] = field(default_factory=list)
    # per (agent, stream): the snapshot's event id, and the ids received
    first_id: dict[tuple[int, str], int] = field(default_factory=dict)
    seen_ids: dict[tuple[int, str], set] = field(default_factory=lambda: defaultdict(set))

    @property
    def gaps(self) -> int:
        """Event ids never received: between each page's snapshot and the last id it got, per
        stream. (Two publishers may deliver out of order; a late id is not a gap.)"""
        missing = 0
        for key, ids in self.seen_ids.items():
            later = {i for i in ids if i > self.first_id.get(key, 0)}
            if later:
                missing += max(later) - self.first_id.get(key, 0) - len(later)
        return missing

    def on_frame(self, agent_index: int, now: float, payload: bytes) -> None:
        event = json.loads(payload)
        kind = event.get("type")
        if kind == "snapshot":
            self.snapshots += 1
            for stream, event_id in event["event_ids"].items():
                self.first_id.setdefault((agent_index, stream), event_id)
            return
        if "event_id" in event:
            self.seen_ids[agent_index, event["stream"]].add(event["event_id"])
        if kind == "offer.new":
            offer = event["offer"]
            self.duplicate_offers += offer["id"] in self.offer_ids
            self.offer_ids.add(offer["id"])
            self.offers.setdefault(offer["activity"]["title"], now)
            self.offered_to.setdefault(offer["activity"]["title"], agent_index)
        elif kind == "bench.ping":
            self.pings.setdefault(event["seq"], now)

    async def wait_for(self, done, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not done() and time.monotonic() < deadline:
            await asyncio.sleep(0.02)


class AgentSocket:
    """A websocket client (RFC 6455) on asyncio streams, as small as the bench needs: text
    frames in, masked text frames out, ping answered, close. (autobahn, which daphne brings,
    cannot serve here: once Django has loaded daphne, txaio is bound to twisted.)"""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader, self.writer = reader, writer

    @classmethod
    async def connect(cls, port: int, path: str, headers: dict[str, str]) -> "AgentSocket":
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        key = base64.b64encode(secrets.token_bytes(16)).decode()
        lines = [
            f"GET {path} HTTP/1.1",
            f"Host: 127.0.0.1:{port}",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Key: {key}",
            "Sec-WebSocket-Version: 13",
            *(f"{k}: {v}" for k, v in headers.items()),
        ]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        response = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        accept = base64.b64encode(
            hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()
        ).decode()
        if not response.startswith("HTTP/1.1 101") or accept not in response:
            writer.close()
            raise ConnectionError(f"websocket refused: {response.splitlines()[0]}")
        return cls(reader, writer)

    async def frames(self) -> AsyncIterator[bytes]:
        """Each text message's payload, until the server closes."""
        message = b""
        while True:
            head = await self.reader.readexactly(2)
            opcode, length = head[0] & 0x0F, head[1] & 0x7F
            if length == 126:
                length = struct.unpack("!H", await self.reader.readexactly(2))[0]
            elif length == 127:
                length = struct.unpack("!Q", await self.reader.readexactly(8))[0]
            mask = await self.reader.readexactly(4) if head[1] & 0x80 else b""
            payload = await self.reader.readexactly(length)
            if mask:
                payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
            if opcode == 0x8:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
                raise ConnectionError(f"closed by the server: {code}")
            if opcode == 0x9:
                self._send(0xA, payload)
            elif opcode in (0x0, 0x1, 0x2):
                message += payload
                if head[0] & 0x80:  # FIN
                    yield message
                    message = b""

    def send_text(self, text: str) -> None:
        self._send(0x1, text.encode())

    def _send(self, opcode: int, payload: bytes) -> None:
        mask = secrets.token_bytes(4)
        length = len(payload)
        if length < 126:
            head = struct.pack("!BB", 0x80 | opcode, 0x80 | length)
        elif length < 65536:
            head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, length)
        else:
            head = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, length)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.writer.write(head + mask + masked)

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            self._send(0x8, struct.pack("!H", 1000))
            await self.writer.drain()
            self.writer.close()


async def open_sockets(port: int, cookies: Sequence[str], hub: Hub) -> tuple[list, list]:
    """One real websocket per agent, logged in by its session cookie, as the workspace page
    opens it (Origin of the site); a reader task per socket stamps each frame on arrival."""
    sockets, readers = [], []

    async def read(index: int, socket: AgentSocket) -> None:
        try:
            async for payload in socket.frames():
                hub.on_frame(index, time.time(), payload)
        except (ConnectionError, asyncio.IncompleteReadError) as exc:
            if not hub.closing:
                hub.closed.append(f"agent {index}: {exc}")

    for index, cookie in enumerate(cookies):
        headers = {"Origin": f"http://127.0.0.1:{port}", "Cookie": f"sessionid={cookie}"}
        socket = await AgentSocket.connect(port, "/ws/agent/", headers)
        sockets.append(socket)
        readers.append(asyncio.create_task(read(index, socket)))
    await hub.wait_for(lambda: hub.snapshots >= len(cookies), 30)
    if hub.snapshots < len(cookies):
        raise RuntimeError(f"only {hub.snapshots} of {len(cookies)} snapshots: {hub.closed}")
    return sockets, readers


async def keep_alive(sockets: Sequence[AgentSocket]) -> None:
    """Ping as the page does, so presence keeps the agents online however long the run is."""
    while True:
        await asyncio.sleep(PING_EVERY)
        for socket in sockets:
            socket.send_text('{"type": "ping"}')


async def at_rate(count: int, rate: float, send) -> None:
    """Call `send(i)` as a task at start + i / rate (open loop: a slow answer delays nothing)."""
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.05
    tasks = []
    for i in range(count):
        delay = start + i / rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(send(i)))
    await asyncio.gather(*tasks)


@dataclass
class Series:
    """One scenario's sends and arrivals (unix times), by item."""

    name: str
    sent: list[float]
    arrived: list[float | None]

    @property
    def latencies(self) -> list[float]:
        return [a - s for s, a in zip(self.sent, self.arrived, strict=True) if a is not None]

    @property
    def lost(self) -> int:
        return sum(a is None for a in self.arrived)

    @property
    def achieved_rate(self) -> float:
        span = max(self.sent) - min(self.sent) if len(self.sent) > 1 else 0
        return (len(self.sent) - 1) / span if span else 0.0


@dataclass
class WebhookRun:
    e2e: Series
    ack: Series
    statuses: Counter
    deliveries: list[Delivery]
    cpu: dict[str, float]  # cores used during the measured series, by whom


async def post_webhooks(
    client: httpx.AsyncClient, url: str, items: Sequence[Delivery], rate: float
) -> tuple[list[float], list[float], Counter]:
    sent, acked = [0.0] * len(items), [0.0] * len(items)
    statuses: Counter = Counter()

    async def send(i: int) -> None:
        item = items[i]
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "facebookexternalua",
            "X-Hub-Signature-256": item.signature,
        }
        sent[i] = time.time()
        try:
            response = await client.post(url, content=item.body, headers=headers)
            statuses[response.status_code] += 1
        except httpx.HTTPError as exc:
            statuses[type(exc).__name__] += 1
        acked[i] = time.time()

    await at_rate(len(items), rate, send)
    return sent, acked, statuses


async def webhook_series(
    port: int, hub: Hub, account: Account, args: argparse.Namespace, servers: dict[str, int]
) -> WebhookRun:
    """The warm-up (both worker processes import, connect and compile), then the measured
    messages, each waited for on the sockets until --timeout after the last send."""
    url = f"http://127.0.0.1:{port}/webhooks/whatsapp/{account.webhook_key}/"
    limits = httpx.Limits(max_connections=32, max_keepalive_connections=32)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        warm = deliveries(account, 17_000_000_000, args.warmup)
        await post_webhooks(client, url, warm, args.rate)
        await hub.wait_for(lambda: all(d.title in hub.offers for d in warm), args.timeout)
        await asyncio.sleep(0.5)
        measured = deliveries(account, 18_000_000_000, args.messages)
        cpu_before = cpu_sample()
        start = time.monotonic()
        sent, acked, statuses = await post_webhooks(client, url, measured, args.rate)
        await hub.wait_for(lambda: all(d.title in hub.offers for d in measured), args.timeout)
        elapsed = time.monotonic() - start
        cpu_after = cpu_sample()
    arrived = [hub.offers.get(d.title) for d in measured]
    return WebhookRun(
        e2e=Series("webhook -> offer.new on an agent's websocket", sent, arrived),
        ack=Series("  webhook HTTP 200 (acknowledged, task queued)", sent, acked),
        statuses=statuses,
        deliveries=measured,
        cpu=cpu_shares(cpu_before, cpu_after, elapsed, servers),
    )


async def bare_floor(port: int, account: Account, args: argparse.Namespace) -> Series:
    """The same webhooks, at the same rate, posted to a bare sync view under the same daphne
    and middleware (`bench.urls.bare`): what any request costs before the product does any
    work, against which the webhook's answer and the whole path are read."""
    url = f"http://127.0.0.1:{port}/bench/bare/"
    limits = httpx.Limits(max_connections=32, max_keepalive_connections=32)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        items = deliveries(account, 19_000_000_000, args.messages)
        sent, answered, _ = await post_webhooks(client, url, items, args.rate)
    return Series("floor: the same POST to a bare view, answered", sent, answered)


async def redis_floor(redis_url: str, count: int, rate: float, timeout: float) -> Series:
    """PUBLISH on one connection, SUBSCRIBE on another, in this process: Redis's own round
    trip, the least any event can take."""
    import redis.asyncio as aioredis

    channel = f"bench:e2e:floor:{secrets.token_hex(4)}"
    publisher, subscriber = aioredis.from_url(redis_url), aioredis.from_url(redis_url)
    pubsub = subscriber.pubsub()
    await pubsub.subscribe(channel)
    sent, arrived = [0.0] * count, [None] * count

    async def listen() -> None:
        async for message in pubsub.listen():
            if message["type"] == "message":
                arrived[int(message["data"])] = time.time()

    listener = asyncio.create_task(listen())

    async def send(i: int) -> None:
        sent[i] = time.time()
        await publisher.publish(channel, i)

    try:
        await at_rate(count, rate, send)
        deadline = time.monotonic() + timeout
        while None in arrived and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
    finally:
        listener.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await listener
        await pubsub.aclose()
        await publisher.aclose()
        await subscriber.aclose()
    return Series("floor: Redis PUBLISH -> SUBSCRIBE", sent, arrived)


async def socket_floor(
    hub: Hub, agent_ids: Sequence[int], args: argparse.Namespace, *, product: bool
) -> Series:
    """Events to the agents' groups in turn, out on their websockets through daphne: sent with
    the channel layer's group_send from this event loop (the last hop alone), or with the
    product's sync publish from a thread, as the worker publishes (through the process's one
    publisher event loop)."""
    from channels.layers import get_channel_layer

    from contactcenter import events

    layer = get_channel_layer()
    offset = 1_000_000 if product else 0
    count = args.messages
    sent = [0.0] * count

    async def send(i: int) -> None:
        agent_id = agent_ids[i % len(agent_ids)]
        event = {"type": "bench.ping", "seq": offset + i}
        sent[i] = time.time()
        stream = events.agent_stream(agent_id)
        if product:
            await asyncio.to_thread(events.publish_rollback_unsafe, [stream], event)
        else:
            message = {"type": "cc.event", "kind": event["type"], "text": json.dumps(event)}
            await layer.group_send(stream, message)

    await at_rate(count, args.rate, send)
    await hub.wait_for(lambda: all(offset + i in hub.pings for i in range(count)), args.timeout)
    arrived = [hub.pings.get(offset + i) for i in range(count)]
    name = (
        "floor: product publish (sync, as the worker) -> websocket"
        if product
        else "floor: channel layer group_send -> websocket"
    )
    return Series(name, sent, arrived)


@contextlib.asynccontextmanager
async def agent_sockets(port: int, cookies: Sequence[str], hub: Hub):
    """The agents' websockets, open (and pinging) for the block, closed after it."""
    sockets, readers = await open_sockets(port, cookies, hub)
    pinger = asyncio.create_task(keep_alive(sockets))
    try:
        yield sockets
    finally:
        pinger.cancel()
        hub.closing = True
        for socket in sockets:
            await socket.close()
        await asyncio.sleep(0.2)
        for reader in readers:
            reader.cancel()


async def client_main(
    port: int, seeded: Seeded, redis_url: str, args: argparse.Namespace, servers: dict[str, int]
) -> tuple[WebhookRun, list[Series], Hub]:
    """The webhook series; then, on the same sockets, the floors through daphne; then the bare
    Redis floor."""
    hub = Hub()
    async with agent_sockets(port, seeded.cookies, hub):
        await asyncio.sleep(1.0)  # the agents' connect-time routing tasks run first
        run = await webhook_series(port, hub, seeded.account, args, servers)
        floors = [
            await bare_floor(port, seeded.account, args),
            await redis_floor(redis_url, args.messages, args.rate, args.timeout),
            await socket_floor(hub, seeded.agent_ids, args, product=False),
            await socket_floor(hub, seeded.agent_ids, args, product=True),
        ]
    return run, floors, hub


# --- where the time goes -----------------------------------------------------------------------


def read_stamps(directory: Path) -> dict[tuple[str, str], float]:
    """(stage, key) -> the first time it was stamped, from every server process's file."""
    stamps: dict[tuple[str, str], float] = {}
    for path in directory.glob("stages-*.tsv"):
        for line in path.read_text().splitlines():
            at, stage, key = line.split("\t")
            stamps.setdefault((stage, key), float(at))
    return stamps


def timelines(run: WebhookRun, stamps: dict) -> list[dict[str, float]]:
    """Per measured message that arrived, the time of each stage, from the stamps and the
    database (WebhookEvent by the customer, its new activity, the activity's first offer)."""
    from django.db import connections

    from contactcenter.models import Activity, Offer
    from messaging.models import WebhookEvent

    wa_ids = {d.wa_id for d in run.deliveries}
    event_of = {}
    for pk, body in WebhookEvent.objects.filter(body__contains="wamid.bench.e2e.").values_list(
        "pk", "body"
    ):
        wa_id = json.loads(body)["entry"][0]["changes"][0]["value"]["contacts"][0]["wa_id"]
        if wa_id in wa_ids:
            event_of[wa_id] = pk
    activity_of = dict(
        Activity.objects.filter(identity__provider_user_id__in=wa_ids).values_list(
            "identity__provider_user_id", "pk"
        )
    )
    offered_at = {}
    for activity_id, created in (
        Offer.objects.filter(activity_id__in=activity_of.values())
        .order_by("created_at")
        .values_list("activity_id", "created_at")
    ):
        offered_at.setdefault(activity_id, created.timestamp())
    connections.close_all()

    rows = []
    for i, item in enumerate(run.deliveries):
        if run.e2e.arrived[i] is None:
            continue
        event, activity = str(event_of.get(item.wa_id)), activity_of.get(item.wa_id)
        row = {"send": run.e2e.sent[i], "ack": run.ack.arrived[i], "ws": run.e2e.arrived[i]}
        for stage in ("published", "received", "start", "done"):
            row[f"webhook.{stage}"] = stamps.get((f"webhook.{stage}", event))
        for stage in ("route.start", "route.done", "offer.serialized", "offer.publish",
                      "offer.sent"):  # fmt: skip
            row[stage] = stamps.get((stage, str(activity)))
        row["offer.created"] = offered_at.get(activity)
        rows.append(row)
    return rows


# On the path, in order: (label, from, to). The per-message differences of each.
PATH = [
    ("daphne: POST -> processing task queued (view, commit)", "send", "webhook.published"),
    ("queue wait + broker hop -> worker consumer has it", "webhook.published", "webhook.received"),
    ("pool: -> task starts in a worker process", "webhook.received", "webhook.start"),
    ("apply webhook: parse, store (-> routing)", "webhook.start", "route.start"),
    ("routing: find and claim agent, insert offer", "route.start", "offer.created"),
    ("routing: event row, serialize offer.new", "offer.created", "offer.serialized"),
    ("rest of the transaction, commit", "offer.serialized", "offer.publish"),
    ("publish offer.new + waiting.changed (INCR, group_send)", "offer.publish", "offer.sent"),
    ("channel layer -> daphne -> websocket frame", "offer.sent", "ws"),
]
BESIDE = [
    ("webhook task after the publish", "offer.sent", "webhook.done"),
    ("HTTP 200 seen by the client", "send", "ack"),
]


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest rank: a value some message actually had."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def print_stages(rows: list[dict[str, float]]) -> None:
    print("\nwhere the time goes (per message, ms; medians of each stage do not add up exactly)")
    print(f"  {'stage':<54} {'p50':>7} {'p95':>7} {'p99':>7} {'done by p50':>12}")
    for title, lines in (("on the path", PATH), ("beside the path", BESIDE)):
        print(f"  {title}:")
        for label, start, end in lines:
            deltas = [1000 * (r[end] - r[start]) for r in rows if r.get(start) and r.get(end)]
            reached = [1000 * (r[end] - r["send"]) for r in rows if r.get(end)]
            if not deltas:
                print(f"    {label:<52} {'(no stamps)':>23}")
                continue
            cumulative = f"{statistics.median(reached):>10.1f}" if lines is PATH else ""
            print(
                f"    {label:<52} {percentile(deltas, 50):>7.1f} {percentile(deltas, 95):>7.1f} "
                f"{percentile(deltas, 99):>7.1f} {cumulative:>12}"
            )


# --- report -----------------------------------------------------------------------------------


def print_table(series: Sequence[Series]) -> None:
    print(f"\n  {'scenario':<58} {'N':>5} {'rate/s':>7} {'p50 ms':>7} {'p95 ms':>7} "
          f"{'p99 ms':>7} {'lost':>5}")  # fmt: skip
    for s in series:
        values = [1000 * x for x in s.latencies]
        if values:
            cells = " ".join(f"{percentile(values, q):>7.1f}" for q in (50, 95, 99))
        else:
            cells = f"{'-':>7} {'-':>7} {'-':>7}"
        print(f"  {s.name:<58} {len(s.sent):>5} {s.achieved_rate:>7.1f} {cells} {s.lost:>5}")


def print_cpu(cpu: dict[str, float]) -> None:
    ours = ["worker", "daphne", "postgres", "redis-server", "bench client"]
    others = sorted(
        ((name, used) for name, used in cpu.items() if name not in ours and name != "machine"),
        key=lambda item: -item[1],
    )
    line = ", ".join(f"{name} {cpu.get(name, 0.0):.2f}" for name in ours)
    rest = ", ".join(f"{name} {used:.2f}" for name, used in others[:3] if used >= 0.01)
    unattributed = cpu["machine"] - sum(used for name, used in cpu.items() if name != "machine")
    print(
        f"  CPU (cores) during the measured series: {cpu['machine']:.2f} of {os.cpu_count()} "
        f"busy: {line}; other: {rest or 'none'}; unattributed (processes that exited, "
        f"interrupts, steal): {max(0.0, unattributed):.2f}"
    )


def throughput_line(series: Series) -> str:
    """Whether the system kept up: if offers come out slower than messages go in, the
    latencies are mostly queueing, and they grow with --messages."""
    arrived = sorted(a for a in series.arrived if a is not None)
    if len(arrived) < 2 or arrived[-1] == arrived[0]:
        return "throughput: too few offers to tell"
    out = (len(arrived) - 1) / (arrived[-1] - arrived[0])
    if out < 0.9 * series.achieved_rate:
        return (
            f"OVERLOADED: offers came out at {out:.1f}/s while messages went in at "
            f"{series.achieved_rate:.1f}/s; the latencies above are queueing and grow with "
            "--messages (find the rate the system sustains with a lower --rate)"
        )
    return f"kept up: offers came out at {out:.1f}/s for {series.achieved_rate:.1f}/s in"


def verdict(series: Series) -> str:
    values = [1000 * x for x in series.latencies]
    if not values:
        return "no offer arrived"
    p50, p99 = percentile(values, 50), percentile(values, 99)
    return (
        f"target p50 < {TARGET_P50_MS:.0f} ms: {'met' if p50 < TARGET_P50_MS else 'MISSED'} "
        f"({p50:.1f}); p99 < {TARGET_P99_MS:.0f} ms: "
        f"{'met' if p99 < TARGET_P99_MS else 'MISSED'} ({p99:.1f})"
        + (f"; {series.lost} LOST" if series.lost else "")
    )


def floor_ratios(run: WebhookRun, bare: Series) -> str:
    """The product against the bare POST measured in the same run, so that the machine's
    speed on the day cancels out (goal: the whole path at most FLOOR_RATIO_GOAL bare POSTs)."""
    floor = percentile([1000 * x for x in bare.latencies], 50)
    e2e, ack = (percentile([1000 * x for x in s.latencies], 50) for s in (run.e2e, run.ack))
    met = "met" if e2e <= FLOOR_RATIO_GOAL * floor else "MISSED"
    return (
        f"against the bare POST (p50 {floor:.1f} ms): webhook -> offer.new p50 "
        f"{e2e / floor:.1f}x (goal <= {FLOOR_RATIO_GOAL:g}x: {met}); webhook answered p50 "
        f"{ack / floor:.1f}x"
    )


def describe_backends(database_url: str, redis_url: str, embedded: bool) -> str:
    import dj_database_url

    db = dj_database_url.parse(database_url)
    if db["ENGINE"].endswith("sqlite3"):
        database = f"SQLite {Path(db['NAME']).relative_to(ROOT)} (fresh)"
    else:
        database = (
            f"PostgreSQL {db['NAME']} on {db['HOST']}:{db['PORT']} (recreated), pool of "
            f"{os.environ.get('DATABASE_POOL_SIZE', '10')} per process"
        )
    return f"database: {database}\nredis:    {'embedded ' if embedded else ''}{redis_url}"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Signed WhatsApp webhooks from new customers at a fixed rate against "
        "daphne + a Celery worker; measures until each offer.new reaches an agent's real "
        "websocket, beside the Redis and channel-layer floors. PostgreSQL and Redis when "
        "DATABASE_URL / REDIS_URL are set (the database name must contain 'bench': it is "
        "dropped and recreated), else var/bench-e2e.sqlite3 and an embedded Redis.",
    )
    parser.add_argument(
        "--mix", choices=["first-contact", "conversation"], default="first-contact",
        help="what each item is: a new customer's first message (default), or a whole "
        "conversation (bench/conversations.py)",
    )  # fmt: skip
    parser.add_argument(
        "-n", "--messages", type=int, help="measured (default 500; conversations: 60)"
    )
    parser.add_argument(
        "-r", "--rate", type=float, help="per second (default 50; conversations: 1)"
    )
    parser.add_argument(
        "-w", "--workers", type=int, default=2,
        help="Celery worker concurrency (default 2, as the Procfile)",
    )  # fmt: skip
    parser.add_argument(
        "--pool", choices=["prefork", "threads", "solo"], default="prefork",
        help="Celery pool (default prefork, as the Procfile)",
    )  # fmt: skip
    parser.add_argument("--agents", type=int, default=4, help="connected agents (default 4)")
    parser.add_argument(
        "--warmup", type=int, default=50, help="messages sent first, not counted (default 50)"
    )
    parser.add_argument(
        "--timeout", type=float, default=60,
        help="seconds after the last send to wait for the last offers before counting them "
        "lost (default 60)",
    )  # fmt: skip
    parser.add_argument(
        "--keep-logs", type=Path, metavar="DIR",
        help="copy the daphne and worker logs and the stage stamps into DIR",
    )  # fmt: skip
    args = parser.parse_args(argv)
    conversations = args.mix == "conversation"
    args.messages = args.messages or (60 if conversations else 500)
    args.rate = args.rate or (1 if conversations else 50)
    limits = [
        (1 <= args.messages <= 100_000, "--messages must be 1..100000"),
        (0 < args.rate <= 2000, "--rate must be in (0, 2000]"),
        (1 <= args.workers <= 64, "--workers must be 1..64"),
        (1 <= args.agents <= 200, "--agents must be 1..200"),
        (0 <= args.warmup <= 10_000, "--warmup must be 0..10000"),
        (0 < args.timeout <= 600, "--timeout must be in (0, 600]"),
    ]
    for ok, message in limits:
        if not ok:
            parser.error(message)
    if args.pool == "solo" and args.workers != 1:
        parser.error("--pool solo runs one task at a time: use --workers 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.mix == "conversation":
        from bench import conversations

        return conversations.main(args)
    with contextlib.ExitStack() as stack:
        ready = stage(stack, "e2e", stamps=True)
        seeded = seed(args.agents)
        reset_redis(ready.redis_url)
        stack.callback(reset_redis, ready.redis_url)

        print(f"end-to-end latency: {os.cpu_count()} cores, shared by daphne, the worker, the "
              "backends and this client. DEBUG off, as in production.")  # fmt: skip
        print(describe_backends(ready.database_url, ready.redis_url, ready.embedded))
        print(
            f"load: {args.messages} messages from new customers at {args.rate:g}/s "
            f"(warm-up {args.warmup} not counted); {args.agents} agents connected; "
            f"worker --pool={args.pool} --concurrency={args.workers}; 1 daphne process"
        )
        scratch, stages_dir = ready.scratch, ready.scratch / "stages"
        with (
            daphne(ready.env, scratch) as (port, daphne_pid),
            celery_worker(ready.env, scratch, args) as worker_pid,
        ):
            servers = {"daphne": daphne_pid, "worker": worker_pid}
            run, floors, hub = asyncio.run(
                client_main(port, seeded, ready.redis_url, args, servers)
            )
            rows = timelines(run, read_stamps(stages_dir))
            logs = {p.name: p.read_text(errors="replace") for p in scratch.glob("*.log")}
        if args.keep_logs:
            args.keep_logs.mkdir(parents=True, exist_ok=True)
            for path in [*scratch.glob("*.log"), *stages_dir.glob("*.tsv")]:
                shutil.copy(path, args.keep_logs / path.name)

    print_table([run.e2e, run.ack, *floors])
    print(f"\n  {verdict(run.e2e)}")
    print(f"  {floor_ratios(run, floors[0])}")
    print(f"  {throughput_line(run.e2e)}")
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(run.statuses.items(), key=str))
    spread = Counter(hub.offered_to.get(d.title) for d in run.deliveries)
    print(f"  HTTP statuses: {statuses}; offers per agent: "
          f"{[spread.get(i, 0) for i in range(args.agents)]}; duplicate offers: "
          f"{hub.duplicate_offers}; event-id gaps: {hub.gaps}")  # fmt: skip
    print_cpu(run.cpu)
    print_stages(rows)
    errors = Counter(
        line.strip()[:160]
        for text in logs.values()
        for line in text.splitlines()
        if "Error" in line or "Traceback" in line
    )
    for line, count in errors.most_common(3):
        print(f"  server log: {line} ({count} lines)")
    for line in hub.closed:
        print(f"  websocket closed: {line}")
    failed = run.e2e.lost or any(s.lost for s in floors) or set(run.statuses) != {200}
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
