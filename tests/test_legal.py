"""The legal calendar: every entry sourced, verified and with a status; review overrides; the dated notice."""

import datetime as dt

import pytest

from ethics_review import legal
from ethics_review.config import parse_config
from ethics_review.errors import ConfigError
from ethics_review.report import _legal_context, findings_schema


def test_every_entry_has_a_source_a_verification_date_and_a_status():
    for entry in legal.legal_dates().values():
        assert entry.source and entry.verified_on == dt.date(2026, 12, 1)
        assert entry.status in legal.STATUSES


def test_the_dates_of_the_rules_the_checks_use():
    assert legal.applies_from("ai_act_art50") == dt.date(2026, 8, 2)
    assert legal.applies_from("ai_act_art4") == dt.date(2025, 2, 2)
    assert legal.applies_from("fr_phone_canvassing_consent") == dt.date(2026, 8, 11)
    assert legal.applies_from("dsa_minors_profiling_ads") == dt.date(2024, 2, 17)


def test_phone_canvassing_cites_the_code_de_la_consommation_as_amended_in_2025_not_the_cpce():
    source = legal.legal_dates()["fr_phone_canvassing_consent"].source
    assert "Code de la consommation Art L.223-1" in source and "loi n° 2025-594 of 30 June 2025 (art. 13)" in source
    assert "CPCE" not in source


def test_the_digital_omnibus_is_tracked_as_adopted_awaiting_publication():
    dates = legal.legal_dates()
    for rule_id in ("digital_omnibus_ai_art4", "ai_act_high_risk_annex_iii", "ai_act_high_risk_annex_i"):
        assert dates[rule_id].status == "adopted_awaiting_publication", rule_id
    assert dates["ai_act_high_risk_annex_iii"].applies_from == dt.date(2027, 12, 2)
    assert dates["ai_act_high_risk_annex_i"].applies_from == dt.date(2028, 8, 2)
    # Not in the Official Journal yet: no date a check could apply.
    with pytest.raises(ValueError, match="no date yet for 'digital_omnibus_ai_art4'"):
        legal.applies_from("digital_omnibus_ai_art4")


def test_a_review_overrides_a_date_with_a_note():
    config = parse_config({"legal_dates": {"ai_act_art50": {"date": "2026-09-01", "note": "counsel's reading"}}})
    assert legal.applies_from("ai_act_art50", config) == dt.date(2026, 9, 1)
    assert legal.applies_from("ai_act_art50") == dt.date(2026, 8, 2)  # the kit's own date is unchanged
    entry = legal.effective_dates(config)["ai_act_art50"]
    assert (entry.kit_date, entry.override_note) == (dt.date(2026, 8, 2), "counsel's reading")


