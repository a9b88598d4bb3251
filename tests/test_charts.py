"""Charts from hand-made findings: the right bars, suppressed cells never plotted, the four-fifths line drawn."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest

from ethics_review import charts
from ethics_review.findings import Finding, Threshold
from tests.conftest import a_finding, segments






def dots(figure: go.Figure) -> list[tuple[str, float]]:
    """Every plotted marker as (group, rate)."""
    return [(x, y) for trace in figure.data if trace.type == "scatter"
            for x, y in zip(trace.x, trace.y, strict=True)]


def coverage_row(campaign: str, purpose: str, channel: str, sends, covered, uncovered, coverage) -> dict:
    return {"campaign_id": campaign, "channel": channel, "purpose": purpose, "sends": sends, "covered": covered,
            "uncovered": uncovered, "coverage": coverage}


@pytest.fixture
def coverage_finding() -> Finding:
    return a_finding("consent.coverage", [
        coverage_row("spring", "email_marketing", "email", 1200, 1100, 100, 1100 / 1200),
        coverage_row("spring", "sms_marketing", "sms", 300, 300, 0, 1.0),
        coverage_row("summer", "email_marketing", "email", 900, "<10", "<10", None),  # split suppressed
        coverage_row("summer", "sms_marketing", "sms", "<10", None, None, None),  # everything suppressed
    ])


def test_coverage_chart_stacks_covered_and_uncovered_sends_per_campaign_and_purpose(coverage_finding):
    figure = charts.chart_for(coverage_finding, "en")
    assert segments(figure, "covered") == [(("spring", "email_marketing (email)"), 1100),
                                           (("spring", "sms_marketing (sms)"), 300)]
    assert segments(figure, "uncovered") == [(("spring", "email_marketing (email)"), 100),
                                             (("spring", "sms_marketing (sms)"), 0)]
    assert figure.layout.barmode == "stack"


def test_coverage_chart_never_plots_a_suppressed_cell(coverage_finding):
    figure = charts.chart_for(coverage_finding, "en")
    plotted = [y for trace in figure.data for y in trace.y]
    assert all(isinstance(y, float) for y in plotted)
    # summer/email: its split is "<10", so only its total (900) is drawn, as a neutral "total only" bar;
    # summer/sms counts "<10" sends: no bar at all, not a zero bar.
    assert segments(figure, charts.HIDDEN_SEGMENT) == [(("summer", "email_marketing (email)"), 900)]
    assert not any(x == ("summer", "sms_marketing (sms)") for t in figure.data for x in zip(*t.x))


def test_a_chart_whose_every_cell_is_suppressed_is_none():
    finding = a_finding("consent.coverage", [coverage_row("spring", "sms_marketing", "sms", "<10", None, None,
                                                          None)])
    assert charts.chart_for(finding) is None


def selection_row(campaign: str, attribute: str, group: str, n, selected, rate, *, flag: str,
                  reference_group: str = "F", impact_ratio=None) -> dict:
    interval = (None, None) if rate is None else (max(rate - 0.03, 0), min(rate + 0.04, 1))
    return {"campaign_id": campaign, "attribute": attribute, "group": group, "n": n, "selected": selected,
            "rate": rate, "ci_low": interval[0], "ci_high": interval[1], "reference_group": reference_group,
            "impact_ratio": impact_ratio, "ratio_ci_low": None, "ratio_ci_high": None, "difference": None,
            "ratio_to_overall": None, "p_value": None, "p_adjusted": None, "flag": flag}


@pytest.fixture
def parity_finding() -> Finding:
    return a_finding("bias.selection_parity", [
        selection_row("spring", "gender", "F", 1000, 400, 0.4, flag="reference"),
        selection_row("spring", "gender", "M", 1000, 200, 0.2, flag="fail", impact_ratio=0.5),
        selection_row("spring", "age_band", "18-24", 500, 100, 0.2, flag="reference", reference_group="18-24"),
        selection_row("spring", "age_band", "25-34", 500, 90, 0.18, flag="pass", reference_group="18-24",
                      impact_ratio=0.9),
        selection_row("spring", "age_band", "65+", "<10", "<10", None, flag="insufficient data",
                      reference_group="18-24"),
        selection_row("autumn", "gender", "F", 800, 160, 0.2, flag="reference"),
        selection_row("autumn", "gender", "M", 60, 9, 0.15, flag="insufficient data", impact_ratio=0.75),
    ], status="fail", thresholds=(Threshold("impact_ratio", "<", 0.8, "fail", "kit default", True),
                                  Threshold("impact_ratio", "<", 0.9, "warn", "kit default", True)))


def test_selection_chart_plots_every_group_with_a_rate_and_no_suppressed_group(parity_finding):
    figure = charts.chart_for(parity_finding, "en")
    plotted = dots(figure)
    assert len(plotted) == 6
    assert "65+" not in [x for x, _ in plotted]
    assert all(isinstance(y, float) for _, y in plotted)


def test_selection_chart_draws_wilson_intervals_as_asymmetric_error_bars(parity_finding):
    figure = charts.chart_for(parity_finding, "en")
    fail_dot = next(t for t in figure.data if t.legendgroup == "fail")
    assert fail_dot.error_y.array == pytest.approx((0.04,)) and fail_dot.error_y.arrayminus == pytest.approx((0.03,))


def test_selection_chart_draws_the_four_fifths_line_in_every_panel(parity_finding):
    figure = charts.chart_for(parity_finding, "en")
    lines = [s for s in figure.layout.shapes if s.name == charts.IMPACT_LINE_NAME]
    # spring/gender: 0.8 x 0.4; spring/age_band: 0.8 x 0.2; autumn/gender: 0.8 x 0.2
    assert sorted(s.y0 for s in lines) == pytest.approx(sorted([0.32, 0.16, 0.16]))


def test_the_impact_line_follows_the_finding_threshold(parity_finding):
    stricter = Finding(**{**parity_finding.__dict__,
                          "thresholds": (Threshold("impact_ratio", "<", 0.9, "fail", "rule", True),)})
    assert charts.impact_ratio_line(stricter) == 0.9
    lines = [s for s in charts.chart_for(stricter).layout.shapes if s.name == charts.IMPACT_LINE_NAME]
    assert max(s.y0 for s in lines) == pytest.approx(0.36)


def test_selection_chart_has_one_panel_per_campaign_and_attribute(parity_finding):
    figure = charts.chart_for(parity_finding, "en")
    titles = [a.text for a in figure.layout.annotations if a.text and "·" in a.text]
    assert titles == ["spring · gender", "spring · age_band", "autumn · gender"]


def test_selection_chart_legend_lists_each_flag_once(parity_finding):
    figure = charts.chart_for(parity_finding, "fr")
    legend = [t.name for t in figure.data if t.showlegend]
    assert legend == ["groupe de référence", "non conforme", "conforme", "données insuffisantes"]


def test_disclosure_chart_stacks_disclosed_and_undisclosed_items_per_content_type_and_channel():
    finding = a_finding("transparency.ai_disclosure", [
        {"content_type": "image", "channel": "email", "ai_items": 40, "disclosed": 30, "undisclosed": 10,
         "disclosure_rate": 0.75},
        {"content_type": "text", "channel": "email", "ai_items": 120, "disclosed": 120, "undisclosed": 0,
         "disclosure_rate": 1.0},
        {"content_type": "video", "channel": None, "ai_items": 25, "disclosed": 5, "undisclosed": 20,
         "disclosure_rate": 0.2},
    ])
    figure = charts.chart_for(finding, "en")
    assert segments(figure, "disclosed") == [(("image", "email"), 30), (("text", "email"), 120),
                                             (("video", "—"), 5)]
    assert segments(figure, "undisclosed") == [(("image", "email"), 10), (("text", "email"), 0),
                                               (("video", "—"), 20)]
    assert segments(figure, charts.HIDDEN_SEGMENT) == []


@pytest.mark.parametrize("status", ["not_applicable", "error"])
def test_a_check_that_did_not_run_has_no_chart(status, coverage_finding):
    assert charts.chart_for(Finding(**{**coverage_finding.__dict__, "status": status})) is None


def test_a_check_without_a_registered_chart_has_none():
    assert charts.chart_for(a_finding("consent.proof", [{"share": 0.5}])) is None


def test_chart_titles_follow_the_language(coverage_finding):
    assert charts.chart_for(coverage_finding, "fr").layout.title.text.startswith("Part des envois")
    assert charts.chart_for(coverage_finding, "en").layout.title.text.startswith("Share of sends")
