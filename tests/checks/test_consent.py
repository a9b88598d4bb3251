"""consent.* checks on small named fixtures."""

from ethics_review.checks.consent import coverage
from tests.conftest import make_review


def sends(*rows):
    return {
        "contact_id": [r[0] for r in rows],
        "campaign_id": [r[1] for r in rows],
        "channel": [r[2] for r in rows],
        "sent_at": [r[3] for r in rows],
    }


def consents(*rows):
    return {
        "contact_id": [r[0] for r in rows],
        "purpose": [r[1] for r in rows],
        "status": [r[2] for r in rows],
        "recorded_at": [r[3] for r in rows],
    }


def review_of(send_rows, consent_rows, contacts=None, config=None):
    tables = {"sends": sends(*send_rows), "consents": consents(*consent_rows)}
    if contacts:
        tables["contacts"] = contacts
    return make_review(config=config, **tables)


def test_granted_consent_covers_a_later_send():
    finding = coverage(
        review_of(
            [("C1", "A", "email", "2026-02-01 10:00:00")], [("C1", "email_marketing", "granted", "2026-01-01 00:00:00")]
        )
    )
    assert finding.status == "pass"
    assert finding.metric["covered_by_consent"] == 1 and finding.metric["uncovered_sends"] == 0


def test_consent_recorded_at_the_same_second_as_the_send_counts():
    finding = coverage(
        review_of(
            [("C1", "A", "email", "2026-02-01 10:00:00")], [("C1", "email_marketing", "granted", "2026-02-01 10:00:00")]
        )
    )
    assert finding.status == "pass"


def test_consent_recorded_one_second_after_the_send_does_not_count():
    finding = coverage(
        review_of(
            [("C1", "A", "email", "2026-02-01 10:00:00")], [("C1", "email_marketing", "granted", "2026-02-01 10:00:01")]
        )
    )
    assert finding.status == "fail" and finding.metric["uncovered_sends"] == 1


def test_a_send_one_day_after_withdrawal_is_uncovered():
    finding = coverage(
        review_of(
            [("C1", "A", "email", "2026-03-02 09:00:00")],
            [
                ("C1", "email_marketing", "granted", "2026-01-01 00:00:00"),
                ("C1", "email_marketing", "withdrawn", "2026-03-01 09:00:00"),
            ],
        )
    )
    assert finding.status == "fail"
    assert finding.metric["uncovered_sends"] == 1
    assert "1 of 1 send (0.0% covered)" in finding.summary


def test_withdrawal_then_new_grant_covers_again():
    finding = coverage(
        review_of(
            [("C1", "A", "email", "2026-02-15 00:00:00"), ("C1", "B", "email", "2026-04-01")],
            [
                ("C1", "email_marketing", "granted", "2026-01-01"),
                ("C1", "email_marketing", "withdrawn", "2026-02-01"),
                ("C1", "email_marketing", "granted", "2026-03-01"),
            ],
        )
    )
    assert finding.metric["uncovered_sends"] == 1 and finding.metric["covered_by_consent"] == 1


def test_withdrawal_and_grant_at_the_same_second_reads_as_withdrawn():
    finding = coverage(
        review_of(
            [("C1", "A", "email", "2026-02-01 12:00:00")],
            [
                ("C1", "email_marketing", "granted", "2026-02-01 10:00:00"),
                ("C1", "email_marketing", "withdrawn", "2026-02-01 10:00:00"),
            ],
        )
    )
    assert finding.status == "fail"


def test_consent_for_another_purpose_only_does_not_cover():
    finding = coverage(
        review_of([("C1", "A", "sms", "2026-02-01")], [("C1", "email_marketing", "granted", "2026-01-01")])
    )
    assert finding.status == "fail" and finding.metric["uncovered_sends"] == 1


def test_send_without_purpose_column_uses_the_channel_default():
    finding = coverage(
        review_of(
            [("C1", "A", "sms", "2026-02-01"), ("C2", "A", "ads", "2026-02-01")],
            [("C1", "sms_marketing", "granted", "2026-01-01"), ("C2", "personalised_ads", "granted", "2026-01-01")],
        )
    )
    assert finding.status == "pass" and finding.metric["covered_by_consent"] == 2


def test_explicit_purpose_wins_over_the_channel_default():
    review = make_review(
        sends={**sends(("C1", "A", "email", "2026-02-01")), "purpose": ["profiling"]},
        consents=consents(("C1", "email_marketing", "granted", "2026-01-01")),
    )
    assert coverage(review).status == "fail"


