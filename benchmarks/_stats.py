"""Small helpers for timing and summarising."""

from __future__ import annotations

import contextlib
import json
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any


def per_call(fn: Callable[[], Any], *, number: int, repeat: int = 7) -> list[float]:
    """Seconds per call of ``fn``, one figure per repeat."""
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        out.append((time.perf_counter() - start) / number)
    return out


def summary(samples: list[float], scale: float = 1e6) -> dict[str, float]:
    """Median, min and max (and p90/p99 when there are enough samples), scaled (default: us)."""
    ordered = sorted(samples)
    result = {
        "median": round(statistics.median(ordered) * scale, 3),
        "min": round(ordered[0] * scale, 3),
        "max": round(ordered[-1] * scale, 3),
    }
    if len(ordered) >= 20:
        result["p90"] = round(ordered[int(len(ordered) * 0.9) - 1] * scale, 3)
        result["p99"] = round(ordered[max(0, int(len(ordered) * 0.99) - 1)] * scale, 3)
    return result


def ratio(ours: dict[str, float], base: dict[str, float]) -> float:
    return round(ours["median"] / base["median"], 3)


def in_fresh_process(module: str, variant: str, timeout: float = 900) -> Any:
    """``python -m benchmarks.MODULE VARIANT``'s JSON: a measurement that must not share a
    process (a global provider set, a heap left by the suites before)."""
    out = subprocess.run(
        [sys.executable, "-m", f"benchmarks.{module}", variant],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if out.returncode != 0:  # the child's traceback, not only its exit status
        raise RuntimeError(f"benchmarks.{module} {variant} failed:\n{out.stderr[-4000:]}")
    return json.loads(out.stdout)


def raise_fd_limit() -> int:
    """Raise this process's soft limit on open files to its hard limit (thousands of sessions
    are thousands of sockets); the limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def rss_kb() -> int:
    """This process's resident memory now, in KB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


class FullCollections:
    """Every full collection's start and duration (time.monotonic, one clock for every
    process on the machine), as the collector itself reports them."""

    def __init__(self) -> None:
        self.pauses: list[tuple[float, float]] = []
        self._began = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if info["generation"] < 2:
            return
        if phase == "start":
            self._began = time.monotonic()
        else:
            self.pauses.append((self._began, time.monotonic() - self._began))
