import pytest

from ethics_review import i18n
from ethics_review.checks import CHECKS
from ethics_review.findings import STATUSES


@pytest.mark.parametrize("check_id", sorted(CHECKS))
def test_every_check_speaks_english_and_french(check_id):
    entry = i18n.catalogue()[check_id]
    assert entry["references"], "every rule cites its reference"
    for lang in i18n.LANGUAGES:
        assert i18n.text(check_id, "title", lang)
        assert i18n.text(check_id, "why", lang)
        for part in ("summary", "recommendation"):
            for status in entry[part]:
                assert status in STATUSES
                assert entry[part][status][lang].strip()
    assert set(entry["summary"]) == set(entry["recommendation"])


def test_ui_statuses_in_both_languages():
    for status in STATUSES:
        assert i18n.ui(f"status.{status}", "en") and i18n.ui(f"status.{status}", "fr")


def test_numbers_in_the_reader_s_language():
    assert i18n.format_number(0.9734, "pct", "en") == "97.3%"
    assert i18n.format_number(0.9734, "pct", "fr") == "97,3\u00a0%"
    assert i18n.format_number(12345, "int", "fr") == "12\u202f345"
    assert i18n.format_number(0.756, "ratio", "fr") == "0,76"


@pytest.mark.parametrize(("count", "fr", "en"), [(0, "0 envoi", "0 sends"), (1, "1 envoi", "1 send"),
                                                 (2, "2 envois", "2 sends"),
                                                 (1_000_000, "1\u202f000\u202f000 envois", "1,000,000 sends")])
def test_plural_forms_follow_cldr_rules(count, fr, en):
    # French counts 0 and 1 as singular, English only 1: hand-built plurals got both wrong.
    assert i18n._LocalFormatter("fr").format("{n:int} {n:plural:envoi|envois}", n=count) == fr
    assert i18n._LocalFormatter("en").format("{n:int} {n:plural:send|sends}", n=count) == en


def test_named_plural_categories_fall_back_to_other():
    assert i18n.plural(3, "one=day|other=days", "en") == "days"
    assert i18n.plural(1, "one=jour|other=jours", "fr") == "jour"


def test_dates_are_written_out_in_the_reader_s_language():
    assert i18n.format_day("2026-08-02", "fr") == "2 août 2026"
    assert i18n.format_day("2026-08-02T10:00:00", "en") == "August 2, 2026"