CONTACTS = {
    "contact_id": ["C1", "C2", "C3", "C4"],
    "is_customer": ["true", "false", "true", "false"],
    "recipient_type": ["individual", "generic", "individual", "professional"],
}
EXEMPT = {"exemptions": {"email_marketing": {"soft_opt_in": True, "b2b": True}}}


def test_soft_opt_in_and_b2b_generic_address_cover_without_consent():
    finding = coverage(
        review_of(
            [("C1", "A", "email", "2026-02-01"), ("C2", "A", "email", "2026-02-01")],
            [("C9", "email_marketing", "granted", "2026-01-01")],
            CONTACTS,
            EXEMPT,
        )
    )
    assert finding.status == "pass"
    assert (finding.metric["covered_by_soft_opt_in"], finding.metric["covered_by_b2b"]) == (1, 1)


def test_exemptions_do_not_apply_without_configuration():
    finding = coverage(
        review_of(
            [("C1", "A", "email", "2026-02-01"), ("C2", "A", "email", "2026-02-01")],
            [("C9", "email_marketing", "granted", "2026-01-01")],
            CONTACTS,
        )
    )
    assert finding.metric["uncovered_sends"] == 2


def test_soft_opt_in_ends_when_the_customer_objects():
    finding = coverage(
        review_of(
            [("C3", "A", "email", "2026-02-01")], [("C3", "email_marketing", "refused", "2026-01-01")], CONTACTS, EXEMPT
        )
    )
    assert finding.status == "fail"


def test_b2b_exemption_is_for_email_only():
    config = {"exemptions": {"sms_marketing": {"b2b": True}}}
    finding = coverage(
        review_of(
            [("C4", "A", "sms", "2026-02-01")], [("C9", "email_marketing", "granted", "2026-01-01")], CONTACTS, config
        )
    )
    assert finding.status == "fail"


def test_phone_legitimate_interest_ends_on_2026_08_11_in_france():
    config = {"exemptions": {"phone_marketing": {"legitimate_interest": True}}}
    contacts = {"contact_id": ["C1"], "country": ["FR"]}
    finding = coverage(
        review_of(
            [("C1", "A", "phone", "2026-08-10 18:00:00"), ("C1", "B", "phone", "2026-08-11")],
            [("C9", "email_marketing", "granted", "2026-01-01")],
            contacts,
            config,
        )
    )
    assert finding.metric["covered_by_legitimate_interest"] == 1 and finding.metric["uncovered_sends"] == 1


def test_evidence_by_campaign_channel_purpose_with_small_cells_suppressed():
    rows = [(f"C{i}", "BIG", "email", "2026-02-01") for i in range(40)] + [("C0", "SMALL", "sms", "2026-02-01")]
    finding = coverage(review_of(rows, [(f"C{i}", "email_marketing", "granted", "2026-01-01") for i in range(37)]))
    evidence = {row["campaign_id"]: row for row in finding.evidence}
    assert evidence["BIG"] == {
        "campaign_id": "BIG",
        "channel": "email",
        "purpose": "email_marketing",
        "sends": 40,
        "covered": None,
        "uncovered": "<10",
        "coverage": None,
    }
    assert evidence["SMALL"]["sends"] == "<10" and evidence["SMALL"]["uncovered"] == "<10"
    assert finding.metric["uncovered_sends"] == 4  # the headline total is exact


def test_campaign_option_filters_sends():
    review = review_of(
        [("C1", "A", "email", "2026-02-01"), ("C1", "B", "sms", "2026-02-01")],
        [("C1", "email_marketing", "granted", "2026-01-01")],
    )
    assert coverage(review, campaign="A").status == "pass"
    assert coverage(review, campaign="B").status == "fail"


def test_no_sends_is_not_applicable():
    review = review_of([("C1", "A", "email", "2026-02-01")], [("C1", "email_marketing", "granted", "2026-01-01")])
    assert coverage(review, campaign="NONE").status == "not_applicable"


def test_french_wording():
    review = make_review(
        lang="fr",
        sends=sends(("C1", "A", "email", "2026-02-01")),
        consents=consents(("C2", "email_marketing", "granted", "2026-01-01")),
    )
    finding = coverage(review)
    assert finding.summary.startswith("1 envoi sur 1 (0,0\u00a0% couverts) est parti")
    assert "Responsable de campagne" in finding.recommendation


def test_purpose_option_filters_sends():
    review = review_of(
        [("C1", "A", "email", "2026-02-01"), ("C1", "A", "sms", "2026-02-01")],
        [("C1", "email_marketing", "granted", "2026-01-01")],
    )
    assert coverage(review, purpose="email_marketing").status == "pass"
    assert coverage(review, purpose="sms_marketing").metric["uncovered_sends"] == 1
