"""What every check shares: its registry entry type and the builder that words a finding from the catalogue."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import ibis
import ibis.expr.datatypes as dt
import pandas as pd

from .. import i18n
from ..findings import Finding, Status, Threshold, evidence_records
from ..review import Review


@dataclass(frozen=True)
class Check:
    """A registry entry. `needs` maps each table the check cannot run without to the columns it needs. A check
    that `judges_others` (the continuous evaluation) gets the run's `OtherChecks` from the runner as its second
    argument."""

    id: str
    area: str
    function: Callable[..., Finding]
    needs: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    judges_others: bool = False


@dataclass(frozen=True)
class OtherChecks:
    """What the runner hands a check that judges the others: every other registered check's area (registry order)
    and a way to run some of them on the same review. The registry and the runner import the check modules, so a
    check reaches them only through this record, never by importing them."""

    areas: Mapping[str, str]
    run: Callable[[Sequence[str]], Sequence[Finding]]


def build_finding(
    review: Review,
    check_id: str,
    status: Status,
    *,
    metric: Mapping[str, Any],
    thresholds: Sequence[Threshold] = (),
    evidence: pd.DataFrame | Sequence[Mapping[str, Any]] = (),
    notes: Sequence[str] = (),
    **text_values: Any,
) -> Finding:
    """A finding worded in the review's language: summary and recommendation from texts/*.yaml, keyed by
    check id and status, formatted with the metric values and `text_values`."""
    lang = review.lang
    values = {**metric, **text_values}
    records = evidence_records(evidence) if isinstance(evidence, pd.DataFrame) else tuple(dict(r) for r in evidence)
    return Finding(
        check_id=check_id,
        area=check_id.split(".", 1)[0],
        status=status,
        title=i18n.text(check_id, "title", lang),
        summary=i18n.text(check_id, f"summary.{status}", lang, **values),
        recommendation=i18n.text(check_id, f"recommendation.{status}", lang, **values),
        metric=dict(metric),
        thresholds=tuple(thresholds),
        references=i18n.references(check_id),
        evidence=records,
        notes=tuple(notes),
    )


def missing_inputs(review: Review, needs: Mapping[str, Sequence[str]]) -> list[tuple[str, str | None]]:
    """(table, column) pairs the review lacks; column None when the whole table is missing."""
    missing: list[tuple[str, str | None]] = []
    for table, columns in needs.items():
        if not review.has(table):
            missing.append((table, None))
            continue
        missing.extend((table, c) for c in columns if not review.has(table, c))
    return missing


def not_applicable(
    review: Review, check_id: str, missing: Sequence[tuple[str, str | None]], *, reason: str | None = None
) -> Finding:
    """A `not_applicable` finding that says exactly which table or column would enable the check."""
    lang = review.lang
    if reason is None:
        parts = [
            i18n.ui("table", lang, table=t) if c is None else i18n.ui("table_column", lang, table=t, column=c)
            for t, c in missing
        ]
        needed = ", ".join(parts)
        summary = i18n.ui("missing_input", lang, needed=needed)
        recommendation = i18n.ui("missing_input_fix", lang, needed=needed)
    else:
        summary, recommendation = reason, reason
    return Finding(
        check_id=check_id,
        area=check_id.split(".", 1)[0],
        status="not_applicable",
        title=i18n.text(check_id, "title", lang),
        summary=summary,
        recommendation=recommendation,
        metric={"missing": [t if c is None else f"{t}.{c}" for t, c in missing]} if missing else {},
        references=i18n.references(check_id),
    )


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def age_at(birth_date: ibis.Value, moment: ibis.Value) -> ibis.Value:
    """Completed years at `moment` (a date or timestamp column or literal), computed portably (no
    engine-specific date difference)."""
    before_birthday = (birth_date.month() > moment.month()) | (
        (birth_date.month() == moment.month()) & (birth_date.day() > moment.day())
    )
    return moment.year() - birth_date.year() - before_birthday.cast("int64")


def exact_sum(value: ibis.NumericValue) -> ibis.NumericScalar:
    """A sum that does not depend on the order in which the engine adds rows: a parallel sum of floats differs in
    its last digits from run to run, and the same inputs must give the same findings. Each value is a fixed-point
    decimal (9 decimals) and decimals add exactly. Read the result with `as_float`."""
    return value.cast(dt.Decimal(38, 9)).sum()


def as_float(column: pd.Series) -> pd.Series:
    """An `exact_sum` column as floats (engines return decimals)."""
    return column.astype("float64")


def options_for(review: Review, check_id: str) -> dict[str, Any]:
    return {k: v for k, v in review.config.checks.get(check_id, {}).items() if k != "enabled"}
