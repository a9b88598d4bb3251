"""bias.intersectional, outcome_parity, score_distribution, offer_parity, proxies and delivery_skew on small named
fixtures: every status each check can give, with its figures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from ethics_review import i18n
from ethics_review.checks.bias import (
    SCORE_BINS,
    delivery_skew,
    intersectional,
    offer_parity,
    outcome_parity,
    proxies,
    score_distribution,
    selection_parity,
)
from ethics_review.errors import ConfigError
from tests.conftest import make_review

TARGETING = {"campaign_id", "selected", "outcome", "score", "offer_value"}


def people(*cohorts: dict) -> tuple[dict, dict]:
    """contacts and targeting from cohorts: {"count": n, column: value, ...}; a list value is cycled over the
    cohort's people. Targeting columns go to targeting, the others (attributes, features) to contacts."""
    contacts: dict[str, list] = {"contact_id": []}
    targeting: dict[str, list] = {"contact_id": [], "campaign_id": []}
    columns = {c for cohort in cohorts for c in cohort if c != "count"}
    for column in columns:
        (targeting if column in TARGETING else contacts).setdefault(column, [])
    for index, cohort in enumerate(cohorts):
        for i in range(cohort["count"]):
            person = f"p{index}-{i}"
            contacts["contact_id"].append(person)
            targeting["contact_id"].append(person)
            targeting["campaign_id"].append(cohort.get("campaign_id", "A"))
            for column in columns - {"campaign_id"}:
                value = cohort.get(column)
                value = value[i % len(value)] if isinstance(value, list) else value
                (targeting if column in TARGETING else contacts)[column].append(value)
    return contacts, targeting


def review_of(*cohorts, bias=None, sends=None, **config):
    contacts, targeting = people(*cohorts)
    tables = {"contacts": contacts, "targeting": targeting}
    if sends is not None:
        tables["sends"] = sends
    return make_review(config={"bias": {"sensitive": ["gender"], **(bias or {})}, **config}, **tables)


def row(finding, group, **match):
    return next(r for r in finding.evidence if r["group"] == group and all(r[k] == v for k, v in match.items()))


# --- bias.intersectional -----------------------------------------------------------------------------------------

INTERSECT = {"sensitive": ["gender", "age_band"], "intersections": [["gender", "age_band"]]}


def cells(rates: dict[tuple[str, str], tuple[int, int]]):
    """One cohort per (gender, age_band) cell: (n, selected)."""
    cohorts = []
    for (gender, band), (n, selected) in rates.items():
        cohorts.append({"count": selected, "gender": gender, "age_band": band, "selected": True})
        cohorts.append({"count": n - selected, "gender": gender, "age_band": band, "selected": False})
    return cohorts


def test_an_intersection_left_out_fails_although_each_attribute_alone_passes():
    # Young men at 20%, young women at 60%, older men at 60%, older women at 20%: every gender and every age band
    # is selected at 40%.
    review = review_of(
        *cells(
            {("M", "18-24"): (500, 100), ("F", "18-24"): (500, 300), ("M", "65+"): (500, 300), ("F", "65+"): (500, 100)}
        ),
        bias=INTERSECT,
    )
    alone = selection_parity(review)
    assert alone.status == "pass" and alone.metric["min_impact_ratio"] == pytest.approx(1.0)
    finding = intersectional(review)
    assert finding.status == "fail"
    young_men = row(finding, "M × 18-24")
    assert young_men["attribute"] == "gender × age_band"
    assert young_men["impact_ratio"] == pytest.approx(1 / 3) and young_men["flag"] == "fail"
    assert young_men["ratio_to_overall"] == pytest.approx(0.5)
    assert finding.metric["failed_comparisons"] == 2  # young men and older women, against the 60% cells
    assert (
        ", men × 18-24 (gender × age band)" in finding.summary
        or "women × 65 and over (gender × age band)" in finding.summary
    )


def test_equal_intersections_pass():
    review = review_of(
        *cells(
            {("M", "18-24"): (200, 80), ("F", "18-24"): (200, 80), ("M", "65+"): (200, 81), ("F", "65+"): (200, 79)}
        ),
        bias=INTERSECT,
    )
    finding = intersectional(review)
    assert finding.status == "pass" and finding.metric["comparisons"] == 3
    assert "no combined group" not in finding.summary and "3 comparisons of combined groups" in finding.summary


