"""The whole review at scale: `ethics-review run` (report included) on the demo, against floors measured in the
same run.

- 1M and 10M contacts (Parquet), DuckDB: wall time and peak resident memory of the process tree (the command, its
  notebook kernels and anything they start, summed at each poll), against the floor of one DuckDB scan of the same
  Parquet files (every column of every table read once, in a fresh process).
- The 20,000-contact demo review (the demo command's CSV files), against a papermill run of three empty notebooks
  (the fixed cost of starting kernels), measured in the same run.
- `--spark N`: the same review of N contacts with `--engine pyspark` (the JVMs are in the process tree too).

Each side runs in its own process tree, one after the other; the machine's load average is recorded before each.
Reported as ratios: review / floor (how many times the floor the whole review costs).

    .venv/bin/python benchmarks/full_review.py --contacts 1000000 10000000 --spark 1000000
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import nbformat
import psutil

import ethics_review
from ethics_review.demo import generate

SMALL_DEMO = 20_000
POLL_SECONDS = 0.05
TABLES = ("contacts", "consents", "sends", "targeting", "requests", "content", "interactions")


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--contacts", type=int, nargs="*", default=[1_000_000, 10_000_000])
    parser.add_argument("--spark", type=int, nargs="*", default=[1_000_000], help="sizes to run with --engine pyspark")
    parser.add_argument("--small", type=int, default=SMALL_DEMO, help="the small demo review (0: skip)")
    parser.add_argument("--workdir", type=Path, default=Path("benchmarks/.data"))
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/full_review.json"))
    return parser.parse_args()


# --- measuring a process tree -------------------------------------------------------------------------------------


def run_tree(command: list[str], *, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run `command`; its wall time and the peak of the summed resident memory of it and all its descendants,
    polled every POLL_SECONDS (a child that lives less than that may be missed; the kernels live for seconds)."""
    load = os.getloadavg()
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    root = psutil.Process(process.pid)
    peak = 0
    while process.poll() is None:
        total = 0
        for member in [root, *root.children(recursive=True)]:
            try:
                total += member.memory_info().rss
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
        peak = max(peak, total)
        time.sleep(POLL_SECONDS)
    wall = time.perf_counter() - started
    output = process.stdout.read() if process.stdout else ""
    measured = {
        "wall_s": round(wall, 2),
        "peak_mb": round(peak / 2**20, 1),
        "exit_code": process.returncode,
        "load_before": [round(x, 2) for x in load],
    }
    if process.returncode not in (0, 1):  # 1: the demo's planted findings; anything else: say what failed
        measured["output_tail"] = output.strip().splitlines()[-20:]
    return measured


def review_command(folder: Path, out: Path, *, engine: str | None = None) -> list[str]:
    command = [sys.executable, "-m", "ethics_review.cli", "run", str(folder), "--out", str(out), "--no-history"]
    return command + (["--engine", engine] if engine else [])


def scan_command(folder: Path) -> list[str]:
    """The floor: one DuckDB scan of every column of every Parquet table of the review, in a fresh process."""
    files = [str(folder / f"{name}.parquet") for name in TABLES if (folder / f"{name}.parquet").exists()]
    code = (
        "import duckdb, sys\n"
        "con = duckdb.connect()\n"
        "for path in sys.argv[1:]:\n"
        '    con.execute("SELECT count(*), max(COLUMNS(*)) FROM read_parquet(?)", [path]).fetchall()\n'
    )
    return [sys.executable, "-c", code, *files]


