"""Charts of the bias area."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .. import i18n
from ..findings import Finding
from .common import (
    FLAG_COLOURS,
    FOUR_FIFTHS,
    IMPACT_LINE_NAME,
    ChartFunction,
    base_layout,
    base_layout_properties,
    chart_text,
    flag_label,
    hover_value,
    label,
    plotted_number,
    separators,
    text_or_dash,
    value_word,
)


def impact_ratio_line(finding: Finding) -> float:
    """The impact ratio below which the check fails (from the finding's thresholds; 0.8 by default)."""
    for threshold in finding.thresholds:
        if threshold.metric == "impact_ratio" and threshold.level == "fail" and threshold.op in ("<", "<="):
            return float(threshold.value)
    return FOUR_FIFTHS


ROW_PX = 24  # height of one group's line in a facet: labels never overlap, whatever the number of groups
PANEL_PAD_PX = 46  # a facet's own title and axis
GAP_PX = 48  # between two facets
TOP_PX, BOTTOM_PX = 110, 50

Row = Mapping[str, Any]


def selection_rate_chart(finding: Finding, lang: str = "en") -> go.Figure | None:
    """bias.selection_parity (and checks with the same evidence shape): in one facet per campaign and attribute,
    each group's selection rate as a dot with its Wilson 95% interval, groups down the side, dots coloured by
    flag; the dashed line is `fail_below` (0.8) times the reference group's rate: a dot left of it has an impact
    ratio under the four-fifths line. Groups whose rate is hidden or missing get no dot."""
    ratio = impact_ratio_line(finding)

    def reference_line(rows: Sequence[tuple[Row, float]]) -> list[tuple[float, str, str, str]]:
        reference_rate = _reference_rate([r for r, _ in rows])
        if reference_rate is None:
            return []
        return [(ratio * reference_rate, IMPACT_LINE_NAME, "#c62828", label("chart.impact_line", lang, share=ratio))]

    return facet_dots(
        finding,
        lang,
        value="rate",
        low="ci_low",
        high="ci_high",
        panel=lambda r: (text_or_dash(r.get("campaign_id")), text_or_dash(r.get("attribute"))),
        lines=reference_line,
        title=label("chart.selection_title", lang),
        x_title=label("columns.rate", lang),
        x_format=".1%",
        hover=("n", "selected", "ci_low", "ci_high", "impact_ratio", "p_adjusted", "flag"),
    )


def _reference_rate(rows: Sequence[Row]) -> float | None:
    for row in rows:
        if row.get("flag") == "reference" or (
            row.get("reference_group") is not None and str(row.get("group")) == str(row.get("reference_group"))
        ):
            rate = plotted_number(row.get("rate"))
            if rate is not None:
                return rate
    return None


def threshold_lines(finding: Finding, metric: str) -> list[tuple[float, str]]:
    """The warn and fail lines of `metric` from the finding's thresholds (those are what was judged)."""
    lines: dict[float, str] = {}
    for threshold in finding.thresholds:
        if threshold.metric == metric:
            lines.setdefault(float(threshold.value), threshold.level)
    return sorted(lines.items())


def facet_dots(
    finding: Finding,
    lang: str,
    *,
    value: str,
    panel: Callable[[Row], tuple[str, str]],
    group: Callable[[Row], str] | None = None,
    low: str | None = None,
    high: str | None = None,
    lines: Callable[[Sequence[tuple[Row, float]]], list[tuple[float, str, str, str]]] = lambda _: [],
    title: str,
    x_title: str,
    x_format: str,
    hover: Sequence[str],
    reference_value: float | None = None,
) -> go.Figure | None:
    """One facet per `panel` key (campaign, then attribute or measure), stacked top to bottom, each as tall as
    its number of groups (ROW_PX per group): the group names run down the side, horizontally, so no label can
    reach another facet. Each group is a dot coloured by flag, with its interval when `low`/`high` are given;
    `lines` gives each facet's vertical dashed lines (x, name, colour, text). `reference_value` places the
    reference group, whose own comparison value is empty by definition (a ratio of 1, a distance of 0)."""
    group = group or (lambda r: value_word("group", r.get("group"), lang, r.get("attribute")))
    panels: dict[tuple[str, str], list[tuple[Row, float]]] = {}
    for row in finding.evidence:
        number = plotted_number(row.get(value))
        if number is None and row.get("flag") == "reference" and reference_value is not None:
            number = reference_value
        if number is not None:
            panels.setdefault(panel(row), []).append((row, number))
    if not panels:
        return None
    keys = list(panels)
    heights = [PANEL_PAD_PX + ROW_PX * len(dict.fromkeys(group(r) for r, _ in panels[k])) for k in keys]
    plot_px = sum(heights) + GAP_PX * (len(keys) - 1)
    grid = make_subplots(
        rows=len(keys),
        cols=1,
        row_heights=heights,
        vertical_spacing=GAP_PX / plot_px,
        subplot_titles=[f"{first} · {value_word('attribute', second, lang)}" for first, second in keys],
    )
    # The figure is assembled as plain data and validated once at the end: plotly's update_layout, add_trace and
    # update_yaxes on a figure re-validate what is already there at every call (the facets' titles, lines and
    # notes), most of the chart's CPU with a dozen facets. The result is the figure those calls would build.
    layout: dict[str, Any] = grid.layout.to_plotly_json()
    hover_lines = "".join(f"<br>{label(f'columns.{c}', lang)}: %{{customdata[{i}]}}" for i, c in enumerate(hover))
    in_legend: set[str] = set()
    traces: list[go.Scatter] = []
    shapes: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    x_axes: list[str] = []
    for index, key in enumerate(keys, start=1):
        dots = panels[key]
        axes = grid.get_subplot(index, 1)
        x_axis, y_axis = axes.xaxis.plotly_name, axes.yaxis.plotly_name  # "xaxis", "xaxis2", ...
        x_axes.append(x_axis)
        xref, yref = x_axis.replace("axis", ""), y_axis.replace("axis", "")
        for flag in dict.fromkeys(text_or_dash(r.get("flag")) for r, _ in dots):
            mine = [(r, v) for r, v in dots if text_or_dash(r.get("flag")) == flag]
            error = None
            if low and high:
                error = {
                    "type": "data",
                    "symmetric": False,
                    "thickness": 1.2,
                    "array": [_bar(plotted_number(r.get(high)), v) for r, v in mine],
                    "arrayminus": [_bar(v, plotted_number(r.get(low))) for r, v in mine],
                }
            traces.append(
                go.Scatter(
                    mode="markers",
                    name=flag_label(flag, lang),
                    legendgroup=flag,
                    showlegend=flag not in in_legend,
                    y=[group(r) for r, _ in mine],
                    x=[v for _, v in mine],
                    error_x=error,
                    marker={
                        "color": FLAG_COLOURS.get(flag, "#607d8b"),
                        "size": 10,
                        "symbol": "diamond" if flag == "reference" else "circle",
                    },
                    customdata=[[hover_value(r, c, lang) for c in hover] for r, _ in mine],
                    hovertemplate=f"<b>%{{y}}</b>: %{{x:{x_format}}}{hover_lines}<extra></extra>",
                    xaxis=xref,
                    yaxis=yref,
                )
            )
            in_legend.add(flag)
        layout[y_axis] = {
            **layout.get(y_axis, {}),
            "type": "category",
            "categoryorder": "array",
            "autorange": "reversed",
            "automargin": True,
            "categoryarray": list(dict.fromkeys(group(r) for r, _ in dots)),
        }
        for x, name, colour, text in lines(dots):  # what add_vline(row=index, annotation "top right") lays out
            shapes.append(
                {
                    "type": "line",
                    "name": name,
                    "line": {"dash": "dash", "color": colour, "width": 1.5},
                    "x0": x,
                    "x1": x,
                    "xref": xref,
                    "y0": 0,
                    "y1": 1,
                    "yref": yref + " domain",
                }
            )
            notes.append(
                {
                    "text": text,
                    "font": {"size": 10},
                    "showarrow": False,
                    "x": x,
                    "xanchor": "left",
                    "xref": xref,
                    "y": 1,
                    "yanchor": "top",
                    "yref": yref + " domain",
                }
            )
    tick_format = ".0%" if x_format.endswith("%") else None
    for x_axis in x_axes:
        layout[x_axis] = {
            **layout.get(x_axis, {}),
            **({"tickformat": tick_format} if tick_format is not None else {}),
            "rangemode": "tozero",
        }
    layout[x_axes[-1]]["title"] = {"text": x_title}
    layout["shapes"] = [*layout.get("shapes", []), *shapes]
    layout["annotations"] = [*layout.get("annotations", []), *notes]
    layout["separators"] = separators(lang)
    layout.update(base_layout_properties(title=title, height=plot_px + TOP_PX + BOTTOM_PX))
    layout["margin"] = {"l": 60, "r": 20, "t": TOP_PX, "b": BOTTOM_PX}
    return go.Figure(data=traces, layout=layout)


def _bar(top: float | None, bottom: float | None) -> float:
    return top - bottom if top is not None and bottom is not None else 0.0


def _threshold_lines(finding: Finding, metric: str, lang: str) -> Callable[[Any], list[tuple[float, str, str, str]]]:
    lines = [
        (
            x,
            f"{level}_line",
            FLAG_COLOURS.get(level, "#607d8b"),
            f"{flag_label(level, lang)} {i18n.format_number(x, 'ratio', lang)}",
        )
        for x, level in threshold_lines(finding, metric)
    ]
    return lambda _: lines


def outcome_rate_chart(finding: Finding, lang: str = "en") -> go.Figure | None:
    """bias.outcome_parity: per campaign and measure (true- and false-positive rate), each group's rate with its
    Wilson interval; the gap to the reference is the horizontal distance to the diamond."""
    measure = {m: chart_text("bias.outcome_parity", m, lang) for m in ("true_positive_rate", "false_positive_rate")}
    return facet_dots(
        finding,
        lang,
        value="rate",
        low="ci_low",
        high="ci_high",
        panel=lambda r: (
            text_or_dash(r.get("campaign_id")),
            measure.get(str(r.get("measure")), text_or_dash(r.get("measure"))),
        ),
        group=lambda r: (
            f"{value_word('attribute', r.get('attribute'), lang)}: "
            f"{value_word('group', r.get('group'), lang, r.get('attribute'))}"
        ),
        title=chart_text("bias.outcome_parity", "title", lang),
        x_title=chart_text("bias.outcome_parity", "y", lang),
        x_format=".1%",
        hover=("n", "selected", "ci_low", "ci_high", "difference", "p_adjusted", "flag"),
    )


def _by_campaign_and_attribute(row: Row) -> tuple[str, str]:
    return text_or_dash(row.get("campaign_id")), text_or_dash(row.get("attribute"))


def ks_chart(finding: Finding, lang: str = "en") -> go.Figure | None:
    """bias.score_distribution: each group's KS distance to the reference group (0 for the reference itself),
    with the warn and fail lines."""
    return facet_dots(
        finding,
        lang,
        value="ks_distance",
        reference_value=0.0,
        panel=_by_campaign_and_attribute,
        lines=_threshold_lines(finding, "ks_distance", lang),
        title=chart_text("bias.score_distribution", "title", lang),
        x_title=chart_text("bias.score_distribution", "y", lang),
        x_format=".2f",
        hover=("n", "mean_score", "mean_difference", "p_adjusted", "flag"),
    )


def offer_ratio_chart(finding: Finding, lang: str = "en") -> go.Figure | None:
    """bias.offer_parity: each group's mean offer divided by the reference group's (1 for the reference)."""
    return facet_dots(
        finding,
        lang,
        value="offer_ratio",
        reference_value=1.0,
        panel=_by_campaign_and_attribute,
        lines=_threshold_lines(finding, "offer_ratio", lang),
        title=chart_text("bias.offer_parity", "title", lang),
        x_title=chart_text("bias.offer_parity", "y", lang),
        x_format=".2f",
        hover=("n", "mean_offer", "sd_offer", "difference", "p_adjusted", "flag"),
    )


def delivery_ratio_chart(finding: Finding, lang: str = "en") -> go.Figure | None:
    """bias.delivery_skew: each group's share of the reached divided by its share of the selected; 1 is
    delivery in proportion, the dashed lines are the warn lines."""
    return facet_dots(
        finding,
        lang,
        value="delivery_ratio",
        panel=_by_campaign_and_attribute,
        lines=_threshold_lines(finding, "delivery_ratio", lang),
        title=chart_text("bias.delivery_skew", "title", lang),
        x_title=chart_text("bias.delivery_skew", "y", lang),
        x_format=".2f",
        hover=("eligible", "reached", "share_eligible", "share_reached", "p_adjusted", "flag"),
    )


def proxy_heatmap(finding: Finding, lang: str = "en") -> go.Figure | None:
    """bias.proxies: the bias-corrected Cramér's V of every feature (rows) with every sensitive attribute
    (columns), 0 white to 1 dark red, the value written in each cell; pairs not judged are left empty."""
    cells = {
        (text_or_dash(r.get("feature")), text_or_dash(r.get("attribute"))): plotted_number(r.get("cramers_v"))
        for r in finding.evidence
    }
    if not any(v is not None for v in cells.values()):
        return None
    features = list(dict.fromkeys(f for f, _ in cells))
    attributes = list(dict.fromkeys(a for _, a in cells))
    z = [[cells.get((f, a)) for a in attributes] for f in features]
    figure = go.Figure(
        go.Heatmap(
            z=z,
            x=[value_word("attribute", a, lang) for a in attributes],
            y=[value_word("feature", f, lang) for f in features],
            zmin=0.0,
            zmax=1.0,
            colorscale=[[0.0, "#ffffff"], [0.3, "#fdd49e"], [0.5, "#ef6548"], [1.0, "#7f0000"]],
            text=[[i18n.format_number(v, "ratio", lang) if v is not None else "" for v in line] for line in z],
            texttemplate="%{text}",
            colorbar={"title": "V"},
            hovertemplate="%{y} × %{x}: V = %{z:.2f}<extra></extra>",
        )
    )
    figure.update_yaxes(autorange="reversed", type="category")
    figure.update_xaxes(type="category")
    return base_layout(figure, title=chart_text("bias.proxies", "title", lang), height=160 + 60 * len(features))


BIAS_CHARTS: dict[str, ChartFunction] = {
    "bias.selection_parity": selection_rate_chart,
    "bias.intersectional": selection_rate_chart,  # the same evidence shape, combined groups
    "bias.outcome_parity": outcome_rate_chart,
    "bias.score_distribution": ks_chart,
    "bias.offer_parity": offer_ratio_chart,
    "bias.proxies": proxy_heatmap,
    "bias.delivery_skew": delivery_ratio_chart,
}
