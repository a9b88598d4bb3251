"""transparency.notice_coverage and transparency.notice_readability on small notice folders."""

from pathlib import Path

import pandas as pd
import pytest

from ethics_review.checks import CHECKS
from ethics_review.checks.transparency import notice_coverage, notice_readability
from ethics_review.errors import DataError
from ethics_review.review import open_review
from ethics_review.runner import run_check
from ethics_review.text import readability

EMAIL_AND_SMS_EN = "We send offers by email if you agree.\nWe send text messages (SMS) only if you agree.\n"
EMAIL_ONLY_FR = "Nous envoyons nos offres par courriel si vous l'acceptez.\nVous pouvez refuser à tout moment.\n"
EMAIL_AND_SMS_FR = EMAIL_ONLY_FR + "Nous envoyons des SMS seulement si vous l'acceptez.\n"


def folder(tmp_path: Path, notices: dict[str, str], *, lang="en", **tables) -> object:
    (tmp_path / "notices").mkdir(parents=True)
    for name, body in notices.items():
        (tmp_path / "notices" / name).write_text(body, encoding="utf-8")
    data = {name: table if isinstance(table, pd.DataFrame) else pd.DataFrame(table) for name, table in tables.items()}
    return open_review(tmp_path, data=data, as_of="2026-11-15", lang=lang)


def sends(*channels, campaign="C1"):
    return {"contact_id": [f"P{i}" for i in range(len(channels))], "campaign_id": [campaign] * len(channels),
            "channel": list(channels), "sent_at": ["2026-09-01 10:00:00"] * len(channels)}


# --- transparency.notice_coverage --------------------------------------------------------------------------------

def test_notices_describing_every_channel_in_use_pass(tmp_path):
    review = folder(tmp_path, {"privacy.en.md": EMAIL_AND_SMS_EN, "privacy.fr.md": EMAIL_AND_SMS_FR},
                    sends=sends("email", "sms"))
    finding = notice_coverage(review)
    assert finding.status == "pass" and finding.metric["languages"] == 2 and finding.metric["purposes_used"] == 2
    assert {(r["lang"], r["purpose"], r["described"]) for r in finding.evidence} == {
        ("en", "email_marketing", True), ("en", "sms_marketing", True),
        ("fr", "email_marketing", True), ("fr", "sms_marketing", True)}


def test_french_notice_silent_on_sms_fails_although_the_english_one_covers_it(tmp_path):
    review = folder(tmp_path, {"privacy.en.md": EMAIL_AND_SMS_EN, "privacy.fr.md": EMAIL_ONLY_FR},
                    sends=sends("email", "sms"))
    finding = notice_coverage(review)
    assert finding.status == "fail" and [t.kind for t in finding.thresholds] == ["rule"]
    assert finding.metric["missing_descriptions"] == 1 and finding.metric["languages_with_gaps"] == 1
    assert finding.summary == "1 purpose(s) in use are not described in a notice: sms_marketing (fr)."


def test_purposes_of_consents_count_and_notices_of_one_language_are_read_together(tmp_path):
    review = folder(tmp_path, {"privacy.en.md": EMAIL_AND_SMS_EN, "ads.en.html": "<p>We show <b>personalised"
                                                                                 "</b> ads.</p>"},
                    consents={"contact_id": ["P1", "P2"], "purpose": ["personalised_ads", "profiling"],
                              "status": ["granted", "refused"], "recorded_at": ["2026-01-01", "2026-01-01"]})
    finding = notice_coverage(review)
    assert finding.status == "fail" and finding.metric["purposes_used"] == 2
    assert {r["purpose"]: r["described"] for r in finding.evidence} == {"personalised_ads": True, "profiling": False}


def test_automated_decision_making_must_be_described_when_the_register_has_it(tmp_path):
    register = pd.DataFrame({"id": ["pricing"], "name": ["Pricing"], "use_case": ["pricing"],
                             "decision_mode": ["fully_automated"], "significant_effect": [True]})
    silent = folder(tmp_path / "a", {"privacy.en.md": EMAIL_AND_SMS_EN}, sends=sends("email"), ai_systems=register)
    told = folder(tmp_path / "b", {"privacy.en.md": EMAIL_AND_SMS_EN + "Some prices are set by automated "
                                   "decision-making.\n"}, sends=sends("email"), ai_systems=register)
    assert notice_coverage(silent).summary.endswith("automated_decision (en).")
    assert notice_coverage(told).status == "pass"


def test_custom_purpose_without_keywords_is_reported_not_failed(tmp_path):
    # A custom purpose is declared by mapping it to itself (an undeclared one is an input error).
    (tmp_path / "review.yaml").write_text("values:\n  consents:\n    purpose: {loyalty_club: loyalty_club}\n",
                                          encoding="utf-8")
    review = folder(tmp_path, {"privacy.en.md": EMAIL_AND_SMS_EN},
                    consents={"contact_id": ["P1"], "purpose": ["loyalty_club"], "status": ["granted"],
                              "recorded_at": ["2026-01-01"]})
    finding = notice_coverage(review)
    assert finding.status == "pass" and finding.metric["unjudged_purposes"] == 1


def test_campaign_and_channel_options_limit_the_sends(tmp_path):
    table = pd.concat([pd.DataFrame(sends("email")), pd.DataFrame(sends("sms", campaign="C2"))])
    review = folder(tmp_path, {"privacy.fr.md": EMAIL_ONLY_FR}, lang="fr", sends=table)
    assert notice_coverage(review).status == "fail"
    assert notice_coverage(review, campaign="C1").status == "pass"
    assert notice_coverage(review, channel="email").status == "pass"
    assert notice_coverage(review, channel="sms").summary.startswith("1 finalité(s) utilisée(s)")


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
LONG = ("When you visit the website of the company, the company and the partners that it has selected for the "
        "purposes described below may place on your device small text files known as cookies, together with "
        "similar technologies such as tags. ")  # 40 words


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
    assert [(Path(n.path).name, n.lang) for n in review.notices] == [("cookies.en-GB.html", "en"),
                                                                      ("privacy.txt", "fr")]
    with pytest.raises(DataError, match="unknown notice language 'de'"):
        open_review(tmp_path, config={"sources": {"notices": "textes#de"}})
