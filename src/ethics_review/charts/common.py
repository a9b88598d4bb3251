"""What every area's charts share: labels in the reader's language, numbers that may be plotted, the layout and
the stacked-count bar. Evidence rows are already k-anonymity suppressed: a suppressed count is a string such as
"<10" and its rates are None. Only real numbers are ever plotted, so a suppressed cell can never appear as a bar."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any

import plotly.graph_objects as go

from .. import i18n
from ..findings import Finding

ChartFunction = Callable[[Finding, str], "go.Figure | None"]

FOUR_FIFTHS = 0.8  # EEOC four-fifths rule: the default fail line of an impact ratio
IMPACT_LINE_NAME = "impact_ratio_line"  # the name of the reference-line shapes, for readers and tests

HIDDEN_SEGMENT = "split_hidden"  # a bar whose split is suppressed: its total only, in grey

FLAG_COLOURS = {
    "pass": "#2e7d32",
    "warn": "#ef8f00",
    "fail": "#c62828",
    "reference": "#1f5fa8",
    "insufficient data": "#9e9e9e",
}


def label(part: str, lang: str, /, **values: Any) -> str:
    """A word of the report in the reader's language; English, then the key itself, when a text is missing."""
    for candidate in (lang, "en"):
        try:
            return i18n.text("report", part, candidate, **values)
        except KeyError:
            continue
    return part.rsplit(".", 1)[-1].replace("_", " ")


def chart_text(check_id: str, part: str, lang: str, /, **values: Any) -> str:
    """A chart word of a check (texts/<area>.yaml: <check id>.chart.<part>)."""
    return i18n.text(check_id, f"chart.{part}", lang, **values)


def catalogue_text(check_id: str, part: str, lang: str) -> str | None:
    """A check's own text (`why`, `how_to_read`) in `lang`, else in English, else None: a check whose
    explanation is not written yet still renders."""
    for candidate in (lang, "en"):
        try:
            return i18n.text(check_id, part, candidate)
        except (KeyError, TypeError, IndexError, ValueError):  # missing, or not a plain text
            continue
    return None


def column_label(column: str, lang: str, check_id: str | None = None) -> str:
    """A column or metric name as a heading: the check's own `metrics.<name>` text, else the report's
    `columns.<name>`, else the name itself ("covered_sends" reads "Covered sends")."""
    text = catalogue_text(check_id, f"metrics.{column}", lang) if check_id else None
    text = text or label(f"columns.{column}", lang)
    return text[:1].upper() + text[1:]


def plotted_number(value: Any) -> float | None:
    """The value as a float when it is a real number, else None: suppressed cells ("<10"), None and NaN are
    never plotted."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    number = float(value)
    return None if math.isnan(number) or math.isinf(number) else number


def text_or_dash(value: Any) -> str:
    return "—" if value is None or value == "" else str(value)


def value_kind(column: str) -> str:
    """How a metric or evidence column reads: `pct` (shares and rates), `ratio`, `p` (p-values) or `num`.
    Shared by the charts' hover texts and the evidence tables of display.py."""
    name = column.lower()
    if name.startswith("p_") or name in {"p", "pvalue"}:
        return "p"
    if "ratio" in name:
        return "ratio"
    if (
        name.endswith(("rate", "share"))
        or name.startswith("share")
        or "coverage" in name
        or name in {"ci_low", "ci_high", "difference"}
    ):
        return "pct"
    return "num"


_SCALARS = (type(None), bool, int, float, str)


def format_value(value: Any, column: str, lang: str, attribute: Any = None) -> str:
    """One cell as a person reads it, in their language. A suppressed count keeps its label ("<10"). A group
    cell needs its row's `attribute`: "F" reads "femmes" only as a group of the canonical `gender`."""
    if isinstance(value, _SCALARS) and isinstance(attribute, _SCALARS):
        return _format_scalar(value, column, lang, attribute)
    return _format_value(value, column, lang, attribute)


