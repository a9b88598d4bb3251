"""consent.minors, consent.erasure and consent.retention on small named fixtures."""

import pytest

from ethics_review.checks.consent import erasure, minors, retention
from ethics_review.runner import run_checks
from tests.checks.test_consent import consents, sends
from tests.conftest import make_review

# --- consent.minors -------------------------------------------------------------------------------------------------


def people(*rows):
    """rows: (contact, birth_date, country)."""
    return {"contact_id": [r[0] for r in rows], "birth_date": [r[1] for r in rows], "country": [r[2] for r in rows]}


def test_a_french_14_year_old_who_consented_alone_fails():
    review = make_review(
        contacts=people(("C1", "2011-06-01", "FR")),
        consents=consents(("C1", "email_marketing", "granted", "2026-01-10")),
    )
    finding = minors(review)
    assert finding.status == "fail" and finding.metric["minors_without_parental_consent"] == 1
    assert finding.evidence[0]["country"] == "FR" and finding.evidence[0]["consent_age"] == 15
    assert "Loi Informatique et Libertés" in finding.evidence[0]["rule"]
    assert finding.summary.startswith("1 contact consented online below the digital-consent age")


def test_fifteen_is_enough_in_france_but_not_in_germany():
    review = make_review(
        contacts=people(("FR1", "2010-06-01", "FR"), ("DE1", "2010-06-01", "DE")),
        consents=consents(
            ("FR1", "email_marketing", "granted", "2026-01-10"), ("DE1", "email_marketing", "granted", "2026-01-10")
        ),
    )
    finding = minors(review)
    assert [(r["country"], r["consent_age"]) for r in finding.evidence] == [("DE", 16)]
    assert finding.metric["minors_without_parental_consent"] == 1


def test_consent_on_the_birthday_counts_as_the_new_age():
    review = make_review(
        contacts=people(("C1", "2011-01-10", "FR")),
        consents=consents(("C1", "email_marketing", "granted", "2026-01-10 08:00:00")),
    )
    assert minors(review).status == "pass"


def test_parental_consent_makes_it_valid():
    log = {
        **consents(
            ("C1", "email_marketing", "granted", "2026-01-10"), ("C2", "email_marketing", "granted", "2026-01-10")
        ),
        "parental_consent": ["oui", "non"],
    }
    finding = minors(make_review(contacts=people(("C1", "2012-01-01", "FR"), ("C2", "2012-01-01", "FR")), consents=log))
    assert finding.metric["minors_without_parental_consent"] == 1


def test_missing_country_uses_the_default_and_unknown_countries_get_16():
    review = make_review(
        config={"default_country": "BE"},
        contacts=people(("C1", "2012-06-01", None), ("C2", "2010-06-01", "US")),
        consents=consents(
            ("C1", "email_marketing", "granted", "2026-01-10"), ("C2", "email_marketing", "granted", "2026-01-10")
        ),
    )
    finding = minors(review)
    assert [(r["country"], r["consent_age"]) for r in finding.evidence] == [("US", 16)]


def test_an_ad_send_to_a_17_year_old_fails_even_with_parental_consent():
    log = {**consents(("C1", "personalised_ads", "granted", "2026-01-10")), "parental_consent": ["true"]}
    review = make_review(
        contacts=people(("C1", "2009-03-01", "FR")),
        consents=log,
        sends={**sends(("C1", "A", "ads", "2026-02-01"), ("C1", "B", "email", "2026-02-01"))},
    )
    finding = minors(review)
    assert finding.status == "fail"
    assert (finding.metric["sends_to_minors"], finding.metric["minors_targeted"]) == (1, 1)
    assert finding.metric["minors_without_parental_consent"] == 0
    assert minors(review, campaign="B").status == "pass"


