"""Intervals and tests for rates, all from scipy.stats (CHECKS.md, "Statistical conventions")."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats
from scipy.stats.contingency import relative_risk

CONFIDENCE = 0.95


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


def wilson_interval(successes: int, trials: int, *, confidence: float = CONFIDENCE) -> Interval:
    """Wilson score interval for a proportion."""
    ci = stats.binomtest(int(successes), int(trials)).proportion_ci(confidence_level=confidence, method="wilson")
    return Interval(float(ci.low), float(ci.high))


def ratio_interval(successes: int, trials: int, ref_successes: int, ref_trials: int, *,
                   confidence: float = CONFIDENCE) -> Interval:
    """Ratio of two proportions (group / reference) with the log (Katz) interval. A bound the log interval
    cannot give (a zero count) is NaN, shown as missing, never invented."""
    result = relative_risk(int(successes), int(trials), int(ref_successes), int(ref_trials))
    ci = result.confidence_interval(confidence_level=confidence)
    return Interval(float(ci.low), float(ci.high))


@dataclass(frozen=True)
class TestResult:
    p_value: float
    method: str  # "fisher" or "two-proportion z"


def compare_proportions(successes: int, trials: int, other_successes: int, other_trials: int) -> TestResult:
    """Fisher's exact test when an expected count is below 5, else the two-proportion z test (the 2x2
    chi-square without continuity correction, which is the same test)."""
    table = np.array([[successes, trials - successes], [other_successes, other_trials - other_successes]])
    if table.sum(axis=0).min() == 0:
        return TestResult(1.0, "none: no variation")  # everyone or no one selected: nothing to test
    expected = stats.contingency.expected_freq(table)
    if expected.min() < 5:
        return TestResult(float(stats.fisher_exact(table).pvalue), "fisher")
    chi2 = stats.chi2_contingency(table, correction=False)
    return TestResult(float(chi2.pvalue), "two-proportion z")


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """Adjusted p-values (Benjamini-Hochberg) across the comparisons of one check."""
    if not p_values:
        return []
    return [float(p) for p in stats.false_discovery_control(np.asarray(p_values, dtype=float), method="bh")]