def test_an_intersection_gap_without_significance_warns():
    review = review_of(*cells({("M", "18-24"): (100, 20), ("F", "18-24"): (100, 30)}), bias=INTERSECT)
    finding = intersectional(review)
    assert finding.status == "warn" and row(finding, "M × 18-24")["flag"] == "warn"
    assert finding.summary.startswith("Possible disparity")


def test_small_intersections_are_insufficient_data_and_a_named_reference_is_keyed_by_the_intersection():
    # The reference is named in the review's options, as a run reads it: which counts are hidden is decided on
    # them, for selection parity and the intersection together.
    named = {"reference": {"gender × age_band": "M × 18-24"}}
    review = review_of(
        *cells({("M", "18-24"): (300, 90), ("F", "18-24"): (300, 150), ("X", "18-24"): (40, 4)}),
        bias=INTERSECT,
        checks={"bias.intersectional": named},
    )
    finding = intersectional(review, **named)
    assert row(finding, "X × 18-24")["flag"] == "insufficient data"
    assert row(finding, "X × 18-24")["selected"] == "<10" and row(finding, "X × 18-24")["rate"] is None
    assert row(finding, "M × 18-24")["flag"] == "reference" and row(finding, "M × 18-24")["selected"] == 90
    # X's 4 would be the total minus the others: F's count is hidden with it (its ratio of 150 / 90 too), never
    # the reference's, whose rate every ratio to it would give back.
    assert row(finding, "F × 18-24")["selected"] is None and row(finding, "F × 18-24")["impact_ratio"] is None
    assert row(finding, "F × 18-24")["flag"] == "pass" and row(finding, "F × 18-24")["n"] == 300


def test_intersections_not_applicable_without_configuration_or_data():
    contacts_only = review_of(*cells({("M", "18-24"): (300, 90)}), bias={"sensitive": ["gender"]})
    finding = intersectional(contacts_only)
    assert finding.status == "not_applicable" and "bias.intersections" in finding.summary
    small = review_of(*cells({("M", "18-24"): (50, 9), ("F", "18-24"): (50, 30)}), bias=INTERSECT)
    assert "Insufficient data" in intersectional(small).summary
    missing = review_of(*cells({("M", "18-24"): (300, 90)}), bias={"intersections": [["gender", "income"]]})
    finding = intersectional(missing)
    assert finding.status == "not_applicable" and finding.metric["missing"] == ["contacts.income"]


# --- bias.outcome_parity -----------------------------------------------------------------------------------------


def outcomes(gender: str, converters: tuple[int, int], others: tuple[int, int]) -> list[dict]:
    """(n, selected) among converters and among non-converters of one gender."""
    (n_pos, tp), (n_neg, fp) = converters, others
    return [
        {"count": tp, "gender": gender, "outcome": True, "selected": True},
        {"count": n_pos - tp, "gender": gender, "outcome": True, "selected": False},
        {"count": fp, "gender": gender, "outcome": False, "selected": True},
        {"count": n_neg - fp, "gender": gender, "outcome": False, "selected": False},
    ]


def test_converters_of_one_group_selected_far_less_fails():
    review = review_of(*outcomes("F", (200, 120), (300, 90)), *outcomes("M", (200, 40), (300, 90)))
    finding = outcome_parity(review)
    assert finding.status == "fail"
    tpr = row(finding, "M", measure="true_positive_rate")
    assert tpr["rate"] == pytest.approx(0.2) and tpr["reference_group"] == "F"
    assert tpr["difference"] == pytest.approx(-0.4) and tpr["gap"] == pytest.approx(0.4) and tpr["flag"] == "fail"
    fpr = row(finding, "M", measure="false_positive_rate")
    assert fpr["gap"] == pytest.approx(0.0) and fpr["flag"] == "pass"
    assert finding.metric["max_gap"] == pytest.approx(0.4) and finding.metric["failed_comparisons"] == 1
    assert "true-positive rate" in finding.summary and "differs from women's by 0.40" in finding.summary


def test_equal_true_and_false_positive_rates_pass():
    review = review_of(*outcomes("F", (200, 120), (300, 90)), *outcomes("M", (200, 118), (300, 93)))
    finding = outcome_parity(review)
    assert finding.status == "pass" and finding.metric["comparisons"] == 2
    assert {r["measure"] for r in finding.evidence} == {"true_positive_rate", "false_positive_rate"}