def test_age_at_as_of_is_used_when_there_is_no_birth_date():
    review = make_review(
        contacts={"contact_id": ["C1", "C2"], "age": [15, 30], "country": ["DE", "DE"]},
        consents=consents(
            ("C1", "email_marketing", "granted", "2026-01-10"), ("C2", "email_marketing", "granted", "2026-01-10")
        ),
    )
    assert minors(review).metric["minors_without_parental_consent"] == 1


def test_adults_pass():
    review = make_review(
        contacts=people(("C1", "1990-01-01", "FR")),
        consents=consents(("C1", "profiling", "granted", "2026-01-10")),
        sends={**sends(("C1", "A", "ads", "2026-02-01")), "purpose": ["profiling"]},
    )
    finding = minors(review)
    assert finding.status == "pass" and "no profiling or personalised-ads send reached a minor" in finding.summary


def test_minors_need_an_age():
    finding = run_checks(
        make_review(contacts={"contact_id": ["C1"]}, consents=consents(("C1", "profiling", "granted", "2026-01-10"))),
        ids=["consent.minors"],
    )[0]
    assert finding.status == "not_applicable" and "column 'birth_date' of table 'contacts'" in finding.summary


def test_minors_in_french():
    review = make_review(
        lang="fr",
        contacts=people(("C1", "2012-06-01", "FR")),
        consents=consents(("C1", "email_marketing", "granted", "2026-01-10")),
    )
    assert "1 contact a consenti en ligne sous l'âge du consentement numérique de son pays" in minors(review).summary


# --- consent.erasure ------------------------------------------------------------------------------------------------


def requests(*rows):
    """rows: (contact, type, received_at, completed_at or None)."""
    return {
        "contact_id": [r[0] for r in rows],
        "type": [r[1] for r in rows],
        "received_at": [r[2] for r in rows],
        "completed_at": [r[3] for r in rows],
    }


CONTACTS = {"contact_id": ["C1", "C2"]}


def test_erased_people_gone_from_contacts_and_sends_pass():
    review = make_review(
        contacts=CONTACTS,
        sends=sends(("C9", "A", "email", "2026-01-02")),
        requests=requests(("C9", "erasure", "2026-01-05", "2026-01-20")),
    )
    finding = erasure(review)
    assert finding.status == "pass" and finding.metric["completed_erasures"] == 1
    assert finding.summary.startswith("All 1 completed erasure was carried through")


def test_an_erased_person_still_in_contacts_fails():
    review = make_review(contacts=CONTACTS, requests=requests(("C1", "erasure", "2026-01-05", "2026-01-20")))
    finding = erasure(review)
    assert finding.status == "fail"
    assert (finding.metric["erased_still_in_contacts"], finding.metric["erased_still_present"]) == (1, 1)


def test_a_send_after_completion_fails_but_one_before_it_does_not():
    review = make_review(
        contacts=CONTACTS,
        sends=sends(
            ("C9", "A", "email", "2026-01-10"), ("C9", "B", "email", "2026-02-01"), ("C9", "C", "sms", "2026-02-02")
        ),
        requests=requests(("C9", "erasure", "2026-01-05", "2026-01-20")),
    )
    finding = erasure(review)
    assert finding.status == "fail"
    assert (finding.metric["sends_after_erasure"], finding.metric["erased_still_present"]) == (2, 1)
    assert erasure(review, campaign="A").status == "pass"


def test_a_pending_erasure_is_not_a_failure_yet():
    review = make_review(contacts=CONTACTS, requests=requests(("C1", "erasure", "2026-11-01", None)))
    finding = erasure(review)
    assert finding.status == "pass" and finding.metric["pending_requests"] == 1


def test_a_request_pending_past_one_month_warns_and_the_deadline_day_does_not():
    review = make_review(
        contacts=CONTACTS,
        requests=requests(("C1", "access", "2026-10-14 09:00:00", None), ("C2", "access", "2026-10-15 09:00:00", None)),
    )
    finding = erasure(review)
    assert finding.status == "warn" and finding.metric["overdue_requests"] == 1
    assert "1 of 2 pending requests is past its deadline" in finding.summary


