"""Charts of the consent area. Series names and titles come from each check's `chart` words in
texts/consent.yaml; only real numbers are plotted (a "<10" cell stays in the evidence table), and a chart with
nothing left to plot is None."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import plotly.graph_objects as go

from ..findings import Finding
from .common import (ChartFunction, base_layout, chart_text, hover_value, label, plotted_number, stacked_counts,
                     text_or_dash)

Row = Mapping[str, Any]
Category = Callable[[Row], str | tuple[str, str]]
GREEN, RED, ORANGE, BLUE, GREY, DARK_RED = "#2e7d32", "#c62828", "#ef8f00", "#1f5fa8", "#9e9e9e", "#7f0000"


def coverage_chart(finding: Finding, lang: str = "en") -> go.Figure | None:
    """consent.coverage: one bar per campaign and purpose (channel): sends with a basis in green, sends without
    one in red."""
    return stacked_counts(
        finding, lang,
        categories=lambda row: (text_or_dash(row.get("campaign_id")),
                                f"{text_or_dash(row.get('purpose'))} ({text_or_dash(row.get('channel'))})"),
        parts=(("covered", GREEN), ("uncovered", RED)),
        total_column="sends",
        hover_columns=("sends", "covered", "uncovered", "coverage"),
        title=label("chart.coverage_title", lang),
        y_title=label("columns.sends", lang),
    )


def _axis(rows: Sequence[Row], category: Category) -> list[Any]:
    labels = [category(row) for row in rows]
    if labels and isinstance(labels[0], tuple):  # a two-level axis: plotly takes one list per level
        return [[first for first, _ in labels], [second for _, second in labels]]
    return labels


def _bars(finding: Finding, lang: str, series: Sequence[tuple[str, str, Sequence[Row], str]], category: Category,
          *, stacked: bool) -> go.Figure | None:
    """One trace per series (word key, colour, rows, count column); rows whose count is not a real number are
    left out of the trace, so a suppressed cell is never drawn."""
    figure = go.Figure()
    for key, colour, rows, column in series:
        drawn = [row for row in rows if plotted_number(row.get(column)) is not None]
        if not drawn:
            continue
        name = chart_text(finding.check_id, key, lang)
        figure.add_trace(go.Bar(
            name=name, meta=key, marker_color=colour, x=_axis(drawn, category),
            y=[plotted_number(row[column]) for row in drawn],
            customdata=[[hover_value(row, column, lang)] for row in drawn],
            hovertemplate=f"<b>%{{x}}</b><br>{name}: %{{customdata[0]}}<extra></extra>"))
    if not figure.data:
        return None
    figure.update_layout(barmode="stack" if stacked else "group", showlegend=True)
    figure.update_yaxes(title_text=chart_text(finding.check_id, "y", lang), rangemode="tozero")
    return base_layout(figure, title=chart_text(finding.check_id, "title", lang), height=460)


def count_bars(finding: Finding, lang: str, *, category: Category, columns: Sequence[tuple[str, str]],
               stacked: bool = False) -> go.Figure | None:
    """One bar per evidence row and count column (its colour), grouped or stacked."""
    rows = list(finding.evidence)
    return _bars(finding, lang, [(column, colour, rows, column) for column, colour in columns], category,
                 stacked=stacked)


def split_bars(finding: Finding, lang: str, *, category: Category, split: str, count: str,
               colours: Mapping[str, str]) -> go.Figure | None:
    """Stacked bars of `count`, one segment per value of the evidence column `split` (in the order of
    `colours`)."""
    series = [(value, colour, [r for r in finding.evidence if r.get(split) == value], count)
              for value, colour in colours.items()]
    return _bars(finding, lang, series, category, stacked=True)


def after_withdrawal_chart(finding: Finding, lang: str = "en") -> go.Figure | None:
    """consent.after_withdrawal: sends after a no, by campaign and delay, split by withdrawal, refusal or
    objection."""
    return split_bars(finding, lang,
                      category=lambda r: (text_or_dash(r.get("campaign_id")), text_or_dash(r.get("lag"))),
                      split="after", count="sends",
                      colours={"withdrawn": RED, "refused": ORANGE, "objection": DARK_RED})


def proof_chart(finding: Finding, lang: str = "en") -> go.Figure | None:
    """consent.proof: granted consents per purpose, with full proof in green and incomplete in orange."""
    return count_bars(finding, lang, category=lambda r: text_or_dash(r.get("purpose")),
                      columns=(("complete", GREEN), ("incomplete", ORANGE)), stacked=True)


def freshness_chart(finding: Finding, lang: str = "en") -> go.Figure | None:
    """consent.freshness: per campaign and purpose, sends on consent and those on a consent past its age."""
    return count_bars(finding, lang,
                      category=lambda r: (text_or_dash(r.get("campaign_id")), text_or_dash(r.get("purpose"))),
                      columns=(("consent_sends", BLUE), ("stale_sends", ORANGE)))


def minors_chart(finding: Finding, lang: str = "en") -> go.Figure | None:
    """consent.minors: per country, children who consented alone and ads or profiling sends to minors."""
    return count_bars(finding, lang, category=lambda r: f"{text_or_dash(r.get('country'))} "
                                                        f"({text_or_dash(r.get('consent_age'))})",
                      columns=(("minors_without_parental_consent", RED), ("sends_to_minors", ORANGE)))


def erasure_chart(finding: Finding, lang: str = "en") -> go.Figure | None:
    """consent.erasure: per type of request, how many, pending, pending past a month, answered late."""
    return count_bars(finding, lang, category=lambda r: text_or_dash(r.get("type")),
                      columns=(("requests", BLUE), ("pending", GREY), ("overdue", RED), ("completed_late", ORANGE)))


def retention_chart(finding: Finding, lang: str = "en") -> go.Figure | None:
    """consent.retention: inactive prospects by time since their last activity, and those still contacted."""
    return count_bars(finding, lang, category=lambda r: text_or_dash(r.get("inactive")),
                      columns=(("dormant_prospects", ORANGE), ("contacted", RED)))


def special_categories_chart(finding: Finding, lang: str = "en") -> go.Figure | None:
    """consent.special_categories: rows whose values reveal a special category, per column (a column flagged by
    its name alone has no row count and stays in the table)."""
    return count_bars(finding, lang,
                      category=lambda r: (f"{text_or_dash(r.get('table'))}.{text_or_dash(r.get('column'))}",
                                          text_or_dash(r.get("category"))),
                      columns=(("rows", ORANGE),))


def minimisation_chart(finding: Finding, lang: str = "en") -> go.Figure | None:
    """consent.minimisation: rows holding personal data they do not need, per column and kind."""
    return count_bars(finding, lang,
                      category=lambda r: (f"{text_or_dash(r.get('table'))}.{text_or_dash(r.get('column'))}",
                                          text_or_dash(r.get("kind"))),
                      columns=(("rows", ORANGE),))


def tcf_chart(finding: Finding, lang: str = "en") -> go.Figure | None:
    """consent.tcf: personalised-ads sends per campaign, by what their TC string says."""
    return split_bars(finding, lang, category=lambda r: text_or_dash(r.get("campaign_id")), split="tcf",
                      count="sends", colours={"granted": GREEN, "purposes or vendor not granted": RED,
                                              "does not decode": DARK_RED, "no TC string": GREY})


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