def test_a_significant_gap_between_010_and_020_warns():
    review = review_of(*outcomes("F", (1000, 600), (1000, 300)), *outcomes("M", (1000, 450), (1000, 300)))
    finding = outcome_parity(review)
    assert finding.status == "warn" and finding.metric["max_gap"] == pytest.approx(0.15)
    assert row(finding, "M", measure="true_positive_rate")["p_adjusted"] < 0.05
    french = outcome_parity(review.with_options(lang="fr"))
    assert "taux de vrais positifs" in french.summary and "0,15" in french.summary


def test_outcome_parity_needs_outcomes_and_enough_converters():
    no_outcome = review_of({"count": 300, "gender": "F", "selected": True})
    finding = outcome_parity(no_outcome)
    assert finding.status == "not_applicable" and finding.metric["missing"] == ["targeting.outcome"]
    few = review_of(*outcomes("F", (50, 30), (300, 90)), *outcomes("M", (50, 10), (300, 90)))
    finding = outcome_parity(few)
    assert finding.status == "pass"  # false-positive rates are judged; true-positive rates have too few people
    assert row(finding, "M", measure="true_positive_rate")["flag"] == "insufficient data"
    with pytest.raises(ConfigError, match="warn_above <= fail_above"):
        outcome_parity(few, warn_above=0.3, fail_above=0.2)


# --- bias.score_distribution -------------------------------------------------------------------------------------

GRID = [round(i / 200, 4) for i in range(200)]  # 0, 0.005, ..., 0.995: a uniform score


def scores(gender: str, values: list[float], count: int = 400) -> dict:
    return {"count": count, "gender": gender, "selected": True, "score": values}


def test_a_shifted_score_fails_and_the_distance_is_scipy_s():
    shifted = [min(1.0, v + 0.4) for v in GRID]
    review = review_of(scores("F", shifted), scores("M", GRID))
    finding = score_distribution(review)
    assert finding.status == "fail"
    m = row(finding, "M")
    expected = stats.ks_2samp(np.resize(GRID, 400), np.resize(shifted, 400), method="asymp")
    assert m["reference_group"] == "F" and m["ks_distance"] == pytest.approx(expected.statistic, abs=1e-12)
    assert m["p_value"] == pytest.approx(expected.pvalue, rel=1e-9)
    assert m["mean_difference"] == pytest.approx(np.mean(GRID) - np.mean(shifted))
    assert "exact" in finding.notes[0] and "55-64" not in finding.summary and "group men (gender)" in finding.summary


def test_the_same_score_distribution_passes():
    finding = score_distribution(review_of(scores("F", GRID), scores("M", GRID[::-1])))
    assert finding.status == "pass" and finding.metric["max_ks_distance"] == pytest.approx(0.0)


def test_a_significant_moderate_shift_warns():
    review = review_of(scores("F", [min(1.0, v + 0.25) for v in GRID], 1000), scores("M", GRID, 1000))
    finding = score_distribution(review)
    assert finding.status == "warn" and 0.2 < finding.metric["max_ks_distance"] <= 0.3


def test_scores_are_binned_when_there_are_too_many_distinct_values():
    n = 2000  # 4000 distinct scores: far more than SCORE_BINS, so only bin counts leave the engine
    rng = np.random.default_rng(1)
    f, m = rng.random(n).tolist(), (rng.random(n) * 0.8).tolist()
    finding = score_distribution(review_of(scores("F", f, n), scores("M", m, n)))
    assert "approximate" in finding.notes[0] and f"{SCORE_BINS} equal bins" in finding.notes[0]
    exact = stats.ks_2samp(f, m).statistic
    binned = row(finding, "M")["ks_distance"]
    assert binned <= exact + 1e-12  # the gap at the bin edges only: never above the exact distance
    assert binned == pytest.approx(exact, abs=2 / SCORE_BINS)  # within a bin's worth of mass of either sample


def test_score_distribution_needs_a_score_and_enough_people():
    finding = score_distribution(review_of({"count": 300, "gender": "F", "selected": True}))
    assert finding.status == "not_applicable" and finding.metric["missing"] == ["targeting.score"]
    finding = score_distribution(review_of(scores("F", GRID, 50), scores("M", GRID, 5)))
    assert finding.status == "not_applicable" and "Insufficient data" in finding.summary


