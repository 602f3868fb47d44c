"""Waiting in tests for what a user would wait to see, while a worker or server does the work."""

import time


def wait_for(check, timeout: float = 20.0):
    """Poll until `check()` gives something truthy; return it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"still waiting after {timeout} s")
