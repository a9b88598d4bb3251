"""consent.tcf: personalised-ads sends judged on the TC string of the consent in force, with both query plans."""

from ethics_review.checks.consent import tcf_consent
from ethics_review.demo.consent import encode_tc_string
from ethics_review.runner import run_checks
from tests.checks.test_consent import consents, sends
from tests.conftest import make_review

FULL = encode_tc_string(purposes=(1, 2, 3, 4, 7), vendors=(755,))
BASIC_ONLY = encode_tc_string(purposes=(1, 2), vendors=(755,))
OTHER_VENDOR = encode_tc_string(purposes=(1, 3, 4), vendors=(10,))
TCF_20 = encode_tc_string(purposes=(1, 3, 4), policy_version=2)
LI_ON_3 = encode_tc_string(purposes=(1, 3, 4), legitimate_interests=(3,))


def review_with(strings, send_rows, lang="en"):
    """One personalised_ads grant per (contact, tc_string) on 2026-06-01; sends as given."""
    log = consents(*((c, "personalised_ads", "granted", "2026-06-01") for c, _ in strings))
    log["tc_string"] = [s for _, s in strings]
    return make_review(lang=lang, consents=log, sends=sends(*send_rows))


def test_sends_on_a_string_granting_1_3_4_pass():
    finding = tcf_consent(review_with([("C1", FULL)], [("C1", "A", "ads", "2026-07-01")]))
    assert finding.status == "pass" and finding.metric["tcf_consent_share"] == 1.0
    assert finding.summary == "All 1 personalised-ads send carried a TC string signalling the needed purposes."


def test_a_string_without_purposes_3_and_4_fails():
    finding = tcf_consent(
        review_with(
            [("C1", FULL), ("C2", BASIC_ONLY)], [("C1", "A", "ads", "2026-07-01"), ("C2", "A", "ads", "2026-07-01")]
        )
    )
    assert finding.status == "fail"
    assert (finding.metric["sends_missing_purposes"], finding.metric["tcf_consent_share"]) == (1, 0.5)
    assert "1 of 2 personalised-ads sends had no valid TCF consent signal (50.0% had one)" in finding.summary


def test_vendor_consent_is_required_when_a_vendor_id_is_set():
    review = review_with([("C1", OTHER_VENDOR)], [("C1", "A", "ads", "2026-07-01")])
    assert tcf_consent(review).status == "pass"
    assert tcf_consent(review, vendor_id=755).metric["sends_missing_purposes"] == 1
    assert tcf_consent(review_with([("C1", FULL)], [("C1", "A", "ads", "2026-07-01")]), vendor_id=755).status == "pass"


def test_an_undecodable_string_fails_and_is_counted_once():
    finding = tcf_consent(
        review_with([("C1", "not-a-tc-string!"), ("C2", "not-a-tc-string!")], [("C1", "A", "ads", "2026-07-01")])
    )
    assert finding.status == "fail"
    assert (finding.metric["sends_with_undecodable_string"], finding.metric["undecodable_strings"]) == (1, 1)


def test_the_string_of_the_consent_in_force_at_send_time_counts():
    log = consents(
        ("C1", "personalised_ads", "granted", "2026-06-01"), ("C1", "personalised_ads", "granted", "2026-08-01")
    )
    log["tc_string"] = [BASIC_ONLY, FULL]
    review = make_review(consents=log, sends=sends(("C1", "A", "ads", "2026-07-01"), ("C1", "B", "ads", "2026-09-01")))
    finding = tcf_consent(review)
    assert finding.metric["sends_missing_purposes"] == 1
    assert [(r["campaign_id"], r["tcf"]) for r in finding.evidence] == [
        ("A", "purposes or vendor not granted"),
        ("B", "granted"),
    ]
    assert tcf_consent(review, campaign="B").status == "pass"


def test_a_string_recorded_at_the_same_second_as_the_send_counts():
    log = consents(("C1", "personalised_ads", "granted", "2026-07-01 10:00:00"))
    log["tc_string"] = [FULL]
    assert (
        tcf_consent(make_review(consents=log, sends=sends(("C1", "A", "ads", "2026-07-01 10:00:00")))).status == "pass"
    )


def test_a_send_whose_consent_has_no_string_fails():
    log = consents(
        ("C1", "personalised_ads", "granted", "2026-06-01"), ("C2", "personalised_ads", "granted", "2026-06-01")
    )
    log["tc_string"] = [FULL, None]
    finding = tcf_consent(make_review(consents=log, sends=sends(("C2", "A", "ads", "2026-07-01"))))
    assert finding.status == "fail" and finding.metric["sends_without_tc_string"] == 1


def test_outdated_policy_and_policy_breaches_warn():
    finding = tcf_consent(
        review_with(
            [("C1", TCF_20), ("C2", LI_ON_3)], [("C1", "A", "ads", "2026-07-01"), ("C2", "A", "ads", "2026-07-01")]
        )
    )
    assert finding.status == "warn"
    assert (finding.metric["sends_with_outdated_policy"], finding.metric["sends_with_policy_breach"]) == (1, 1)
    assert finding.metric["strings_with_policy_breach"] == 1 and finding.metric["outdated_policy_strings"] == 1
    assert "1 used a TC string older than TCF 2.2 and 1 a string that breaks its rules" in finding.summary


def test_only_personalised_ads_sends_are_judged():
    finding = tcf_consent(review_with([("C1", BASIC_ONLY)], [("C1", "A", "email", "2026-07-01")]))
    assert finding.status == "not_applicable" and finding.summary == "There are no personalised-ads sends to review."


def test_no_tc_string_at_all_is_not_applicable():
    log = {**consents(("C1", "personalised_ads", "granted", "2026-06-01")), "tc_string": [None]}
    finding = run_checks(make_review(consents=log, sends=sends(("C1", "A", "ads", "2026-07-01"))), ids=["consent.tcf"])[
        0
    ]
    assert finding.status == "not_applicable" and "tc_string" in finding.summary


def test_tcf_in_french():
    finding = tcf_consent(review_with([("C1", BASIC_ONLY)], [("C1", "A", "ads", "2026-07-01")], "fr"))
    assert (
        "1 envoi de publicité personnalisée sur 1 n'avait pas de signal de consentement TCF valable" in finding.summary
    )