def test_a_sum_of_scores_or_offers_does_not_depend_on_the_order_of_the_rows():
    """Engines add rows in parallel, in no fixed order; with floats the last digits change from run to run (seen on
    1M contacts). The checks sum exactly: 1e16 + 1 - 1e16 is 1 in any order, where a float sum gives 0 or 1."""
    import ibis

    from ethics_review.checks.common import as_float, exact_sum

    totals = set()
    for values in ([1e16, 1.0, -1e16], [1e16, -1e16, 1.0], [1.0, 1e16, -1e16]):
        table = ibis.memtable({"order": range(3), "value": values})
        floats = float(sum(values))  # what a float sum in this order gives
        exact = as_float(ibis.duckdb.connect().execute(table.aggregate(total=exact_sum(table.value))).total)
        totals.add((floats, float(exact.iloc[0])))
    assert {exact for _, exact in totals} == {1.0}
    assert {floats for floats, _ in totals} == {0.0, 1.0}  # the float sums do differ with the order


# --- bias.offer_parity -------------------------------------------------------------------------------------------


def offers(gender: str, values: list[float], count: int = 300) -> dict:
    return {"count": count, "gender": gender, "selected": True, "offer_value": values}


def test_smaller_offers_for_one_group_fail_with_welch_s_test():
    women, men = [10.0, 20.0, 30.0], [7.0, 14.0, 21.0]
    finding = offer_parity(review_of(offers("F", women), offers("M", men)))
    assert finding.status == "fail"
    m = row(finding, "M")
    assert m["offer_ratio"] == pytest.approx(0.7) and m["difference"] == pytest.approx(-6.0)
    expected = stats.ttest_ind(np.resize(men, 300), np.resize(women, 300), equal_var=False)
    assert m["p_value"] == pytest.approx(expected.pvalue, rel=1e-6)
    assert m["sd_offer"] == pytest.approx(np.std(np.resize(men, 300), ddof=1))
    assert "0.70 times the mean offer of women" in finding.summary
    assert m["ratio_to_overall"] == pytest.approx(14.0 / 17.0) and row(finding, "F")[
        "ratio_to_overall"
    ] == pytest.approx(20.0 / 17.0)


def test_comparable_offers_pass_and_people_not_offered_are_left_out():
    not_offered = {"count": 500, "gender": "M", "selected": False, "offer_value": None}
    finding = offer_parity(review_of(offers("F", [10.0, 20.0]), offers("M", [10.0, 20.0]), not_offered))
    assert finding.status == "pass" and row(finding, "M")["n"] == 300 and row(finding, "M")["offer_ratio"] == 1.0


def test_a_significant_offer_ratio_between_080_and_090_warns_and_no_spread_is_handled():
    finding = offer_parity(review_of(offers("F", [20.0]), offers("M", [17.0])))
    assert finding.status == "warn" and finding.metric["min_offer_ratio"] == pytest.approx(0.85)
    assert row(finding, "M")["p_value"] == 0.0  # no spread at all: the difference is certain


def test_offer_parity_needs_offers_and_enough_people():
    finding = offer_parity(review_of({"count": 300, "gender": "F", "selected": True}))
    assert finding.status == "not_applicable" and finding.metric["missing"] == ["targeting.offer_value"]
    finding = offer_parity(review_of(offers("F", [10.0], 60), offers("M", [5.0], 60)))
    assert finding.status == "not_applicable" and "Insufficient data" in finding.summary


# --- bias.proxies ------------------------------------------------------------------------------------------------


def postcodes_within_regions() -> list[dict]:
    """Each postcode goes with one region (its first letters): the postcode is the region in another form."""
    return [
        {
            "count": 150,
            "gender": g,
            "region": r,
            "postcode": [f"{r[:2]}{i:03d}" for i in range(20)],
            "segment": ["a", "b", "c"],
            "selected": True,
        }
        for g in ("F", "M")
        for r in ("Bretagne", "Corse", "Normandie")
    ]


