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
