"""Charts from hand-made findings: the right bars, suppressed cells never plotted, the four-fifths line drawn."""

from __future__ import annotations

import itertools

import plotly.graph_objects as go
import pytest

from ethics_review import charts
from ethics_review.findings import Finding, Threshold
from tests.conftest import a_finding, problem_bars


def dots(figure: go.Figure) -> list[tuple[str, float]]:
    """Every plotted marker as (group, rate): groups down the side, rates across."""
    return [(y, x) for trace in figure.data if trace.type == "scatter" for x, y in zip(trace.x, trace.y, strict=True)]


def coverage_row(campaign: str, purpose: str, channel: str, sends, covered, uncovered, coverage) -> dict:
    return {
        "campaign_id": campaign,
        "channel": channel,
        "purpose": purpose,
        "sends": sends,
        "covered": covered,
        "uncovered": uncovered,
        "coverage": coverage,
    }


@pytest.fixture
def coverage_finding() -> Finding:
    return a_finding(
        "consent.coverage",
        [
            coverage_row("spring", "email_marketing", "email", 1200, 1100, 100, 1100 / 1200),
            coverage_row("spring", "sms_marketing", "sms", 300, 300, 0, 1.0),
            coverage_row("summer", "email_marketing", "email", 900, "<10", "<10", None),  # split suppressed
            coverage_row("summer", "sms_marketing", "sms", "<10", None, None, None),  # everything suppressed
        ],
    )


def test_coverage_chart_shows_the_uncovered_sends_first_with_their_share(coverage_finding):
    # 100 uncovered sends of 1,200 must not be a sliver on a 1,200-send bar: the bar is the 100 itself.
    figure = charts.chart_for(coverage_finding, "en")
    assert problem_bars(figure) == [
        ("spring · email marketing (email)", 100.0, "100 of 1,200 (8.3%)"),
        ("spring · SMS marketing (SMS)", 0.0, "0 of 300 (0.0%)"),
        ("summer · email marketing (email)", 0.0, "<10: hidden (small count)"),
    ]
    assert figure.layout.xaxis.title.text == "Sends without a legal basis"


def test_coverage_chart_never_plots_a_suppressed_cell(coverage_finding):
    figure = charts.chart_for(coverage_finding, "en")
    assert all(isinstance(x, float) for x in figure.data[0].x)
    # summer/email: "<10" uncovered sends is written as hidden, drawn at zero; summer/sms counts "<10" sends in
    # all and has no uncovered count: no bar at all.
    assert not any("summer · SMS" in label for label, _, _ in problem_bars(figure))


def test_a_chart_whose_every_cell_is_suppressed_is_none():
    finding = a_finding("consent.coverage", [coverage_row("spring", "sms_marketing", "sms", "<10", None, None, None)])
    assert charts.chart_for(finding) is None


def selection_row(
    campaign: str,
    attribute: str,
    group: str,
    n,
    selected,
    rate,
    *,
    flag: str,
    reference_group: str = "F",
    impact_ratio=None,
) -> dict:
    interval = (None, None) if rate is None else (max(rate - 0.03, 0), min(rate + 0.04, 1))
    return {
        "campaign_id": campaign,
        "attribute": attribute,
        "group": group,
        "n": n,
        "selected": selected,
        "rate": rate,
        "ci_low": interval[0],
        "ci_high": interval[1],
        "reference_group": reference_group,
        "impact_ratio": impact_ratio,
        "ratio_ci_low": None,
        "ratio_ci_high": None,
        "difference": None,
        "ratio_to_overall": None,
        "p_value": None,
        "p_adjusted": None,
        "flag": flag,
    }


@pytest.fixture
def parity_finding() -> Finding:
    return a_finding(
        "bias.selection_parity",
        [
            selection_row("spring", "gender", "F", 1000, 400, 0.4, flag="reference"),
            selection_row("spring", "gender", "M", 1000, 200, 0.2, flag="fail", impact_ratio=0.5),
            selection_row("spring", "age_band", "18-24", 500, 100, 0.2, flag="reference", reference_group="18-24"),
            selection_row(
                "spring", "age_band", "25-34", 500, 90, 0.18, flag="pass", reference_group="18-24", impact_ratio=0.9
            ),
            selection_row(
                "spring", "age_band", "65+", "<10", "<10", None, flag="insufficient data", reference_group="18-24"
            ),
            selection_row("autumn", "gender", "F", 800, 160, 0.2, flag="reference"),
            selection_row("autumn", "gender", "M", 60, 9, 0.15, flag="insufficient data", impact_ratio=0.75),
        ],
        status="fail",
        thresholds=(
            Threshold("impact_ratio", "<", 0.8, "fail", "kit default", True),
            Threshold("impact_ratio", "<", 0.9, "warn", "kit default", True),
        ),
    )


def test_selection_chart_plots_every_group_with_a_rate_and_no_suppressed_group(parity_finding):
    figure = charts.chart_for(parity_finding, "en")
    plotted = dots(figure)
    assert len(plotted) == 6
    assert "65 and over" not in [group for group, _ in plotted]
    assert all(isinstance(y, float) for _, y in plotted)


