"""Run every benchmark and print one JSON document."""

from __future__ import annotations

import importlib
import json
import os
import platform
import sys
import time
from typing import Any

SUITES = [
    "codec",
    "core",
    "session",
    "overhead",
    "scale",
    "reconnect",
    "calls",
    "sidebands",
    "density",
    "replicas",
]


def main(argv: list[str]) -> None:
    chosen = argv or SUITES
    report: dict[str, Any] = {
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(),
            "cpus": os.cpu_count(),
        },
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "results": {},
        "seconds": {},  # each suite's run time
    }
    for name in chosen:
        module = importlib.import_module(f"benchmarks.{name}")
        print(f"running {name}...", file=sys.stderr)
        began = time.perf_counter()
        report["results"][name] = module.run()
        report["seconds"][name] = round(time.perf_counter() - began, 1)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
