"""Fan-out to many agents: every new customer's `waiting.changed` reaches every connected agent
of the queue, however many there are.

Why: a queue-wide event used to cost a Redis round trip per agent; with 200 agents the
publishing fell behind the load and events were lost. This connects `--agents` real websockets
(one per agent, all in one queue, split over `--daphnes` daphne processes), sends webhooks from
new customers at `--rate`, and times each customer's `waiting.changed` from the POST to the
last agent's socket. It prints that time (goal: p99 under 1 s at 5 new customers/s with 1,000
agents), the events lost (a socket that never got one) and the event-id gaps, the memory each
socket costs daphne, and the CPU each queue event costs daphne and the worker.

    .venv/bin/python bench/agents.py --agents 1000 --rate 5 -n 300
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/contactcenter_bench \\
      REDIS_URL=redis://127.0.0.1:6379/13 .venv/bin/python bench/agents.py --daphnes 2

PostgreSQL and Redis when DATABASE_URL / REDIS_URL are set (the database name must contain
"bench": it is dropped and recreated), else a fresh SQLite file and an embedded Redis. Servers
run with DEBUG off, as in production. Not a test: it prints figures.
"""

import argparse
import asyncio
import contextlib
import json
import os
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: bench/ is on the path, the project is not
    sys.path.insert(0, str(ROOT))

from bench.e2e_latency import (  # noqa: E402
    AgentSocket,
    celery_worker,
    cpu_sample,
    cpu_shares,
    daphne,
    deliveries,
    keep_alive,
    percentile,
    post_webhooks,
    reset_redis,
    seed,
    stage,
)

GOAL_P99_S = 1.0
CONNECT_BATCH = 25  # sockets opened at once


@dataclass
class FanOut:
    """What the agents' sockets received: when each customer's waiting.changed reached each
    socket, the snapshots, and the ids seen per (socket, stream)."""

    waiting: dict[str, dict[int, float]] = field(default_factory=lambda: defaultdict(dict))
    snapshots: int = 0
    first_id: dict[tuple[int, str], int] = field(default_factory=dict)
    seen_ids: dict[tuple[int, str], set] = field(default_factory=lambda: defaultdict(set))
    closed: list[str] = field(default_factory=list)
    closing: bool = False

    def on_frame(self, index: int, now: float, payload: bytes) -> None:
        event = json.loads(payload)
        if event["type"] == "snapshot":
            self.snapshots += 1
            for stream, event_id in event["event_ids"].items():
                self.first_id.setdefault((index, stream), event_id)
            return
        if "event_id" in event:
            self.seen_ids[index, event["stream"]].add(event["event_id"])
        if event["type"] == "waiting.changed":
            self.waiting[event["activity"]["title"]].setdefault(index, now)

    @property
    def gaps(self) -> int:
        missing = 0
        for key, ids in self.seen_ids.items():
            later = {i for i in ids if i > self.first_id.get(key, 0)}
            if later:
                missing += max(later) - self.first_id.get(key, 0) - len(later)
        return missing


async def open_sockets(ports: Sequence[int], cookies: Sequence[str], hub: FanOut):
    """One websocket per agent, spread over the daphne processes, CONNECT_BATCH at a time."""
    sockets, readers = [], []

    async def read(index: int, socket: AgentSocket) -> None:
        try:
            async for payload in socket.frames():
                hub.on_frame(index, time.time(), payload)
        except (ConnectionError, asyncio.IncompleteReadError) as exc:
            if not hub.closing:
                hub.closed.append(f"agent {index}: {exc}")

    async def connect(index: int) -> None:
        port = ports[index % len(ports)]
        headers = {"Origin": f"http://127.0.0.1:{port}", "Cookie": f"sessionid={cookies[index]}"}
        socket = await AgentSocket.connect(port, "/ws/agent/", headers)
        sockets.append(socket)
        readers.append(asyncio.create_task(read(index, socket)))

    for first in range(0, len(cookies), CONNECT_BATCH):
        last = min(first + CONNECT_BATCH, len(cookies))
        await asyncio.gather(*(connect(i) for i in range(first, last)))
        # The next pages open once these have their snapshots: daphne reads every socket's
        # snapshot on its one database thread, and a handshake queued behind hundreds of them
        # outlasts daphne's connect timeout (a storm the pages ride out by reconnecting).
        deadline = time.monotonic() + 60
        while hub.snapshots < last and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        if hub.snapshots < last:
            raise RuntimeError(f"only {hub.snapshots} of {last} snapshots: {hub.closed[:5]}")
    return sockets, readers


def rss_kib(pids: Sequence[int]) -> int:
    """Resident memory of the processes, KiB."""
    total = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total


@dataclass
class Run:
    sent: list[float]
    titles: list[str]
    memory_per_socket_kib: float
    cpu: dict[str, float]
    seconds: float


