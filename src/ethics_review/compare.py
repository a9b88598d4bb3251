"""What changed between two runs: findings.json against findings.json, by check id."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import i18n
from .errors import ReviewInputError
from .findings import Status, severity
from .paths import package_json


@dataclass(frozen=True)
class Change:
    check_id: str
    before: Status | None  # status in the old run; None when the check is new
    after: Status | None  # status in the new run; None when the check is gone
    metric_changes: tuple[tuple[str, Any, Any], ...] = ()


def read_findings(path: Path) -> dict[str, Any]:
    path = path / "findings.json" if path.is_dir() else path
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReviewInputError(
            f"{path} does not exist", fix="pass a findings.json or the output folder of a run"
        ) from None
    except json.JSONDecodeError as exc:
        raise ReviewInputError(f"{path} is not valid JSON: {exc}", fix="pass the findings.json a run wrote") from None
    if not isinstance(document, dict) or not isinstance(document.get("findings"), list):
        raise ReviewInputError(f"{path} has no 'findings' list", fix="pass the findings.json a run wrote")
    _check_schema(document, path)
    return document


def _check_schema(document: dict[str, Any], path: Path) -> None:
    """Both files must be findings.json as the kit writes them (its shipped JSON Schema), else exit 2."""
    from jsonschema import Draft202012Validator  # noqa: PLC0415 - slow to import; only a comparison needs it

    schema = package_json("schema", "findings.schema.json")
    errors = sorted(Draft202012Validator(schema).iter_errors(document), key=lambda e: list(e.path))
    if errors:
        first = errors[0]
        where = "/" + "/".join(str(p) for p in first.path)
        problems = i18n.counted(len(errors), "problem|problems", "en")
        raise ReviewInputError(
            f"{path} does not match the findings.json schema ({problems}; first at {where}: {first.message[:200]})",
            fix="pass a findings.json written by `ethics-review run`, unedited",
        )


def got_worse(change: Change) -> bool:
    """Worse: a status more severe than before, a judged check that became not_applicable (an input was removed)
    or disappeared. A new check is not worse by itself, only by its status."""
    if change.before is None:
        return change.after in {"warn", "fail", "error"}
    if change.after is None:
        return True
    if change.after == "not_applicable" and change.before != "not_applicable":
        return True
    return severity(change.after) > severity(change.before)


def compare_runs(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Every check whose status or metric differs, in the new run's order, then the checks that disappeared."""
    before = {f["check_id"]: f for f in old["findings"]}
    after = {f["check_id"]: f for f in new["findings"]}
    changes = []
    for check_id in [*after, *(c for c in before if c not in after)]:
        a, b = before.get(check_id), after.get(check_id)
        metrics = (
            ()
            if a is None or b is None
            else tuple(
                (name, a["metric"].get(name), b["metric"].get(name))
                for name in sorted(set(a["metric"]) | set(b["metric"]))
                if a["metric"].get(name) != b["metric"].get(name)
            )
        )
        status_a, status_b = (a or {}).get("status"), (b or {}).get("status")
        if status_a != status_b or metrics:
            changes.append(Change(check_id, status_a, status_b, metrics))
    return changes
