"""transparency.notice_coverage and transparency.notice_readability on small notice folders."""

import re
from pathlib import Path

import pandas as pd
import pytest

from ethics_review.checks import CHECKS
from ethics_review.checks.transparency import notice_coverage, notice_readability
from ethics_review.errors import DataError
from ethics_review.review import open_review
from ethics_review.runner import run_check
from ethics_review.text import readability

EMAIL_AND_SMS_EN = (
    "We send offers by email if you agree.\nWe send our offers by text message (SMS) only if you agree.\n"
)
EMAIL_ONLY_FR = "Nous envoyons nos offres par courriel si vous l'acceptez.\nVous pouvez refuser à tout moment.\n"
EMAIL_AND_SMS_FR = EMAIL_ONLY_FR + "Nous envoyons nos promotions par SMS seulement si vous l'acceptez.\n"


def folder(tmp_path: Path, notices: dict[str, str], *, lang="en", **tables) -> object:
    (tmp_path / "notices").mkdir(parents=True)
    for name, body in notices.items():
        (tmp_path / "notices" / name).write_text(body, encoding="utf-8")
    data = {name: table if isinstance(table, pd.DataFrame) else pd.DataFrame(table) for name, table in tables.items()}
    return open_review(tmp_path, data=data, as_of="2026-11-15", lang=lang)


def sends(*channels, campaign="C1"):
    return {
        "contact_id": [f"P{i}" for i in range(len(channels))],
        "campaign_id": [campaign] * len(channels),
        "channel": list(channels),
        "sent_at": ["2026-09-01 10:00:00"] * len(channels),
    }


# --- transparency.notice_coverage --------------------------------------------------------------------------------


def states(finding):
    return {(r["lang"], r["purpose"]): r["state"] for r in finding.evidence}


def test_notices_describing_every_channel_in_use_pass(tmp_path):
    review = folder(
        tmp_path, {"privacy.en.md": EMAIL_AND_SMS_EN, "privacy.fr.md": EMAIL_AND_SMS_FR}, sends=sends("email", "sms")
    )
    finding = notice_coverage(review)
    assert finding.status == "pass" and finding.metric["languages"] == 2 and finding.metric["purposes_used"] == 2
    assert set(states(finding).values()) == {"found"}
    where = {(r["lang"], r["purpose"]): r["where"] for r in finding.evidence}
    assert where[("fr", "sms_marketing")] == "Nous envoyons nos promotions par SMS seulement si vous l'acceptez."


def test_a_purpose_described_in_everyday_words_is_found(tmp_path):
    """v1 looked for the lexicon's terms only ("sms", "text message"): "we may text you" was a gap."""
    review = folder(tmp_path, {"privacy.en.md": "We may text you about flash sales.\n"}, sends=sends("sms"))
    finding = notice_coverage(review)
    assert finding.status == "pass" and states(finding) == {("en", "sms_marketing"): "found"}


def test_a_denial_is_not_a_description(tmp_path):
    review = folder(
        tmp_path,
        {"privacy.en.md": "We do not sell or rent your data to third parties.\n"},
        consents={
            "contact_id": ["P1"],
            "purpose": ["third_party_sharing"],
            "status": ["granted"],
            "recorded_at": ["2026-01-01"],
        },
    )
    assert states(notice_coverage(review)) == {("en", "third_party_sharing"): "not_found"}


def test_a_purpose_the_kit_cannot_find_is_a_warning_not_a_failure(tmp_path):
    """v1 failed it as a rule: a text heuristic cannot prove that a notice is silent."""
    review = folder(
        tmp_path, {"privacy.en.md": EMAIL_AND_SMS_EN, "privacy.fr.md": EMAIL_ONLY_FR}, sends=sends("email", "sms")
    )
    finding = notice_coverage(review)
    assert finding.status == "warn" and [t.kind for t in finding.thresholds] == ["rule", "kit default"]
    assert finding.metric["not_found"] == 1 and finding.metric["languages_with_gaps"] == 1
    assert finding.summary == (
        "To check by reading: the kit could not find 1 purpose in use in the notices "
        "(SMS marketing (French)); a text heuristic cannot prove an absence."
    )
    french = notice_coverage(review.with_options(lang="fr"))
    assert "(prospection par SMS (français))" in french.summary  # the purpose and language in words, not codes


def test_a_reviewer_confirms_a_purpose_by_hand(tmp_path):
    review = folder(
        tmp_path, {"privacy.en.md": EMAIL_AND_SMS_EN, "privacy.fr.md": EMAIL_ONLY_FR}, sends=sends("email", "sms")
    )
    confirmed = review.with_options(notices={"privacy.fr.md": {"sms_marketing": "section 2, Vos choix"}})
    finding = notice_coverage(confirmed)
    assert finding.status == "pass" and finding.metric["confirmed_by_reviewer"] == 1
    row = next(r for r in finding.evidence if (r["lang"], r["purpose"]) == ("fr", "sms_marketing"))
    assert row["state"] == "confirmed" and row["where"] == "privacy.fr.md: section 2, Vos choix"


