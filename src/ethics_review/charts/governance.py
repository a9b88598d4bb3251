"""Charts of the governance area: the hand-off to a person per channel (share reached, with its Wilson interval,
and the time people waited), the checks that got worse since the previous review, and the trend of statuses per
area over the review's history."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .. import i18n
from ..findings import STATUSES, Finding
from .common import (
    FLAG_COLOURS,
    ChartFunction,
    base_layout,
    chart_text,
    column_label,
    hover_value,
    legend_below,
    plotted_number,
    value_word,
)

HUMAN_CONTACT = "governance.human_contact"
CONTINUOUS = "governance.continuous_evaluation"
TIME_BANDS = ("within_1h", "within_4h", "within_24h", "within_72h", "over_72h", "never_reached")
BAND_COLOURS = ("#1b5e20", "#43a047", "#9ccc65", "#ffb300", "#ef6c00", "#c62828")
STATUS_COLOURS = {
    "pass": FLAG_COLOURS["pass"],
    "warn": FLAG_COLOURS["warn"],
    "fail": FLAG_COLOURS["fail"],
    "not_applicable": "#bdbdbd",
    "error": "#6a1b9a",
}
THRESHOLD_LINE_NAME = "human_contact_threshold"


def human_contact_chart(finding: Finding, lang: str = "en") -> go.Figure | None:
    """Left: share of requests for a person that reached one, per channel, with its 95% Wilson interval, coloured
    by the kit's thresholds. Right: requests per channel by time to a person (never, in red). Suppressed cells
    ("<10") are not drawn."""
    rows = [r for r in finding.evidence if plotted_number(r.get("requests"))]
    if not rows:
        return None

    def text(part: str) -> str:
        return chart_text(HUMAN_CONTACT, part, lang)

    figure = make_subplots(
        rows=1, cols=2, subplot_titles=(text("reached_title"), text("wait_title")), horizontal_spacing=0.12
    )
    channels = [value_word("channel", r.get("channel"), lang) for r in rows]
    shares = [plotted_number(r.get("reached_share")) for r in rows]
    fail = next((t.value for t in finding.thresholds if t.level == "fail"), None)
    warn = next((t.value for t in finding.thresholds if t.level == "warn"), None)
    colours = [
        FLAG_COLOURS["insufficient data"]
        if s is None
        else FLAG_COLOURS["fail"]
        if fail is not None and s < fail
        else FLAG_COLOURS["pass"]
        for s in shares
    ]
    hover = ("requests", "reached", "reached_share", "ci_low", "ci_high", "in_time_share", "target_hours")
    figure.add_trace(
        go.Bar(
            x=channels,
            y=shares,
            marker_color=colours,
            meta="reached_share",
            showlegend=False,
            error_y={
                "type": "data",
                "symmetric": False,
                "array": [
                    None if s is None or plotted_number(r.get("ci_high")) is None else r["ci_high"] - s
                    for r, s in zip(rows, shares, strict=True)
                ],
                "arrayminus": [
                    None if s is None or plotted_number(r.get("ci_low")) is None else s - r["ci_low"]
                    for r, s in zip(rows, shares, strict=True)
                ],
            },
            customdata=[[hover_value(r, c, lang) for c in hover] for r in rows],
            hovertemplate="<b>%{x}</b>"
            + "".join(f"<br>{_column(c, lang)}: %{{customdata[{i}]}}" for i, c in enumerate(hover))
            + "<extra></extra>",
        ),
        row=1,
        col=1,
    )
    for value, level in ((fail, "fail"), (warn, "warn")):
        if value is not None:
            figure.add_hline(
                y=float(value),
                line_dash="dash",
                line_color=FLAG_COLOURS[level],
                row=1,
                col=1,
                name=f"{THRESHOLD_LINE_NAME}_{level}",
            )
    for band, colour in zip(TIME_BANDS, BAND_COLOURS, strict=True):
        figure.add_trace(
            go.Bar(
                x=channels,
                y=[plotted_number(r.get(band)) for r in rows],
                name=text(f"band.{band}"),
                meta=band,
                marker_color=colour,
                hovertemplate="<b>%{x}</b><br>" + text(f"band.{band}") + ": %{y}<extra></extra>",
            ),
            row=1,
            col=2,
        )
    figure.update_layout(barmode="stack")
    figure.update_yaxes(title_text=text("share_axis"), tickformat=".0%", range=[0, 1.05], row=1, col=1)
    figure.update_yaxes(title_text=text("requests_axis"), rangemode="tozero", row=1, col=2)
    figure.update_xaxes(title_text=text("channel_axis"))
    return legend_below(base_layout(figure, title=finding.title, height=500), space=110)


def _column(column: str, lang: str) -> str:
    return column_label(column, lang, HUMAN_CONTACT)


def worsened_chart(finding: Finding, lang: str = "en") -> go.Figure | None:
    """One horizontal bar per check that got worse: from its previous status to its status now (severity axis)."""
    rows = list(finding.evidence)
    if not rows:
        return None
    order = ["not_applicable", "pass", "warn", "fail", "error"]
    words = [i18n.ui(f"status.{s}", lang) for s in order]
    figure = go.Figure()
    for row in rows:
        before, after = order.index(row["before"]), order.index(row["after"])
        figure.add_trace(
            go.Scatter(
                x=[words[before], words[after]],
                y=[row["check_id"], row["check_id"]],
                mode="lines+markers",
                marker={"color": [STATUS_COLOURS[row["before"]], STATUS_COLOURS[row["after"]]], "size": 12},
                line={"color": "#9e9e9e"},
                showlegend=False,
                meta=row["check_id"],
                hovertemplate=f"<b>{row['check_id']}</b><br>%{{x}}<extra></extra>",
            )
        )
    figure.update_xaxes(categoryorder="array", categoryarray=words)
    return base_layout(figure, title=i18n.text(CONTINUOUS, "trend.worse_title", lang), height=160 + 40 * len(rows))


def trend_chart(trend: pd.DataFrame, lang: str = "en") -> go.Figure | None:
    """Per area, one stacked bar per review date: how many checks had each status (history.area_trend)."""
    if trend.empty:
        return None
    areas = list(dict.fromkeys(trend.area))
    titles = [_area_title(a, lang) for a in areas]
    figure = make_subplots(rows=1, cols=len(areas), subplot_titles=titles, shared_yaxes=True, horizontal_spacing=0.04)
    for column, area in enumerate(areas, start=1):
        part = trend[trend.area == area]
        for status in STATUSES:
            figure.add_trace(
                go.Bar(
                    x=[_day(d, lang) for d in part.as_of],
                    y=part[status].tolist(),
                    name=i18n.ui(f"status.{status}", lang),
                    marker_color=STATUS_COLOURS[status],
                    legendgroup=status,
                    showlegend=column == 1,
                    meta=f"{area}:{status}",
                    hovertemplate="%{x}: %{y}<extra></extra>",
                ),
                row=1,
                col=column,
            )
        figure.update_xaxes(type="category", row=1, col=column)
    figure.update_layout(barmode="stack")
    figure.update_yaxes(title_text=i18n.text(CONTINUOUS, "trend.axis_checks", lang), row=1, col=1)
    return legend_below(base_layout(figure, title=i18n.text(CONTINUOUS, "trend.title", lang), height=480), space=140)


def _day(value: str, lang: str) -> str:
    """A review date as the reader writes it; the current run keeps its own label."""
    try:
        return i18n.format_day(value, lang)
    except ValueError:
        return value


def _area_title(area: str, lang: str) -> str:
    try:
        return i18n.ui(f"area.{area}", lang)
    except KeyError:
        return area


GOVERNANCE_CHARTS: dict[str, ChartFunction] = {
    HUMAN_CONTACT: human_contact_chart,
    CONTINUOUS: worsened_chart,
}