def empty_notebooks_command(folder: Path) -> list[str]:
    """Three empty notebooks run one after the other by papermill, as the report runs its notebooks (one kernel
    each, same kernel name): the fixed cost of a report."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(3):
        notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("")])
        notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        path = folder / f"empty{number}.ipynb"
        nbformat.write(notebook, path)
        paths.append(str(path))
    code = (
        "import sys, papermill\n"
        "for path in sys.argv[1:]:\n"
        "    papermill.execute_notebook(path, path.replace('.ipynb', '.out.ipynb'), kernel_name='python3',\n"
        "                               progress_bar=False, log_output=False)\n"
    )
    return [sys.executable, "-c", code, *paths]


# --- the data -----------------------------------------------------------------------------------------------------


def demo_folder(workdir: Path, contacts: int, file_format: str) -> Path:
    """The demo review at `contacts`, generated once into the work folder (kept between runs)."""
    folder = workdir / (f"demo-{contacts}" if file_format == "parquet" else f"demo-{contacts}-{file_format}")
    if not (folder / "planted.json").exists():
        started = time.perf_counter()
        print(f"generating {contacts:,} contacts ({file_format}) ...", flush=True)
        generate(folder, contacts=contacts, file_format=file_format)
        print(f"  generated in {time.perf_counter() - started:.0f} s", flush=True)
    return folder


def bench_review(folder: Path, contacts: int, *, engine: str | None = None) -> dict[str, Any]:
    out = Path(tempfile.mkdtemp(prefix="full-review-", dir=folder.parent))
    try:
        print(f"review of {contacts:,} contacts on {engine or 'duckdb'} ...", flush=True)
        measured = run_tree(review_command(folder, out / "report", engine=engine))
    finally:
        shutil.rmtree(out, ignore_errors=True)
    if measured["exit_code"] not in (0, 1):  # 1: the demo's planted findings
        raise SystemExit(f"the review failed: {measured}")
    return measured


def compile_the_kit() -> None:
    """The kit's bytecode, as `pip install` writes it: a checkout run with PYTHONDONTWRITEBYTECODE=1 (as on this
    machine) would otherwise compile every module of the kit again in the command and in each kernel (about 0.3 s
    of CPU per process), a cost no installed kit has."""
    compileall.compile_dir(Path(ethics_review.__file__).parent, quiet=1)


def main() -> None:
    args = arguments()
    args.workdir.mkdir(parents=True, exist_ok=True)
    compile_the_kit()
    env_note = {"cores": os.cpu_count(), "memory_gib": _memory_gib()}
    rows: list[dict[str, Any]] = []
    if args.small:
        folder = demo_folder(args.workdir, args.small, "csv")
        floor = run_tree(empty_notebooks_command(args.workdir / "empty-notebooks"))
        review = bench_review(folder, args.small)
        rows.append(
            {
                "contacts": args.small,
                "engine": "duckdb",
                "files": "csv",
                "review": review,
                "floor": "papermill, three empty notebooks",
                "floor_measured": floor,
                "time_ratio": round(review["wall_s"] / floor["wall_s"], 2),
            }
        )
        print(json.dumps(rows[-1]), flush=True)
    for contacts in args.contacts:
        folder = demo_folder(args.workdir, contacts, "parquet")
        floor = run_tree(scan_command(folder))
        review = bench_review(folder, contacts)
        rows.append(
            {
                "contacts": contacts,
                "engine": "duckdb",
                "files": "parquet",
                "review": review,
                "floor": "one DuckDB scan of the same Parquet files",
                "floor_measured": floor,
                "time_ratio": round(review["wall_s"] / floor["wall_s"], 2),
                "memory_ratio": round(review["peak_mb"] / floor["peak_mb"], 2),
            }
        )
        print(json.dumps(rows[-1]), flush=True)
    for contacts in args.spark:
        folder = demo_folder(args.workdir, contacts, "parquet")
        floor = run_tree(scan_command(folder))
        review = bench_review(folder, contacts, engine="pyspark")
        rows.append(
            {
                "contacts": contacts,
                "engine": "pyspark",
                "files": "parquet",
                "review": review,
                "floor": "one DuckDB scan of the same Parquet files",
                "floor_measured": floor,
                "time_ratio": round(review["wall_s"] / floor["wall_s"], 2),
                "memory_ratio": round(review["peak_mb"] / floor["peak_mb"], 2),
            }
        )
        print(json.dumps(rows[-1]), flush=True)
    record = {"benchmark": "full review (ethics-review run, report included)", "machine": env_note, "rows": rows}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    previous = json.loads(args.out.read_text(encoding="utf-8")) if args.out.exists() else {"rows": []}
    record.update({k: v for k, v in previous.items() if k not in record})  # e.g. spark_open_once, measured apart
    measured = {(r["contacts"], r["engine"]) for r in rows}
    record["rows"] = [r for r in previous.get("rows", []) if (r["contacts"], r["engine"]) not in measured] + rows
    record["rows"].sort(key=lambda r: (r["engine"], r["contacts"]))
    args.out.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")


def _memory_gib() -> float:
    return round(psutil.virtual_memory().total / 2**30, 1)


if __name__ == "__main__":
    main()
