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

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from ethics_review.checks.bias import (
    INSUFFICIENT,
    REFERENCE,
    ParityRules,
    cramers_v_corrected,
    delivery_table,
    ks_distance,
    offer_parity,
    parity_metric,
    parity_status,
    parity_table,
    parity_thresholds,
    score_distribution,
    selection_parity,
)
from ethics_review.review import open_review
from tests.checks.suppression import complementary_hidden
from tests.checks.test_bias import population

FAST = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SLOW = settings(
    max_examples=10,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

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
                rows.append(
                    {"campaign_id": campaign, "attribute": attribute, "group": group, "n": n, "selected": selected}
                )
    return pd.DataFrame(rows, columns=[*KEYS, "n", "selected"])


@st.composite
def rules_st(draw):
    min_group_size = draw(st.integers(1, 60))
    min_flag_size = draw(st.integers(min_group_size, 150))
    fail_below = draw(st.sampled_from([0.7, 0.8]))
    return ParityRules(
        min_group_size=min_group_size,
        min_flag_size=min_flag_size,
        k_anonymity=10,
        reference="highest",
        thresholds=parity_thresholds(fail_below, 0.9),
    )


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
        rates = [(s, n) for s, n in zip(eligible.selected, eligible.n, strict=True)]
        best = max(rates, key=lambda r: r[0] / r[1])
        if sum(s * best[1] == best[0] * n for s, n in rates) > 1:  # exact rational comparison
            return False
    return True


def review_for(groups: dict[str, tuple[int, int]], order: list[int] | None = None, **bias):
    """contacts and targeting where group g has n people of whom `selected` were selected, rows in `order`."""
    contacts, targeting = population(groups, attribute="segment")
    order = order if order is not None else list(range(len(contacts["contact_id"])))
    return open_review(
        data={"contacts": pd.DataFrame(contacts).iloc[order], "targeting": pd.DataFrame(targeting).iloc[order]},
        config={"bias": {"sensitive": ["segment"], **bias}},
        as_of="2026-11-15",
    )


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
    renamed_as = dict(zip(names, data.draw(st.permutations([f"x{i}" for i in range(len(names))])), strict=True))
    relabelled = counts.assign(group=counts.group.map(renamed_as))
    before, after = parity_table(counts, rules), parity_table(relabelled, rules)
    for (c1, a1, b1), (c2, a2, b2) in zip(per_block(before), per_block(after), strict=True):
        assert (c1, a1) == (c2, a2)
        for column in ("n", "selected", "rate", "ci_low", "ci_high", "impact_ratio", "difference", "ratio_to_overall"):
            assert multiset(b1[column]) == multiset(b2[column]), column
    assert parity_metric(before)["min_impact_ratio"] == parity_metric(after)["min_impact_ratio"]
    if unique_top(counts, rules):
        # One group holds the highest rate: the same reference, hence the very same rows under the new names.
        expected = before.assign(
            group=before.group.map(renamed_as), reference_group=before.reference_group.map(renamed_as)
        )
        # (dtype aside: a column of names with None may come back as object or as pandas' str dtype)
        pd.testing.assert_frame_equal(canonical(expected), canonical(after), check_exact=True, check_dtype=False)
        assert parity_status(before) == parity_status(after)


@FAST
@given(counts=counts_st(), rules=rules_st(), data=st.data())
def test_a_group_of_zero_people_changes_nothing(counts, rules, data):
    campaign, attribute = data.draw(
        st.sampled_from(sorted(set(zip(counts.campaign_id, counts.attribute, strict=True))))
    )
    zero = pd.DataFrame([{"campaign_id": campaign, "attribute": attribute, "group": "nobody", "n": 0, "selected": 0}])
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
        counts = pd.DataFrame(
            {
                "campaign_id": "c",
                "attribute": "g",
                "group": [small, large, "m"],
                "n": [100, 1000, 100],
                "selected": [50, 500, 35],
            }
        )
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
    renamed_as = dict(zip(names, data.draw(st.permutations([f"x{i}" for i in range(len(names))])), strict=True))
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
@example(groups={"a": (200, 5), "b": (210, 60), "c": (230, 150)})  # one lone small count: a complement is hidden
def test_full_check_reference_and_rates(groups):
    finding = selection_parity(review_for(groups))
    assert finding.status in {"pass", "warn", "fail"}  # every group has >= 100 people
    rows = {r["group"]: r for r in finding.evidence}
    assert set(rows) == set(groups)
    best = max(s / n for n, s in groups.values())
    (reference,) = {r["reference_group"] for r in rows.values()}
    assert groups[reference][1] / groups[reference][0] == best
    assert rows[reference]["impact_ratio"] is None and rows[reference]["flag"] == REFERENCE
    complements = complementary_hidden(rows, {g: s for g, (n, s) in groups.items()}, "selected")
    for group, row in rows.items():
        n, selected = groups[group]
        assert row["n"] == n
        if group in complements:  # hidden so that a lone small count cannot be derived from the total
            assert row["rate"] is None and row["impact_ratio"] is None
            continue
        if 0 < selected < 10:  # k-anonymity: a small count hides the rate and everything derived from it
            assert row["selected"] == "<10" and row["rate"] is None and row["impact_ratio"] is None
            continue
        assert row["rate"] == selected / n
        assert row["ci_low"] <= row["rate"] <= row["ci_high"]
        if group != reference and row["impact_ratio"] is not None:
            assert row["impact_ratio"] <= 1.0 and row["difference"] <= 0.0


# --- the other bias checks: their pure parts ---------------------------------------------------------------------

# No shrinking for the checks that run a review per example: a failure is reported as drawn, in seconds.
SLOW_NO_SHRINK = settings(SLOW, phases=[Phase.explicit, Phase.reuse, Phase.generate])

DELIVERY_COLUMNS = [
    "eligible",
    "reached",
    "share_eligible",
    "share_reached",
    "delivery_ratio",
    "p_value",
    "p_adjusted",
    "flag",
]


@st.composite
def delivery_counts_st(draw):
    """group_counts' shape for delivery: n eligible, `selected` = reached among them."""
    rows = []
    for campaign in draw(st.lists(st.sampled_from(["c1", "c2"]), min_size=1, max_size=2, unique=True)):
        for group, (n, reached) in draw(groups_st(max_n=400)).items():
            rows.append({"campaign_id": campaign, "attribute": "gender", "group": group, "n": n, "selected": reached})
    return pd.DataFrame(rows, columns=[*KEYS, "n", "selected"])


def delivery_rules(rules: ParityRules) -> ParityRules:
    from ethics_review.findings import Threshold

    return ParityRules(
        rules.min_group_size,
        rules.min_flag_size,
        10,
        "highest",
        (
            Threshold("delivery_ratio", "<", 0.8, "warn", "kit default", needs_significance=True),
            Threshold("delivery_ratio", ">", 1.25, "warn", "kit default", needs_significance=True),
        ),
    )


@FAST
@given(counts=delivery_counts_st(), rules=rules_st(), data=st.data())
def test_delivery_shares_are_proportions_and_ignore_order_names_and_empty_groups(counts, rules, data):
    rules = delivery_rules(rules)
    table = delivery_table(counts, rules)
    for row in table.itertuples(index=False):
        if not missing(row.share_eligible):
            assert 0.0 <= row.share_eligible <= 1.0 and 0.0 <= row.share_reached <= 1.0
            assert row.delivery_ratio >= 0.0
        assert row.flag in {"pass", "warn", INSUFFICIENT}
    for _, _, block in per_block(table):  # shares of the eligible sum to 1 over the groups that show one
        if block.share_eligible.notna().all():
            assert block.share_eligible.sum() == pytest.approx(1.0)

    order = data.draw(st.permutations(range(len(counts))))
    shuffled = delivery_table(counts.iloc[list(order)].reset_index(drop=True), rules)
    pd.testing.assert_frame_equal(canonical(table), canonical(shuffled), check_exact=True)

    names = sorted(set(counts.group))
    renamed_as = dict(zip(names, data.draw(st.permutations([f"x{i}" for i in range(len(names))])), strict=True))
    renamed = delivery_table(counts.assign(group=counts.group.map(renamed_as)), rules)
    expected = table.assign(group=table.group.map(renamed_as))
    pd.testing.assert_frame_equal(canonical(expected), canonical(renamed), check_exact=True)

    zero = pd.DataFrame(
        [{"campaign_id": counts.campaign_id.iloc[0], "attribute": "gender", "group": "nobody", "n": 0, "selected": 0}]
    )
    with_zero = delivery_table(pd.concat([counts, zero], ignore_index=True), rules)
    pd.testing.assert_frame_equal(canonical(table), canonical(with_zero[with_zero.group != "nobody"]), check_exact=True)
    assert (with_zero[with_zero.group == "nobody"].flag == INSUFFICIENT).all()


contingency_st = st.lists(st.lists(st.integers(0, 60), min_size=2, max_size=5), min_size=2, max_size=6).filter(
    lambda rows: len({len(r) for r in rows}) == 1
)


@FAST
@given(rows=contingency_st, data=st.data())
def test_corrected_cramers_v_is_in_0_1_and_ignores_order_names_and_empty_categories(rows, data):
    table = np.array(rows, dtype=float)
    v, p_value = cramers_v_corrected(table)
    assert 0.0 <= v <= 1.0 and 0.0 <= p_value <= 1.0
    row_order = data.draw(st.permutations(range(table.shape[0])))
    col_order = data.draw(st.permutations(range(table.shape[1])))
    permuted, _ = cramers_v_corrected(table[list(row_order)][:, list(col_order)])
    assert permuted == pytest.approx(v, abs=1e-12)
    assert cramers_v_corrected(table.T)[0] == pytest.approx(v, abs=1e-12)  # symmetric in feature and attribute
    padded = np.vstack([table, np.zeros(table.shape[1])])
    assert cramers_v_corrected(padded)[0] == pytest.approx(v, abs=1e-12)  # a category of nobody changes nothing


counts_by_value_st = st.dictionaries(
    st.integers(0, 30).map(lambda v: v / 10), st.integers(1, 40), min_size=1, max_size=12
)


@FAST
@given(a=counts_by_value_st, b=counts_by_value_st, data=st.data())
def test_ks_distance_is_in_0_1_symmetric_and_ignores_order_and_zero_counts(a, b, data):
    sa, sb = pd.Series(a, dtype=float), pd.Series(b, dtype=float)
    d = ks_distance(sa, sb)
    assert 0.0 <= d <= 1.0 + 1e-12
    assert ks_distance(sb, sa) == pytest.approx(d, abs=1e-12)
    order = data.draw(st.permutations(range(len(sa))))
    assert ks_distance(sa.iloc[list(order)], sb) == pytest.approx(d, abs=1e-12)
    assert ks_distance(pd.concat([sa, pd.Series({99.0: 0.0})]), sb) == pytest.approx(d, abs=1e-12)
    expected = scipy_stats.ks_2samp(np.repeat(sa.index, sa.astype(int)), np.repeat(sb.index, sb.astype(int))).statistic
    assert d == pytest.approx(expected, abs=1e-12)


def review_with(groups: dict[str, list[float]], column: str, order: list[int] | None = None):
    ids, values, numbers = [], [], []
    for group, sample in groups.items():
        for i, value in enumerate(sample):
            ids.append(f"{group}-{i}")
            values.append(group)
            numbers.append(value)
    order = order if order is not None else list(range(len(ids)))
    contacts = pd.DataFrame({"contact_id": ids, "segment": values}).iloc[order]
    targeting = pd.DataFrame({"contact_id": ids, "campaign_id": "A", "selected": True, column: numbers}).iloc[order]
    return open_review(
        data={"contacts": contacts, "targeting": targeting},
        config={"bias": {"sensitive": ["segment"]}},
        as_of="2026-11-15",
    )


samples_st = st.dictionaries(
    st.sampled_from(NAMES), st.lists(st.integers(1, 20).map(float), min_size=100, max_size=140), min_size=2, max_size=3
)


@SLOW_NO_SHRINK
@given(groups=samples_st, data=st.data())
def test_score_and_offer_checks_ignore_row_order_and_names(groups, data):
    total = sum(len(v) for v in groups.values())
    order = list(data.draw(st.permutations(range(total))))
    names = sorted(groups)
    renamed_as = dict(zip(names, data.draw(st.permutations([f"x{i}" for i in range(len(names))])), strict=True))
    for check, column, measure in (
        (offer_parity, "offer_value", "offer_ratio"),
        (score_distribution, "score", "ks_distance"),
    ):
        scaled = {g: [v / 20 for v in s] for g, s in groups.items()} if column == "score" else groups
        finding = check(review_with(scaled, column))
        # equal up to the last bits of a float sum, whose order the engine chooses
        shuffled = check(review_with(scaled, column, order)).evidence
        assert [
            {k: pytest.approx(v, rel=1e-9) if isinstance(v, float) else v for k, v in r.items()}
            for r in finding.evidence
        ] == list(shuffled)
        renamed = check(review_with({renamed_as[g]: s for g, s in scaled.items()}, column))
        assert multiset(r[measure] for r in finding.evidence) == multiset(r[measure] for r in renamed.evidence)
        for r in finding.evidence:
            if column == "offer_value" and r[measure] is not None:
                assert 0.0 < r[measure] <= 1.0  # against the highest mean
            if column == "score" and r[measure] is not None:
                assert 0.0 <= r[measure] <= 1.0


outcome_groups_st = st.dictionaries(
    st.sampled_from(NAMES),
    st.tuples(st.integers(100, 160), st.integers(0, 100), st.integers(100, 160), st.integers(0, 100)).map(
        lambda t: (t[0], min(t[1], t[0]), t[2], min(t[3], t[2]))
    ),  # converters, selected of them; others, selected
    min_size=2,
    max_size=3,
)


def outcome_review(groups: dict[str, tuple[int, int, int, int]], order: list[int] | None = None):
    ids, values, outcome, selected = [], [], [], []
    for group, (n_pos, tp, n_neg, fp) in groups.items():
        for i in range(n_pos + n_neg):
            ids.append(f"{group}-{i}")
            values.append(group)
            outcome.append(i < n_pos)
            selected.append(i < tp or n_pos <= i < n_pos + fp)
    order = order if order is not None else list(range(len(ids)))
    contacts = pd.DataFrame({"contact_id": ids, "segment": values}).iloc[order]
    targeting = pd.DataFrame({"contact_id": ids, "campaign_id": "A", "selected": selected, "outcome": outcome}).iloc[
        order
    ]
    return open_review(
        data={"contacts": contacts, "targeting": targeting},
        config={"bias": {"sensitive": ["segment"]}},
        as_of="2026-11-15",
    )


@SLOW_NO_SHRINK
@given(groups=outcome_groups_st, data=st.data())
def test_outcome_rates_are_proportions_and_ignore_row_order_and_names(groups, data):
    from ethics_review.checks.bias import outcome_parity

    finding = outcome_parity(outcome_review(groups))
    for r in finding.evidence:
        n_pos, tp, n_neg, fp = groups[r["group"]]
        expected = tp / n_pos if r["measure"] == "true_positive_rate" else fp / n_neg
        if r["rate"] is not None:
            assert 0.0 <= r["rate"] <= 1.0 and r["rate"] == pytest.approx(expected)
        if r["gap"] is not None:
            assert 0.0 <= r["gap"] <= 1.0
    total = sum(a + c for a, _, c, _ in groups.values())
    order = list(data.draw(st.permutations(range(total))))
    assert outcome_parity(outcome_review(groups, order)).evidence == finding.evidence
    names = sorted(groups)
    renamed_as = dict(zip(names, data.draw(st.permutations([f"x{i}" for i in range(len(names))])), strict=True))
    renamed = outcome_parity(outcome_review({renamed_as[g]: v for g, v in groups.items()}))
    assert multiset(r["gap"] for r in finding.evidence) == multiset(r["gap"] for r in renamed.evidence)
