"""Charts of the transparency area."""

from __future__ import annotations

import plotly.graph_objects as go

from ..findings import Finding
from .common import ChartFunction, label, stacked_counts, text_or_dash

def disclosure_chart(finding: Finding, lang: str = "en") -> go.Figure | None:
    """transparency.ai_disclosure: one bar per content type and channel: disclosed AI-made items in blue,
    items published without a visible label in grey."""
    return stacked_counts(
        finding, lang,
        categories=lambda row: (text_or_dash(row.get("content_type")), text_or_dash(row.get("channel"))),
        parts=(("disclosed", "#1f5fa8"), ("undisclosed", "#9e9e9e")),
        total_column="ai_items",
        hover_columns=("ai_items", "disclosed", "undisclosed", "disclosure_rate"),
        title=label("chart.disclosure_title", lang),
        y_title=label("columns.ai_items", lang),
    )


TRANSPARENCY_CHARTS: dict[str, ChartFunction] = {
    "transparency.ai_disclosure": disclosure_chart,
}
