"""Charts of the bias area."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .. import i18n
from ..findings import Finding
from .common import (FLAG_COLOURS, FOUR_FIFTHS, IMPACT_LINE_NAME, ChartFunction, base_layout, chart_text, flag_label,
                     hover_value, label, plotted_number, text_or_dash)

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
        vertical_spacing=min(0.12, 0.9 / len(campaigns))  # room for rotated group names
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


# --- The other bias checks: one dot per group against threshold lines, and the proxy heat map --------------

Row = Mapping[str, Any]


def threshold_lines(finding: Finding, metric: str) -> list[tuple[float, str]]:
    """The warn and fail lines of `metric` from the finding's thresholds (those are what was judged)."""
    lines = {}
    for threshold in finding.thresholds:
        if threshold.metric == metric:
            lines.setdefault(float(threshold.value), threshold.level)
    return sorted(lines.items())


def group_dots(finding: Finding, lang: str, *, value: str, panel: Callable[[Row], tuple[str, str]],
               x: Callable[[Row], str] = lambda r: text_or_dash(r.get("group")), low: str | None = None,
               high: str | None = None, lines: Sequence[tuple[float, str]] = (), title: str, y_title: str,
               y_format: str, hover: Sequence[str], reference_value: float | None = None) -> go.Figure | None:
    """One dot per group (coloured by flag, with its interval when `low`/`high` are given) in panels of
    campaign (rows) x `panel`'s second key (columns), with dashed threshold lines. `reference_value` places the
    reference group, whose own comparison value is empty by definition (a ratio of 1, a distance of 0)."""
    panels: dict[tuple[str, str], list[tuple[Row, float]]] = {}
    for row in finding.evidence:
        number = plotted_number(row.get(value))
        if number is None and row.get("flag") == "reference" and reference_value is not None:
            number = reference_value
        if number is not None:
            panels.setdefault(panel(row), []).append((row, number))
    if not panels:
        return None
    rows_keys = list(dict.fromkeys(r for r, _ in panels))
    cols_keys = list(dict.fromkeys(c for _, c in panels))
    figure = make_subplots(rows=len(rows_keys), cols=len(cols_keys),
                           subplot_titles=[f"{r} · {c}" if (r, c) in panels else "" for r in rows_keys
                                           for c in cols_keys],
                           vertical_spacing=min(0.12, 0.5 / len(rows_keys)), horizontal_spacing=0.06)
    hover_lines = "".join(f"<br>{label(f'columns.{c}', lang)}: %{{customdata[{i}]}}" for i, c in enumerate(hover))
    in_legend: set[str] = set()
    for (row_key, col_key), dots in panels.items():
        position = {"row": rows_keys.index(row_key) + 1, "col": cols_keys.index(col_key) + 1}
        for flag in dict.fromkeys(text_or_dash(r.get("flag")) for r, _ in dots):
            mine = [(r, v) for r, v in dots if text_or_dash(r.get("flag")) == flag]
            error = None
            if low and high:
                error = {"type": "data", "symmetric": False, "thickness": 1.2,
                         "array": [_bar(plotted_number(r.get(high)), v) for r, v in mine],
                         "arrayminus": [_bar(v, plotted_number(r.get(low))) for r, v in mine]}
            figure.add_trace(go.Scatter(
                mode="markers", name=flag_label(flag, lang), legendgroup=flag, showlegend=flag not in in_legend,
                x=[x(r) for r, _ in mine], y=[v for _, v in mine], error_y=error,
                marker={"color": FLAG_COLOURS.get(flag, "#607d8b"), "size": 11,
                        "symbol": "diamond" if flag == "reference" else "circle"},
                customdata=[[hover_value(r, c, lang) for c in hover] for r, _ in mine],
                hovertemplate=f"<b>%{{x}}</b>: %{{y:{y_format}}}{hover_lines}<extra></extra>"), **position)
            in_legend.add(flag)
        figure.update_xaxes(type="category", categoryorder="array", categoryarray=[x(r) for r, _ in dots],
                            **position)
        for y, level in lines:
            figure.add_hline(y=y, line={"dash": "dash", "color": FLAG_COLOURS.get(level, "#607d8b"), "width": 1.5},
                             name=f"{level}_line", annotation_text=f"{flag_label(level, lang)} {y:g}",
                             annotation_position="top right", annotation_font_size=10, **position)
    figure.update_yaxes(title_text=y_title, tickformat=".0%" if y_format.endswith("%") else None,
                        rangemode="tozero")
    return base_layout(figure, title=title, height=140 + 280 * len(rows_keys))


def _bar(top: float | None, bottom: float | None) -> float:
    return top - bottom if top is not None and bottom is not None else 0.0


