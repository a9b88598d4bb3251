"""What changed between two runs: findings.json against findings.json, by check id."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ReviewInputError


@dataclass(frozen=True)
class Change:
    check_id: str
    before: str | None  # status in the old run; None when the check is new
    after: str | None  # status in the new run; None when the check is gone
    metric_changes: tuple[tuple[str, Any, Any], ...] = ()


def read_findings(path: Path) -> dict[str, Any]:
    path = path / "findings.json" if path.is_dir() else path
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReviewInputError(f"{path} does not exist", fix="pass a findings.json or the output folder of a run") from None
    except json.JSONDecodeError as exc:
        raise ReviewInputError(f"{path} is not valid JSON: {exc}", fix="pass the findings.json a run wrote") from None
    if not isinstance(document, dict) or not isinstance(document.get("findings"), list):
        raise ReviewInputError(f"{path} has no 'findings' list", fix="pass the findings.json a run wrote")
    return document


def compare_runs(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Every check whose status or metric differs, in the new run's order, then the checks that disappeared."""
    before = {f["check_id"]: f for f in old["findings"]}
    after = {f["check_id"]: f for f in new["findings"]}
    changes = []
    for check_id in [*after, *(c for c in before if c not in after)]:
        a, b = before.get(check_id), after.get(check_id)
        metrics = () if a is None or b is None else tuple(
            (name, a["metric"].get(name), b["metric"].get(name))
            for name in sorted(set(a["metric"]) | set(b["metric"]))
            if a["metric"].get(name) != b["metric"].get(name))
        status_a, status_b = (a or {}).get("status"), (b or {}).get("status")
        if status_a != status_b or metrics:
            changes.append(Change(check_id, status_a, status_b, metrics))
    return changes
