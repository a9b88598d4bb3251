"""consent.after_withdrawal, consent.proof and consent.freshness on small named fixtures, with both query plans."""

from ethics_review.checks.consent import after_withdrawal, freshness, proof
from tests.checks.test_consent import consents, review_of, sends
from tests.conftest import make_review

GRANT = ("C1", "email_marketing", "granted", "2026-01-01 00:00:00")


# --- consent.after_withdrawal ---------------------------------------------------------------------------------------


def test_a_send_one_day_after_withdrawal_fails_with_its_lag():
    finding = after_withdrawal(
        review_of(
            [("C1", "A", "email", "2026-03-02 10:00:00")],
            [GRANT, ("C1", "email_marketing", "withdrawn", "2026-03-01 09:00:00")],
        )
    )
    assert finding.status == "fail"
    assert finding.metric["sends_after_withdrawal"] == 1 and finding.metric["after_withdrawn"] == 1
    assert finding.metric["sent_within_a_day"] == 0
    assert finding.evidence[0]["lag"] == "1-7 days" and finding.evidence[0]["sends"] == "<10"
    assert "1 send reached 1 person after they had said no: 1 after a withdrawal" in finding.summary
    assert "Data team" in finding.recommendation


def test_a_send_before_the_withdrawal_passes():
    finding = after_withdrawal(
        review_of(
            [("C1", "A", "email", "2026-02-28 10:00:00")],
            [GRANT, ("C1", "email_marketing", "withdrawn", "2026-03-01 09:00:00")],
        )
    )
    assert finding.status == "pass" and finding.metric["sends"] == 1
    assert finding.summary.startswith("No send out of 1 went")


def test_withdrawal_recorded_at_the_same_second_as_the_send_counts_before_it():
    finding = after_withdrawal(
        review_of(
            [("C1", "A", "email", "2026-03-01 09:00:00")],
            [GRANT, ("C1", "email_marketing", "withdrawn", "2026-03-01 09:00:00")],
        )
    )
    assert finding.status == "fail" and finding.metric["sent_within_a_day"] == 1


def test_withdrawal_then_new_grant_reopens_the_purpose():
    finding = after_withdrawal(
        review_of(
            [("C1", "A", "email", "2026-02-15"), ("C1", "B", "email", "2026-04-01")],
            [
                GRANT,
                ("C1", "email_marketing", "withdrawn", "2026-02-01"),
                ("C1", "email_marketing", "granted", "2026-03-01"),
            ],
        )
    )
    assert finding.metric["sends_after_withdrawal"] == 1
    assert [row["campaign_id"] for row in finding.evidence] == ["A"]


def test_refusal_counts_and_another_purpose_does_not():
    finding = after_withdrawal(
        review_of(
            [("C1", "A", "sms", "2026-02-01"), ("C2", "A", "sms", "2026-02-01")],
            [("C1", "sms_marketing", "refused", "2026-01-01"), ("C2", "email_marketing", "withdrawn", "2026-01-01")],
        )
    )
    assert finding.metric["after_refused"] == 1 and finding.metric["sends_after_withdrawal"] == 1


def test_send_without_purpose_column_uses_the_channel_default():
    finding = after_withdrawal(
        review_of([("C1", "A", "ads", "2026-02-01")], [("C1", "personalised_ads", "withdrawn", "2026-01-01")])
    )
    assert finding.status == "fail" and finding.evidence[0]["purpose"] == "personalised_ads"


def objection(contact, received):
    return {"contact_id": [contact], "type": ["objection"], "received_at": [received]}


def test_an_objection_request_covers_every_marketing_purpose_from_receipt():
    review = make_review(
        sends=sends(("C1", "A", "sms", "2026-03-02"), ("C1", "B", "email", "2026-02-01")),
        consents=consents(
            ("C1", "sms_marketing", "granted", "2026-01-01"), ("C1", "email_marketing", "granted", "2026-01-01")
        ),
        requests=objection("C1", "2026-03-01 12:00:00"),
    )
    finding = after_withdrawal(review)
    assert finding.metric["after_objection"] == 1 and finding.metric["sends_after_withdrawal"] == 1
    assert "1 after an objection request" in finding.summary


def test_a_new_grant_after_an_objection_reopens_that_purpose_only():
    review = make_review(
        sends=sends(("C1", "A", "sms", "2026-05-01"), ("C1", "A", "email", "2026-05-01")),
        consents=consents(
            ("C1", "sms_marketing", "granted", "2026-01-01"),
            ("C1", "email_marketing", "granted", "2026-01-01"),
            ("C1", "sms_marketing", "granted", "2026-04-01"),
        ),
        requests=objection("C1", "2026-03-01"),
    )
    finding = after_withdrawal(review)
    assert finding.metric["after_objection"] == 1
    assert [row["purpose"] for row in finding.evidence] == ["email_marketing"]


