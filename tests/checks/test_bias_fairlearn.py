"""bias.selection_parity on the real UCI Bank Marketing data, held to Fairlearn.

Both published files are read twice, independently:
- by the kit, through the example configs examples/bank-marketing/review.yaml and
  examples/bank-marketing/additional/review.yaml (their column mapping and bias settings; only the path is
  replaced by the `shared_data_dir` fixture), which derives `age_band` itself;
- by pandas, with the age bands of CHECKS.md computed here with `pd.cut`, for Fairlearn's `MetricFrame`
  (metric `selection_rate`, y_true = y_pred = `y`) and `demographic_parity_ratio` / `_difference`.

What is compared, precisely (tolerance 1e-9 on every rate, ratio and difference):
1. The set of groups of each attribute: identical on both sides (bank-additional has an `under 18` band:
   five 17-year-olds, and an `unknown` marital group of 80).
2. Per group, every group: the size n (Fairlearn's `count`). The number selected, where the kit shows it
   (k-anonymity: counts 1-9 show as "<10").
3. Per group with n >= min_group_size (30): the kit's rate equals Fairlearn's `by_group` and its ratio to the
   overall rate equals `by_group / overall`. A group under min_group_size (`under 18`, n=5) must have no rate in
   the kit, while Fairlearn does give one (0.4): that difference is the kit's rule, asserted as such.
4. Impact ratios and differences: only groups with n >= min_flag_size (100) are compared by the kit, and only
   they may be the reference. So Fairlearn is run on exactly those groups (the "comparable" groups): the kit's
   reference is Fairlearn's arg-max, its impact ratio per group is `by_group / by_group.max()`, its
   difference `by_group - by_group.max()`, its `min_impact_ratio` is `demographic_parity_ratio` and its
   largest |difference| is `demographic_parity_difference` on those groups. A group between 30 and 99 people
   (`unknown`, n=80) has a rate but no ratio, no difference, and the flag "insufficient data".
5. When every group is comparable (all of bank-full), Fairlearn on *all* groups gives the same figures; in
   bank-additional it does not for marital status, because `unknown` (12 of 80, rate 0.15) has the highest
   rate and Fairlearn takes it as the maximum: asserted explicitly, so the restriction in 4 is shown to matter.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import (
    MetricFrame,
    count,
    demographic_parity_difference,
    demographic_parity_ratio,
    selection_rate,
)

from ethics_review.checks.bias import selection_parity
from ethics_review.config import load_config
from ethics_review.review import open_review
from tests.checks.suppression import complementary_hidden, small_cell_leaks

pytestmark = pytest.mark.shared_data

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "bank-marketing"
TOL = 1e-9
MIN_GROUP_SIZE, MIN_FLAG_SIZE = 30, 100  # kit defaults, also written out in the example configs

# The fixed bands of CHECKS.md, lower bounds inclusive, computed here without the kit.
BAND_EDGES = [0, 18, 25, 35, 45, 55, 65, np.inf]
BAND_LABELS = ["under 18", "18-24", "25-34", "35-44", "45-54", "55-64", "65+"]

# Figures from /work/shared/data/bank-marketing/README.md.
FILES = {
    "bank-full.csv": {
        "example": EXAMPLES / "review.yaml",
        "sha256": "d1513ec63b385506f7cfce9f2c5caa9fe99e7ba4e8c3fa264b3aaf0f849ed32d",
        "rows": 45_211,
        "yes": 5_289,
        "marital": {"married": 27_214, "single": 12_790, "divorced": 5_207},
        "age_range": (18, 95),
    },
    "bank-additional-full.csv": {
        "example": EXAMPLES / "additional" / "review.yaml",
        "sha256": "74adfc578bf77a7ff4bb1ba4a9f8709d9e3c6907342959c2c8416847e0afb4d8",
        "rows": 41_188,
        "yes": 4_640,
        "marital": {"unknown": 80},  # the README gives only this group's size for this file
        "age_range": (17, 98),
    },
}
ATTRIBUTES = ("age_band", "marital")


@pytest.fixture(scope="module", params=list(FILES))
def bank(request, shared_data_dir):
    """(file name, facts, kit finding, kit review, pandas frame) for one of the two published files."""
    name = request.param
    facts = FILES[name]
    path = shared_data_dir / "bank-marketing" / name
    config = load_config(facts["example"])
    review = open_review(config=config.model_copy(update={"sources": {"targeting": str(path)}}))
    finding = selection_parity(review)
    frame = pd.read_csv(path, sep=";")  # the file as published: `;`, quoted strings, y = yes/no
    frame["age_band"] = pd.cut(frame["age"], BAND_EDGES, right=False, labels=BAND_LABELS).astype(str)
    frame["y01"] = (frame["y"] == "yes").astype(int)
    return name, facts, finding, review, frame


def kit_rows(finding, attribute: str) -> dict[str, dict]:
    rows = [r for r in finding.evidence if r["attribute"] == attribute]
    assert {r["campaign_id"] for r in rows} == {"bank-telemarketing"}
    return {r["group"]: r for r in rows}


def metric_frame(frame: pd.DataFrame, attribute: str) -> MetricFrame:
    y = frame["y01"]
    return MetricFrame(
        metrics={"rate": selection_rate, "n": count}, y_true=y, y_pred=y, sensitive_features=frame[attribute]
    )


def test_example_paths_point_at_the_shared_data(shared_data_dir):
    for name, facts in FILES.items():
        configured = load_config(facts["example"]).sources["targeting"]
        assert not Path(configured).is_absolute()
        assert (facts["example"].parent / configured).resolve() == (shared_data_dir / "bank-marketing" / name)


def test_both_readings_see_the_published_file(bank):
    _name, facts, finding, review, frame = bank
    (source,) = review.inputs
    assert (source.table, source.rows, source.sha256) == ("targeting", facts["rows"], facts["sha256"])
    assert len(frame) == facts["rows"]
    assert (frame["age"].min(), frame["age"].max()) == facts["age_range"]
    # y: "yes" is selected; the kit reads it as a boolean, pandas as the text.
    assert int(frame["y01"].sum()) == facts["yes"]
    marital = kit_rows(finding, "marital")
    assert sum(r["selected"] for r in marital.values()) == facts["yes"]  # no marital cell is small
    assert sum(r["n"] for r in marital.values()) == facts["rows"]
    for group, size in facts["marital"].items():
        assert marital[group]["n"] == size
        assert int((frame["marital"] == group).sum()) == size


@pytest.mark.parametrize("attribute", ATTRIBUTES)
def test_counts_and_rates_equal_fairlearn_by_group(bank, attribute):
    _name, _facts, finding, _review, frame = bank
    kit = kit_rows(finding, attribute)
    mf = metric_frame(frame, attribute)
    fair = mf.by_group
    assert set(kit) == set(fair.index)
    overall = mf.overall["rate"]
    selected = frame.groupby(attribute)["y01"].sum()
    hidden_n = complementary_hidden(kit, {g: int(fair.loc[g, "n"]) for g in kit}, "n")
    hidden_selected = complementary_hidden(kit, {g: int(selected[g]) for g in kit}, "selected", already_hidden=hidden_n)
    for group, row in kit.items():
        n = int(fair.loc[group, "n"])
        if group in hidden_n or group in hidden_selected:
            assert row["rate"] is None and row["impact_ratio"] is None
            continue
        if n >= 10:
            assert row["n"] == n
        else:
            assert row["n"] == "<10"
        if row["selected"] != "<10":
            assert row["selected"] == int(selected[group])
        else:
            assert 0 < selected[group] < 10
        if n >= MIN_GROUP_SIZE:
            assert row["rate"] == pytest.approx(fair.loc[group, "rate"], abs=TOL)
            assert row["ratio_to_overall"] == pytest.approx(fair.loc[group, "rate"] / overall, abs=TOL)
            assert row["ci_low"] <= row["rate"] <= row["ci_high"]
        else:  # the kit's rule: no rate under min_group_size, although Fairlearn computes one
            assert row["rate"] is None and row["ratio_to_overall"] is None and row["impact_ratio"] is None
            assert not math.isnan(fair.loc[group, "rate"])


@pytest.mark.parametrize("attribute", ATTRIBUTES)
def test_ratios_and_differences_equal_fairlearn_on_the_comparable_groups(bank, attribute):
    _name, _facts, finding, _review, frame = bank
    kit = kit_rows(finding, attribute)
    sizes = frame[attribute].value_counts()
    comparable = sorted(sizes.index[sizes >= MIN_FLAG_SIZE])
    assert len(comparable) >= 3
    subset = frame[frame[attribute].isin(comparable)]
    mf = metric_frame(subset, attribute)
    rates = mf.by_group["rate"]
    reference = rates.idxmax()
    assert (rates == rates.max()).sum() == 1  # no tie for the highest rate: the reference is unambiguous

    assert {r["reference_group"] for r in kit.values()} == {reference}
    assert kit[reference]["flag"] == "reference"
    assert kit[reference]["impact_ratio"] is None and kit[reference]["difference"] is None
    complements = complementary_hidden(
        kit, {g: int(s) for g, s in frame.groupby(attribute)["y01"].sum().items()}, "selected"
    )
    for group in comparable:
        if group == reference:
            continue
        row = kit[group]
        if group in complements:  # hidden so that a lone small count is not the total minus the others
            assert row["impact_ratio"] is None and row["difference"] is None
            continue
        assert row["impact_ratio"] == pytest.approx(rates[group] / rates.max(), abs=TOL)
        assert row["difference"] == pytest.approx(rates[group] - rates.max(), abs=TOL)
        assert row["flag"] in {"pass", "warn", "fail"}
    for group in set(kit) - set(comparable):  # too small to be compared: a rate at most, never a ratio
        row = kit[group]
        assert row["flag"] == "insufficient data"
        assert row["impact_ratio"] is None and row["difference"] is None and row["p_value"] is None

    compared = [kit[g] for g in comparable if g != reference and g not in complements]
    y = subset["y01"]
    dp_ratio = demographic_parity_ratio(y, y, sensitive_features=subset[attribute])
    dp_difference = demographic_parity_difference(y, y, sensitive_features=subset[attribute])
    assert min(r["impact_ratio"] for r in compared) == pytest.approx(dp_ratio, abs=TOL)
    assert max(abs(r["difference"]) for r in compared) == pytest.approx(dp_difference, abs=TOL)
    assert mf.ratio(method="between_groups")["rate"] == pytest.approx(dp_ratio, abs=TOL)


def test_min_impact_ratio_is_demographic_parity_ratio_over_both_attributes(bank):
    _name, _facts, finding, _review, frame = bank
    ratios = []
    for attribute in ATTRIBUTES:
        sizes = frame[attribute].value_counts()
        subset = frame[frame[attribute].isin(sizes.index[sizes >= MIN_FLAG_SIZE])]
        ratios.append(demographic_parity_ratio(subset["y01"], subset["y01"], sensitive_features=subset[attribute]))
    assert finding.metric["min_impact_ratio"] == pytest.approx(min(ratios), abs=TOL)
    assert finding.metric["comparisons"] == sum(
        int((frame[a].value_counts() >= MIN_FLAG_SIZE).sum()) - 1 for a in ATTRIBUTES
    )
    small = sum(int((frame[a].value_counts() < MIN_FLAG_SIZE).sum()) for a in ATTRIBUTES)
    assert finding.metric["insufficient_groups"] == small


@pytest.mark.parametrize("attribute", ATTRIBUTES)
def test_fairlearn_on_all_groups_agrees_only_when_every_group_is_comparable(bank, attribute):
    name, _facts, finding, _review, frame = bank
    kit = kit_rows(finding, attribute)
    compared = [r for r in kit.values() if r["impact_ratio"] is not None]
    y = frame["y01"]
    everyone = demographic_parity_ratio(y, y, sensitive_features=frame[attribute])
    kit_min = min(r["impact_ratio"] for r in compared)
    rates = frame.groupby(attribute)["y01"].mean()
    sizes = frame[attribute].value_counts()
    small_top = rates[sizes[rates.index] < MIN_FLAG_SIZE].max() if (sizes < MIN_FLAG_SIZE).any() else -1.0
    small_bottom = rates[sizes[rates.index] < MIN_FLAG_SIZE].min() if (sizes < MIN_FLAG_SIZE).any() else 2.0
    big = rates[sizes[rates.index] >= MIN_FLAG_SIZE]
    if small_top <= big.max() and small_bottom >= big.min():
        # No small group sets Fairlearn's max or min: the same figure with or without them.
        assert kit_min == pytest.approx(everyone, abs=TOL)
    else:
        assert abs(kit_min - everyone) > 1e-3
    if name == "bank-full.csv":
        assert (sizes >= MIN_FLAG_SIZE).all()  # all groups large: Fairlearn on everything is the kit's figure
        assert kit_min == pytest.approx(everyone, abs=TOL)


def test_unknown_marital_status_has_a_rate_but_no_flag(shared_data_dir):
    path = shared_data_dir / "bank-marketing" / "bank-additional-full.csv"
    config = load_config(FILES["bank-additional-full.csv"]["example"])
    review = open_review(config=config.model_copy(update={"sources": {"targeting": str(path)}}))
    finding = selection_parity(review, attributes=["marital"])
    unknown = kit_rows(finding, "marital")["unknown"]
    assert (unknown["n"], unknown["selected"]) == (80, 12)
    assert MIN_GROUP_SIZE <= unknown["n"] < MIN_FLAG_SIZE
    assert unknown["rate"] == pytest.approx(0.15, abs=TOL)
    assert unknown["flag"] == "insufficient data" and unknown["impact_ratio"] is None
    # Its rate is the highest of all four groups, yet the reference is `single`: a group of 80 may not be one.
    assert unknown["reference_group"] == "single"
    frame = pd.read_csv(path, sep=";")
    y = (frame["y"] == "yes").astype(int)
    everyone = demographic_parity_ratio(y, y, sensitive_features=frame["marital"])
    assert everyone == pytest.approx(y[frame.marital == "married"].mean() / 0.15, abs=TOL)
    assert finding.metric["min_impact_ratio"] > everyone + 0.04


def test_intersections_equal_fairlearn_with_two_sensitive_features(bank):
    """bias.intersectional on age_band × marital against a MetricFrame with both columns as sensitive features:
    the same groups, sizes and rates; impact ratios against the highest rate among groups of >= 100 people."""
    from ethics_review.checks.bias import intersectional

    _name, _facts, _finding, review, frame = bank
    kit_finding = intersectional(review, intersections=[["age_band", "marital"]])
    kit = {r["group"]: r for r in kit_finding.evidence}
    assert {r["attribute"] for r in kit.values()} == {"age_band × marital"}
    mf = MetricFrame(
        metrics={"rate": selection_rate, "n": count},
        y_true=frame["y01"],
        y_pred=frame["y01"],
        sensitive_features=frame[["age_band", "marital"]],
    )
    fair = mf.by_group.dropna()  # MetricFrame lists every combination; those with nobody have no rate
    assert set(kit) == {f"{band} × {marital}" for band, marital in fair.index}
    comparable = {}
    sizes = {f"{band} × {marital}": int(values["n"]) for (band, marital), values in fair.iterrows()}
    # An intersection hides more than one complement: its rows and columns add up to the groups of each
    # attribute alone, so the rule holds along each of them (the scan checks that no hidden cell is derivable).
    assert small_cell_leaks(kit_finding.to_json()) == []
    complements = {g for g, r in kit.items() if r["n"] is None}
    assert all(sizes[g] >= 10 for g in complements)
    for (band, marital), values in fair.iterrows():
        row, n = kit[f"{band} × {marital}"], int(values["n"])
        if f"{band} × {marital}" not in complements:
            assert row["n"] == (n if n >= 10 else "<10")
        if n >= MIN_GROUP_SIZE and row["rate"] is not None:
            assert row["rate"] == pytest.approx(values["rate"], abs=TOL)
        if n >= MIN_FLAG_SIZE:
            comparable[f"{band} × {marital}"] = values["rate"]
        else:
            assert row["flag"] == "insufficient data" and row["impact_ratio"] is None
    best = max(comparable.values())
    for group, rate in comparable.items():
        if kit[group]["impact_ratio"] is not None:
            assert kit[group]["impact_ratio"] == pytest.approx(rate / best, abs=TOL)
    assert kit_finding.metric["comparisons"] == len(comparable) - 1
