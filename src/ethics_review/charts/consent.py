"""Charts of the consent area."""

from __future__ import annotations

import plotly.graph_objects as go

from ..findings import Finding
from .common import ChartFunction, label, stacked_counts, text_or_dash

def coverage_chart(finding: Finding, lang: str = "en") -> go.Figure | None:
    """consent.coverage: one bar per campaign and purpose (channel): sends with a basis in green, sends without
    one in red."""
    return stacked_counts(
        finding, lang,
        categories=lambda row: (text_or_dash(row.get("campaign_id")),
                                f"{text_or_dash(row.get('purpose'))} ({text_or_dash(row.get('channel'))})"),
        parts=(("covered", "#2e7d32"), ("uncovered", "#c62828")),
        total_column="sends",
        hover_columns=("sends", "covered", "uncovered", "coverage"),
        title=label("chart.coverage_title", lang),
        y_title=label("columns.sends", lang),
    )


CONSENT_CHARTS: dict[str, ChartFunction] = {
    "consent.coverage": coverage_chart,
}
