"""bias.* checks on small named fixtures."""

import pytest

from ethics_review.checks.bias import selection_parity
from ethics_review.errors import ConfigError
from tests.conftest import make_review


def population(groups: dict[str, tuple[int, int]], campaign: str = "A", attribute: str = "gender"):
    """contacts and targeting where group g has n people of whom `selected` were selected."""
    ids, values, chosen = [], [], []
    for group, (n, selected) in groups.items():
        for i in range(n):
            ids.append(f"{group}-{i}")
            values.append(group)
            chosen.append(i < selected)
    contacts = {"contact_id": ids, attribute: values}
    targeting = {"contact_id": ids, "campaign_id": [campaign] * len(ids), "selected": chosen}
    return contacts, targeting


def review_for(groups, config=None, **options):
    contacts, targeting = population(groups)
    bias = {"sensitive": ["gender"], **(config or {})}
    return make_review(contacts=contacts, targeting=targeting, config={"bias": bias})


def flags(finding):
    return {row["group"]: row["flag"] for row in finding.evidence}


def test_equal_rates_pass():
    finding = selection_parity(review_for({"F": (500, 100), "M": (500, 98)}))
    assert finding.status == "pass"
    assert flags(finding) == {"F": "reference", "M": "pass"}


def test_large_significant_gap_fails_against_the_highest_rate():
    finding = selection_parity(review_for({"F": (1000, 400), "M": (1000, 200)}))
    assert finding.status == "fail"
    row = next(r for r in finding.evidence if r["group"] == "M")
    assert row["reference_group"] == "F"
    assert row["impact_ratio"] == pytest.approx(0.5)
    assert row["difference"] == pytest.approx(-0.2)
    assert row["ratio_ci_low"] < 0.5 < row["ratio_ci_high"]
    assert row["p_adjusted"] < 1e-6 and row["test"] == "two-proportion z"
    assert finding.metric["failed_comparisons"] == 1
    assert "group men (gender)" in finding.summary


def test_gap_below_four_fifths_without_significance_warns():
    # 30% vs 20% of 100 people: ratio 0.67 but p ~ 0.1
    finding = selection_parity(review_for({"F": (100, 30), "M": (100, 20)}))
    assert finding.status == "warn" and flags(finding)["M"] == "warn"
    assert "Possible disparity" in finding.summary


def test_significant_gap_between_080_and_090_warns():
    finding = selection_parity(review_for({"F": (20000, 10000), "M": (20000, 8500)}))
    assert finding.status == "warn" and finding.metric["min_impact_ratio"] == pytest.approx(0.85)


def test_small_group_is_insufficient_data_never_pass():
    finding = selection_parity(review_for({"F": (500, 100), "M": (500, 100), "X": (20, 0)}))
    assert flags(finding)["X"] == "insufficient data"
    row = next(r for r in finding.evidence if r["group"] == "X")
    assert row["rate"] is None and row["impact_ratio"] is None  # under min_group_size: no rate
    assert finding.metric["insufficient_groups"] == 1 and finding.status == "pass"


def test_group_between_min_group_and_min_flag_size_gets_a_rate_but_no_flag():
    finding = selection_parity(review_for({"F": (500, 100), "M": (500, 100), "X": (50, 0)}))
    row = next(r for r in finding.evidence if r["group"] == "X")
    assert row["rate"] == 0 and row["flag"] == "insufficient data"


def test_only_small_groups_is_not_applicable_with_insufficient_data():
    finding = selection_parity(review_for({"F": (50, 10), "M": (50, 1)}))
    assert finding.status == "not_applicable" and "Insufficient data" in finding.summary


def test_counts_under_k_are_suppressed_in_evidence():
    finding = selection_parity(review_for({"F": (500, 100), "M": (500, 5)}))
    row = next(r for r in finding.evidence if r["group"] == "M")
    assert row["selected"] == "<10" and row["rate"] is None and row["impact_ratio"] is None
    assert row["flag"] == "fail"  # the judgement stands; only the numbers are hidden


def test_reference_largest_and_named_group():
    groups = {"F": (300, 150), "M": (1000, 300)}
    assert flags(selection_parity(review_for(groups, {"reference": "largest"})))["M"] == "reference"
    assert flags(selection_parity(review_for(groups, {"reference": {"gender": "M"}})))["M"] == "reference"
    assert flags(selection_parity(review_for(groups)))["F"] == "reference"


def test_every_group_compared_with_the_overall_rate():
    finding = selection_parity(review_for({"F": (1000, 400), "M": (1000, 200)}))
    ratios = {r["group"]: r["ratio_to_overall"] for r in finding.evidence}
    assert ratios == {"F": pytest.approx(0.4 / 0.3), "M": pytest.approx(0.2 / 0.3)}


def test_thresholds_are_labelled_kit_defaults_and_overridable():
    finding = selection_parity(review_for({"F": (1000, 400), "M": (1000, 300)}), fail_below=0.7, warn_below=0.8)
    assert finding.status == "warn"  # 0.75 is under the 0.8 warn line, above the 0.7 fail line
    assert {t.kind for t in finding.thresholds} == {"kit default"}
    with pytest.raises(ConfigError, match="fail_below <= warn_below"):
        selection_parity(review_for({"F": (10, 1)}), fail_below=0.9, warn_below=0.8)


def test_age_band_is_derived_from_birth_date_at_as_of():
    contacts = {"contact_id": ["a", "b", "c"], "birth_date": ["2008-11-16", "2008-11-15", "1950-01-01"]}
    targeting = {"contact_id": ["a", "b", "c"], "campaign_id": ["A"] * 3, "selected": [True] * 3}
    review = make_review(contacts=contacts, targeting=targeting, config={"bias": {"sensitive": ["age_band"]}})
    finding = selection_parity(review)
    assert finding.status == "not_applicable"  # three people: no comparison, but the bands are computed
    from ethics_review.checks.bias import selection_population

    bands = selection_population(review).order_by("contact_id").age_band.to_pyarrow().to_pylist()
    assert bands == ["under 18", "18-24", "65+"]  # 18th birthday on as_of counts


def test_without_targeting_sends_define_selection():
    contacts, _ = population({"F": (200, 0), "M": (200, 0)})
    reached = [c for c in contacts["contact_id"] if c.startswith("F")][:100] + [
        c for c in contacts["contact_id"] if c.startswith("M")
    ][:20]
    sends = {
        "contact_id": reached,
        "campaign_id": ["A"] * len(reached),
        "channel": ["email"] * len(reached),
        "sent_at": ["2026-02-01"] * len(reached),
    }
    review = make_review(contacts=contacts, sends=sends, config={"bias": {"sensitive": ["gender"]}})
    finding = selection_parity(review)
    assert finding.status == "fail"
    assert next(r for r in finding.evidence if r["group"] == "M")["impact_ratio"] == pytest.approx(0.2)


def test_missing_attribute_is_noted_and_no_attribute_is_not_applicable():
    contacts, targeting = population({"F": (500, 100), "M": (500, 100)})
    review = make_review(contacts=contacts, targeting=targeting, config={"bias": {"sensitive": ["gender", "region"]}})
    finding = selection_parity(review)
    assert finding.status == "pass" and any("'region'" in note for note in finding.notes)
    empty = make_review(contacts=contacts, targeting=targeting)
    assert selection_parity(empty).status == "not_applicable"
