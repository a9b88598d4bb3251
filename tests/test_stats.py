import math

import pytest
from scipy import stats as scipy_stats

from ethics_review.stats import benjamini_hochberg, compare_proportions, ratio_interval, wilson_interval


def test_wilson_interval_known_value():
    # 8 of 10: Wilson 95% interval (0.4902, 0.9433), as published (Newcombe 1998)
    interval = wilson_interval(8, 10)
    assert interval.low == pytest.approx(0.4902, abs=1e-4) and interval.high == pytest.approx(0.9433, abs=1e-4)


def test_ratio_interval_is_the_katz_log_interval():
    interval = ratio_interval(200, 1000, 400, 1000)
    se = math.sqrt(1 / 200 - 1 / 1000 + 1 / 400 - 1 / 1000)
    assert interval.low == pytest.approx(0.5 * math.exp(-1.959964 * se), rel=1e-5)
    assert interval.high == pytest.approx(0.5 * math.exp(1.959964 * se), rel=1e-5)


def test_ratio_interval_with_zero_selected():
    interval = ratio_interval(0, 100, 30, 100)
    assert interval.low == 0.0 and math.isnan(interval.high)  # no upper bound is invented


def test_fisher_when_expected_count_is_small_else_two_proportion_z():
    small = compare_proportions(1, 20, 8, 20)
    assert small.method == "fisher"
    assert small.p_value == pytest.approx(scipy_stats.fisher_exact([[1, 19], [8, 12]]).pvalue)
    large = compare_proportions(200, 1000, 400, 1000)
    assert large.method == "two-proportion z"
    p1, p2, pooled = 0.2, 0.4, 0.3
    z = (p2 - p1) / math.sqrt(pooled * (1 - pooled) * (2 / 1000))
    assert large.p_value == pytest.approx(2 * scipy_stats.norm.sf(z), rel=1e-9)


def test_no_variation_is_not_a_disparity():
    assert compare_proportions(0, 100, 0, 100).p_value == 1.0


def test_benjamini_hochberg():
    assert benjamini_hochberg([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.04, 0.04])
    assert benjamini_hochberg([]) == []


@pytest.mark.parametrize("confidence", [0.95, 0.9])
def test_wilson_interval_is_scipys_to_the_last_digit(confidence):
    # Every count of 0 to 60 people, and demo-sized groups: the same floats as binomtest's proportion_ci.
    cases = [(k, n) for n in range(1, 61) for k in range(n + 1)] + [(0, 9431), (1, 9431), (4217, 9431), (9431, 9431)]
    for k, n in cases:
        expected = scipy_stats.binomtest(k, n).proportion_ci(confidence_level=confidence, method="wilson")
        interval = wilson_interval(k, n, confidence=confidence)
        assert (interval.low, interval.high) == (float(expected.low), float(expected.high)), (k, n)


def test_wilson_interval_refuses_what_binomtest_refuses():
    for k, n in [(1, 0), (5, 4), (-1, 4)]:
        with pytest.raises(ValueError):
            wilson_interval(k, n)
