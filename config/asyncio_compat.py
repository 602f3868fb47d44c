"""A cancelled task must stop, and on Python 3.11 `asyncio.wait_for` can keep it going.

3.11's `wait_for` runs its awaitable as a task of its own; when the caller is cancelled in the
loop iteration where that task finishes, it returns the result and the cancellation is lost
(CPython gh-86296; 3.12 rebuilt `wait_for` on `asyncio.timeout`). redis-py 8 wraps every
command it writes in `wait_for` (it has a socket timeout by default), so a websocket cancelled
while its channel layer wrote to Redis never ended: channels-redis's receive loop went back to
its blocking read, 5 s at a time, and whoever awaited the consumer (daphne when the page left or
the server stopped, a test's event loop) waited for ever.
"""

import asyncio
import sys


async def wait_for(awaitable, timeout):
    """`asyncio.wait_for` as Python 3.12 defines it: the awaitable runs in the caller's task
    under `asyncio.timeout`, so cancelling the caller always cancels the wait."""
    async with asyncio.timeout(timeout):
        return await awaitable


def install() -> None:
    """Put 3.12's `wait_for` in place on older Pythons. Called once as every process starts,
    before any library awaits with it (they look it up as `asyncio.wait_for` at each call)."""
    if sys.version_info < (3, 12):
        asyncio.wait_for = wait_for
        asyncio.tasks.wait_for = wait_for
