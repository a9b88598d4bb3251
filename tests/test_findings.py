import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

from ethics_review.findings import Finding, Threshold, judge, suppress_small_cells, worst


def test_judge_takes_the_worst_breached_level():
    thresholds = (
        Threshold("share", "<", 0.95, "fail", "kit default"),
        Threshold("share", "<", 1.0, "warn", "kit default"),
    )
    assert judge({"share": 1.0}, thresholds) == "pass"
    assert judge({"share": 0.97}, thresholds) == "warn"
    assert judge({"share": 0.9}, thresholds) == "fail"
    assert judge({"share": None}, thresholds) == "pass"


def test_thresholds_that_need_significance():
    fail = Threshold("ratio", "<", 0.8, "fail", "kit default", needs_significance=True)
    assert judge({"ratio": 0.5}, [fail], significant=False) == "pass"
    assert judge({"ratio": 0.5}, [fail], significant=True) == "fail"


def test_worst_status_and_empty():
    assert worst(["pass", "warn", "not_applicable"]) == "warn"
    assert worst(["pass", "error", "fail"]) == "error"
    assert worst([]) == "not_applicable"


def test_suppression_hides_small_counts_and_what_they_govern():
    frame = pd.DataFrame({"n": [5, 50, 0], "selected": [1, 3, 0], "rate": [0.2, 0.06, 0.0]})
    out = suppress_small_cells(
        frame, count_columns=["n", "selected"], k=10, hide_with={"n": ["rate"], "selected": ["rate"]}
    )
    assert out.to_dict(orient="records") == [
        {"n": "<10", "selected": "<10", "rate": None},
        {"n": 50, "selected": "<10", "rate": None},
        {"n": 0, "selected": 0, "rate": 0.0},  # zero counts nobody: shown
    ]


def test_a_cell_another_finding_hides_is_hidden_here_with_a_complement_of_its_own():
    """Three groups of 40, 30 and 20 people in one campaign: another finding hid the 30. Shown here, it would be
    given back; hidden alone, it is the total minus the others, so one more cell is hidden (the smallest, 20)."""
    frame = pd.DataFrame({"campaign_id": ["A"] * 3, "n": [40, 30, 20], "rate": [0.1, 0.2, 0.3]})
    out = suppress_small_cells(
        frame,
        count_columns=["n"],
        k=10,
        hide_with={"n": ["rate"]},
        partition_by=["campaign_id"],
        also_hidden={"n": np.array([False, True, False])},
    )
    assert out[["n", "rate"]].to_dict(orient="records") == [
        {"n": 40, "rate": 0.1},
        {"n": None, "rate": None},
        {"n": None, "rate": None},
    ]


def test_finding_is_frozen_and_serialises_to_plain_json():
    finding = Finding(
        "consent.coverage",
        "consent",
        "fail",
        "t",
        "s",
        "r",
        metric={"n": np.int64(3), "x": float("nan")},
        thresholds=(Threshold("n", ">", 0, "fail", "rule"),),
        evidence=({"rate": np.float64(0.5)},),
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        finding.status = "pass"  # type: ignore[misc]
    record = json.loads(json.dumps(finding.to_json()))
    assert record["metric"] == {"n": 3, "x": None}
    assert record["thresholds"][0]["kind"] == "rule"
    assert record["evidence"] == [{"rate": 0.5}]
