"""transparency.register, transparency.automated_decisions and transparency.ai_literacy on small named registers."""

import pandas as pd
import pytest

from ethics_review.checks import CHECKS
from ethics_review.checks.transparency import ai_literacy, automated_decisions, register_completeness
from ethics_review.register import COMPLETENESS_FIELDS
from ethics_review.runner import run_check
from tests.conftest import make_review


def system(system_id, **fields):
    """A fully documented system, trained and audited two months before 2026-11-15, with `fields` changed (the v2
    fields that apply to some systems only, such as art22_exception, are given where a test needs them)."""
    complete = {f: f"{f} of {system_id}" for f in COMPLETENESS_FIELDS}
    complete.update(
        id=system_id,
        name=system_id.title(),
        use_case="scoring",
        decision_mode="human_in_the_loop",
        significant_effect=False,
        special_categories=False,
        minors_possible=False,
        data_categories="purchases; site activity",
        dpia="2025-06-01",
        last_bias_audit="2026-09-15",
        staff_trained="2026-09-15",
    )
    complete.update(fields)
    return complete


def review_of(*systems, as_of="2026-11-15"):
    return make_review(ai_systems=pd.DataFrame(list(systems)), as_of=as_of)


# --- transparency.register ---------------------------------------------------------------------------------------


def test_complete_register_passes():
    finding = register_completeness(review_of(system("scoring"), system("chatbot", use_case="chatbot")))
    assert finding.status == "pass" and finding.metric["completeness"] == 1.0
    assert finding.metric["critical_gaps"] == 0 and finding.metric["stale_audits"] == 0


@pytest.mark.parametrize("placeholder", ["TBD", "n/a", "[More Information Needed]", "à compléter", "", None])
def test_placeholder_in_a_critical_field_fails(placeholder):
    finding = register_completeness(review_of(system("scoring", explanation=placeholder), system("other")))
    assert finding.status == "fail"
    assert finding.metric["critical_gaps"] == 1 and finding.metric["systems_with_critical_gaps"] == 1
    assert "(scoring: explanation)" in finding.summary
    french = register_completeness(
        review_of(system("scoring", explanation=placeholder), system("other")).with_options(lang="fr")
    )
    assert "(scoring : explication)" in french.summary  # the field in the reader's words, as the evidence shows it
    row = next(r for r in finding.evidence if r["system"] == "scoring")
    assert row["explanation"] == "empty" and row["owner"] == "filled" and row["missing_critical"] == "explanation"


def test_gaps_in_other_fields_under_90_percent_warn():
    gaps = dict.fromkeys(("vendor", "contact", "model_card"), "TBD")
    finding = register_completeness(review_of(system("scoring", **gaps)))
    assert finding.status == "warn" and finding.metric["completeness"] == pytest.approx(16 / 19)
    assert finding.metric["critical_gaps"] == 0
    assert "The register is 84.2% complete" in finding.summary


def test_bias_audit_older_than_twelve_months_warns():
    finding = register_completeness(
        review_of(system("scoring", last_bias_audit="2025-11-14"), system("fresh", last_bias_audit="2025-11-15"))
    )
    assert finding.status == "warn" and finding.metric["stale_audits"] == 1
    assert [r["audit_stale"] for r in finding.evidence] == [True, False]


def test_audit_age_is_an_option():
    review = review_of(system("scoring", last_bias_audit="2026-03-01"))
    assert register_completeness(review).status == "pass"
    assert register_completeness(review, max_audit_age_months=6).status == "warn"


def test_without_a_register_the_check_is_not_applicable():
    finding = run_check(
        make_review(content={"content_id": ["K1"], "ai_generated": [True]}), CHECKS["transparency.register"]
    )
    assert finding.status == "not_applicable" and finding.metric["missing"] == ["ai_systems"]


def test_empty_register_is_not_applicable():
    finding = register_completeness(make_review(ai_systems=pd.DataFrame(columns=["id", "name"])))
    assert finding.status == "not_applicable" and finding.summary == "The AI register lists no system."


# --- transparency.automated_decisions ----------------------------------------------------------------------------


def significant(system_id, **fields):
    """A fully automated system with a significant effect, on the contract exception with every safeguard."""
    return system(
        system_id,
        **{
            "use_case": "pricing",
            "decision_mode": "fully_automated",
            "significant_effect": True,
            "art22_exception": "contract",
            "safeguards": "human_intervention; express_view; contest",
            **fields,
        },
    )


def test_a_significant_system_with_exception_safeguards_and_explanation_passes():
    finding = automated_decisions(review_of(significant("pricing"), system("scoring")))
    assert finding.status == "pass" and finding.metric["automated_systems"] == 1
    assert finding.summary.startswith("1 fully automated system with a significant effect, each with an Art 22(2)")


