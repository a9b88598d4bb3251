import re

import pytest

from ethics_review.checks import CHECKS
from ethics_review.checks.common import Check
from ethics_review.errors import ConfigError
from ethics_review.runner import run_check, run_checks
from tests.conftest import make_review

SENDS = {"contact_id": ["C1"], "campaign_id": ["A"], "channel": ["email"], "sent_at": ["2026-02-01"]}


def test_registry_is_a_plain_dict_of_check_ids():
    assert isinstance(CHECKS, dict)
    assert {"consent.coverage", "bias.selection_parity", "transparency.ai_disclosure"} <= set(CHECKS)
    for check_id, check in CHECKS.items():
        assert check.id == check_id and check_id.split(".")[0] == check.area


def test_missing_table_is_not_applicable_naming_it():
    findings = {f.check_id: f for f in run_checks(make_review(sends=SENDS))}
    coverage = findings["consent.coverage"]
    assert coverage.status == "not_applicable"
    assert "table 'consents'" in coverage.summary and coverage.metric["missing"] == ["consents"]


def test_missing_column_is_not_applicable_naming_it():
    review = make_review(content={"content_id": ["K1"], "ai_generated": ["true"]})
    check = Check(
        "transparency.ai_disclosure",
        "transparency",
        CHECKS["transparency.ai_disclosure"].function,
        needs={"content": ("content_id", "disclosed")},
    )
    finding = run_check(review, check)
    assert finding.status == "not_applicable"
    assert "column 'disclosed' of table 'content'" in finding.summary
    assert finding.metric["missing"] == ["content.disclosed"]


def test_a_crashing_check_becomes_an_error_finding():
    def broken(review):
        raise ZeroDivisionError("boom")

    finding = run_check(make_review(sends=SENDS), Check("consent.coverage", "consent", broken, needs={"sends": ()}))
    assert finding.status == "error"
    assert "ZeroDivisionError: boom" in finding.summary


def test_unknown_check_id_in_config_names_the_nearest():
    with pytest.raises(
        ConfigError, match=re.escape("unknown check id 'consent.coverge'; did you mean 'consent.coverage'")
    ):
        run_checks(make_review(sends=SENDS, config={"checks": {"consent.coverge": {}}}))


def test_unknown_check_option_names_the_nearest():
    review = make_review(sends=SENDS, config={"checks": {"bias.selection_parity": {"fail_bellow": 0.7}}})
    with pytest.raises(ConfigError, match="unknown option 'fail_bellow'; did you mean 'fail_below'"):
        run_checks(review)


def test_disabled_check_is_skipped_and_options_reach_the_check():
    review = make_review(sends=SENDS, config={"checks": {"consent.coverage": {"enabled": False}}})
    assert "consent.coverage" not in {f.check_id for f in run_checks(review)}


def test_area_filter():
    findings = run_checks(make_review(sends=SENDS), area="bias")
    assert findings and {f.area for f in findings} == {"bias"}
