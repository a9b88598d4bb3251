"""The demo's bias plants, one by one: each check finds its planted problem where it was planted, with the
figures planted.json computed independently (plain pandas and scipy), and the fair attribute stays fair."""

import json

import pytest

from ethics_review.review import open_review
from ethics_review.runner import run_checks


@pytest.fixture(scope="module")
def findings(demo_dir):
    return {f.check_id: f for f in run_checks(open_review(demo_dir), area="bias")}


@pytest.fixture(scope="module")
def planted(demo_dir):
    return json.loads((demo_dir / "planted.json").read_text(encoding="utf-8"))["checks"]


def rows(finding, **match):
    return [r for r in finding.evidence if all(r.get(k) == v for k, v in match.items())]


def test_every_bias_check_is_planted_with_a_story(planted, findings):
    assert set(findings) <= set(planted)
    for check_id in findings:
        assert planted[check_id]["status"] in {"pass", "warn", "fail"}
        assert planted[check_id].get("story") or check_id == "bias.selection_parity"


def test_the_intersection_fails_while_each_attribute_alone_passes(findings, planted):
    plant = planted["bias.intersectional"]
    assert plant["each_attribute_alone"] == ["pass"] and plant["verdict"] == "fail"
    (row,) = rows(findings["bias.intersectional"], campaign_id=plant["campaign"], group=plant["group"])
    assert row["flag"] == "fail" and row["impact_ratio"] == pytest.approx(plant["impact_ratio"], abs=1e-4)
    alone = rows(findings["bias.selection_parity"], campaign_id=plant["campaign"])
    assert {r["flag"] for r in alone if r["attribute"] in ("gender", "age_band")} <= {
        "pass",
        "reference",
        "insufficient data",
    }


def test_the_fair_attribute_and_the_small_group(findings, planted):
    plant = planted["bias.selection_parity"]
    assert "gender" in plant["fair"]
    gender = rows(findings["bias.selection_parity"], attribute="gender")
    assert {r["flag"] for r in gender} <= {"pass", "reference", "insufficient data"}
    assert {r["flag"] for r in gender if r["group"] == "X"} == {"insufficient data"}


def test_outcome_score_offer_and_delivery_plants_are_found_where_planted(findings, planted):
    outcome = planted["bias.outcome_parity"]
    (tpr,) = rows(
        findings["bias.outcome_parity"],
        campaign_id=outcome["campaign"],
        group=outcome["group"],
        attribute=outcome["attribute"],
        measure="true_positive_rate",
    )
    assert tpr["flag"] == "fail" and tpr["gap"] == pytest.approx(
        outcome["planted_gaps"]["true_positive_rate"], abs=1e-4
    )
    score = planted["bias.score_distribution"]
    (shifted,) = rows(
        findings["bias.score_distribution"],
        campaign_id=score["campaign"],
        group=score["group"],
        attribute=score["attribute"],
    )
    assert shifted["flag"] == "fail" and shifted["ks_distance"] == pytest.approx(score["ks_distance"], abs=1e-4)
    assert shifted["mean_difference"] < -0.1
    offer = planted["bias.offer_parity"]
    (smaller,) = rows(
        findings["bias.offer_parity"], campaign_id=offer["campaign"], group=offer["group"], attribute=offer["attribute"]
    )
    assert smaller["flag"] == "fail" and smaller["offer_ratio"] == pytest.approx(offer["offer_ratio"], abs=1e-4)
    delivery = planted["bias.delivery_skew"]
    (skewed,) = rows(
        findings["bias.delivery_skew"],
        campaign_id=delivery["campaign"],
        group=delivery["group"],
        attribute=delivery["attribute"],
    )
    assert skewed["flag"] == "warn"
    assert skewed["delivery_ratio"] == pytest.approx(delivery["delivery_ratio"], abs=1e-4)


def test_postcode_is_reported_as_derived_from_region_and_segment_is_clean(findings, planted):
    plant = planted["bias.proxies"]
    pairs = {(r["feature"], r["attribute"]): r for r in findings["bias.proxies"].evidence}
    derived = pairs[(plant["feature"], plant["attribute"])]
    assert derived["flag"] == "warn" and derived["relation"] == "derived from the attribute"
    assert plant["derived"] == [f"{plant['feature']} × {plant['attribute']}"]
    assert findings["bias.proxies"].metric["derived_pairs"] == plant["counts"]["derived_pairs"] == 1
    assert {r["flag"] for (feature, _), r in pairs.items() if feature == "segment"} == {"pass"}
    for pair, value in plant["cramers_v"].items():
        feature, attribute = pair.split(" × ")
        assert pairs[(feature, attribute)]["cramers_v"] == pytest.approx(value, abs=1e-4)


PLAN_CHECKS = (
    "bias.selection_parity",
    "bias.intersectional",
    "bias.score_distribution",
    "bias.offer_parity",
    "bias.delivery_skew",
)


def test_a_notebook_review_decides_the_hidden_counts_once_for_five_checks(demo_dir, findings):
    """A review that keeps its aggregates (a notebook's) computes selection parity's plan of hidden counts once,
    answers the four other checks from it, and gives the very findings of a review that computes everything."""
    from ethics_review import aggregates

    review = open_review(demo_dir)
    store = aggregates.remember(review)
    kept = run_checks(review, ids=PLAN_CHECKS)
    assert [key[0] for key in store.derived] == ["bias.selection_plan"]
    assert [f.to_json() for f in kept] == [findings[check_id].to_json() for check_id in PLAN_CHECKS]


def test_a_large_review_asks_one_attribute_at_a_time_and_finds_the_same(demo_dir, findings, monkeypatch):
    """Below a million input rows the bias checks stack every attribute into one query; a larger review asks one
    attribute (one proxy pair) at a time, so that the engine holds one attribute's rows. Same findings."""
    from ethics_review.checks import bias

    review = open_review(demo_dir)
    assert bias.stacks_attributes(review)
    monkeypatch.setattr(bias, "STACKED_BELOW_ROWS", sum(item.rows for item in review.inputs))
    one_at_a_time = open_review(demo_dir)
    assert not bias.stacks_attributes(one_at_a_time)
    again = {f.check_id: f for f in run_checks(one_at_a_time, area="bias")}
    assert {k: f.to_json() for k, f in again.items()} == {k: f.to_json() for k, f in findings.items()}
