"""Intervals and tests for rates, all from scipy.stats (docs/checks.md, "Statistical conventions")."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

CONFIDENCE = 0.95


def _scipy_stats() -> Any:
    from scipy import stats  # noqa: PLC0415 - slow to import, and a consent or transparency review never needs it

    return stats


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


@lru_cache(maxsize=4096)  # pure on ints: the bias checks ask for the same groups' intervals again
def wilson_interval(successes: int, trials: int, *, confidence: float = CONFIDENCE) -> Interval:
    """Wilson score interval for a proportion."""
    ci = (
        _scipy_stats()
        .binomtest(int(successes), int(trials))
        .proportion_ci(confidence_level=confidence, method="wilson")
    )
    return Interval(float(ci.low), float(ci.high))


@lru_cache(maxsize=4096, typed=True)  # pure: the same comparison is asked again by other checks
def ratio_interval(
    successes: int, trials: int, ref_successes: int, ref_trials: int, *, confidence: float = CONFIDENCE
) -> Interval:
    """Ratio of two proportions (group / reference) with the log (Katz) interval. A bound the log interval
    cannot give (a zero count) is NaN, shown as missing, never invented."""
    result = _scipy_stats().contingency.relative_risk(int(successes), int(trials), int(ref_successes), int(ref_trials))
    ci = result.confidence_interval(confidence_level=confidence)
    return Interval(float(ci.low), float(ci.high))


@dataclass(frozen=True)
class TestResult:
    p_value: float
    method: str  # "fisher" or "two-proportion z"


@lru_cache(maxsize=4096, typed=True)  # pure: the same comparison is asked again by other checks
def compare_proportions(successes: int, trials: int, other_successes: int, other_trials: int) -> TestResult:
    """Fisher's exact test when an expected count is below 5, else the two-proportion z test (the 2x2
    chi-square without continuity correction, which is the same test)."""
    table = np.array([[successes, trials - successes], [other_successes, other_trials - other_successes]])
    if table.sum(axis=0).min() == 0:
        return TestResult(1.0, "none: no variation")  # everyone or no one selected: nothing to test
    stats = _scipy_stats()
    expected = stats.contingency.expected_freq(table)
    if expected.min() < 5:
        return TestResult(float(stats.fisher_exact(table).pvalue), "fisher")
    chi2 = stats.chi2_contingency(table, correction=False)
    return TestResult(float(chi2.pvalue), "two-proportion z")


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """Adjusted p-values (Benjamini-Hochberg) across the comparisons of one check."""
    if not p_values:
        return []
    return [float(p) for p in _scipy_stats().false_discovery_control(np.asarray(p_values, dtype=float), method="bh")]


@lru_cache(maxsize=4096, typed=True)  # pure: the same comparison is asked again by other checks
def binomial_p_value(successes: int, trials: int, expected_share: float) -> float:
    """Two-sided exact binomial test of `successes` in `trials` against `expected_share`."""
    return float(_scipy_stats().binomtest(int(successes), int(trials), expected_share).pvalue)


def welch_p_value(mean: float, sd: float, n: int, other_mean: float, other_sd: float, other_n: int) -> float:
    """Welch's t test of two means from their summaries (unequal variances)."""
    return float(
        _scipy_stats().ttest_ind_from_stats(mean, sd, n, other_mean, other_sd, other_n, equal_var=False).pvalue
    )


def ks_p_value(distance: float, n: int, m: int) -> float:
    """Two-sided p-value of a two-sample KS distance: scipy's Kolmogorov distribution at the effective sample
    size n*m/(n+m), as scipy.stats.ks_2samp(method="asymp") computes it."""
    return float(_scipy_stats().kstwo.sf(distance, round(n * m / (n + m))))


def chi_square(table: np.ndarray) -> tuple[float, float]:
    """Pearson's chi-square statistic and p-value of a contingency table, without continuity correction."""
    result = _scipy_stats().chi2_contingency(table, correction=False)
    return float(result.statistic), float(result.pvalue)
