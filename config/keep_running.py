"""Keep a process running, as a process manager would: `python -m config.keep_running CMD...`.

`make run` runs its processes under honcho, which stops them all when one exits: a worker that
died (killed, out of memory, a broker outage it gave up on) took every offer deadline, sweep
and send down with it until someone restarted everything. This starts the command, starts it
again whenever it stops on its own (after a short pause that grows while it keeps failing),
and passes SIGTERM and SIGINT on to it, then ends with it.
"""

import signal
import subprocess
import sys
import time

# Seconds before each restart in a row; a run that lasted HEALTHY_AFTER starts the count over.
RESTART_DELAYS = (1, 2, 5, 10, 30)
HEALTHY_AFTER = 60.0


def keep_running(command: list[str]) -> int:
    """Run `command` until this process is told to stop; returns the command's last exit code."""
    child: subprocess.Popen | None = None
    stopping = False

    def stop(signum, _frame) -> None:
        nonlocal stopping
        stopping = True
        if child is not None and child.poll() is None:
            child.send_signal(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    failures = 0
    while True:
        started = time.monotonic()
        child = subprocess.Popen(command)
        _say(f"started {command[0]} as pid {child.pid}")
        code = child.wait()
        if stopping:
            return code
        failures = 1 if time.monotonic() - started > HEALTHY_AFTER else failures + 1
        delay = RESTART_DELAYS[min(failures, len(RESTART_DELAYS)) - 1]
        _say(f"{command[0]} (pid {child.pid}) stopped with {code}; starting it again in {delay} s")
        time.sleep(delay)
        if stopping:
            return code


def _say(line: str) -> None:
    print(f"keep_running: {line}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(keep_running(sys.argv[1:]))