def test_a_significant_system_needs_an_exception_the_safeguards_and_an_explanation():
    finding = automated_decisions(
        review_of(
            significant("no-exception", art22_exception=None),
            significant("no-contest", safeguards="human_intervention; express_view"),
            significant("consent-no-safeguards", art22_exception="explicit_consent", safeguards=None),
            significant("unexplained", explanation="TBD"),
            significant("by-law", art22_exception="law", safeguards=None),
            significant("ok"),
        )
    )
    assert finding.status == "fail" and [t.kind for t in finding.thresholds] == ["rule", "kit default"]
    assert finding.metric == {
        "systems": 6,
        "fully_automated_systems": 6,
        "automated_systems": 6,
        "undecided_systems": 0,
        "without_exception": 1,
        "without_safeguards": 2,
        "without_explanation": 1,
        "failing_systems": 4,
    }
    assert finding.summary.startswith("4 of 6 fully automated systems with a significant effect lack")
    assert ": no-exception, no-contest, consent-no-safeguards, unexplained;" in finding.summary
    evidence = {r["system"]: r for r in finding.evidence}
    assert evidence["no-contest"]["missing_safeguards"] == "contest"
    assert evidence["by-law"]["missing_safeguards"] == ""  # Art 22(2)(b): the law lays down the measures
    references = " ".join(finding.references)
    for cited in ("GDPR Art 22(1)-(3)", "13(2)(f) and 15(1)(h)", "WP251rev.01", "C-634/21", "C-203/22"):
        assert cited in references


def test_pricing_with_unstated_effect_asks_the_owner_to_decide_and_is_never_assumed_significant():
    """v1 counted an automated pricing system with no stated effect as significant (and failed it)."""
    finding = automated_decisions(
        review_of(
            system(
                "pricing", use_case="pricing", decision_mode="fully_automated", significant_effect=None, explanation=""
            ),
            system("helper", decision_mode="assistive", significant_effect=True, explanation=""),
            system(
                "minor", use_case="other", decision_mode="fully_automated", significant_effect=False, explanation=""
            ),
        )
    )
    assert finding.status == "warn" and finding.metric["automated_systems"] == 0
    assert finding.metric["undecided_systems"] == 1 and finding.metric["failing_systems"] == 0
    assert [(r["system"], r["significant_effect"]) for r in finding.evidence] == [("pricing", "unset")]
    assert "(pricing)" in finding.summary and [t.kind for t in finding.thresholds][1] == "kit default"


def test_french_wording_of_automated_decisions():
    review = make_review(ai_systems=pd.DataFrame([significant("pricing", art22_exception=None)]), lang="fr")
    finding = automated_decisions(review)
    assert finding.summary.startswith(
        "1 système sur 1 entièrement automatisé à effet significatif n'a pas d'exception de l'art. 22(2)"
    )
    assert "violation" not in finding.summary + finding.recommendation


def test_no_register_system_is_not_applicable_for_automated_decisions():
    finding = automated_decisions(make_review(ai_systems=pd.DataFrame(columns=["id", "name"])))
    assert finding.status == "not_applicable"


# --- transparency.ai_literacy ------------------------------------------------------------------------------------


def test_staff_trained_within_twelve_months_pass():
    finding = ai_literacy(review_of(system("a", staff_trained="2025-11-15"), system("b")))
    assert finding.status == "pass" and finding.metric["literacy_rate"] == 1.0


def test_stale_or_missing_training_warns():
    finding = ai_literacy(
        review_of(system("a", staff_trained="2025-11-14"), system("b", staff_trained="TBD"), system("c"))
    )
    assert finding.status == "warn"
    assert finding.metric["untrained_systems"] == 2 and finding.metric["literacy_rate"] == pytest.approx(1 / 3)
    assert "(a, b)" in finding.summary and [t.kind for t in finding.thresholds] == ["kit default"]
    assert next(iter(finding.evidence)) == {"system": "a", "staff_trained": "2025-11-14", "trained_within_limit": False}


def test_review_dated_before_article_4_applies_is_not_applicable():
    finding = ai_literacy(review_of(system("a", staff_trained="2023-01-01"), as_of="2025-02-01"))
    assert finding.status == "not_applicable" and "before February 2, 2025" in finding.summary


def test_article_4_fixes_no_period_and_the_omnibus_is_cited():
    finding = ai_literacy(review_of(system("a", staff_trained="2024-01-01")))
    assert "kit default, AI Act Art 4 fixes no period" in finding.summary
    assert any("Digital Omnibus on AI" in r for r in finding.references)


def test_french_wording_names_the_systems():
    review = make_review(ai_systems=pd.DataFrame([system("a", staff_trained="2024-01-01")]), lang="fr")
    finding = ai_literacy(review)
    assert finding.summary.startswith("Le personnel de 1 système d'IA sur 1 (a)")
