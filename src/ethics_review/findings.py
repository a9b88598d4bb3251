"""The Finding record, its statuses, the shared judging function and small-cell suppression."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from functools import partial
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from .areas import AREAS as AREAS  # every finding names one of them; also read from here

Status = Literal["pass", "warn", "fail", "not_applicable", "error"]
STATUSES: tuple[Status, ...] = ("pass", "warn", "fail", "not_applicable", "error")
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
        if observed is None or math.isnan(observed):  # isnan takes ints too (never NaN)
            return False
        if self.needs_significance and not significant:
            return False
        return {
            "<": observed < self.value,
            "<=": observed <= self.value,
            ">": observed > self.value,
            ">=": observed >= self.value,
        }[self.op]


def judge(observed: Mapping[str, float | None], thresholds: Iterable[Threshold], *, significant: bool = True) -> Status:
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
    counts: dict[str, int] = dict.fromkeys(STATUSES, 0)
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


def suppress_small_cells(
    frame: pd.DataFrame,
    *,
    count_columns: Sequence[str],
    k: int,
    hide_with: Mapping[str, Sequence[str]] | None = None,
    partition_by: Sequence[str] | None = None,
    margins: Sequence[Sequence[str]] = (),
    lines: Sequence[Sequence[int]] = (),
    revealed_zeros: Sequence[str] = (),
    also_hidden: Mapping[str, npt.NDArray[np.bool_]] | None = None,
) -> pd.DataFrame:
    """k-anonymity for evidence tables: a count of 1 to k-1 shows as "<k", and the values it governs
    (`hide_with`: rates, intervals, and complementary counts it could be derived from) are hidden.

    Complementary suppression: rows sharing the `partition_by` values split one total (the groups of one
    attribute in one campaign). When a partition hides a single cell of a count column, that cell is the total
    minus the others (323 - 160 - 160 = 3), so another count of the partition is hidden too (shown as empty, with
    the values it governs): the smallest among rows not flagged warn, fail or reference, so that the evidence of
    a problem and what it is compared with stay visible; else the smallest flagged warn, then fail; else the
    reference. `margins` are further ways the same rows split a known total (the rows and columns of an
    intersection "gender × age band", whose totals are the groups of gender and of age band): the rule then holds
    in each of them, repeated until no line of any of them hides a single cell. `lines` are more such sets, given
    as row positions: an intersection's row of cells with the row holding their total (its margin), where a hidden
    margin needs a hidden cell as much as a hidden cell does. In the count columns of `revealed_zeros` a hidden
    zero protects nothing (another finding lists no row for a group with nobody, and so shows it), so a line needs
    two hidden counts of people. A count hidden with a small count it cannot exceed (a small group's selected
    people) shows "<k" too, even at zero: an empty cell beside "<k" would read as zero. Among equal candidates,
    the cell whose hiding leaves a line whose only other candidates are reference groups comes last: it would
    force a reference's count hidden, and every ratio to it with it. `also_hidden` are cells of a count column that
    another finding hides while showing the same count of the same people: they are hidden here too, as
    complements, so that neither finding gives back what the other hides."""
    out = frame.copy()
    # Zero is not a small cell: it counts nobody.
    numbers = {c: pd.to_numeric(out[c], errors="coerce") for c in count_columns}
    small = {c: ((v > 0) & (v < k)).fillna(False).to_numpy(dtype=bool) for c, v in numbers.items()}
    complement = {c: np.zeros(len(out), dtype=bool) for c in count_columns}
    for column, mask in (also_hidden or {}).items():
        complement[column] |= np.asarray(mask, dtype=bool) & ~small[column]
    # A complement is, in this order of preference, a calm group, a group flagged warn, then fail (the evidence of
    # a problem, hidden only when no other group will do), and never the reference group when another will do:
    # every other group's ratio to the reference, with its own rate, would give the reference's rate back.
    flags = out["flag"] if "flag" in out.columns else pd.Series([None] * len(out), index=out.index)
    reference = (flags == "reference").to_numpy()
    severity = flags.map({"warn": 1, "fail": 2}).fillna(0).to_numpy()
    if (partition_by is not None or lines) and len(out):
        rows_of = out.reset_index(drop=True)
        # Every set of rows whose counts add up to a total a reader may know.
        known: list[npt.NDArray[np.intp]] = [np.asarray(rows, dtype=np.intp) for rows in lines]
        for keys in (partition_by, *margins) if partition_by is not None else ():
            present = [c for c in keys if c in rows_of.columns]
            known += (
                [
                    np.asarray(r, dtype=np.intp)
                    for r in rows_of.groupby(present, sort=False, dropna=False).indices.values()
                ]
                if present
                else [np.arange(len(out))]
            )
        known = [rows for rows in known if len(rows) > 1]
        member = [[line for line in known if i in line] for i in range(len(out))]
        # A count hidden with another (a group's selected people, with its size) is hidden as well as a small one:
        # it leaves the line's other cells as exposed, and needs no second complement.
        governed = {c: np.zeros(len(out), dtype=bool) for c in count_columns}

        def exposed(line: npt.NDArray[np.intp], hidden: npt.NDArray[np.bool_], protects: npt.NDArray[np.bool_]) -> bool:
            """A line hiding a single count that protects: the total minus the others gives it."""
            return int((hidden[line] & protects[line]).sum()) == 1

        def preference(
            i: int, *, hidden: npt.NDArray[np.bool_], protects: npt.NDArray[np.bool_], values: pd.Series
        ) -> tuple[object, ...]:
            """Never a reference when another will do, nor a cell that would force one hidden (the other line it
            would leave exposed has only references to hide); then calm before warn before fail; among equals the
            cell that also mends other lines, then the smallest count, then the first row."""
            forced = 0
            for line in member[i]:
                if int((hidden[line] & protects[line]).sum()) == 0:
                    others = [j for j in line if j != i and values.iloc[j] > 0]
                    forced += bool(others) and all(reference[j] for j in others)
            return (
                reference[i],
                forced,
                severity[i],
                -sum(1 for line in member[i] if exposed(line, hidden, protects)),
                values.iloc[i],
                i,
            )

        for column, values in numbers.items():
            hidden = small[column] | governed[column] | complement[column]
            positive = (values > 0).fillna(False).to_numpy(dtype=bool)
            protects = positive if column in revealed_zeros else np.ones(len(out), dtype=bool)
            changed = True
            while changed:
                changed = False
                for rows in known:
                    if not exposed(rows, hidden, protects):
                        continue
                    shown = [int(i) for i in rows if not hidden[i] and positive[i]]
                    if shown:
                        chosen = min(shown, key=partial(preference, hidden=hidden, protects=protects, values=values))
                        hidden[chosen] = complement[column][chosen] = changed = True
            for dependent in (hide_with or {}).get(column, ()):
                if dependent in governed:
                    governed[dependent] |= hidden
    for column, mask in small.items():
        hidden = mask | complement[column]
        for dependent in (hide_with or {}).get(column, ()):
            out[dependent] = out[dependent].astype(object).where(~hidden, None)
    labelled = dict(small)
    for column, mask in small.items():
        for dependent in (hide_with or {}).get(column, ()):
            if dependent in labelled:
                within = (numbers[dependent] <= numbers[column]).fillna(False).to_numpy(dtype=bool)
                labelled[dependent] = labelled[dependent] | (mask & within)
    for column, mask in labelled.items():
        out[column] = out[column].astype(object).where(~complement[column], None).where(~mask, suppressed_label(k))
    return out


def evidence_records(frame: pd.DataFrame) -> tuple[dict[str, Any], ...]:
    return tuple({str(k): _json_value(v) for k, v in row.items()} for row in frame.to_dict(orient="records"))