def test_campaign_and_purpose_options_narrow_the_sends():
    review = review_of(
        [("C1", "A", "email", "2026-03-02"), ("C1", "B", "sms", "2026-03-02")],
        [("C1", "email_marketing", "withdrawn", "2026-03-01")],
    )
    assert after_withdrawal(review, campaign="B").status == "pass"
    assert after_withdrawal(review, purpose="email_marketing").status == "fail"
    assert after_withdrawal(review, campaign="NONE").status == "not_applicable"


def test_lag_buckets_and_small_cells():
    rows = [(f"C{i}", "A", "email", "2026-06-01 10:00:00") for i in range(12)]
    events = [
        (f"C{i}", "email_marketing", "withdrawn", "2026-06-01 08:00:00" if i < 10 else "2026-01-01") for i in range(12)
    ]
    finding = after_withdrawal(review_of(rows, events))
    lags = {row["lag"]: row["sends"] for row in finding.evidence}
    assert lags == {"< 1 day": 10, "> 90 days": "<10"}
    assert finding.metric["sends_after_withdrawal"] == 12 and finding.metric["sent_within_a_day"] == 10


def test_after_withdrawal_in_french():
    review = make_review(
        lang="fr",
        sends=sends(("C1", "A", "email", "2026-03-02")),
        consents=consents(("C1", "email_marketing", "withdrawn", "2026-03-01")),
    )
    finding = after_withdrawal(review)
    assert finding.summary.startswith("1 envoi a atteint 1 personne") and "Équipe data" in finding.recommendation


# --- consent.proof --------------------------------------------------------------------------------------------------


def proof_log(rows):
    """rows: (contact, purpose, status, source, policy_version, method)."""
    return {
        "contact_id": [r[0] for r in rows],
        "purpose": [r[1] for r in rows],
        "status": [r[2] for r in rows],
        "recorded_at": ["2026-01-01"] * len(rows),
        "source": [r[3] for r in rows],
        "policy_version": [r[4] for r in rows],
        "method": [r[5] for r in rows],
    }


def complete(n, method="double_opt_in", purpose="email_marketing"):
    return [(f"C{i}", purpose, "granted", "site-web", "2026-03", method) for i in range(n)]


def test_every_grant_with_its_four_fields_passes_and_counts_double_opt_in():
    finding = proof(
        make_review(
            consents=proof_log(
                complete(3)
                + complete(1, "checkbox", "sms_marketing")
                + [("C9", "email_marketing", "withdrawn", None, None, None)]
            )
        )
    )
    assert finding.status == "pass"
    assert finding.metric["granted_consents"] == 4 and finding.metric["double_opt_in"] == 3
    assert finding.metric["double_opt_in_share"] == 0.75
    assert "(75.0% by double opt-in)" in finding.summary


def test_one_grant_in_fifty_without_source_warns():
    rows = [*complete(49), ("X", "email_marketing", "granted", None, "2026-03", "checkbox")]
    finding = proof(make_review(consents=proof_log(rows)))
    assert finding.status == "warn"
    assert finding.metric["completeness"] == 0.98 and finding.metric["missing_source"] == 1
    assert "1 of 50 granted consents lacks part of their proof (98.0% complete)" in finding.summary


def test_below_95_percent_complete_fails():
    rows = [
        *complete(18),
        ("X", "email_marketing", "granted", "shop", None, None),
        ("Y", "email_marketing", "granted", "shop", "2026-03", None),
    ]
    finding = proof(make_review(consents=proof_log(rows)))
    assert finding.status == "fail"
    assert (finding.metric["missing_policy_version"], finding.metric["missing_method"]) == (1, 2)
    assert finding.metric["completeness"] == 0.9


def test_without_proof_columns_nothing_can_be_proven():
    finding = proof(make_review(consents=consents(GRANT)))
    assert finding.status == "fail" and finding.metric["completeness"] == 0.0


def test_proof_options_threshold_purpose_and_campaign():
    rows = [*complete(9), ("X", "sms_marketing", "granted", None, None, None)]
    review = make_review(
        consents=proof_log(rows), sends=sends(("C1", "A", "email", "2026-02-01"), ("X", "B", "sms", "2026-02-01"))
    )
    assert proof(review).status == "fail"
    assert proof(review, fail_below=0.5).status == "warn"
    assert proof(review, purpose="email_marketing").status == "pass"
    assert proof(review, campaign="A").metric["granted_consents"] == 1
    assert proof(review, campaign="B").status == "fail"


def test_no_grant_is_not_applicable():
    finding = proof(make_review(consents=consents(("C1", "email_marketing", "refused", "2026-01-01"))))
    assert finding.status == "not_applicable" and finding.summary == "There are no granted consents to review."