def test_late_answers_are_counted():
    review = make_review(requests=requests(("C1", "access", "2026-01-05", "2026-03-01")))
    finding = erasure(review)
    assert finding.status == "pass" and finding.metric["completed_late"] == 1


def test_requests_without_completion_column_are_all_pending():
    review = make_review(requests={"contact_id": ["C1"], "type": ["erasure"], "received_at": ["2026-01-05"]})
    finding = erasure(review)
    assert (finding.metric["completed_erasures"], finding.metric["overdue_requests"]) == (0, 1)


def test_erasure_evidence_hides_small_counts():
    rows = [(f"C{i}", "access", "2026-01-05", "2026-01-20") for i in range(12)]
    finding = erasure(make_review(requests=requests(*rows, ("X", "erasure", "2026-01-05", "2026-01-20"))))
    by_type = {row["type"]: row for row in finding.evidence}
    assert by_type["access"]["requests"] == 12 and by_type["erasure"]["requests"] == "<10"


def test_erasure_in_french():
    review = make_review(lang="fr", contacts=CONTACTS, requests=requests(("C1", "erasure", "2026-01-05", "2026-01-20")))
    assert "1 personne effacée sur 1 est toujours présente" in erasure(review).summary


# --- consent.retention ----------------------------------------------------------------------------------------------


def crm(*rows):
    """rows: (contact, is_customer, last_activity_at, created_at)."""
    return {
        "contact_id": [r[0] for r in rows],
        "is_customer": [r[1] for r in rows],
        "last_activity_at": [r[2] for r in rows],
        "created_at": [r[3] for r in rows],
    }


def test_recent_prospects_and_old_customers_pass():
    finding = retention(
        make_review(
            contacts=crm(("C1", "false", "2025-01-01", "2020-01-01"), ("C2", "true", "2015-01-01", "2014-01-01"))
        )
    )
    assert finding.status == "pass" and finding.metric["prospects"] == 1


def test_a_prospect_inactive_for_37_months_kept_warns():
    finding = retention(make_review(contacts=crm(("C1", "false", "2023-10-14", "2020-01-01"))))
    assert finding.status == "warn" and finding.metric["dormant_prospects"] == 1
    assert "1 of 1 prospect has been inactive for more than 36 months and is still kept" in finding.summary


def test_36_months_to_the_day_is_not_yet_dormant():
    finding = retention(make_review(contacts=crm(("C1", "false", "2023-11-15", "2020-01-01"))))
    assert finding.status == "pass"


def test_no_activity_falls_back_to_the_creation_date():
    finding = retention(make_review(contacts=crm(("C1", "false", None, "2019-05-01"))))
    assert finding.metric["dormant_prospects"] == 1
    assert finding.evidence[0]["inactive"] == "> 60 months"


def test_a_single_re_permission_send_after_the_limit_warns_and_a_second_send_fails():
    review = make_review(
        contacts=crm(("C1", "false", "2022-01-10", "2020-01-01"), ("C2", "false", "2022-01-10", "2020-01-01")),
        sends=sends(
            ("C1", "A", "email", "2025-01-05"), ("C2", "B", "email", "2025-01-11"), ("C2", "C", "email", "2025-03-01")
        ),
    )
    finding = retention(review)
    # C1's send came before the end of the 36 months; C2 got one message after them, then a second one.
    assert finding.status == "fail"
    assert (
        finding.metric["dormant_prospects_repermission"],
        finding.metric["dormant_prospects_contacted_repeatedly"],
        finding.metric["sends_to_dormant_prospects"],
    ) == (0, 1, 2)
    assert finding.thresholds[-1].kind == "kit default" and finding.thresholds[-1].level == "fail"
    assert retention(review, campaign="B").status == "warn"
    assert retention(review, campaign="B").metric["dormant_prospects_repermission"] == 1
    assert retention(review, max_inactive_months=60).status == "pass"


