"""Small helpers for timing and summarising."""

from __future__ import annotations

import json
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
        check=True,
    )
    return json.loads(out.stdout)
