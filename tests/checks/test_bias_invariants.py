"""Invariants of bias.selection_parity on random small populations (Hypothesis).

Most properties run on `parity_table(counts, rules)` directly, which is where every rate, interval, ratio,
test and flag is computed; a few run through the full check (`selection_parity` on a review built from
in-memory tables), where the counts come from the engine and the evidence is k-anonymised.

Properties:
- every rate is selected / n, within [0, 1], and inside its Wilson interval; groups under min_group_size
  have no rate; where the ratio interval has both bounds, it contains the impact ratio;
- the result does not depend on the order of the input rows;
- it does not depend on the group names: relabelling the groups consistently gives the same multisets of
  rates, impact ratios and differences, and, when the highest rate is held by one group only, the same rows;
- adding a group of zero people changes nothing but adds one "insufficient data" row;
- with reference=highest, the reference is the comparable group with the highest rate, its impact ratio is
  None, every other compared group has an impact ratio <= 1 and a difference <= 0.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ethics_review.checks.bias import (INSUFFICIENT, REFERENCE, ParityRules, parity_metric, parity_status,
                                       parity_table, parity_thresholds, selection_parity)
from ethics_review.review import open_review

FAST = settings(max_examples=60, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SLOW = settings(max_examples=10, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

KEYS = ["campaign_id", "attribute", "group"]
NAMES = ["a", "b", "c", "d", "e", "f"]


# --- strategies -------------------------------------------------------------------------------------------------

@st.composite
def groups_st(draw, *, min_size=1, max_size=5, max_n=300, min_n=1):
    """{group name: (n, selected)} with distinct names; n >= min_n."""
    names = draw(st.lists(st.sampled_from(NAMES), min_size=min_size, max_size=max_size, unique=True))
    result = {}
    for name in names:
        n = draw(st.integers(min_n, max_n))
        result[name] = (n, draw(st.integers(0, n)))
    return result


@st.composite
def counts_st(draw):
    """A counts table as group_counts returns it: 1-2 campaigns x 1-2 attributes, 1-5 groups each."""
    rows = []
    for campaign in draw(st.lists(st.sampled_from(["c1", "c2"]), min_size=1, max_size=2, unique=True)):
        for attribute in draw(st.lists(st.sampled_from(["gender", "region"]), min_size=1, max_size=2, unique=True)):
            for group, (n, selected) in draw(groups_st()).items():
                rows.append({"campaign_id": campaign, "attribute": attribute, "group": group, "n": n,
                             "selected": selected})
    return pd.DataFrame(rows, columns=[*KEYS, "n", "selected"])


@st.composite
def rules_st(draw):
    min_group_size = draw(st.integers(1, 60))
    min_flag_size = draw(st.integers(min_group_size, 150))
    fail_below = draw(st.sampled_from([0.7, 0.8]))
    return ParityRules(min_group_size=min_group_size, min_flag_size=min_flag_size, k_anonymity=10,
                       reference="highest", thresholds=parity_thresholds(fail_below, 0.9))


# --- helpers ----------------------------------------------------------------------------------------------------

def canonical(table: pd.DataFrame) -> pd.DataFrame:
    return table.sort_values(KEYS, ignore_index=True)


def missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(value) -> float | None:
    return None if missing(value) else float(value)


def multiset(values) -> list:
    """Sorted, with missing values as None first: a multiset that compares with ==."""
    numbers = [number(v) for v in values]
    return [None] * numbers.count(None) + sorted(v for v in numbers if v is not None)


def per_block(table: pd.DataFrame):
    for (campaign, attribute), block in table.groupby(["campaign_id", "attribute"], sort=True):
        yield campaign, attribute, block


def unique_top(counts: pd.DataFrame, rules: ParityRules) -> bool:
    """True when, in every campaign and attribute, the highest rate among comparable groups is held by one group."""
    for _, block in counts.groupby(["campaign_id", "attribute"]):
        eligible = block[block.n >= rules.min_flag_size]
        if eligible.empty:
            continue
        rates = [(s, n) for s, n in zip(eligible.selected, eligible.n)]
        best = max(rates, key=lambda r: r[0] / r[1])
        if sum(s * best[1] == best[0] * n for s, n in rates) > 1:  # exact rational comparison
            return False
    return True


def review_for(groups: dict[str, tuple[int, int]], order: list[int] | None = None, **bias):
    """contacts and targeting where group g has n people of whom `selected` were selected, rows in `order`."""
    ids, values, chosen = [], [], []
    for group, (n, selected) in groups.items():
        for i in range(n):
            ids.append(f"{group}-{i}")
            values.append(group)
            chosen.append(i < selected)
    order = order if order is not None else list(range(len(ids)))
    contacts = pd.DataFrame({"contact_id": ids, "segment": values}).iloc[order]
    targeting = pd.DataFrame({"contact_id": ids, "campaign_id": "A", "selected": chosen}).iloc[order]
    return open_review(data={"contacts": contacts, "targeting": targeting},
                       config={"bias": {"sensitive": ["segment"], **bias}}, as_of="2026-11-15")


# --- parity_table -----------------------------------------------------------------------------------------------

@FAST
@given(counts=counts_st(), rules=rules_st())
def test_rates_are_proportions_inside_their_wilson_interval(counts, rules):
    table = parity_table(counts, rules)
    assert len(table) == len(counts)
    for row in table.itertuples(index=False):
        if row.n < rules.min_group_size:
            assert missing(row.rate) and missing(row.ci_low) and missing(row.ci_high)
            continue
        assert row.rate == row.selected / row.n
        assert 0.0 <= row.ci_low <= row.rate <= row.ci_high <= 1.0
        if not missing(row.impact_ratio) and not missing(row.ratio_ci_low) and not missing(row.ratio_ci_high):
            # 1e-12 relative slack: the log interval is computed in floating point around the same ratio
            assert row.ratio_ci_low <= row.impact_ratio * (1 + 1e-12)
            assert row.impact_ratio <= row.ratio_ci_high * (1 + 1e-12)


@FAST
@given(counts=counts_st(), rules=rules_st(), data=st.data())
def test_row_order_does_not_matter(counts, rules, data):
    order = data.draw(st.permutations(range(len(counts))))
    shuffled = counts.iloc[list(order)].reset_index(drop=True)
    before, after = parity_table(counts, rules), parity_table(shuffled, rules)
    pd.testing.assert_frame_equal(canonical(before), canonical(after), check_exact=True)
    assert parity_metric(after) == parity_metric(before) and parity_status(after) == parity_status(before)


@FAST
@given(counts=counts_st(), rules=rules_st(), data=st.data())
def test_group_names_do_not_matter(counts, rules, data):
    names = sorted(set(counts.group))
    renamed_as = dict(zip(names, data.draw(st.permutations([f"x{i}" for i in range(len(names))]))))
    relabelled = counts.assign(group=counts.group.map(renamed_as))
    before, after = parity_table(counts, rules), parity_table(relabelled, rules)
    for (c1, a1, b1), (c2, a2, b2) in zip(per_block(before), per_block(after), strict=True):
        assert (c1, a1) == (c2, a2)
        for column in ("n", "selected", "rate", "ci_low", "ci_high", "impact_ratio", "difference",
                       "ratio_to_overall"):
            assert multiset(b1[column]) == multiset(b2[column]), column
    assert parity_metric(before)["min_impact_ratio"] == parity_metric(after)["min_impact_ratio"]
    if unique_top(counts, rules):
        # One group holds the highest rate: the same reference, hence the very same rows under the new names.
        expected = before.assign(group=before.group.map(renamed_as),
                                 reference_group=before.reference_group.map(renamed_as))
        # (dtype aside: a column of names with None may come back as object or as pandas' str dtype)
        pd.testing.assert_frame_equal(canonical(expected), canonical(after), check_exact=True, check_dtype=False)
        assert parity_status(before) == parity_status(after)


@FAST
@given(counts=counts_st(), rules=rules_st(), data=st.data())
def test_a_group_of_zero_people_changes_nothing(counts, rules, data):
    campaign, attribute = data.draw(st.sampled_from(sorted(set(zip(counts.campaign_id, counts.attribute)))))
    zero = pd.DataFrame([{"campaign_id": campaign, "attribute": attribute, "group": "nobody", "n": 0,
                          "selected": 0}])
    before = parity_table(counts, rules)
    after = parity_table(pd.concat([counts, zero], ignore_index=True), rules)
    is_zero = after.group == "nobody"
    pd.testing.assert_frame_equal(canonical(before), canonical(after[~is_zero]), check_exact=True)
    (row,) = after[is_zero].itertuples(index=False)
    assert row.n == 0 and row.flag == INSUFFICIENT
    assert missing(row.rate) and missing(row.impact_ratio) and missing(row.p_value)
    assert parity_status(after) == parity_status(before)
    expected = {**parity_metric(before), "insufficient_groups": parity_metric(before)["insufficient_groups"] + 1}
    assert parity_metric(after) == expected


@FAST
@given(counts=counts_st(), rules=rules_st())
def test_reference_is_the_highest_comparable_rate(counts, rules):
    table = parity_table(counts, rules)
    for _, _, block in per_block(table):
        eligible = block[block.n >= rules.min_flag_size]
        references = set(block.reference_group)
        assert len(references) == 1
        (reference,) = references  # None (NaN in the frame) when no group is comparable
        assert (block[block.n < rules.min_flag_size].flag == INSUFFICIENT).all()
        if eligible.empty:
            assert missing(reference) and (block.flag == INSUFFICIENT).all()
            continue
        ref = block[block.group == reference].iloc[0]
        assert ref.n >= rules.min_flag_size and ref.flag == REFERENCE
        assert ref.rate == eligible.rate.max()
        assert missing(ref.impact_ratio) and missing(ref.difference) and missing(ref.p_value)
        others = eligible[eligible.group != reference]
        assert (others.flag.isin(["pass", "warn", "fail"])).all()
        for row in others.itertuples(index=False):
            if ref.selected == 0:  # nobody selected anywhere that counts: nothing to compare
                assert missing(row.impact_ratio) and row.flag == "pass"
                continue
            assert row.impact_ratio == row.rate / ref.rate
            assert 0.0 <= row.impact_ratio <= 1.0
            assert row.difference <= 0.0
            if row.impact_ratio >= 0.9:
                assert row.flag == "pass"


def test_a_tie_for_the_highest_rate_does_not_make_the_status_depend_on_names():
    """Two groups share the highest rate (50%) with different sizes (100 and 1000 people); a third has 35% of 100.
    The tie goes to the larger group: against the 100 the third group would be a warn (ratio 0.7, p_adj 0.064),
    against the 1000 it is a fail (p_adj 0.008). Renaming must not change the status."""
    rules = ParityRules(30, 100, 10, "highest", parity_thresholds(0.8, 0.9))

    def status(small, large):
        counts = pd.DataFrame({"campaign_id": "c", "attribute": "g", "group": [small, large, "m"],
                               "n": [100, 1000, 100], "selected": [50, 500, 35]})
        return parity_status(parity_table(counts, rules))

    assert status("a", "b") == status("b", "a")


# --- through the full check -------------------------------------------------------------------------------------

@SLOW
@given(groups=groups_st(min_size=2, max_size=4, max_n=260), data=st.data())
def test_full_check_ignores_row_order_and_names(groups, data):
    total = sum(n for n, _ in groups.values())
    finding = selection_parity(review_for(groups))
    order = data.draw(st.permutations(range(total)))
    assert selection_parity(review_for(groups, order=list(order))).evidence == finding.evidence

    names = sorted(groups)
    renamed_as = dict(zip(names, data.draw(st.permutations([f"x{i}" for i in range(len(names))]))))
    renamed = selection_parity(review_for({renamed_as[g]: v for g, v in groups.items()}))
    for column in ("n", "rate", "impact_ratio", "difference"):
        before = [r[column] for r in finding.evidence]
        after = [r[column] for r in renamed.evidence]
        if column == "n":
            assert sorted(map(str, before)) == sorted(map(str, after))
        else:
            assert multiset(before) == multiset(after), column
    assert finding.metric.get("min_impact_ratio") == renamed.metric.get("min_impact_ratio")


@SLOW
@given(groups=groups_st(min_size=2, max_size=4, min_n=100, max_n=260))
def test_full_check_reference_and_rates(groups):
    finding = selection_parity(review_for(groups))
    assert finding.status in {"pass", "warn", "fail"}  # every group has >= 100 people
    rows = {r["group"]: r for r in finding.evidence}
    assert set(rows) == set(groups)
    best = max(s / n for n, s in groups.values())
    (reference,) = {r["reference_group"] for r in rows.values()}
    assert groups[reference][1] / groups[reference][0] == best
    assert rows[reference]["impact_ratio"] is None and rows[reference]["flag"] == REFERENCE
    for group, row in rows.items():
        n, selected = groups[group]
        assert row["n"] == n
        if 0 < selected < 10:  # k-anonymity: a small count hides the rate and everything derived from it
            assert row["selected"] == "<10" and row["rate"] is None and row["impact_ratio"] is None
            continue
        assert row["rate"] == selected / n
        assert row["ci_low"] <= row["rate"] <= row["ci_high"]
        if group != reference and row["impact_ratio"] is not None:
            assert row["impact_ratio"] <= 1.0 and row["difference"] <= 0.0