def test_only_a_purpose_the_reviewer_marked_as_not_described_fails(tmp_path):
    review = folder(
        tmp_path, {"privacy.en.md": EMAIL_AND_SMS_EN, "privacy.fr.md": EMAIL_AND_SMS_FR}, sends=sends("email", "sms")
    )
    # The reviewer's reading wins over the kit's: the French notice was read and found silent on SMS.
    marked = review.with_options(notices={"privacy.fr.md": {"sms_marketing": False}})
    finding = notice_coverage(marked)
    assert finding.status == "fail" and finding.metric["not_described"] == 1
    assert finding.summary.startswith(
        "1 purpose in use is not described in a notice, as a reviewer recorded (SMS marketing (French))"
    )


def test_a_confirmation_for_a_notice_the_review_does_not_have_is_an_error(tmp_path):
    from ethics_review.errors import ConfigError

    review = folder(tmp_path, {"privacy.en.md": EMAIL_AND_SMS_EN}, sends=sends("email"))
    with pytest.raises(ConfigError, match=re.escape("'privacy.fr.md' is not a notice of this review")):
        notice_coverage(review.with_options(notices={"privacy.fr.md": {"email_marketing": "section 1"}}))


def test_the_notices_key_accepts_a_place_or_false_only():
    from ethics_review.config import parse_config
    from ethics_review.errors import ConfigError

    config = parse_config({"notices": {"privacy.fr.md": {"personalised_ads": "section 3", "profiling": False}}})
    assert config.notices == {"privacy.fr.md": {"personalised_ads": "section 3", "profiling": False}}
    for wrong in (True, ""):
        with pytest.raises(ConfigError, match=re.escape("notices.privacy.fr.md.profiling")):
            parse_config({"notices": {"privacy.fr.md": {"profiling": wrong}}})


def test_purposes_of_consents_count_and_notices_of_one_language_are_read_together(tmp_path):
    review = folder(
        tmp_path,
        {"privacy.en.md": EMAIL_AND_SMS_EN, "ads.en.html": "<p>We show <b>personalised</b> ads.</p>"},
        consents={
            "contact_id": ["P1", "P2"],
            "purpose": ["personalised_ads", "profiling"],
            "status": ["granted", "refused"],
            "recorded_at": ["2026-01-01", "2026-01-01"],
        },
    )
    finding = notice_coverage(review)
    assert finding.status == "warn" and finding.metric["purposes_used"] == 2
    assert states(finding) == {("en", "personalised_ads"): "found", ("en", "profiling"): "not_found"}


def test_automated_decision_making_must_be_described_when_the_register_has_it(tmp_path):
    register = pd.DataFrame(
        {
            "id": ["pricing"],
            "name": ["Pricing"],
            "use_case": ["pricing"],
            "decision_mode": ["fully_automated"],
            "significant_effect": [True],
        }
    )
    silent = folder(tmp_path / "a", {"privacy.en.md": EMAIL_AND_SMS_EN}, sends=sends("email"), ai_systems=register)
    told = folder(
        tmp_path / "b",
        {"privacy.en.md": EMAIL_AND_SMS_EN + "Some prices are set by automated decision-making.\n"},
        sends=sends("email"),
        ai_systems=register,
    )
    assert "(automated decisions (English))" in notice_coverage(silent).summary
    assert notice_coverage(told).status == "pass"


def test_an_automated_system_whose_effect_is_unset_adds_no_purpose(tmp_path):
    register = pd.DataFrame(
        {
            "id": ["pricing"],
            "name": ["Pricing"],
            "use_case": ["pricing"],
            "decision_mode": ["fully_automated"],
            "significant_effect": [None],
        }
    )
    review = folder(tmp_path, {"privacy.en.md": EMAIL_AND_SMS_EN}, sends=sends("email"), ai_systems=register)
    assert states(notice_coverage(review)) == {("en", "email_marketing"): "found"}


def test_custom_purpose_without_rules_is_a_warning_to_check(tmp_path):
    # A custom purpose is declared by mapping it to itself (an undeclared one is an input error).
    (tmp_path / "review.yaml").write_text(
        "values:\n  consents:\n    purpose: {loyalty_club: loyalty_club}\n", encoding="utf-8"
    )
    review = folder(
        tmp_path,
        {"privacy.en.md": EMAIL_AND_SMS_EN},
        consents={
            "contact_id": ["P1"],
            "purpose": ["loyalty_club"],
            "status": ["granted"],
            "recorded_at": ["2026-01-01"],
        },
    )
    finding = notice_coverage(review)
    assert finding.status == "warn" and finding.metric["unjudged_purposes"] == 1