# Pure, and asked again for the same cells by a finding's chart hovers and its evidence table (Babel's formatting
# is most of its cost); typed, so that 1, 1.0 and True stay three cells.
@lru_cache(maxsize=8192, typed=True)
def _format_scalar(value: Any, column: str, lang: str, attribute: Any) -> str:
    return _format_value(value, column, lang, attribute)


def _format_value(value: Any, column: str, lang: str, attribute: Any = None) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return i18n.value(column, value, lang) or str(value).lower()
    if isinstance(value, int):
        return i18n.format_number(value, "int", lang)
    if isinstance(value, float):
        if math.isnan(value):
            return "—"
        kind = value_kind(column)
        if kind == "p":
            return i18n.format_number(value, "p", lang)
        if kind == "num" and value.is_integer():
            return i18n.format_number(value, "int", lang)
        return i18n.format_number(value, kind, lang)
    if isinstance(value, (list, tuple)):
        return ", ".join(format_value(v, column, lang, attribute) for v in value)
    return value_word(column, value, lang, attribute)


def value_word(column: str, value: Any, lang: str, attribute: Any = None) -> str:
    """A canonical evidence value (a bucket, a purpose, a channel) in the reader's words; as given when the
    catalogue has none (names such as campaign ids and regions are data, not words). A group is worded by
    its `attribute` (i18n.group_value): the user's own attribute's groups are data too."""
    return i18n.value(column, value, lang, attribute) or text_or_dash(value)


def hover_value(row: Mapping[str, Any], column: str, lang: str) -> str:
    value = row.get(column)
    if column == "flag" and value is not None:
        return flag_label(str(value), lang)
    return format_value(value, column, lang, row.get("attribute"))


def flag_label(flag: str, lang: str) -> str:
    return label(f"flags.{flag.replace(' ', '_')}", lang)


def base_layout(figure: go.Figure, *, title: str, height: int) -> go.Figure:
    figure.update_layout(**base_layout_properties(title=title, height=height))
    return figure


def base_layout_properties(*, title: str, height: int) -> dict[str, Any]:
    """The layout every chart shares, for a figure built from dicts in one go (charts.bias.facet_dots)."""
    return {
        "template": "plotly_white",
        "title": {"text": title, "x": 0, "xanchor": "left"},
        "height": height,
        "margin": {"l": 60, "r": 20, "t": 70, "b": 60},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "right", "x": 1},
        "hoverlabel": {"align": "left"},
    }


def legend_below(figure: go.Figure, *, space: int) -> go.Figure:
    """The legend under the plots, `space` pixels below them: beside a grid's subplot titles, the shared legend
    above the plots covered them."""
    figure.update_layout(
        legend={"orientation": "h", "yanchor": "bottom", "y": 0, "yref": "container", "xanchor": "left", "x": 0},
        margin={"b": space},
    )
    return figure


def stacked_counts(
    finding: Finding,
    lang: str,
    *,
    categories: Callable[[Mapping[str, Any]], tuple[str, str]],
    parts: Sequence[tuple[str, str]],
    total_column: str,
    hover_columns: Sequence[str],
    title: str,
    y_title: str,
) -> go.Figure | None:
    """One stacked bar per evidence row on a two-level axis (`categories` names a row's two levels), one
    segment per count column of `parts` (column, colour). A segment is drawn only when its count is a real
    number. When a row's split is suppressed but its total is not, the total is drawn as one neutral segment,
    so the bar's size stays visible without revealing the small count."""
    rows = [
        r
        for r in finding.evidence
        if any(plotted_number(r.get(column)) is not None for column, _ in parts)
        or plotted_number(r.get(total_column)) is not None
    ]
    if not rows:
        return None
    figure = go.Figure()
    hover_lines = "".join(
        f"<br>{column_label(c, lang, finding.check_id)}: %{{customdata[{i}]}}" for i, c in enumerate(hover_columns)
    )
    hidden_split = [r for r in rows if all(plotted_number(r.get(column)) is None for column, _ in parts)]
    segments = [
        (column, colour, [r for r in rows if plotted_number(r.get(column)) is not None]) for column, colour in parts
    ]
    segments.append((HIDDEN_SEGMENT, "#bdbdbd", hidden_split))
    for column, colour, segment_rows in segments:
        if not segment_rows:
            continue
        value_column = total_column if column == HIDDEN_SEGMENT else column
        figure.add_trace(
            go.Bar(
                name=(
                    label(f"chart.{column}", lang)
                    if column == HIDDEN_SEGMENT
                    else column_label(column, lang, finding.check_id)
                ),
                x=[[categories(r)[0] for r in segment_rows], [categories(r)[1] for r in segment_rows]],
                y=[plotted_number(r[value_column]) for r in segment_rows],
                marker_color=colour,
                meta=column,
                customdata=[[hover_value(r, c, lang) for c in hover_columns] for r in segment_rows],
                hovertemplate=f"<b>%{{x}}</b>{hover_lines}<extra></extra>",
            )
        )
    figure.update_layout(barmode="stack", showlegend=True)
    figure.update_yaxes(title_text=y_title, rangemode="tozero")
    return base_layout(figure, title=title, height=480)


