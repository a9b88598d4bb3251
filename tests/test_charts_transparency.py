"""Charts of the transparency area, from hand-made findings and from the checks' own findings."""

from __future__ import annotations

import pytest

from ethics_review import charts
from ethics_review.charts.transparency import READABILITY_LINE_NAME
from ethics_review.checks.transparency import human_review, machine_marking
from ethics_review.findings import Threshold
from tests.conftest import a_finding, make_review, problem_bars


def test_review_chart_shows_the_unreviewed_items_per_content_type_and_channel():
    review = make_review(
        content={
            "content_id": ["K1", "K2", "K3", "K4"],
            "ai_generated": [True] * 4,
            "content_type": ["text", "text", "text", "image"],
            "channel": ["sms", "sms", "email", "email"],
            "human_reviewed": [True, False, True, True],
        }
    )
    figure = charts.chart_for(human_review(review), "fr")
    assert [(label, count) for label, count, _ in problem_bars(figure)] == [
        ("texte · SMS", 1.0),
        ("image · e-mail", 0.0),
        ("texte · e-mail", 0.0),
    ]
    assert figure.layout.title.text == "Contenus faits par IA non relus avant publication, par type et canal"


def test_marking_chart_from_the_check():
    review = make_review(
        content={
            "content_id": ["K1", "K2"],
            "ai_generated": [True, True],
            "content_type": ["image", "video"],
            "channel": ["ads", "ads"],
            "machine_marked": [True, False],
        }
    )
    figure = charts.chart_for(machine_marking(review), "en")
    assert problem_bars(figure) == [("video · ads", 1.0, "1 of 1 (100.0%)"), ("image · ads", 0.0, "0 of 1 (0.0%)")]
    assert figure.layout.title.text == "AI-made media without a machine-readable marking, by type and channel"


def test_rows_without_numbers_are_never_plotted():
    finding = a_finding(
        "transparency.human_review",
        [
            {
                "content_type": "text",
                "channel": "sms",
                "ai_items": 4,
                "reviewed": 3,
                "unreviewed": 1,
                "review_rate": 0.75,
            },
            {
                "content_type": "text",
                "channel": "email",
                "ai_items": "<10",
                "reviewed": None,
                "unreviewed": None,
                "review_rate": None,
            },
        ],
    )
    figure = charts.chart_for(finding, "en")
    assert [(label, count) for label, count, _ in problem_bars(figure)] == [("text · SMS", 1.0)]


def readability_row(file: str, lang: str, score, flagged: bool) -> dict:
    return {
        "file": file,
        "lang": lang,
        "formula": "f",
        "score": score,
        "mean_sentence_words": 12.0,
        "sentences": 9,
        "words": 108,
        "hard_to_read": flagged,
        "long_sentences": False,
    }


def test_readability_chart_draws_each_notice_and_the_minimum_score():
    finding = a_finding(
        "transparency.notice_readability",
        [readability_row("cookies.en.html", "en", 37.3, True), readability_row("privacy.fr.md", "fr", 82.3, False)],
        thresholds=(Threshold("lowest_score", "<", 60.0, "warn", "kit default"),),
    )
    figure = charts.chart_for(finding, "en")
    bars = figure.data[0]
    assert list(bars.x) == ["cookies.en.html (en)", "privacy.fr.md (fr)"] and list(bars.y) == [37.3, 82.3]
    assert list(bars.marker.color) == ["#ef8f00", "#2e7d32"]
    line = next(s for s in figure.layout.shapes if s.name == READABILITY_LINE_NAME)
    assert (line.y0, line.y1) == (60.0, 60.0)


@pytest.mark.parametrize(
    "check_id",
    [
        "transparency.register",
        "transparency.automated_decisions",
        "transparency.notice_coverage",
        "transparency.ai_literacy",
    ],
)
def test_register_and_notice_checks_are_shown_as_tables(check_id):
    assert charts.chart_for(a_finding(check_id, [{"system": "a", "completeness": 1.0}]), "en") is None


def test_not_applicable_findings_have_no_chart():
    finding = a_finding(
        "transparency.human_review",
        [{"content_type": "text", "channel": "sms", "ai_items": 1, "reviewed": 1, "unreviewed": 0, "review_rate": 1.0}],
        status="not_applicable",
    )
    assert charts.chart_for(finding, "en") is None