def outcome_rate_chart(finding: Finding, lang: str = "en") -> go.Figure | None:
    """bias.outcome_parity: per campaign and measure (true- and false-positive rate), each group's rate with its
    Wilson interval; the gap to the reference is the vertical distance to the diamond."""
    measure = {m: chart_text("bias.outcome_parity", m, lang) for m in ("true_positive_rate",
                                                                       "false_positive_rate")}
    return group_dots(finding, lang, value="rate", low="ci_low", high="ci_high",
                      panel=lambda r: (text_or_dash(r.get("campaign_id")),
                                       measure.get(r.get("measure"), text_or_dash(r.get("measure")))),
                      x=lambda r: f"{text_or_dash(r.get('attribute'))}: {text_or_dash(r.get('group'))}",
                      title=chart_text("bias.outcome_parity", "title", lang),
                      y_title=chart_text("bias.outcome_parity", "y", lang), y_format=".1%",
                      hover=("n", "selected", "ci_low", "ci_high", "difference", "p_adjusted", "flag"))


def ks_chart(finding: Finding, lang: str = "en") -> go.Figure | None:
    """bias.score_distribution: each group's KS distance to the reference group (0 for the reference itself),
    with the warn and fail lines."""
    return group_dots(finding, lang, value="ks_distance", reference_value=0.0,
                      panel=lambda r: (text_or_dash(r.get("campaign_id")), text_or_dash(r.get("attribute"))),
                      lines=threshold_lines(finding, "ks_distance"),
                      title=chart_text("bias.score_distribution", "title", lang),
                      y_title=chart_text("bias.score_distribution", "y", lang), y_format=".2f",
                      hover=("n", "mean_score", "mean_difference", "p_adjusted", "flag"))


def offer_ratio_chart(finding: Finding, lang: str = "en") -> go.Figure | None:
    """bias.offer_parity: each group's mean offer divided by the reference group's (1 for the reference)."""
    return group_dots(finding, lang, value="offer_ratio", reference_value=1.0,
                      panel=lambda r: (text_or_dash(r.get("campaign_id")), text_or_dash(r.get("attribute"))),
                      lines=threshold_lines(finding, "offer_ratio"),
                      title=chart_text("bias.offer_parity", "title", lang),
                      y_title=chart_text("bias.offer_parity", "y", lang), y_format=".2f",
                      hover=("n", "mean_offer", "sd_offer", "difference", "p_adjusted", "flag"))


def delivery_ratio_chart(finding: Finding, lang: str = "en") -> go.Figure | None:
    """bias.delivery_skew: each group's share of the reached divided by its share of the selected; 1 is
    delivery in proportion, the dashed lines are the warn lines."""
    return group_dots(finding, lang, value="delivery_ratio",
                      panel=lambda r: (text_or_dash(r.get("campaign_id")), text_or_dash(r.get("attribute"))),
                      lines=[*threshold_lines(finding, "delivery_ratio")],
                      title=chart_text("bias.delivery_skew", "title", lang),
                      y_title=chart_text("bias.delivery_skew", "y", lang), y_format=".2f",
                      hover=("eligible", "reached", "share_eligible", "share_reached", "p_adjusted", "flag"))


def proxy_heatmap(finding: Finding, lang: str = "en") -> go.Figure | None:
    """bias.proxies: the bias-corrected Cramér's V of every feature (rows) with every sensitive attribute
    (columns), 0 white to 1 dark red, the value written in each cell; pairs not judged are left empty."""
    cells = {(text_or_dash(r.get("feature")), text_or_dash(r.get("attribute"))): plotted_number(r.get("cramers_v"))
             for r in finding.evidence}
    if not any(v is not None for v in cells.values()):
        return None
    features = list(dict.fromkeys(f for f, _ in cells))
    attributes = list(dict.fromkeys(a for _, a in cells))
    z = [[cells.get((f, a)) for a in attributes] for f in features]
    figure = go.Figure(go.Heatmap(
        z=z, x=attributes, y=features, zmin=0.0, zmax=1.0, colorscale=[[0.0, "#ffffff"], [0.3, "#fdd49e"],
                                                                        [0.5, "#ef6548"], [1.0, "#7f0000"]],
        text=[[i18n.format_number(v, "ratio", lang) if v is not None else "" for v in line] for line in z],
        texttemplate="%{text}", colorbar={"title": "V"},
        hovertemplate="%{y} × %{x}: V = %{z:.2f}<extra></extra>"))
    figure.update_yaxes(autorange="reversed", type="category")
    figure.update_xaxes(type="category")
    return base_layout(figure, title=chart_text("bias.proxies", "title", lang),
                       height=160 + 60 * len(features))


BIAS_CHARTS: dict[str, ChartFunction] = {
    "bias.selection_parity": selection_rate_chart,
    "bias.intersectional": selection_rate_chart,  # the same evidence shape, combined groups
    "bias.outcome_parity": outcome_rate_chart,
    "bias.score_distribution": ks_chart,
    "bias.offer_parity": offer_ratio_chart,
    "bias.proxies": proxy_heatmap,
    "bias.delivery_skew": delivery_ratio_chart,
}
