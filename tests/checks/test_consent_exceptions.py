"""consent.coverage and the exceptions to the consent requirement of CHECKS.md v2, on small named fixtures."""

import pytest

from ethics_review import i18n
from ethics_review.checks.consent import coverage
from tests.checks.test_consent import review_of, sends
from tests.conftest import make_review

NOBODY = [("C9", "email_marketing", "granted", "2026-01-01")]  # a consent log that covers none of the sends
PHONE_LI = {"exemptions": {"phone_marketing": {"legitimate_interest": True}}}
PHONE_CONTRACT = {"exemptions": {"phone_marketing": {"existing_contract": True}}}


def test_a_phone_call_to_a_professional_after_2026_08_11_stays_under_the_opt_out_regime():
    contacts = {"contact_id": ["P1", "I1"], "country": ["FR", "FR"], "recipient_type": ["professional", "individual"]}
    finding = coverage(
        review_of(
            [("P1", "A", "phone", "2026-08-12 10:00:00"), ("I1", "A", "phone", "2026-08-12")],
            NOBODY,
            contacts,
            PHONE_LI,
        )
    )
    assert finding.metric["covered_by_legitimate_interest"] == 1 and finding.metric["uncovered_sends"] == 1


def test_a_call_on_2026_08_11_to_a_consumer_without_a_country_is_judged_under_the_default_france():
    contacts = {"contact_id": ["C1"], "recipient_type": ["individual"]}
    finding = coverage(review_of([("C1", "A", "phone", "2026-08-11 09:00:00")], NOBODY, contacts, PHONE_LI))
    assert finding.metric["uncovered_sends"] == 1 and finding.metric["covered_by_legitimate_interest"] == 0


def test_existing_contract_covers_a_call_to_a_customer_after_2026_08_11_but_not_to_a_prospect():
    contacts = {"contact_id": ["CUST", "PROS"], "country": ["FR", "FR"], "is_customer": ["true", "false"]}
    finding = coverage(
        review_of(
            [("CUST", "A", "phone", "2026-09-01"), ("PROS", "A", "phone", "2026-09-01")],
            NOBODY,
            contacts,
            PHONE_CONTRACT,
        )
    )
    assert finding.metric["covered_by_existing_contract"] == 1 and finding.metric["uncovered_sends"] == 1
    assert finding.metric["attested_exceptions"] == ["existing_contract"]
    assert any("contract in progress and related to its subject" in note for note in finding.notes)


def test_existing_contract_is_a_french_exception_only():
    contacts = {"contact_id": ["DE1"], "country": ["DE"], "is_customer": ["true"]}
    finding = coverage(review_of([("DE1", "A", "phone", "2026-09-01")], NOBODY, contacts, PHONE_CONTRACT))
    assert finding.metric["uncovered_sends"] == 1


def test_existing_contract_does_not_cover_a_customer_who_objected():
    contacts = {"contact_id": ["CUST"], "country": ["FR"], "is_customer": ["true"]}
    finding = coverage(
        review_of(
            [("CUST", "A", "phone", "2026-09-01")],
            [("CUST", "phone_marketing", "refused", "2026-08-20")],
            contacts,
            PHONE_CONTRACT,
        )
    )
    assert finding.metric["uncovered_sends"] == 1


def test_soft_opt_in_on_a_custom_purpose_does_not_cover_a_phone_call():
    contacts = {"contact_id": ["C1", "C2"], "is_customer": ["true", "true"]}
    review = make_review(
        config={"exemptions": {"loyalty_offers": {"soft_opt_in": True}}},
        contacts=contacts,
        sends={
            **sends(("C1", "A", "phone", "2026-02-01"), ("C2", "A", "sms", "2026-02-01")),
            "purpose": ["loyalty_offers", "loyalty_offers"],
        },
        consents={
            "contact_id": ["C9"],
            "purpose": ["loyalty_offers"],
            "status": ["granted"],
            "recorded_at": ["2026-01-01"],
        },
    )
    finding = coverage(review)
    assert finding.metric["covered_by_soft_opt_in"] == 1 and finding.metric["uncovered_sends"] == 1


def test_legitimate_interest_on_a_custom_purpose_does_not_cover_an_sms_to_an_individual():
    review = make_review(
        config={"exemptions": {"loyalty_offers": {"legitimate_interest": True}}},
        sends={
            **sends(("C1", "A", "sms", "2026-02-01"), ("C2", "A", "postal", "2026-02-01")),
            "purpose": ["loyalty_offers", "loyalty_offers"],
        },
        consents={
            "contact_id": ["C9"],
            "purpose": ["loyalty_offers"],
            "status": ["granted"],
            "recorded_at": ["2026-01-01"],
        },
    )
    finding = coverage(review)
    assert finding.metric["covered_by_legitimate_interest"] == 1 and finding.metric["uncovered_sends"] == 1


@pytest.mark.parametrize(
    "lang, words",
    [
        ("en", ("not a legal basis", "analogous", "opt-out")),
        ("fr", ("non une base légale", "analogues", "refus")),
    ],
)
def test_a_soft_opt_in_finding_states_the_conditions_the_reviewer_attests(lang, words):
    contacts = {"contact_id": ["C1"], "is_customer": ["true"]}
    review = make_review(
        lang=lang,
        config={"exemptions": {"email_marketing": {"soft_opt_in": True}}},
        contacts=contacts,
        sends=sends(("C1", "A", "email", "2026-02-01")),
        consents={
            "contact_id": ["C9"],
            "purpose": ["email_marketing"],
            "status": ["granted"],
            "recorded_at": ["2026-01-01"],
        },
    )
    finding = coverage(review)
    assert finding.status == "pass" and finding.metric["attested_exceptions"] == ["soft_opt_in"]
    assert len(finding.notes) == 1 and all(word in finding.notes[0] for word in words)


def test_no_note_when_no_exception_was_used():
    finding = coverage(
        review_of([("C1", "A", "email", "2026-02-01")], [("C1", "email_marketing", "granted", "2026-01-01")])
    )
    assert finding.notes == () and finding.metric["attested_exceptions"] == []


def test_coverage_cites_the_consumer_code_for_phone_canvassing_not_the_cpce():
    references = " ".join(i18n.references("consent.coverage"))
    assert "Code de la consommation Art L.223-1" in references and "2025-594" in references
    assert "EDPB Guidelines 2/2019" in references
    assert not any("CPCE" in r and "phone canvassing" in r for r in i18n.references("consent.coverage"))


def test_the_legal_calendar_entry_names_the_consumer_code():
    from ethics_review.legal import legal_dates

    assert "Code de la consommation Art L.223-1" in legal_dates()["fr_phone_canvassing_consent"].source