def test_exactly_one_send_after_36_months_is_a_re_permission_warning_not_a_failure():
    review = make_review(
        contacts=crm(("C1", "false", "2022-01-10", "2020-01-01")), sends=sends(("C1", "A", "email", "2025-06-01"))
    )
    finding = retention(review)
    assert finding.status == "warn" and finding.metric["dormant_prospects_repermission"] == 1
    assert "1 received a single re-permission message after that, none more than one" in finding.summary


def test_the_36_months_run_from_the_prospect_s_own_last_contact_and_customers_are_excluded():
    review = make_review(
        contacts=crm(("PROS", "false", "2025-01-10", "2020-01-01"), ("CUST", "true", "2020-01-10", "2019-01-01")),
        sends=sends(
            ("PROS", "A", "email", "2026-06-01"),
            ("PROS", "B", "email", "2026-07-01"),
            ("CUST", "A", "email", "2026-06-01"),
            ("CUST", "B", "email", "2026-07-01"),
        ),
    )
    assert retention(review).status == "pass"


def test_no_prospects_is_not_applicable():
    finding = retention(make_review(contacts=crm(("C1", "true", "2025-01-01", "2020-01-01"))))
    assert finding.status == "not_applicable" and finding.summary == "There are no prospects to review."


def test_retention_in_french():
    finding = retention(make_review(lang="fr", contacts=crm(("C1", "false", "2020-01-01", "2019-01-01"))))
    assert "1 prospect sur 1 est inactif depuis plus de 36 mois" in finding.summary
    assert "équipe data" in finding.recommendation


def test_ads_to_minors_count_from_the_dsa_date():
    review = make_review(
        contacts=people(("C1", "2009-03-01", "FR")),
        sends=sends(("C1", "A", "ads", "2024-02-16"), ("C1", "B", "ads", "2024-02-17")),
    )
    assert minors(review).metric["sends_to_minors"] == 1


# --- v2: consent.minors online / offline, kit defaults ------------------------------------------------------------


def log_with(rows, **columns):
    return {**consents(*rows), **columns}


def test_an_under_age_consent_collected_in_a_shop_is_a_warning_not_a_failure():
    log = log_with([("C1", "email_marketing", "granted", "2026-01-10")], source=["magasin/caisse"], method=["checkbox"])
    finding = minors(make_review(contacts=people(("C1", "2012-06-01", "FR")), consents=log))
    assert finding.status == "warn"
    assert (
        finding.metric["minors_without_parental_consent"],
        finding.metric["offline_minors_without_parental_consent"],
    ) == (0, 1)
    assert "consented offline" in finding.summary and "outside GDPR Art 8" in finding.summary


def test_verbal_and_imported_consents_are_offline_and_a_web_form_online():
    log = log_with(
        [
            ("C1", "email_marketing", "granted", "2026-01-10"),
            ("C2", "email_marketing", "granted", "2026-01-10"),
            ("C3", "email_marketing", "granted", "2026-01-10"),
        ],
        source=["call-centre", None, "site-web/inscription"],
        method=["verbal", "imported", "double_opt_in"],
    )
    finding = minors(
        make_review(
            contacts=people(("C1", "2012-06-01", "FR"), ("C2", "2012-06-01", "FR"), ("C3", "2012-06-01", "FR")),
            consents=log,
        )
    )
    assert (
        finding.metric["minors_without_parental_consent"],
        finding.metric["offline_minors_without_parental_consent"],
    ) == (1, 2)
    assert finding.status == "fail"


def test_a_consent_with_neither_method_nor_source_counts_as_online():
    finding = minors(
        make_review(
            contacts=people(("C1", "2012-06-01", "FR")),
            consents=consents(("C1", "email_marketing", "granted", "2026-01-10")),
        )
    )
    assert finding.metric["minors_without_parental_consent"] == 1