def test_selection_chart_draws_wilson_intervals_as_asymmetric_error_bars(parity_finding):
    figure = charts.chart_for(parity_finding, "en")
    fail_dot = next(t for t in figure.data if t.legendgroup == "fail")
    assert fail_dot.error_x.array == pytest.approx((0.04,)) and fail_dot.error_x.arrayminus == pytest.approx((0.03,))


def test_selection_chart_draws_the_four_fifths_line_in_every_panel(parity_finding):
    figure = charts.chart_for(parity_finding, "en")
    lines = [s for s in figure.layout.shapes if s.name == charts.IMPACT_LINE_NAME]
    # spring/gender: 0.8 x 0.4; spring/age_band: 0.8 x 0.2; autumn/gender: 0.8 x 0.2
    assert sorted(s.x0 for s in lines) == pytest.approx(sorted([0.32, 0.16, 0.16]))


def test_the_impact_line_follows_the_finding_threshold(parity_finding):
    stricter = Finding(
        **{**parity_finding.__dict__, "thresholds": (Threshold("impact_ratio", "<", 0.9, "fail", "rule", True),)}
    )
    assert charts.impact_ratio_line(stricter) == 0.9
    lines = [s for s in charts.chart_for(stricter).layout.shapes if s.name == charts.IMPACT_LINE_NAME]
    assert max(s.x0 for s in lines) == pytest.approx(0.36)


def test_selection_chart_has_one_panel_per_campaign_and_attribute(parity_finding):
    figure = charts.chart_for(parity_finding, "en")
    titles = [a.text for a in figure.layout.annotations if a.text and "·" in a.text]
    assert titles == ["spring · gender", "spring · age band", "autumn · gender"]


def test_selection_chart_legend_lists_each_flag_once(parity_finding):
    figure = charts.chart_for(parity_finding, "fr")
    legend = [t.name for t in figure.data if t.showlegend]
    assert legend == ["groupe de référence", "à corriger", "pas d'écart significatif", "données insuffisantes"]


def test_disclosure_chart_shows_the_undisclosed_items_per_content_type_and_channel():
    finding = a_finding(
        "transparency.ai_disclosure",
        [
            {
                "content_type": "image",
                "channel": "email",
                "ai_items": 40,
                "disclosed": 30,
                "undisclosed": 10,
                "disclosure_rate": 0.75,
            },
            {
                "content_type": "text",
                "channel": "email",
                "ai_items": 120,
                "disclosed": 120,
                "undisclosed": 0,
                "disclosure_rate": 1.0,
            },
            {
                "content_type": "video",
                "channel": None,
                "ai_items": 25,
                "disclosed": 5,
                "undisclosed": 20,
                "disclosure_rate": 0.2,
            },
        ],
    )
    figure = charts.chart_for(finding, "fr")
    assert problem_bars(figure) == [
        ("vidéo · —", 20.0, "20 sur 25 (80,0\u00a0%)"),
        ("image · e-mail", 10.0, "10 sur 40 (25,0\u00a0%)"),
        ("texte · e-mail", 0.0, "0 sur 120 (0,0\u00a0%)"),
    ]


@pytest.mark.parametrize("status", ["not_applicable", "error"])
def test_a_check_that_did_not_run_has_no_chart(status, coverage_finding):
    assert charts.chart_for(Finding(**{**coverage_finding.__dict__, "status": status})) is None


def test_a_check_without_a_registered_chart_has_none():
    assert charts.chart_for(a_finding("consent.proof", [{"share": 0.5}])) is None


def test_chart_titles_follow_the_language_and_name_what_the_axis_counts(coverage_finding):
    french, english = charts.chart_for(coverage_finding, "fr"), charts.chart_for(coverage_finding, "en")
    assert french.layout.title.text.startswith("Envois sans base légale")
    assert english.layout.title.text.startswith("Sends without a legal basis")
    assert french.layout.xaxis.title.text in french.layout.title.text


def test_region_facets_with_many_groups_never_overlap():
    """13+ regions in one facet: each facet is as tall as its groups, so its labels stay inside its own band."""
    regions = [f"Region {i:02d}" for i in range(15)]
    rows = [
        selection_row(campaign, attribute, group, 500, 100, 0.2, flag="pass", reference_group=groups[0])
        for campaign in ("spring", "autumn")
        for attribute, groups in (("region", regions), ("gender", ["F", "M"]), ("age_band", ["18-24", "25-34"]))
        for group in groups
    ]
    figure = charts.chart_for(a_finding("bias.selection_parity", rows, status="pass"), "en")
    layout = figure.layout
    plot_px = layout.height - layout.margin.t - layout.margin.b
    axes = sorted(
        (getattr(layout, name) for name in layout if name.startswith("yaxis")), key=lambda axis: -axis.domain[1]
    )
    assert len(axes) == 6
    for upper, lower in itertools.pairwise(axes):
        gap_px = (upper.domain[0] - lower.domain[1]) * plot_px
        assert gap_px >= 30, "room for the next facet's title between two facets"
    for axis in axes:
        labels = len(axis.categoryarray)
        band_px = (axis.domain[1] - axis.domain[0]) * plot_px
        assert band_px / labels >= 16, f"{labels} labels in {band_px:.0f} px overlap"
        assert axis.automargin
