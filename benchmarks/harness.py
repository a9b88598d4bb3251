"""What the benchmarks share: each side runs in a fresh process of the same script, which reports its numbers
and its own peak resident memory (ru_maxrss includes DuckDB's native memory); the parent times it."""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def arguments(doc: str, sizes: str, out: str) -> argparse.Namespace:
    """The command line every benchmark takes: its sizes (`sizes`, e.g. "--rows"), --workdir, --out (default
    `out`) and the hidden --child SIDE FOLDER that `measure` passes to a child process."""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument(sizes, type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--workdir", type=Path, default=Path("benchmarks/.data"))
    parser.add_argument("--out", type=Path, default=Path(out))
    parser.add_argument("--child", nargs=2, metavar=("SIDE", "FOLDER"), help=argparse.SUPPRESS)
    return parser.parse_args()


def run_child(args: argparse.Namespace, sides: dict[str, Callable[[Path], dict[str, Any]]]) -> bool:
    """If this process is a child (--child SIDE FOLDER), run that side on the folder, report it and return True."""
    if not args.child:
        return False
    side, folder = args.child
    report_child(lambda: sides[side](Path(folder)))
    return True


def measure(script: str, side: str, folder: Path) -> dict[str, Any]:
    """Run `script --child side folder`; its wall time, peak memory and whatever the child printed."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, script, "--child", side, str(folder)], check=True, capture_output=True, text=True
    )
    wall = time.perf_counter() - started
    return {"wall_s": round(wall, 2), **json.loads(done.stdout.strip().splitlines()[-1])}


def report_child(run: Callable[[], dict[str, Any]]) -> None:
    """In the child: run one side and print its result with the process's peak memory, as one JSON line."""
    result = run()
    result["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(result))