def test_a_minor_who_consented_alone_online_and_offline_counts_once_online():
    log = log_with(
        [("C1", "email_marketing", "granted", "2026-01-10"), ("C1", "sms_marketing", "granted", "2026-01-11")],
        source=["appli-mobile", "magasin/caisse"],
    )
    finding = minors(make_review(contacts=people(("C1", "2012-06-01", "FR")), consents=log))
    assert (
        finding.metric["minors_without_parental_consent"],
        finding.metric["offline_minors_without_parental_consent"],
    ) == (1, 0)


def test_ads_to_minors_are_a_kit_default_and_online_consent_below_the_age_a_rule():
    finding = minors(
        make_review(contacts=people(("C1", "2009-03-01", "FR")), sends=sends(("C1", "A", "ads", "2026-02-01")))
    )
    levels = {t.metric: t.kind for t in finding.thresholds}
    assert levels == {
        "minors_without_parental_consent": "rule",
        "offline_minors_without_parental_consent": "kit default",
        "sends_to_minors": "kit default",
    }
    assert finding.status == "fail"


def test_french_minors_need_the_joint_consent_of_a_parent():
    assert (
        "joint consent"
        in minors(
            make_review(
                contacts=people(("C1", "2012-06-01", "FR")),
                consents=consents(("C1", "email_marketing", "granted", "2026-01-10")),
            )
        ).evidence[0]["rule"]
    )


def test_the_consent_age_column_is_labelled_as_the_digital_consent_age_in_french():
    from ethics_review.charts.common import column_label

    assert column_label("consent_age", "fr") == "Âge du consentement numérique"


# --- v2: consent.erasure deadlines (Art 12(3)) --------------------------------------------------------------------


def requests_with_extension(*rows):
    """rows: (contact, type, received_at, completed_at or None, extension_notified_at or None)."""
    return {**requests(*(r[:4] for r in rows)), "extension_notified_at": [r[4] for r in rows]}


def test_an_extension_notified_in_the_first_month_moves_the_deadline_to_three_months():
    review = make_review(
        requests=requests_with_extension(
            ("C1", "access", "2026-09-20", None, "2026-10-05"),  # 56 days pending, extended: within three months
            ("C2", "access", "2026-09-20", None, None),
        )
    )  # the same, not extended: overdue
    finding = erasure(review)
    assert (finding.metric["overdue_requests"], finding.metric["extended_requests"]) == (1, 1)
    assert finding.status == "warn"


def test_an_extension_notified_after_the_first_month_does_not_count():
    finding = erasure(
        make_review(requests=requests_with_extension(("C1", "rectification", "2026-09-20", None, "2026-10-21")))
    )
    assert (finding.metric["overdue_requests"], finding.metric["extended_requests"]) == (1, 0)


def test_an_extended_request_is_overdue_the_day_after_three_months():
    on_time = erasure(
        make_review(
            as_of="2026-11-15", requests=requests_with_extension(("C1", "access", "2026-08-15", None, "2026-09-01"))
        )
    )
    late = erasure(
        make_review(
            as_of="2026-11-16", requests=requests_with_extension(("C1", "access", "2026-08-15", None, "2026-09-01"))
        )
    )
    assert (on_time.metric["overdue_requests"], late.metric["overdue_requests"]) == (0, 1)


def test_an_extended_request_answered_within_three_months_is_not_late():
    finding = erasure(
        make_review(requests=requests_with_extension(("C1", "portability", "2026-01-05", "2026-03-20", "2026-01-20")))
    )
    assert finding.metric["completed_late"] == 0


@pytest.mark.parametrize("kind", ["erasure", "objection", "restriction", "access", "rectification", "portability"])
def test_an_overdue_request_of_every_type_counts(kind):
    finding = erasure(make_review(requests=requests(("C1", kind, "2026-09-01", None))))
    assert finding.metric["overdue_requests"] == 1 and finding.status == "warn"
