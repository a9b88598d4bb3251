"""Charts of the governance area, from hand-made findings: what is drawn, in the reader's language, and that
suppressed cells are never plotted."""

from __future__ import annotations

import pandas as pd
import pytest

from ethics_review.charts import chart_for
from ethics_review.charts.governance import THRESHOLD_LINE_NAME, trend_chart
from ethics_review.findings import Threshold
from tests.conftest import a_finding

THRESHOLDS = (
    Threshold("lowest_reached_share", "<", 0.8, "fail", "kit default"),
    Threshold("lowest_in_time_share", "<", 0.95, "warn", "kit default"),
)


def channel_row(channel, requests, reached, **bands):
    share = None if isinstance(reached, str) or reached is None else reached / requests
    return {
        "channel": channel,
        "requests": requests,
        "reached": reached,
        "reached_share": share,
        "ci_low": None if share is None else share - 0.05,
        "ci_high": None if share is None else share + 0.04,
        "within_1h": 0,
        "within_4h": 0,
        "within_24h": 0,
        "within_72h": 0,
        "over_72h": 0,
        "never_reached": 0,
        **bands,
    }


def test_reached_share_per_channel_with_its_interval_and_the_kit_thresholds():
    finding = a_finding(
        "governance.human_contact",
        [channel_row("chat", 360, 270, within_1h=200, never_reached=90), channel_row("phone", 120, 120, within_1h=120)],
        status="fail",
        thresholds=THRESHOLDS,
    )
    figure = chart_for(finding, "en")
    shares = next(t for t in figure.data if t.meta == "reached_share")
    assert list(shares.x) == ["chat", "phone"] and list(shares.y) == [0.75, 1.0]
    assert list(shares.error_y.array) == pytest.approx([0.04, 0.04])
    assert list(shares.error_y.arrayminus) == pytest.approx([0.05, 0.05])
    assert {s.name for s in figure.layout.shapes} == {f"{THRESHOLD_LINE_NAME}_fail", f"{THRESHOLD_LINE_NAME}_warn"}
    never = next(t for t in figure.data if t.meta == "never_reached")
    assert list(never.y) == [90, 0] and never.name == "Never"
    assert legend_clears_the_subplot_titles(figure)


def test_suppressed_cells_are_not_drawn_and_words_are_french():
    finding = a_finding(
        "governance.human_contact",
        [channel_row("chat", 40, None, within_1h=35, never_reached="<10")],
        status="warn",
        thresholds=THRESHOLDS,
    )
    figure = chart_for(finding, "fr")
    assert list(next(t for t in figure.data if t.meta == "reached_share").y) == [None]
    assert list(next(t for t in figure.data if t.meta == "never_reached").y) == [None]
    assert figure.layout.yaxis.title.text == "Part des demandes"


def test_channels_read_in_the_reader_s_words():
    finding = a_finding(
        "governance.human_contact",
        [channel_row("messaging", 50, 50, within_1h=50), channel_row("phone", 120, 120, within_1h=120)],
        status="pass",
        thresholds=THRESHOLDS,
    )
    shares = next(t for t in chart_for(finding, "fr").data if t.meta == "reached_share")
    assert list(shares.x) == ["messagerie", "téléphone"]


def legend_clears_the_subplot_titles(figure) -> bool:
    """Beside a grid's subplot titles, the legend sits at the foot of the figure, not above the plots."""
    legend = figure.layout.legend
    return legend.yref == "container" and legend.y == 0 and legend.yanchor == "bottom"


def test_the_trend_has_one_panel_per_area_and_dates_written_out():
    trend = pd.DataFrame(
        [
            {
                "as_of": "2026-04-15",
                "area": "consent",
                "pass": 9,
                "warn": 0,
                "fail": 1,
                "not_applicable": 0,
                "error": 0,
            },
            {
                "as_of": "cette revue",
                "area": "consent",
                "pass": 8,
                "warn": 0,
                "fail": 2,
                "not_applicable": 0,
                "error": 0,
            },
            {
                "as_of": "2026-04-15",
                "area": "governance",
                "pass": 2,
                "warn": 1,
                "fail": 0,
                "not_applicable": 0,
                "error": 0,
            },
        ]
    )
    figure = trend_chart(trend, "fr")
    fails = next(t for t in figure.data if t.meta == "consent:fail")
    assert list(fails.x) == ["15 avril 2026", "cette revue"] and list(fails.y) == [1, 2]
    assert [a.text for a in figure.layout.annotations] == [
        "Consentement et vie privée",
        "Gouvernance et contact humain",
    ]
    assert legend_clears_the_subplot_titles(figure)
    assert trend_chart(trend.iloc[0:0], "fr") is None


def test_the_checks_that_got_worse_are_drawn_from_old_to_new_status():
    finding = a_finding(
        "governance.continuous_evaluation",
        [{"check_id": "consent.coverage", "area": "consent", "before": "pass", "after": "fail"}],
    )
    figure = chart_for(finding, "en")
    assert list(figure.data[0].x) == ["Pass", "To fix"] and figure.data[0].meta == "consent.coverage"
