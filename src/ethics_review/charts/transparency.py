"""Charts of the transparency area: disclosure, marking and review rates by content type and channel, and the
readability of each notice. The register's completeness is shown as its evidence table (a cell per field), not
as a chart."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import plotly.graph_objects as go

from .. import i18n
from ..findings import Finding
from .common import (
    FLAG_COLOURS,
    ChartFunction,
    base_layout,
    hover_value,
    label,
    plotted_number,
    problem_bars,
    text_or_dash,
    value_word,
)

READABILITY_LINE_NAME = "min_score_line"  # the name of the readability threshold shape, for readers and tests


def _type_and_channel(row: Mapping[str, Any], lang: str) -> str:
    return (
        f"{value_word('content_type', row.get('content_type'), lang)} · "
        f"{value_word('channel', row.get('channel'), lang)}"
    )


def _missing_by_type_and_channel(
    finding: Finding, lang: str, *, missing: str, total: str, rate: str, chart: str
) -> go.Figure | None:
    """The AI-made items that miss the duty (`missing`), per content type and channel, with their share."""
    return problem_bars(
        finding,
        lang,
        category=lambda r: _type_and_channel(r, lang),
        problem=missing,
        total=total,
        chart=chart,
        hover_columns=(total, rate),
    )


def disclosure_chart(finding: Finding, lang: str = "en") -> go.Figure | None:
    """transparency.ai_disclosure: AI-made items published without a visible disclosure."""
    return _missing_by_type_and_channel(
        finding, lang, missing="undisclosed", total="ai_items", rate="disclosure_rate", chart="disclosure"
    )


def machine_marking_chart(finding: Finding, lang: str = "en") -> go.Figure | None:
    """transparency.machine_marking: AI-made media without a machine-readable marking."""
    return _missing_by_type_and_channel(
        finding, lang, missing="unmarked", total="media_items", rate="marking_rate", chart="marking"
    )


def human_review_chart(finding: Finding, lang: str = "en") -> go.Figure | None:
    """transparency.human_review: AI-made items no person reviewed before publication."""
    return _missing_by_type_and_channel(
        finding, lang, missing="unreviewed", total="ai_items", rate="review_rate", chart="review"
    )


def readability_chart(finding: Finding, lang: str = "en") -> go.Figure | None:
    """transparency.notice_readability: one bar per notice, its readability score (Flesch in English,
    Kandel-Moles in French), orange when the notice is flagged; the dashed line is the minimum score."""
    rows = [r for r in finding.evidence if plotted_number(r.get("score")) is not None]
    if not rows:
        return None
    flagged = [bool(r.get("hard_to_read")) or bool(r.get("long_sentences")) for r in rows]
    hover_columns = ("formula", "score", "mean_sentence_words", "sentences")
    hover_lines = "".join(
        f"<br>{label(f'columns.{c}', lang)}: %{{customdata[{i}]}}" for i, c in enumerate(hover_columns)
    )
    figure = go.Figure(
        go.Bar(
            x=[f"{text_or_dash(r.get('file'))} ({value_word('lang', r.get('lang'), lang)})" for r in rows],
            y=[plotted_number(r["score"]) for r in rows],
            marker_color=[FLAG_COLOURS["warn" if f else "pass"] for f in flagged],
            meta="score",
            customdata=[[hover_value(r, c, lang) for c in hover_columns] for r in rows],
            hovertemplate=f"<b>%{{x}}</b>{hover_lines}<extra></extra>",
            showlegend=False,
        )
    )
    minimum = next((t.value for t in finding.thresholds if t.metric == "lowest_score"), None)
    if minimum is not None:
        figure.add_hline(
            y=float(minimum), line_dash="dash", line_color=FLAG_COLOURS["warn"], name=READABILITY_LINE_NAME
        )
    figure.update_yaxes(title_text=label("columns.score", lang), rangemode="tozero")
    return base_layout(figure, title=i18n.text(finding.check_id, "chart_title", lang), height=420)


TRANSPARENCY_CHARTS: dict[str, ChartFunction] = {
    "transparency.ai_disclosure": disclosure_chart,
    "transparency.machine_marking": machine_marking_chart,
    "transparency.human_review": human_review_chart,
    "transparency.notice_readability": readability_chart,
}