def test_a_feature_derived_from_the_attribute_is_reported_as_derived_not_as_a_hidden_proxy():
    """v1 failed postcode x region as a hidden proxy; a postcode is the region in another form (each postcode goes
    with one region), so v2 reports it as derived from the attribute, a warning judged through the parity checks."""
    cohorts = postcodes_within_regions()
    finding = proxies(
        review_of(*cohorts, bias={"sensitive": ["gender", "region"], "features": ["postcode", "segment"]})
    )
    assert finding.status == "warn"
    pairs = {(r["feature"], r["attribute"]): r for r in finding.evidence}
    # Bergsma's formula by hand: phi^2 = 2 (the feature determines the region), r = 60 postcodes, k = 3, n = 900
    expected = ((2 - 59 * 2 / 899) / min(60 - 59**2 / 899 - 1, 3 - 2**2 / 899 - 1)) ** 0.5
    assert pairs[("postcode", "region")]["cramers_v"] == pytest.approx(expected) and expected > 0.96
    assert pairs[("postcode", "region")]["categories"] == 60 and pairs[("postcode", "region")]["groups"] == 3
    assert pairs[("postcode", "region")]["relation"] == "derived from the attribute"
    assert pairs[("postcode", "region")]["flag"] == "warn" and pairs[("postcode", "gender")]["derived"] is False
    assert pairs[("postcode", "gender")]["cramers_v"] == pytest.approx(0.0)
    assert pairs[("segment", "region")]["flag"] == "pass"
    assert finding.metric == {
        "pairs": 4,
        "failed_pairs": 0,
        "warned_pairs": 0,
        "derived_pairs": 1,
        "max_cramers_v": pytest.approx(expected),
    }
    assert "postcode with region" in finding.summary
    assert any(n.startswith("postcode is derived from the attribute region") for n in finding.notes)


def test_a_strong_proxy_that_does_not_determine_the_attribute_still_fails():
    # 95% of each region's people share one segment, 5% the other's: strongly associated, not derived.
    cohorts = [
        {"count": 285, "region": "Bretagne", "segment": "a", "selected": True},
        {"count": 15, "region": "Bretagne", "segment": "b", "selected": True},
        {"count": 285, "region": "Corse", "segment": "b", "selected": True},
        {"count": 15, "region": "Corse", "segment": "a", "selected": True},
    ]
    finding = proxies(review_of(*cohorts, bias={"sensitive": ["region"], "features": ["segment"]}))
    (pair,) = finding.evidence
    assert finding.status == "fail" and pair["relation"] == "proxy" and pair["cramers_v"] >= 0.5


def test_the_review_can_name_a_derived_feature():
    cohorts = [
        {"count": 285, "region": "Bretagne", "segment": "a", "selected": True},
        {"count": 15, "region": "Bretagne", "segment": "b", "selected": True},
        {"count": 285, "region": "Corse", "segment": "b", "selected": True},
        {"count": 15, "region": "Corse", "segment": "a", "selected": True},
    ]
    finding = proxies(
        review_of(*cohorts, bias={"sensitive": ["region"], "features": ["segment"]}), derived={"segment": "region"}
    )
    assert finding.status == "warn" and finding.metric["derived_pairs"] == 1


def test_proxies_cite_indirect_discrimination_and_article_9_only_for_special_categories():
    references = " ".join(i18n.references("bias.proxies"))
    assert "Directive 2000/43/EC Art 2(2)(b)" in references
    assert "GDPR Art 9 only where the attribute is a special category" in references
    assert "never applies to age or region" in references


def test_selection_parity_cites_eu_and_french_law_and_calls_four_fifths_a_us_heuristic():
    references = " ".join(i18n.references("bias.selection_parity"))
    for cited in (
        "Directive 2004/113/EC",
        "C-236/09",
        "Directive 2000/43/EC",
        "Code pénal Art 225-1 and 225-2",
        "loi n° 2008-496",
        "1607.4(D)",
        "US screening heuristic",
    ):
        assert cited in references
    assert "GDPR Art 9" not in references


def test_the_correction_keeps_a_many_valued_independent_feature_near_zero():
    rng = np.random.default_rng(7)
    codes = [f"c{v}" for v in rng.integers(0, 150, 600)]
    cohorts = [
        {"count": 300, "gender": "F", "code": codes[:300], "selected": True},
        {"count": 300, "gender": "M", "code": codes[300:], "selected": True},
    ]
    finding = proxies(review_of(*cohorts, bias={"features": ["code"]}))
    (pair,) = finding.evidence
    table = pd.crosstab(pd.Series(codes), pd.Series(["F"] * 300 + ["M"] * 300)).to_numpy()
    plain = stats.contingency.association(table, method="cramer")
    assert plain > 0.4  # uncorrected, noise looks like an association
    assert pair["cramers_v"] < 0.15 and finding.status == "pass"


