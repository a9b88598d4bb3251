"""The demo review finds every planted problem with its planted status and counts, and nothing else fails."""

import json

import pytest

from ethics_review.review import open_review
from ethics_review.runner import run_checks


@pytest.fixture(scope="module")
def findings(demo_dir):
    return {f.check_id: f for f in run_checks(open_review(demo_dir))}


@pytest.fixture(scope="module")
def planted(demo_dir):
    return json.loads((demo_dir / "planted.json").read_text(encoding="utf-8"))["checks"]


def test_spine_checks_are_planted(planted):
    assert {"consent.coverage", "bias.selection_parity", "transparency.ai_disclosure"} <= set(planted)


def test_each_planted_problem_is_found_with_its_status_and_counts(findings, planted):
    for check_id, expected in planted.items():
        if check_id not in findings:
            continue  # planted for a check of a later issue, not registered yet
        finding = findings[check_id]
        assert finding.status == expected["status"], (check_id, finding.summary)
        for name, count in expected.get("counts", {}).items():
            assert finding.metric.get(name) == count, (check_id, name, finding.metric)


def test_nothing_unplanted_fails_or_warns(findings, planted):
    unplanted = {
        cid: (f.status, f.summary)
        for cid, f in findings.items()
        if cid not in planted and f.status not in ("pass", "not_applicable")
    }
    assert unplanted == {}


def test_selection_parity_names_the_planted_campaign_and_group(findings, planted):
    expected = planted["bias.selection_parity"]
    failing = [row for row in findings["bias.selection_parity"].evidence if row["flag"] == "fail"]
    assert [(r["campaign_id"], r["attribute"], r["group"]) for r in failing] == [
        (expected["campaign"], expected["attribute"], expected["group"])
    ]
