"""Charts of the transparency area: disclosure, marking and review rates by content type and channel, and the
readability of each notice. The register's completeness is shown as its evidence table (a cell per field), not
as a chart."""

from __future__ import annotations

import plotly.graph_objects as go

from .. import i18n
from ..findings import Finding
from .common import (FLAG_COLOURS, ChartFunction, base_layout, hover_value, label, plotted_number, stacked_counts,
                     text_or_dash)

READABILITY_LINE_NAME = "min_score_line"  # the name of the readability threshold shape, for readers and tests


def _by_type_and_channel(row: dict) -> tuple[str, str]:
    return text_or_dash(row.get("content_type")), text_or_dash(row.get("channel"))


def _type_and_channel_bars(finding: Finding, lang: str, *, done: tuple[str, str], missing: str, total: str,
                           rate: str, title: str) -> go.Figure | None:
    """One stacked bar per content type and channel: items that meet the duty (`done`: column, colour) and the
    items that do not (`missing`, grey)."""
    return stacked_counts(
        finding, lang,
        categories=_by_type_and_channel,
        parts=(done, (missing, "#9e9e9e")),
        total_column=total,
        hover_columns=(total, done[0], missing, rate),
        title=title,
        y_title=label(f"columns.{total}", lang),
    )


def disclosure_chart(finding: Finding, lang: str = "en") -> go.Figure | None:
    """transparency.ai_disclosure: disclosed AI-made items in blue, items published without a visible label in
    grey."""
    return _type_and_channel_bars(finding, lang, done=("disclosed", "#1f5fa8"), missing="undisclosed",
                                  total="ai_items", rate="disclosure_rate", title=label("chart.disclosure_title", lang))


def machine_marking_chart(finding: Finding, lang: str = "en") -> go.Figure | None:
    """transparency.machine_marking: AI-made media with a machine-readable marking in blue, without one in grey."""
    return _type_and_channel_bars(finding, lang, done=("marked", "#1f5fa8"), missing="unmarked", total="media_items",
                                  rate="marking_rate", title=i18n.text(finding.check_id, "chart_title", lang))


def human_review_chart(finding: Finding, lang: str = "en") -> go.Figure | None:
    """transparency.human_review: AI-made items a person reviewed before publication in green, the others in
    grey."""
    return _type_and_channel_bars(finding, lang, done=("reviewed", "#2e7d32"), missing="unreviewed",
                                  total="ai_items", rate="review_rate",
                                  title=i18n.text(finding.check_id, "chart_title", lang))


def readability_chart(finding: Finding, lang: str = "en") -> go.Figure | None:
    """transparency.notice_readability: one bar per notice, its readability score (Flesch in English,
    Kandel-Moles in French), orange when the notice is flagged; the dashed line is the minimum score."""
    rows = [r for r in finding.evidence if plotted_number(r.get("score")) is not None]
    if not rows:
        return None
    flagged = [bool(r.get("hard_to_read")) or bool(r.get("long_sentences")) for r in rows]
    hover_columns = ("formula", "score", "mean_sentence_words", "sentences")
    hover_lines = "".join(f"<br>{label(f'columns.{c}', lang)}: %{{customdata[{i}]}}"
                          for i, c in enumerate(hover_columns))
    figure = go.Figure(go.Bar(
        x=[f"{text_or_dash(r.get('file'))} ({text_or_dash(r.get('lang'))})" for r in rows],
        y=[plotted_number(r["score"]) for r in rows],
        marker_color=[FLAG_COLOURS["warn" if f else "pass"] for f in flagged],
        meta="score",
        customdata=[[hover_value(r, c, lang) for c in hover_columns] for r in rows],
        hovertemplate=f"<b>%{{x}}</b>{hover_lines}<extra></extra>",
        showlegend=False,
    ))
    minimum = next((t.value for t in finding.thresholds if t.metric == "lowest_score"), None)
    if minimum is not None:
        figure.add_hline(y=float(minimum), line_dash="dash", line_color=FLAG_COLOURS["warn"],
                         name=READABILITY_LINE_NAME)
    figure.update_yaxes(title_text=label("columns.score", lang), rangemode="tozero")
    return base_layout(figure, title=i18n.text(finding.check_id, "chart_title", lang), height=420)


TRANSPARENCY_CHARTS: dict[str, ChartFunction] = {
    "transparency.ai_disclosure": disclosure_chart,
    "transparency.machine_marking": machine_marking_chart,
    "transparency.human_review": human_review_chart,
    "transparency.notice_readability": readability_chart,
}
