"""The Finding record, its statuses, the shared judging function and small-cell suppression."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import pandas as pd

Status = Literal["pass", "warn", "fail", "not_applicable", "error"]
STATUSES: tuple[Status, ...] = ("pass", "warn", "fail", "not_applicable", "error")
AREAS = ("consent", "bias", "transparency", "governance")
ThresholdKind = Literal["rule", "kit default"]
Comparison = Literal["<", "<=", ">", ">="]
_SEVERITY = {"not_applicable": 0, "pass": 1, "warn": 2, "fail": 3, "error": 4}


@dataclass(frozen=True)
class Threshold:
    """One line of judgement: `metric` `op` `value` gives `level`. `kind` says whether a law fixes it."""

    metric: str
    op: Comparison
    value: float
    level: Literal["warn", "fail"]
    kind: ThresholdKind
    needs_significance: bool = False

    def breached(self, observed: float | None, *, significant: bool = True) -> bool:
        if observed is None or (isinstance(observed, float) and math.isnan(observed)):
            return False
        if self.needs_significance and not significant:
            return False
        return {"<": observed < self.value, "<=": observed <= self.value,
                ">": observed > self.value, ">=": observed >= self.value}[self.op]


def judge(observed: Mapping[str, float | None], thresholds: Iterable[Threshold], *,
          significant: bool = True) -> Status:
    """The one judging function: the worst level among breached thresholds, else pass."""
    levels = [t.level for t in thresholds if t.breached(observed.get(t.metric), significant=significant)]
    return "fail" if "fail" in levels else "warn" if "warn" in levels else "pass"


def severity(status: Status) -> int:
    """not_applicable < pass < warn < fail < error."""
    return _SEVERITY[status]


def worst(statuses: Iterable[Status]) -> Status:
    """The most severe status; `not_applicable` when there is none to judge."""
    return max(statuses, key=_SEVERITY.__getitem__, default="not_applicable")


def status_counts(statuses: Iterable[Status]) -> dict[str, int]:
    """How many of each status, every status present (in STATUSES order)."""
    counts = dict.fromkeys(STATUSES, 0)
    for status in statuses:
        counts[status] += 1
    return counts


@dataclass(frozen=True)
class Finding:
    check_id: str
    area: str
    status: Status
    title: str
    summary: str
    recommendation: str
    metric: Mapping[str, Any] = field(default_factory=dict)
    thresholds: tuple[Threshold, ...] = ()
    references: tuple[str, ...] = ()
    evidence: tuple[Mapping[str, Any], ...] = ()
    notes: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        record = asdict(self)
        record["metric"] = {k: _json_value(v) for k, v in self.metric.items()}
        record["evidence"] = [{k: _json_value(v) for k, v in row.items()} for row in self.evidence]
        record["thresholds"] = [asdict(t) for t in self.thresholds]
        record["references"] = list(self.references)
        record["notes"] = list(self.notes)
        return record


def _json_value(value: Any) -> Any:
    """Plain JSON scalars: numpy and pandas scalars unwrapped, NaN as null, dates as ISO strings."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    return value


def suppressed_label(k: int) -> str:
    return f"<{k}"


def suppress_small_cells(frame: pd.DataFrame, *, count_columns: Sequence[str], k: int,
                         hide_with: Mapping[str, Sequence[str]] | None = None) -> pd.DataFrame:
    """k-anonymity for evidence tables: a count of 1 to k-1 shows as "<k", and the values it governs
    (`hide_with`: rates, intervals, and complementary counts it could be derived from) are hidden."""
    out = frame.copy()
    # Zero is not a small cell: it counts nobody.
    numbers = {c: pd.to_numeric(out[c], errors="coerce") for c in count_columns}
    small = {c: ((v > 0) & (v < k)).fillna(False).to_numpy(dtype=bool) for c, v in numbers.items()}
    for column, mask in small.items():
        for dependent in (hide_with or {}).get(column, ()):
            out[dependent] = out[dependent].astype(object).where(~mask, None)
    for column, mask in small.items():
        out[column] = out[column].astype(object).where(~mask, suppressed_label(k))
    return out


def evidence_records(frame: pd.DataFrame) -> tuple[dict[str, Any], ...]:
    return tuple({str(k): _json_value(v) for k, v in row.items()} for row in frame.to_dict(orient="records"))
