"""Charts of the bias area."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..findings import Finding
from .common import (FLAG_COLOURS, FOUR_FIFTHS, IMPACT_LINE_NAME, ChartFunction, base_layout, flag_label, hover_value,
                     label, plotted_number, text_or_dash)

def impact_ratio_line(finding: Finding) -> float:
    """The impact ratio below which the check fails (from the finding's thresholds; 0.8 by default)."""
    for threshold in finding.thresholds:
        if threshold.metric == "impact_ratio" and threshold.level == "fail" and threshold.op in ("<", "<="):
            return float(threshold.value)
    return FOUR_FIFTHS


def selection_rate_chart(finding: Finding, lang: str = "en") -> go.Figure | None:
    """bias.selection_parity (and checks with the same evidence shape): each dot is a group's selection rate
    with its Wilson 95% interval, one panel per campaign (rows) and attribute (columns), dots coloured by flag;
    the dashed line is `fail_below` (0.8) times the reference group's rate: a dot under it has an impact ratio
    under the four-fifths line. Groups whose rate is hidden or missing get no dot."""
    panels: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for row in finding.evidence:
        if plotted_number(row.get("rate")) is not None:
            panels.setdefault((text_or_dash(row.get("campaign_id")), text_or_dash(row.get("attribute"))), []).append(row)
    if not panels:
        return None
    campaigns = list(dict.fromkeys(c for c, _ in panels))
    attributes = list(dict.fromkeys(a for _, a in panels))
    figure = make_subplots(
        rows=len(campaigns), cols=len(attributes),
        subplot_titles=[f"{c} · {a}" if (c, a) in panels else "" for c in campaigns for a in attributes],
        vertical_spacing=min(0.12, 0.5 / len(campaigns)), horizontal_spacing=0.06,
    )
    ratio = impact_ratio_line(finding)
    in_legend: set[str] = set()
    hover_columns = ("n", "selected", "ci_low", "ci_high", "impact_ratio", "p_adjusted", "flag")
    hover_lines = "".join(
        f"<br>{label(f'columns.{c}', lang)}: %{{customdata[{i}]}}" for i, c in enumerate(hover_columns))
    for (campaign, attribute), rows in panels.items():
        position = {"row": campaigns.index(campaign) + 1, "col": attributes.index(attribute) + 1}
        for flag in dict.fromkeys(text_or_dash(r.get("flag")) for r in rows):
            dots = [r for r in rows if text_or_dash(r.get("flag")) == flag]
            rates = [plotted_number(r["rate"]) for r in dots]
            figure.add_trace(go.Scatter(
                mode="markers",
                name=flag_label(flag, lang),
                legendgroup=flag,
                showlegend=flag not in in_legend,
                x=[text_or_dash(r.get("group")) for r in dots],
                y=rates,
                error_y=_interval(dots, rates),
                marker={"color": FLAG_COLOURS.get(flag, "#607d8b"), "size": 11,
                        "symbol": "diamond" if flag == "reference" else "circle"},
                customdata=[[hover_value(r, c, lang) for c in hover_columns] for r in dots],
                hovertemplate=f"<b>%{{x}}</b>: %{{y:.1%}}{hover_lines}<extra></extra>",
            ), **position)
            in_legend.add(flag)
        figure.update_xaxes(type="category", categoryorder="array",
                            categoryarray=[text_or_dash(r.get("group")) for r in rows], **position)
        reference_rate = _reference_rate(rows)
        if reference_rate is not None:
            figure.add_hline(
                y=ratio * reference_rate, line={"dash": "dash", "color": "#c62828", "width": 1.5},
                name=IMPACT_LINE_NAME,
                annotation_text=label("chart.impact_line", lang, share=ratio), annotation_position="top right",
                annotation_font_size=10, **position)
    figure.update_yaxes(title_text=label("columns.rate", lang), tickformat=".0%", rangemode="tozero")
    return base_layout(figure, title=label("chart.selection_title", lang),
                        height=140 + 280 * len(campaigns))


def _interval(rows: Sequence[Mapping[str, Any]], rates: Sequence[float | None]) -> dict[str, Any]:
    """Asymmetric error bars from the Wilson interval; no bar where the interval is hidden."""
    upper, lower = [], []
    for row, rate in zip(rows, rates, strict=True):
        high, low = plotted_number(row.get("ci_high")), plotted_number(row.get("ci_low"))
        upper.append(high - rate if high is not None and rate is not None else 0.0)
        lower.append(rate - low if low is not None and rate is not None else 0.0)
    return {"type": "data", "symmetric": False, "array": upper, "arrayminus": lower, "thickness": 1.2}


def _reference_rate(rows: Sequence[Mapping[str, Any]]) -> float | None:
    for row in rows:
        if row.get("flag") == "reference" or (row.get("reference_group") is not None
                                              and str(row.get("group")) == str(row.get("reference_group"))):
            rate = plotted_number(row.get("rate"))
            if rate is not None:
                return rate
    return None


BIAS_CHARTS: dict[str, ChartFunction] = {
    "bias.selection_parity": selection_rate_chart,
}
