"""What the benchmarks share: each side runs in a fresh process of the same script, which reports its numbers
and its own peak resident memory (ru_maxrss includes DuckDB's native memory); the parent times it."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def measure(script: str, side: str, folder: Path) -> dict[str, Any]:
    """Run `script --child side folder`; its wall time, peak memory and whatever the child printed."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, script, "--child", side, str(folder)], check=True, capture_output=True,
                          text=True)
    wall = time.perf_counter() - started
    return {"wall_s": round(wall, 2), **json.loads(done.stdout.strip().splitlines()[-1])}


def report_child(run: Callable[[], dict[str, Any]]) -> None:
    """In the child: run one side and print its result with the process's peak memory, as one JSON line."""
    result = run()
    result["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(result))