def problem_bars(
    finding: Finding,
    lang: str,
    *,
    category: Callable[[Mapping[str, Any]], str],
    problem: str,
    total: str,
    chart: str,
    colour: str = "#c62828",
    hover_columns: Sequence[str] = (),
) -> go.Figure | None:
    """The problem first: one horizontal bar per evidence row (campaign and purpose, content type and channel)
    whose length is the count of what is wrong (`problem`), written with its share of the row's volume
    (`total`) as "210 of 9,400 (2.2%)". The largest problem is on top; rows with nothing wrong stay, at zero,
    so the reader sees they were looked at. A suppressed count ("<10") is never drawn: its row says so."""
    rows = [
        r
        for r in finding.evidence
        if plotted_number(r.get(total)) is not None or plotted_number(r.get(problem)) is not None
    ]
    if not rows or all(plotted_number(r.get(problem)) is None for r in rows):
        return None
    rows.sort(key=lambda r: -(plotted_number(r.get(problem)) or 0.0))
    names = [category(r) for r in rows]
    counts = [plotted_number(r.get(problem)) or 0.0 for r in rows]
    texts = [_of_total(r.get(problem), r.get(total), lang) for r in rows]
    hover_lines = "".join(
        f"<br>{column_label(c, lang, finding.check_id)}: %{{customdata[{i}]}}" for i, c in enumerate(hover_columns)
    )
    figure = go.Figure(
        go.Bar(
            orientation="h",
            y=names,
            x=counts,
            text=texts,
            textposition="outside",
            cliponaxis=False,
            marker_color=colour,
            meta=problem,
            name=column_label(problem, lang, finding.check_id),
            customdata=[[hover_value(r, c, lang) for c in hover_columns] for r in rows],
            hovertemplate=f"<b>%{{y}}</b>: %{{text}}{hover_lines}<extra></extra>",
            showlegend=False,
        )
    )
    top = max(counts) or 1.0
    figure.update_xaxes(
        title_text=label(f"chart.{chart}.x", lang),
        rangemode="tozero",
        range=[0, top * 1.45],
        tickformat=",d" if top >= 5 else None,
        dtick=1 if top < 5 else None,
        separatethousands=True,
    )
    figure.update_yaxes(type="category", autorange="reversed", automargin=True)
    figure.update_layout(separators=separators(lang), bargap=0.35)
    return base_layout(figure, title=label(f"chart.{chart}.title", lang), height=150 + 30 * len(rows))


def _of_total(part: Any, total: Any, lang: str) -> str:
    whole = plotted_number(total)
    count = plotted_number(part)
    if count is None:
        return label("chart.hidden_count", lang, count=text_or_dash(part))
    if not whole:
        return format_value(part, "n", lang)
    return label(
        "chart.of_total",
        lang,
        part=format_value(part, "n", lang),
        total=format_value(total, "n", lang),
        share=count / whole,
    )


def separators(lang: str) -> str:
    """plotly's decimal and thousands separators for the reader's language (tick labels)."""
    sample = i18n.format_number(1000.5, "ratio", lang)  # "1,000.50" or "1 000,50"
    return sample[-3] + (sample[1] if not sample[1].isdigit() else ",")