async def client(ports, daphne_pids, seeded, account_url: str, args, servers) -> tuple[Run, FanOut]:
    hub = FanOut()
    before = rss_kib(daphne_pids)
    sockets, readers = await open_sockets(ports, seeded.cookies, hub)
    await asyncio.sleep(2)  # the connect-time routing and presence settle
    memory = (rss_kib(daphne_pids) - before) / len(sockets)
    pinger = asyncio.create_task(keep_alive(sockets))
    limits = httpx.Limits(max_connections=16, max_keepalive_connections=16)
    try:
        async with httpx.AsyncClient(limits=limits, timeout=30) as http:
            warm = deliveries(seeded.account, 27_000_000_000, args.warmup)
            await post_webhooks(http, account_url, warm, args.rate)
            await asyncio.sleep(3)
            measured = deliveries(seeded.account, 28_000_000_000, args.messages)
            cpu_before, start = cpu_sample(), time.monotonic()
            sent, _, _ = await post_webhooks(http, account_url, measured, args.rate)
            titles = [item.title for item in measured]
            everyone = len(sockets)
            deadline = time.monotonic() + args.timeout
            while time.monotonic() < deadline and any(
                len(hub.waiting.get(title, ())) < everyone for title in titles
            ):
                await asyncio.sleep(0.05)
            seconds = time.monotonic() - start
            cpu = cpu_shares(cpu_before, cpu_sample(), seconds, servers)
    finally:
        pinger.cancel()
        hub.closing = True
        for socket in sockets:
            await socket.close()
        for reader in readers:
            reader.cancel()
    return Run(sent, titles, memory, cpu, seconds), hub


def report(run: Run, hub: FanOut, args, servers: dict[str, int]) -> int:
    to_last, to_first, lost = [], [], 0
    for sent, title in zip(run.sent, run.titles, strict=True):
        arrivals = hub.waiting.get(title, {})
        lost += args.agents - len(arrivals)
        if arrivals:
            to_first.append(min(arrivals.values()) - sent)
        if len(arrivals) == args.agents:
            to_last.append(max(arrivals.values()) - sent)
    print(f"\n{len(run.titles)} new customers at {args.rate:g}/s, each a waiting.changed to all "
          f"{args.agents} agents ({args.rate * args.agents:g} frames/s out)")  # fmt: skip
    for name, values in (("to the first agent", to_first), ("to the last agent", to_last)):
        if values:
            ms = [1000 * v for v in values]
            print(f"  webhook -> waiting.changed {name:<18} p50 {percentile(ms, 50):7.0f} ms  "
                  f"p95 {percentile(ms, 95):7.0f}  p99 {percentile(ms, 99):7.0f}  "
                  f"max {max(ms):7.0f}")  # fmt: skip
    p99 = percentile([1000 * v for v in to_last], 99) / 1000 if to_last else float("inf")
    print(f"  goal p99 to the last agent < {GOAL_P99_S:g} s: "
          f"{'met' if p99 < GOAL_P99_S and not lost else 'MISSED'}")  # fmt: skip
    print(f"  lost (a socket that never got its customer's event): {lost}; event-id gaps: "
          f"{hub.gaps}; sockets closed: {len(hub.closed)}")  # fmt: skip
    print(f"  memory per socket in daphne: {run.memory_per_socket_kib:.0f} KiB")
    events = len(run.titles)
    for label in servers:
        print(f"  CPU per queue event, {label}: "
              f"{1000 * run.cpu.get(label, 0) * run.seconds / events:.1f} ms "
              f"({run.cpu.get(label, 0):.2f} cores)")  # fmt: skip
    print(f"  machine: {run.cpu['machine']:.2f} of {os.cpu_count()} cores busy; this client "
          f"{run.cpu.get('bench client', 0):.2f}")  # fmt: skip
    for line in hub.closed[:3]:
        print(f"  websocket closed: {line}")
    return 1 if lost or not to_last else 0


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agents", type=int, default=1000, help="connected agents (1000)")
    parser.add_argument("--daphnes", type=int, default=1, help="daphne processes (1)")
    parser.add_argument("-r", "--rate", type=float, default=5, help="new customers/s (5)")
    parser.add_argument("-n", "--messages", type=int, default=300, help="measured (300)")
    parser.add_argument("--warmup", type=int, default=10, help="not counted (10)")
    parser.add_argument("--timeout", type=float, default=60, help="seconds to wait after (60)")
    parser.add_argument("-w", "--workers", type=int, default=2, help="worker concurrency (2)")
    parser.add_argument("--pool", default="prefork", help="Celery pool (prefork)")
    args = parser.parse_args(argv)
    if not (1 <= args.agents <= 5000 and 1 <= args.daphnes <= 8 and 0 < args.rate <= 200):
        parser.error("--agents 1..5000, --daphnes 1..8, --rate (0, 200]")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    with contextlib.ExitStack() as stack:
        ready = stage(stack, "agents", stamps=True)
        scratch, env, database_url = ready.scratch, ready.env, ready.database_url
        seeded = seed(args.agents)
        reset_redis(ready.redis_url)
        stack.callback(reset_redis, ready.redis_url)
        print(f"fan-out: {args.agents} agents in one queue on {args.daphnes} daphne process(es),"
              f" {os.cpu_count()} cores shared with the worker, the backends and this client; "
              f"{'embedded ' if ready.embedded else ''}Redis, "
              f"{'SQLite' if database_url.startswith('sqlite') else 'PostgreSQL'}")  # fmt: skip
        servers, ports, daphne_pids = {}, [], []
        for n in range(args.daphnes):
            log_dir = scratch / f"daphne{n}"
            log_dir.mkdir()
            port, pid = stack.enter_context(daphne(env, log_dir))
            ports.append(port)
            daphne_pids.append(pid)
            servers[f"daphne {n}"] = pid
        servers["worker"] = stack.enter_context(celery_worker(env, scratch, args))
        url = f"http://127.0.0.1:{ports[0]}/webhooks/whatsapp/{seeded.account.webhook_key}/"
        run, hub = asyncio.run(client(ports, daphne_pids, seeded, url, args, servers))
    return report(run, hub, args, servers)


if __name__ == "__main__":
    sys.exit(main())
