"""Charts of the bias checks from hand-made findings: the right dots, threshold lines where the finding's
thresholds put them, suppressed cells never plotted, the proxy heat map holding the Cramér's V of each pair."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest

from ethics_review import charts
from ethics_review.checks.bias import gap_thresholds, parity_thresholds
from ethics_review.findings import Threshold
from tests.conftest import a_finding as shared_finding


def a_finding(check_id, evidence, status="fail", **options):
    return shared_finding(check_id, evidence, status=status, **options)


def dots(figure: go.Figure) -> dict[str, float]:
    """Every dot as group: value (groups down the side, values across)."""
    return {y: x for trace in figure.data if trace.type == "scatter" for x, y in zip(trace.x, trace.y, strict=True)}


def lines(figure: go.Figure) -> dict[float, str]:
    return {shape.x0: shape.name for shape in figure.layout.shapes}


def compared(group: str, flag: str, **values) -> dict:
    return {"campaign_id": "A", "attribute": "age_band", "group": group, "n": 500, "flag": flag, **values}


def test_every_bias_check_has_a_chart():
    assert {
        "bias.selection_parity",
        "bias.intersectional",
        "bias.outcome_parity",
        "bias.score_distribution",
        "bias.offer_parity",
        "bias.proxies",
        "bias.delivery_skew",
    } <= set(charts.CHARTS)


def test_ks_chart_puts_the_reference_at_zero_and_draws_the_warn_and_fail_lines():
    finding = a_finding(
        "bias.score_distribution",
        [
            compared("35-44", "reference", ks_distance=None),
            compared("55-64", "fail", ks_distance=0.37),
            compared("65+", "pass", ks_distance=0.05),
            {**compared("18-24", "insufficient data", ks_distance=None), "n": "<10"},  # hidden: no dot
        ],
        thresholds=gap_thresholds(0.3, 0.2, "ks_distance"),
    )
    figure = charts.chart_for(finding, "en")
    assert dots(figure) == {"35-44": 0.0, "55-64": pytest.approx(0.37), "65 and over": pytest.approx(0.05)}
    assert lines(figure) == {0.2: "warn_line", 0.3: "fail_line"}
    assert "KS" in figure.layout.title.text


def test_offer_chart_puts_the_reference_at_one_and_never_plots_a_hidden_ratio():
    finding = a_finding(
        "bias.offer_parity",
        [
            compared("45-54", "reference", offer_ratio=None),
            compared("55-64", "fail", offer_ratio=0.7),
            compared("25-34", "pass", offer_ratio=None, n="<10"),
        ],
        thresholds=parity_thresholds(0.8, 0.9, "offer_ratio"),
    )
    figure = charts.chart_for(finding, "fr")
    assert dots(figure) == {"45-54 ans": 1.0, "55-64 ans": pytest.approx(0.7)}
    assert lines(figure) == {0.8: "fail_line", 0.9: "warn_line"}
    assert figure.layout.title.text.startswith("Offre moyenne")


def test_delivery_chart_draws_both_warn_lines():
    thresholds = (
        Threshold("delivery_ratio", "<", 0.8, "warn", "kit default", needs_significance=True),
        Threshold("delivery_ratio", ">", 1.25, "warn", "kit default", needs_significance=True),
    )
    finding = a_finding(
        "bias.delivery_skew",
        [
            {
                "campaign_id": "A",
                "attribute": "gender",
                "group": "M",
                "eligible": 400,
                "reached": 200,
                "delivery_ratio": 0.64,
                "flag": "warn",
            },
            {
                "campaign_id": "A",
                "attribute": "gender",
                "group": "X",
                "eligible": 40,
                "reached": "<10",
                "delivery_ratio": None,
                "flag": "insufficient data",
            },
        ],
        thresholds=thresholds,
    )
    figure = charts.chart_for(finding, "en")
    assert dots(figure) == {"men": pytest.approx(0.64)} and lines(figure) == {0.8: "warn_line", 1.25: "warn_line"}


def test_outcome_chart_has_one_panel_per_measure_with_intervals():
    evidence = [
        {
            "campaign_id": "A",
            "measure": measure,
            "attribute": "gender",
            "group": group,
            "n": 200,
            "rate": rate,
            "ci_low": rate - 0.05,
            "ci_high": rate + 0.05,
            "flag": flag,
        }
        for measure in ("true_positive_rate", "false_positive_rate")
        for group, rate, flag in (("F", 0.6, "reference"), ("M", 0.2, "fail"))
    ]
    figure = charts.chart_for(a_finding("bias.outcome_parity", evidence), "en")
    titles = {annotation.text for annotation in figure.layout.annotations}
    assert {"A · converters selected (TPR)", "A · non-converters selected (FPR)"} <= titles
    scatter = [t for t in figure.data if t.type == "scatter"]
    assert len(scatter) == 4 and all(list(t.error_x.array) == pytest.approx([0.05]) for t in scatter)
    assert {y for t in scatter for y in t.y} == {"gender: women", "gender: men"}


def test_proxy_heatmap_holds_each_pair_s_cramers_v():
    finding = a_finding(
        "bias.proxies",
        [
            {"feature": "postcode", "attribute": "region", "n": 5000, "cramers_v": 0.99, "flag": "fail"},
            {"feature": "postcode", "attribute": "gender", "n": 5000, "cramers_v": 0.04, "flag": "pass"},
            {"feature": "segment", "attribute": "region", "n": 5000, "cramers_v": 0.0, "flag": "pass"},
            {"feature": "segment", "attribute": "gender", "n": 50, "cramers_v": None, "flag": "insufficient data"},
        ],
    )
    figure = charts.chart_for(finding, "fr")
    (heatmap,) = figure.data
    assert list(heatmap.y) == ["code postal", "segment"] and list(heatmap.x) == ["région", "genre"]
    assert [list(r) for r in heatmap.z] == [[0.99, 0.04], [0.0, None]]
    assert heatmap.text[0][0] == "0,99" and heatmap.text[1][1] == ""
    assert (heatmap.zmin, heatmap.zmax) == (0.0, 1.0)


def test_intersections_use_the_selection_rate_chart_and_nothing_hidden_means_no_chart():
    finding = a_finding(
        "bias.intersectional",
        [
            {
                "campaign_id": "A",
                "attribute": "gender × age_band",
                "group": "M × 25-34",
                "n": 300,
                "rate": 0.2,
                "ci_low": 0.15,
                "ci_high": 0.25,
                "flag": "fail",
                "reference_group": "F × 25-34",
            },
            {
                "campaign_id": "A",
                "attribute": "gender × age_band",
                "group": "F × 25-34",
                "n": 300,
                "rate": 0.6,
                "ci_low": 0.55,
                "ci_high": 0.65,
                "flag": "reference",
                "reference_group": "F × 25-34",
            },
        ],
        thresholds=parity_thresholds(0.8, 0.9),
    )
    figure = charts.chart_for(finding, "en")
    assert dots(figure) == {"men × 25-34": 0.2, "women × 25-34": 0.6}
    assert [s.x0 for s in figure.layout.shapes] == [pytest.approx(0.48)]
    hidden = a_finding("bias.score_distribution", [compared("55-64", "pass", ks_distance=None, n="<10")])
    assert charts.chart_for(hidden, "en") is None
