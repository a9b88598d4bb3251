"""Charts of the consent area. Series names and titles come from each check's `chart` words in
texts/consent.yaml; only real numbers are plotted (a "<10" cell stays in the evidence table), and a chart with
nothing left to plot is None."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import plotly.graph_objects as go

from ..findings import Finding
from .common import (
    ChartFunction,
    base_layout,
    chart_text,
    hover_value,
    plotted_number,
    problem_bars,
    text_or_dash,
    value_word,
)

Row = Mapping[str, Any]
Category = Callable[[Row], str | tuple[str, str]]
GREEN, RED, ORANGE, BLUE, GREY, DARK_RED = "#2e7d32", "#c62828", "#ef8f00", "#1f5fa8", "#9e9e9e", "#7f0000"


def coverage_chart(finding: Finding, lang: str = "en") -> go.Figure | None:
    """consent.coverage: per campaign and purpose (channel), the sends that went out without a legal basis, with
    their share of the row's sends; the volume of sends is in the text and the hover, never the bar."""
    return problem_bars(
        finding,
        lang,
        category=lambda r: _campaign_purpose(r, lang),
        problem="uncovered",
        total="sends",
        chart="coverage",
        hover_columns=("sends", "covered", "coverage"),
    )


def _campaign_purpose(row: Row, lang: str) -> str:
    return (
        f"{text_or_dash(row.get('campaign_id'))} · {value_word('purpose', row.get('purpose'), lang)} "
        f"({value_word('channel', row.get('channel'), lang)})"
    )


def _axis(rows: Sequence[Row], category: Category) -> list[Any]:
    labels = [category(row) for row in rows]  # already in the reader's words (value_word)
    pairs = [label for label in labels if isinstance(label, tuple)]
    if pairs:  # a two-level axis (a category gives pairs for every row): plotly takes one list per level
        return [[first for first, _ in pairs], [second for _, second in pairs]]
    return labels


def _bars(
    finding: Finding,
    lang: str,
    series: Sequence[tuple[str, str, Sequence[Row], str]],
    category: Category,
    *,
    stacked: bool,
) -> go.Figure | None:
    """One trace per series (word key, colour, rows, count column); rows whose count is not a real number are
    left out of the trace, so a suppressed cell is never drawn."""
    figure = go.Figure()
    for key, colour, rows, column in series:
        drawn = [row for row in rows if plotted_number(row.get(column)) is not None]
        if not drawn:
            continue
        name = chart_text(finding.check_id, key, lang)
        figure.add_trace(
            go.Bar(
                name=name,
                meta=key,
                marker_color=colour,
                x=_axis(drawn, category),
                y=[plotted_number(row[column]) for row in drawn],
                customdata=[[hover_value(row, column, lang)] for row in drawn],
                hovertemplate=f"<b>%{{x}}</b><br>{name}: %{{customdata[0]}}<extra></extra>",
            )
        )
    if not figure.data or not any(y for trace in figure.data for y in trace.y):
        return None  # nothing wrong is drawable (zero, or only "<10"): the summary and the table say it
    figure.update_layout(barmode="stack" if stacked else "group", showlegend=True)
    figure.update_yaxes(title_text=chart_text(finding.check_id, "y", lang), rangemode="tozero")
    return base_layout(figure, title=chart_text(finding.check_id, "title", lang), height=460)


def count_bars(
    finding: Finding, lang: str, *, category: Category, columns: Sequence[tuple[str, str]], stacked: bool = False
) -> go.Figure | None:
    """One bar per evidence row and count column (its colour), grouped or stacked."""
    rows = list(finding.evidence)
    return _bars(
        finding, lang, [(column, colour, rows, column) for column, colour in columns], category, stacked=stacked
    )


def split_bars(
    finding: Finding, lang: str, *, category: Category, split: str, count: str, colours: Mapping[str, str]
) -> go.Figure | None:
    """Stacked bars of `count`, one segment per value of the evidence column `split` (in the order of
    `colours`)."""
    series = [
        (value, colour, [r for r in finding.evidence if r.get(split) == value], count)
        for value, colour in colours.items()
    ]
    return _bars(finding, lang, series, category, stacked=True)


def after_withdrawal_chart(finding: Finding, lang: str = "en") -> go.Figure | None:
    """consent.after_withdrawal: sends after a no, by campaign and delay, split by withdrawal, refusal or
    objection."""
    return split_bars(
        finding,
        lang,
        category=lambda r: (text_or_dash(r.get("campaign_id")), value_word("lag", r.get("lag"), lang)),
        split="after",
        count="sends",
        colours={"withdrawn": RED, "refused": ORANGE, "objection": DARK_RED},
    )


def proof_chart(finding: Finding, lang: str = "en") -> go.Figure | None:
    """consent.proof: per purpose, the granted consents whose proof is incomplete, with their share."""
    return problem_bars(
        finding,
        lang,
        category=lambda r: value_word("purpose", r.get("purpose"), lang),
        problem="incomplete",
        total="granted",
        chart="proof",
        colour=ORANGE,
        hover_columns=("granted", "complete", "double_opt_in"),
    )