def test_campaign_and_channel_options_limit_the_sends(tmp_path):
    table = pd.concat([pd.DataFrame(sends("email")), pd.DataFrame(sends("sms", campaign="C2"))])
    review = folder(tmp_path, {"privacy.fr.md": EMAIL_ONLY_FR}, lang="fr", sends=table)
    assert notice_coverage(review).status == "warn"
    assert notice_coverage(review, campaign="C1").status == "pass"
    assert notice_coverage(review, channel="email").status == "pass"
    assert notice_coverage(review, channel="sms").summary.startswith(
        "À vérifier en relisant : le kit n'a pas trouvé 1 finalité utilisée dans les notices"
    )


def test_without_purposes_in_use_coverage_is_not_applicable(tmp_path):
    finding = notice_coverage(folder(tmp_path, {"privacy.en.md": EMAIL_AND_SMS_EN}))
    assert finding.status == "not_applicable" and finding.metric["missing"] == ["consents", "sends"]


def test_without_notices_both_notice_checks_are_not_applicable(tmp_path):
    review = open_review(tmp_path, data={"sends": pd.DataFrame(sends("email"))}, as_of="2026-11-15")
    for check_id in ("transparency.notice_coverage", "transparency.notice_readability"):
        finding = run_check(review, CHECKS[check_id])
        assert finding.status == "not_applicable" and finding.metric["missing"] == ["notices"]


# --- transparency.notice_readability -----------------------------------------------------------------------------

PLAIN_EN = "We use your email to send offers.\nYou can say no at any time.\nWe answer within one month.\n"
PLAIN_FR = "Nous utilisons votre adresse pour vos offres.\nVous pouvez refuser à tout moment.\nNous répondons vite.\n"
LONG = (
    "When you visit the website of the company, the company and the partners that it has selected for the "
    "purposes described below may place on your device small text files known as cookies, together with "
    "similar technologies such as tags. "
)  # 40 words


def test_short_plain_notices_pass_with_the_formula_named(tmp_path):
    finding = notice_readability(folder(tmp_path, {"privacy.en.txt": PLAIN_EN, "privacy.fr.txt": PLAIN_FR}))
    assert finding.status == "pass" and finding.metric["notices"] == 2
    formulas = {r["lang"]: r["formula"] for r in finding.evidence}
    assert formulas == {"en": "Flesch reading ease", "fr": "Kandel-Moles (Flesch adapted to French)"}
    assert "approximate" in finding.notes[0] and "Kandel-Moles" in finding.notes[0]


def test_forty_word_sentences_warn_and_name_the_notice(tmp_path):
    cookies = f"<p>{LONG * 3}</p><script>var tracking = 1;</script>"
    review = folder(tmp_path, {"privacy.en.md": PLAIN_EN, "cookies.en.html": cookies})
    finding = notice_readability(review)
    assert finding.status == "warn" and [t.kind for t in finding.thresholds] == ["kit default", "kit default"]
    assert finding.metric["long_sentence_notices"] == 1 and finding.metric["notices_below_standard"] == 1
    assert finding.metric["longest_mean_sentence"] == 40.0
    assert "(cookies.en.html)" in finding.summary and "approximate" in finding.summary


def test_metric_equals_textstat_on_the_notice_text(tmp_path):
    review = folder(tmp_path, {"privacy.fr.md": "# Vos données\n\n" + PLAIN_FR})
    finding = notice_readability(review)
    expected = readability(review.notices[0].text, "fr")
    assert finding.metric["lowest_score"] == expected.score
    assert finding.metric["longest_mean_sentence"] == expected.mean_sentence_words


def test_readability_thresholds_are_options(tmp_path):
    review = folder(tmp_path, {"privacy.en.txt": PLAIN_EN})
    score = notice_readability(review).metric["lowest_score"]
    assert notice_readability(review, min_score=score + 1).status == "warn"
    assert notice_readability(review, max_sentence_words=3).status == "warn"


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_language_comes_from_config_when_the_file_name_has_none(tmp_path, lang):
    review = folder(tmp_path, {"privacy.txt": PLAIN_EN}, lang=lang)
    assert [r["lang"] for r in notice_readability(review).evidence] == [lang]


def test_notice_language_from_a_regional_tag_or_the_configured_folder(tmp_path):
    (tmp_path / "textes").mkdir()
    (tmp_path / "textes" / "privacy.txt").write_text(PLAIN_FR, encoding="utf-8")
    (tmp_path / "textes" / "cookies.en-GB.html").write_text(f"<p>{PLAIN_EN}</p>", encoding="utf-8")
    review = open_review(tmp_path, config={"sources": {"notices": "textes#fr"}}, as_of="2026-11-15")
    assert [(Path(n.path).name, n.lang) for n in review.notices] == [
        ("cookies.en-GB.html", "en"),
        ("privacy.txt", "fr"),
    ]
    with pytest.raises(DataError, match="unknown notice language 'de'"):
        open_review(tmp_path, config={"sources": {"notices": "textes#de"}})
