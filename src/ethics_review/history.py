"""The review's history: one small JSON file per run, aggregates only (continuous evaluation, docs/checks.md v2).

Each run of the report appends its summary and, per check, its status and the numbers of its metric: no evidence
row, no text, nothing about a person. The history lives in a folder next to the review (`<review folder>.history`)
or in the folder given with `--history DIR`; never inside the review folder or an input's folder, because the
kit never writes where its inputs are. `governance.continuous_evaluation` and `ethics-review diff --history` read
it.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from . import i18n
from .errors import ReviewInputError
from .findings import AREAS, STATUSES, severity, status_counts

SUFFIX = ".history"
RUN_PATTERN = "run-*.json"
FORMAT = 1


def default_dir(review_dir: Path) -> Path:
    """`<parent>/<review folder name>.history`: next to the review, not inside it."""
    review_dir = Path(review_dir).resolve()
    return review_dir.parent / f"{review_dir.name}{SUFFIX}"


def check_location(history_dir: Path, review_dir: Path, input_paths: Iterable[str] = ()) -> Path:
    """The history folder, refused when it is inside the review folder or the folder of an input file."""
    target = Path(history_dir).expanduser().resolve()
    folders = {Path(review_dir).resolve()}
    folders |= {Path(p).resolve().parent for p in input_paths if p and Path(p).is_absolute()}
    for folder in sorted(folders):
        if target == folder or folder in target.parents:
            raise ReviewInputError(
                f"the history folder {target} is inside {folder}, which holds the review's inputs",
                fix=f"use a folder next to the review, such as {default_dir(review_dir)}, "
                "or pass --history with a folder outside the inputs",
            )
    return target


# --- writing --------------------------------------------------------------------------------------------------------


def entry_from_record(record: Mapping[str, Any]) -> dict[str, Any]:
    """What a run leaves in the history: its identity, counts per status and per area, and per check its status and
    metric numbers. Strings, lists and evidence are dropped."""
    findings = [
        {
            "check_id": f["check_id"],
            "area": f["area"],
            "status": f["status"],
            "metric": numeric_metric(f.get("metric", {})),
        }
        for f in record["findings"]
    ]
    areas = {
        area: status_counts(f["status"] for f in findings if f["area"] == area)
        for area in dict.fromkeys([*AREAS, *(f["area"] for f in findings)])
    }
    return {
        "format": FORMAT,
        "kit_version": record.get("kit_version"),
        "review": record.get("review"),
        "as_of": record["as_of"],
        "lang": record.get("lang"),
        "campaign": record.get("campaign"),
        "generated_at": record["generated_at"],
        "summary": status_counts(f["status"] for f in findings),
        "areas": {a: c for a, c in areas.items() if sum(c.values())},
        "findings": findings,
    }


def numeric_metric(metric: Mapping[str, Any]) -> dict[str, float | int]:
    return {
        k: v
        for k, v in metric.items()
        if isinstance(v, (int, float)) and not isinstance(v, bool) and not (isinstance(v, float) and math.isnan(v))
    }


def run_file_name(entry: Mapping[str, Any]) -> str:
    stamp = re.sub(r"[^0-9A-Za-z]", "", str(entry["generated_at"]))
    return f"run-{entry['as_of']}-{stamp}.json"


def append(history_dir: Path, record: Mapping[str, Any]) -> Path:
    """Add one run (a findings.json record) to the history folder, created if needed."""
    entry = entry_from_record(record)
    history_dir = Path(history_dir)
    history_dir.mkdir(parents=True, exist_ok=True)
    path = history_dir / run_file_name(entry)
    text = json.dumps(entry, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path


# --- reading --------------------------------------------------------------------------------------------------------


def read_runs(history_dir: Path | None, *, review: str | None = None) -> list[dict[str, Any]]:
    """Every run of the folder (of the review named `review` when given), oldest first (as_of, then time)."""
    if history_dir is None or not Path(history_dir).is_dir():
        return []
    runs = []
    for path in sorted(Path(history_dir).glob(RUN_PATTERN)):
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ReviewInputError(
                f"{path} in the review's history is not valid JSON: {exc}",
                fix="remove or restore this file; the history holds only files the kit wrote",
            ) from None
        if not isinstance(entry, dict) or not isinstance(entry.get("findings"), list) or "as_of" not in entry:
            raise ReviewInputError(
                f"{path} in the review's history is not a run record",
                fix="remove this file; the history holds only files the kit wrote",
            )
        if review is None or entry.get("review") == review:
            runs.append(entry)
    return sorted(runs, key=lambda e: (str(e["as_of"]), str(e.get("generated_at", ""))))


def previous_run(runs: Sequence[Mapping[str, Any]], as_of: dt.date) -> Mapping[str, Any] | None:
    """The latest run judged at or before `as_of`."""
    earlier = [r for r in runs if dt.date.fromisoformat(str(r["as_of"])[:10]) <= as_of]
    return earlier[-1] if earlier else None


def worsened(before: Mapping[str, Any], now: Mapping[str, str], *, ignore: Iterable[str] = ()) -> list[dict[str, str]]:
    """Checks whose status is more severe now than in `before` (a run record); checks new since then are not
    counted. `now` maps check id to its current status."""
    skip = set(ignore)
    earlier = {f["check_id"]: f["status"] for f in before["findings"]}
    return [
        {"check_id": check_id, "before": earlier[check_id], "after": status}
        for check_id, status in now.items()
        if check_id not in skip
        and check_id in earlier
        and earlier[check_id] in STATUSES
        and _severity(status) > _severity(earlier[check_id])
    ]


def _severity(status: object) -> int:
    """The severity of a status read from a run record or a part; anything else ranks below every status."""
    return next((severity(known) for known in STATUSES if known == status), -1)


def area_trend(runs: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """One row per run and area: the run's as_of and how many checks had each status (counts of checks)."""
    rows = [
        {"as_of": str(run["as_of"])[:10], "area": area, **{s: int(counts.get(s, 0)) for s in STATUSES}}
        for run in runs
        for area, counts in run.get("areas", {}).items()
    ]
    return pd.DataFrame(rows, columns=["as_of", "area", *STATUSES])


def last_two(history_dir: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """The two most recent runs, for `ethics-review diff --history DIR`."""
    runs = read_runs(history_dir)
    if len(runs) < 2:
        raise ReviewInputError(
            f"the history folder {history_dir} holds {i18n.counted(len(runs), 'run|runs', 'en')}; diff needs two",
            fix="run the review again with the same --history, or pass two findings.json files",
        )
    return runs[-2], runs[-1]