def test_proof_evidence_per_purpose_hides_small_cells():
    finding = proof(make_review(consents=proof_log(complete(12) + complete(2, purpose="sms_marketing"))))
    by_purpose = {row["purpose"]: row for row in finding.evidence}
    assert by_purpose["email_marketing"]["granted"] == 12 and by_purpose["email_marketing"]["completeness"] == 1.0
    assert by_purpose["sms_marketing"]["granted"] == "<10" and by_purpose["sms_marketing"]["completeness"] is None


# --- consent.freshness ----------------------------------------------------------------------------------------------


def test_an_ad_consent_seven_months_old_is_stale():
    finding = freshness(
        review_of([("C1", "A", "ads", "2026-09-02")], [("C1", "personalised_ads", "granted", "2026-02-01")])
    )
    assert finding.status == "warn"
    assert (finding.metric["stale_sends"], finding.metric["stale_consents_used"]) == (1, 1)
    assert "1 of 1 send relied on 1 consent older than the kit's refresh age" in finding.summary


def test_six_months_to_the_day_is_still_fresh_and_the_next_day_is_not():
    review = review_of(
        [("C1", "A", "ads", "2026-08-01 23:00:00"), ("C1", "B", "ads", "2026-08-02 00:00:00")],
        [("C1", "personalised_ads", "granted", "2026-02-01 10:00:00")],
    )
    finding = freshness(review)
    assert finding.metric["stale_sends"] == 1
    # One send per campaign: a small cell, so the stale count it governs is hidden and reads "<10", zero included:
    # an empty cell for A beside "<10" for B would tell which campaign had no stale send.
    assert [(r["campaign_id"], r["stale_sends"]) for r in finding.evidence] == [("A", "<10"), ("B", "<10")]


def test_an_email_consent_of_two_years_is_fresh_by_default_but_not_with_a_shorter_limit():
    review = review_of([("C1", "A", "email", "2026-02-01")], [("C1", "email_marketing", "granted", "2024-01-15")])
    assert freshness(review).status == "pass"
    assert freshness(review, max_age_months={"default": 12}).status == "warn"
    assert freshness(review, max_age_months={"email_marketing": 12}).status == "warn"


def test_a_renewed_consent_is_fresh_again():
    finding = freshness(
        review_of(
            [("C1", "A", "ads", "2026-09-02")],
            [("C1", "personalised_ads", "granted", "2025-01-01"), ("C1", "personalised_ads", "granted", "2026-06-01")],
        )
    )
    assert finding.status == "pass"


def test_stale_grants_in_force_at_as_of_are_counted_apart():
    review = review_of(
        [("C1", "A", "email", "2026-02-01")],
        [
            GRANT,
            ("C2", "personalised_ads", "granted", "2026-01-01"),
            ("C3", "personalised_ads", "granted", "2026-01-01"),
            ("C3", "personalised_ads", "withdrawn", "2026-02-01"),
        ],
    )
    finding = freshness(review)
    assert finding.status == "pass" and finding.metric["stale_consents_in_force"] == 1


def test_a_withdrawal_at_the_same_instant_as_a_grant_leaves_no_stale_grant_in_force():
    review = review_of(
        [("C1", "A", "email", "2026-02-01")],
        [
            GRANT,
            ("C2", "personalised_ads", "granted", "2026-01-01 09:00:00"),
            ("C2", "personalised_ads", "withdrawn", "2026-01-01 09:00:00"),  # same instant: the withdrawal wins
            ("C3", "personalised_ads", "withdrawn", "2025-06-01"),
            ("C3", "personalised_ads", "granted", "2026-01-01"),  # granted again after a withdrawal: in force
        ],
    )
    assert freshness(review).metric["stale_consents_in_force"] == 1  # C3 only


def test_sends_without_consent_are_not_applicable_here():
    finding = freshness(
        review_of([("C1", "A", "email", "2026-02-01")], [("C2", "email_marketing", "granted", "2026-01-01")])
    )
    assert finding.status == "not_applicable" and finding.metric["consent_sends"] == 0


def test_freshness_options_campaign_and_purpose():
    review = review_of(
        [("C1", "A", "ads", "2026-09-02"), ("C1", "B", "email", "2026-09-02")],
        [("C1", "personalised_ads", "granted", "2026-01-01"), GRANT],
    )
    assert freshness(review, campaign="B").status == "pass"
    assert freshness(review, purpose="personalised_ads").status == "warn"


def test_an_objection_also_logged_as_a_withdrawal_at_the_same_instant_reads_as_the_objection():
    review = make_review(
        sends=sends(("C1", "A", "email", "2026-03-02")),
        consents=consents(GRANT, ("C1", "email_marketing", "withdrawn", "2026-03-01 12:00:00")),
        requests=objection("C1", "2026-03-01 12:00:00"),
    )
    finding = after_withdrawal(review)
    assert (finding.metric["after_objection"], finding.metric["after_withdrawn"]) == (1, 0)
