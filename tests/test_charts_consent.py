"""Charts of the consent area from hand-made findings and from the demo review: the right bars in the reader's
language, suppressed cells never plotted, None when nothing is left to plot."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest

from ethics_review.charts import CHARTS, chart_for
from ethics_review.charts.consent import CONSENT_CHARTS
from ethics_review.checks import CHECKS
from ethics_review.review import open_review
from ethics_review.runner import run_checks
from tests.conftest import a_finding as shared_finding
from tests.conftest import problem_bars


def a_finding(check_id, evidence, status="fail", **options):
    return shared_finding(check_id, evidence, status=status, **options)


def bars(figure: go.Figure, series: str) -> list[tuple[object, float]]:
    """The bars of one series (its word key) as (x label, height); a two-level label as a tuple."""
    trace = next((t for t in figure.data if t.meta == series), None)
    if trace is None:
        return []
    x = list(zip(*trace.x, strict=True)) if isinstance(trace.x[0], (list, tuple)) else list(trace.x)
    return list(zip(x, trace.y, strict=True))


def test_every_consent_check_has_a_chart():
    assert set(CONSENT_CHARTS) == {c for c in CHECKS if c.startswith("consent.")}
    assert all(CHARTS[c] is f for c, f in CONSENT_CHARTS.items())


def test_after_withdrawal_splits_by_kind_and_hides_small_cells():
    figure = CONSENT_CHARTS["consent.after_withdrawal"](
        a_finding(
            "consent.after_withdrawal",
            [
                {"campaign_id": "A", "purpose": "email_marketing", "after": "withdrawn", "lag": "< 1 day", "sends": 40},
                {
                    "campaign_id": "A",
                    "purpose": "email_marketing",
                    "after": "objection",
                    "lag": "> 90 days",
                    "sends": 12,
                },
                {"campaign_id": "B", "purpose": "sms_marketing", "after": "refused", "lag": "1-7 days", "sends": "<10"},
            ],
        ),
        "en",
    )
    assert bars(figure, "withdrawn") == [(("A", "under 1 day"), 40.0)]
    assert bars(figure, "objection") == [(("A", "over 90 days"), 12.0)]
    assert bars(figure, "refused") == []  # "<10" is never a bar
    assert figure.layout.barmode == "stack" and figure.layout.title.text == "Sends after a no, by campaign and delay"


def test_proof_shows_the_incomplete_proofs_per_purpose_in_french():
    figure = CONSENT_CHARTS["consent.proof"](
        a_finding(
            "consent.proof",
            [
                {"purpose": "email_marketing", "granted": 120, "complete": 100, "incomplete": 20},
                {"purpose": "sms_marketing", "granted": 50, "complete": None, "incomplete": "<10"},
            ],
            "warn",
        ),
        "fr",
    )
    assert problem_bars(figure) == [
        ("prospection par e-mail", 20.0, "20 sur 120 (16,7\u00a0%)"),
        ("prospection par SMS", 0.0, "<10 : masqué (petit effectif)"),
    ]
    assert figure.layout.title.text.startswith("Consentements accordés à la preuve incomplète")


def test_freshness_shows_the_sends_on_a_consent_to_refresh_not_the_volume():
    figure = CONSENT_CHARTS["consent.freshness"](
        a_finding(
            "consent.freshness",
            [{"campaign_id": "A", "purpose": "personalised_ads", "consent_sends": 300, "stale_sends": 12}],
        ),
        "en",
    )
    assert problem_bars(figure) == [("A · personalised ads", 12.0, "12 of 300 (4.0%)")]


def test_tcf_shows_the_sends_without_a_valid_signal_per_campaign():
    figure = CONSENT_CHARTS["consent.tcf"](
        a_finding(
            "consent.tcf",
            [
                {"campaign_id": "ADS", "tcf": "granted", "sends": 900},
                {"campaign_id": "ADS", "tcf": "purposes or vendor not granted", "sends": 15},
                {"campaign_id": "ADS", "tcf": "no TC string", "sends": "<10"},
                {"campaign_id": "ADS2", "tcf": "granted", "sends": 300},
                {"campaign_id": "ADS2", "tcf": "does not decode", "sends": "<10"},
            ],
        ),
        "en",
    )
    # the 15 are the bar, not a sliver of 915; a campaign whose only problem count is "<10" draws nothing
    assert problem_bars(figure) == [("ADS", 15.0, "15 of 915 (1.6%)"), ("ADS2", 0.0, "<10: hidden (small count)")]


@pytest.mark.parametrize(
    ("check_id", "row", "series"),
    [
        (
            "consent.minors",
            {"country": "FR", "consent_age": 15, "minors_without_parental_consent": 11, "sends_to_minors": 0},
            {"minors_without_parental_consent": 11.0, "sends_to_minors": 0.0},
        ),
        (
            "consent.erasure",
            {"type": "access", "requests": 30, "pending": 12, "overdue": "<10", "completed_late": 0},
            {"pending": 12.0, "completed_late": 0.0},
        ),
        (
            "consent.retention",
            {"inactive": "> 60 months", "dormant_prospects": 25, "contacted": "<10"},
            {"dormant_prospects": 25.0},
        ),
        ("consent.minimisation", {"table": "contacts", "column": "notes", "kind": "email", "rows": 14}, {"rows": 14.0}),
    ],
)
def test_count_charts_draw_only_real_numbers(check_id, row, series):
    figure = CONSENT_CHARTS[check_id](a_finding(check_id, [row]), "en")
    assert {t.meta: t.y[0] for t in figure.data} == series


def test_nothing_to_plot_gives_no_chart():
    finding = a_finding(
        "consent.special_categories",
        [
            {"table": "contacts", "column": "religion", "category": "religion", "found_in": "name", "rows": None},
            {"table": "contacts", "column": "religion", "category": "religion", "found_in": "values", "rows": "<10"},
        ],
        "warn",
    )
    assert CONSENT_CHARTS["consent.special_categories"](finding, "en") is None


def test_the_demo_review_charts_every_consent_finding_without_a_small_cell(demo_dir):
    findings = run_checks(open_review(demo_dir), area="consent")
    drawn = {}
    for finding in findings:
        figure = chart_for(finding, "en")
        if figure is None:
            continue
        drawn[finding.check_id] = figure
        heights = [v for trace in figure.data for v in (trace.x if trace.orientation == "h" else trace.y)]
        assert all(isinstance(y, (int, float)) for y in heights), finding.check_id
    assert {"consent.coverage", "consent.proof", "consent.freshness"} <= set(drawn)
    # the TCF chart draws only the sends without a valid signal: it exists exactly when some are plottable
    tcf = next(f for f in findings if f.check_id == "consent.tcf")
    wrong = [r for r in tcf.evidence if r.get("tcf") != "granted" and isinstance(r.get("sends"), int)]
    assert ("consent.tcf" in drawn) == bool(wrong)