@pytest.mark.parametrize(
    ("override", "message"),
    [
        (
            {"ai_act_art5": {"date": "2026-09-01", "note": "x"}},
            "unknown legal date 'ai_act_art5'; did you mean 'ai_act_art50'",
        ),
        ({"ai_act_art50": {"date": "2026-09-01"}}, "legal_dates.ai_act_art50.note"),
        ({"ai_act_art50": {"date": "2026-09-01", "note": ""}}, "legal_dates.ai_act_art50.note"),
        ({"ai_act_art50": {"date": "next year", "note": "x"}}, "legal_dates.ai_act_art50.date"),
    ],
)
def test_a_bad_override_is_a_config_error(override, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_config({"legal_dates": override})


def test_the_report_block_shows_every_date_used_and_the_dated_notice_in_the_review_language():
    config = parse_config({"lang": "fr", "legal_dates": {"ai_act_art50": {"date": "2026-09-01", "note": "avis"}}})
    block = legal.legal_block(config, "fr")
    assert block["notice"] == (
        "Une aide au repérage, pas un conseil juridique ; sources juridiques vérifiées pour "
        "la dernière fois le 1er décembre 2026."
    )
    art50 = next(d for d in block["dates"] if d["id"] == "ai_act_art50")
    assert art50 == {
        "id": "ai_act_art50",
        "label": "RIA art. 50, transparence",
        "applies_from": "2026-09-01",
        "status": "in_force",
        "status_label": "en vigueur",
        "source": legal.legal_dates()["ai_act_art50"].source,
        "verified_on": "2026-12-01",
        "used_by": ["transparency.ai_disclosure", "transparency.machine_marking", "transparency.chatbot_disclosure"],
        "kit_date": "2026-08-02",
        "override_note": "avis",
    }
    assert {d["id"] for d in block["dates"]} == set(legal.legal_dates())
    assert legal.legal_block(config, "en")["notice"] == (
        "A screening aid, not legal advice; legal sources last verified on December 1, 2026."
    )


def test_the_block_matches_the_findings_schema():
    import jsonschema

    schema = findings_schema()
    block = legal.legal_block(parse_config({}), "en")
    jsonschema.validate(
        block, {**schema["$defs"]["legal"], "$defs": schema["$defs"]}, cls=jsonschema.Draft202012Validator
    )


def test_cli_lines_show_the_dates_overrides_and_the_notice():
    config = parse_config({"legal_dates": {"ai_act_art50": {"date": "2026-09-01", "note": "counsel's reading"}}})
    lines = legal.summary_lines(legal.legal_block(config, "en"), "en")
    assert lines[0] == "Legal dates used:"
    assert (
        "  AI Act Art 50, transparency: September 1, 2026 (in force) [set by the review instead of "
        "August 2, 2026: counsel's reading]"
    ) in lines
    assert "  Digital Omnibus on AI, Art 4 rewritten: date not known yet (adopted, awaiting publication)" in lines
    assert lines[-1].startswith("A screening aid, not legal advice")


def test_the_scorecard_context_writes_dates_out():
    context = _legal_context(legal.legal_block(parse_config({}), "fr"), "fr")
    art4 = next(d for d in context["dates"] if d["id"] == "ai_act_art4")
    assert art4["applies_from_text"] == "2 février 2025" and context["heading"] == "Dates juridiques utilisées"


def test_the_scorecard_shows_the_legal_block(tmp_path):
    from ethics_review import __version__
    from ethics_review.findings import AREAS, STATUSES
    from ethics_review.report import write_index

    record = {
        "kit_version": __version__,
        "review": "Spring",
        "as_of": "2026-11-15",
        "lang": "en",
        "campaign": None,
        "areas": list(AREAS),
        "generated_at": "2026-11-16T08:00:00+00:00",
        "inputs": [],
        "config": {},
        "summary": dict.fromkeys(STATUSES, 0),
        "findings": [],
        "legal": legal.legal_block(parse_config({}), "en"),
    }
    page = write_index(tmp_path, record, AREAS).read_text(encoding="utf-8")
    assert '<section id="legal"' in page and 'data-legal-id="fr_phone_canvassing_consent"' in page
    assert "A screening aid, not legal advice; legal sources last verified on December 1, 2026." in page
    assert "August 11, 2026" in page


def test_consent_checks_use_the_review_override_of_the_phone_canvassing_date():
    from ethics_review.checks.consent import coverage
    from tests.conftest import make_review

    tables = {
        "contacts": {"contact_id": ["P1"], "country": ["FR"]},
        "consents": {
            "contact_id": ["P1"],
            "purpose": ["email_marketing"],
            "status": ["granted"],
            "recorded_at": ["2026-01-01"],
        },
        "sends": {
            "contact_id": ["P1"],
            "campaign_id": ["C1"],
            "channel": ["phone"],
            "sent_at": ["2026-08-05 10:00:00"],
        },
    }
    opt_out = {"exemptions": {"phone_marketing": {"legitimate_interest": True}}}
    assert coverage(make_review(config=opt_out, **tables)).status == "pass"  # before 11 August 2026
    moved = {**opt_out, "legal_dates": {"fr_phone_canvassing_consent": {"date": "2026-08-01", "note": "test"}}}
    assert coverage(make_review(config=moved, **tables)).status == "fail"