def test_a_moderate_association_warns_and_numeric_features_are_cut_in_deciles():
    cohorts = [
        {"count": 300, "gender": "F", "spend": [float(i) for i in range(300)], "selected": True},
        {"count": 300, "gender": "M", "spend": [float(i) + 90.0 for i in range(300)], "selected": True},
    ]
    finding = proxies(review_of(*cohorts, bias={"features": ["spend"]}))
    (pair,) = finding.evidence
    assert pair["categories"] == 10 and finding.status == "warn" and 0.3 <= pair["cramers_v"] < 0.5


def test_proxies_need_features_and_enough_people():
    finding = proxies(review_of({"count": 300, "gender": "F", "selected": True}))
    assert finding.status == "not_applicable" and "bias.features" in finding.summary
    finding = proxies(
        review_of({"count": 50, "gender": "F", "segment": "a", "selected": True}, bias={"features": ["segment"]})
    )
    assert finding.status == "not_applicable" and "Insufficient data" in finding.summary
    finding = proxies(review_of({"count": 300, "gender": "F", "selected": True}, bias={"features": ["income"]}))
    assert finding.metric["missing"] == ["contacts.income"]


# --- bias.delivery_skew ------------------------------------------------------------------------------------------


def delivered(reached: dict[str, int], selected: dict[str, int], extra_not_selected: int = 0):
    cohorts = [{"count": n, "gender": g, "selected": True} for g, n in selected.items()]
    cohorts.append({"count": extra_not_selected, "gender": "F", "selected": False})
    contacts, targeting = people(*cohorts)
    ids = []
    for index, count in enumerate(reached.values()):
        ids += [f"p{index}-{i}" for i in range(count)]
    sends = {
        "contact_id": ids,
        "campaign_id": ["A"] * len(ids),
        "channel": ["ads"] * len(ids),
        "sent_at": ["2026-09-01"] * len(ids),
    }
    return make_review(contacts=contacts, targeting=targeting, sends=sends, config={"bias": {"sensitive": ["gender"]}})


def test_a_group_reached_at_half_its_share_warns():
    finding = delivery_skew(delivered({"F": 500, "M": 200}, {"F": 500, "M": 400}))
    assert finding.status == "warn"
    m, f = row(finding, "M"), row(finding, "F")
    assert m["share_eligible"] == pytest.approx(400 / 900) and m["share_reached"] == pytest.approx(200 / 700)
    assert m["delivery_ratio"] == pytest.approx((200 / 700) / (400 / 900)) and m["flag"] == "warn"
    assert f["delivery_ratio"] == pytest.approx((500 / 700) / (500 / 900)) and f["flag"] == "warn"  # 1.29 > 1.25
    assert m["p_value"] == pytest.approx(stats.binomtest(200, 700, 400 / 900).pvalue)
    assert finding.metric["warned_groups"] == 2 and "group men (gender)" in finding.summary


def test_proportional_delivery_passes_and_non_selected_people_are_not_eligible():
    finding = delivery_skew(delivered({"F": 450, "M": 360}, {"F": 500, "M": 400}, extra_not_selected=300))
    assert finding.status == "pass"
    assert row(finding, "F")["eligible"] == 500 and row(finding, "F")["delivery_ratio"] == pytest.approx(1.0)


def test_delivery_skew_needs_sends_and_enough_people():
    contacts, targeting = people({"count": 300, "gender": "F", "selected": True})
    finding = delivery_skew(
        make_review(contacts=contacts, targeting=targeting, config={"bias": {"sensitive": ["gender"]}})
    )
    assert finding.status == "not_applicable" and finding.metric["missing"] == ["sends"]
    finding = delivery_skew(delivered({"F": 40, "M": 5}, {"F": 50, "M": 50}))
    assert finding.status == "not_applicable" and "Insufficient data" in finding.summary


def test_thresholds_out_of_order_are_config_errors_naming_both():
    review = delivered({"F": 450, "M": 360}, {"F": 500, "M": 400})
    with pytest.raises(ConfigError, match="warn_below <= 1 <= warn_above"):
        delivery_skew(review, warn_below=1.2, warn_above=1.25)
    with pytest.raises(ConfigError, match="warn_at <= fail_at"):
        proxies(review, warn_at=0.6, fail_at=0.5)
    with pytest.raises(ConfigError, match="warn_above <= fail_above"):
        score_distribution(review, warn_above=0.4, fail_above=0.3)
    with pytest.raises(ConfigError, match="fail_below <= warn_below"):
        offer_parity(review, fail_below=0.95, warn_below=0.9)