def freshness_chart(finding: Finding, lang: str = "en") -> go.Figure | None:
    """consent.freshness: per campaign and purpose, the sends that relied on a consent past its refresh age,
    with their share of the sends under consent."""
    return problem_bars(
        finding,
        lang,
        category=lambda r: f"{text_or_dash(r.get('campaign_id'))} · {value_word('purpose', r.get('purpose'), lang)}",
        problem="stale_sends",
        total="consent_sends",
        chart="freshness",
        colour=ORANGE,
        hover_columns=("consent_sends",),
    )


def minors_chart(finding: Finding, lang: str = "en") -> go.Figure | None:
    """consent.minors: per country, children who consented alone and ads or profiling sends to minors."""
    return count_bars(
        finding,
        lang,
        category=lambda r: f"{value_word('country', r.get('country'), lang)} ({text_or_dash(r.get('consent_age'))})",
        columns=(("minors_without_parental_consent", RED), ("sends_to_minors", ORANGE)),
    )


def erasure_chart(finding: Finding, lang: str = "en") -> go.Figure | None:
    """consent.erasure: per type of request, those overdue, answered late and still pending (how many requests
    there were in all is in the evidence table: a volume, not the problem)."""
    return count_bars(
        finding,
        lang,
        category=lambda r: value_word("type", r.get("type"), lang),
        columns=(("overdue", RED), ("completed_late", ORANGE), ("pending", GREY)),
    )


def retention_chart(finding: Finding, lang: str = "en") -> go.Figure | None:
    """consent.retention: inactive prospects still contacted, then all inactive prospects, by time since their
    last activity."""
    return count_bars(
        finding,
        lang,
        category=lambda r: value_word("inactive", r.get("inactive"), lang),
        columns=(("contacted", RED), ("dormant_prospects", ORANGE)),
    )


def special_categories_chart(finding: Finding, lang: str = "en") -> go.Figure | None:
    """consent.special_categories: rows whose values reveal a special category, per column (a column flagged by
    its name alone has no row count and stays in the table)."""
    return count_bars(
        finding,
        lang,
        category=lambda r: (
            f"{text_or_dash(r.get('table'))}.{text_or_dash(r.get('column'))}",
            value_word("category", r.get("category"), lang),
        ),
        columns=(("rows", ORANGE),),
    )


def minimisation_chart(finding: Finding, lang: str = "en") -> go.Figure | None:
    """consent.minimisation: rows holding personal data they do not need, per column and kind."""
    return count_bars(
        finding,
        lang,
        category=lambda r: (
            f"{text_or_dash(r.get('table'))}.{text_or_dash(r.get('column'))}",
            value_word("kind", r.get("kind"), lang),
        ),
        columns=(("rows", ORANGE),),
    )


def tcf_chart(finding: Finding, lang: str = "en") -> go.Figure | None:
    """consent.tcf: per campaign, the personalised-ads sends whose TC string does not grant what is needed, with
    their share of the campaign's ads sends (the reasons are in the evidence table). A campaign whose only
    problem count is suppressed ("<10") says so instead of drawing it."""
    campaigns: dict[str, dict[str, Any]] = {}
    for row in finding.evidence:
        entry = campaigns.setdefault(
            text_or_dash(row.get("campaign_id")),
            {"campaign_id": row.get("campaign_id"), "wrong": 0, "sends": 0, "hidden": False},
        )
        sends = plotted_number(row.get("sends"))
        if sends is not None:
            entry["sends"] += int(sends)
        if row.get("tcf") != "granted":
            if sends is None:
                entry["hidden"] = entry["hidden"] or row.get("sends") is not None
            else:
                entry["wrong"] += int(sends)
    hidden = _hidden_label(finding)
    rows = [{**e, "wrong": e["wrong"] if e["wrong"] or not e["hidden"] else hidden} for e in campaigns.values()]
    return problem_bars(
        replace(finding, evidence=tuple(rows)),
        lang,
        category=lambda r: text_or_dash(r.get("campaign_id")),
        problem="wrong",
        total="sends",
        chart="tcf",
        hover_columns=(),
    )


def _hidden_label(finding: Finding) -> str:
    """The suppressed-count label of this finding's evidence ("<10")."""
    return next((v for r in finding.evidence for v in r.values() if isinstance(v, str) and v.startswith("<")), "<10")


CONSENT_CHARTS: dict[str, ChartFunction] = {
    "consent.coverage": coverage_chart,
    "consent.after_withdrawal": after_withdrawal_chart,
    "consent.proof": proof_chart,
    "consent.freshness": freshness_chart,
    "consent.minors": minors_chart,
    "consent.erasure": erasure_chart,
    "consent.retention": retention_chart,
    "consent.special_categories": special_categories_chart,
    "consent.minimisation": minimisation_chart,
    "consent.tcf": tcf_chart,
}
