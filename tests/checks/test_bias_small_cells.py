"""Group counts of a sensitive attribute are suppressed the same way in everything a run shows: evidence
(findings.json), metrics, summaries and the charts' data, with complementary suppression so that no hidden count
can be derived from a total. A fixture plants a lone small group (three people of gender X)
in every bias check, an intersection whose small cell has to be protected along its row and column, and a small
count of people reached."""

from __future__ import annotations

import json

import pytest

from ethics_review import i18n
from ethics_review.charts import chart_for
from ethics_review.charts.common import label
from ethics_review.checks.bias import intersectional, selection_parity
from ethics_review.runner import run_checks
from tests.checks.suppression import (
    COUNTS,
    chart_count_leaks,
    cross_finding_leaks,
    group_rows,
    margin_leaks,
    small_cell_leaks,
    summary_leaks,
)
from tests.checks.test_bias_checks import INTERSECT, cells, people, review_of
from tests.conftest import make_review

# (gender, age band): (people, selected). F is selected at 20% (a fail against M at 50%); N at 46.7% passes;
# X is three people: a lone small group whose count must not be 453 - 160 - 140 - 150. M, the reference, is the
# smallest group above k: its counts stay shown, since every ratio to it would give its rate back.
CELLS = {
    ("F", "25-34"): (80, 16),
    ("F", "45-54"): (80, 16),
    ("M", "25-34"): (70, 35),
    ("M", "45-54"): (70, 35),
    ("N", "25-34"): (75, 35),
    ("N", "45-54"): (75, 35),
    ("X", "25-34"): (3, 1),
}
BIAS = {
    "sensitive": ["gender", "age_band"],
    "intersections": [["gender", "age_band"]],
    "min_group_size": 10,
    "min_flag_size": 30,
}


def small_group_review():
    cohorts = []
    for (gender, band), (n, selected) in CELLS.items():
        common = {"gender": gender, "age_band": band, "outcome": [True, False, False]}
        cohorts.append(
            {**common, "count": selected, "selected": True, "score": [0.6, 0.7, 0.8, 0.9], "offer_value": [20.0, 30.0]}
        )
        cohorts.append(
            {
                **common,
                "count": n - selected,
                "selected": False,
                "score": [0.1, 0.2, 0.3, 0.6],
                "offer_value": [10.0, 30.0],
            }
        )
    contacts, targeting = people(*cohorts)
    chosen = [c for c, s in zip(targeting["contact_id"], targeting["selected"], strict=True) if s]
    # Every selected person is reached, except one in four of gender N (a delivery skew to judge).
    reached = [c for i, c in enumerate(chosen) if not (c in n_people(contacts) and i % 4 == 0)]
    sends = {
        "contact_id": reached,
        "campaign_id": ["A"] * len(reached),
        "channel": ["email"] * len(reached),
        "sent_at": ["2026-07-01"] * len(reached),
    }
    return make_review(config={"bias": BIAS}, contacts=contacts, targeting=targeting, sends=sends)


def n_people(contacts):
    return {c for c, g in zip(contacts["contact_id"], contacts["gender"], strict=True) if g == "N"}


@pytest.fixture(scope="module")
def run():
    review = small_group_review()
    findings = run_checks(review, area="bias")
    records = json.loads(json.dumps([f.to_json() for f in findings]))  # as findings.json holds them
    return findings, records


def test_every_bias_check_met_the_small_group(run):
    _, records = run
    judged = {r["check_id"] for r in records if r["status"] in {"pass", "warn", "fail"}}
    assert judged >= {
        "bias.selection_parity",
        "bias.intersectional",
        "bias.outcome_parity",
        "bias.score_distribution",
        "bias.offer_parity",
        "bias.delivery_skew",
    }
    for record in records:
        if record["check_id"] in judged - {"bias.proxies"}:
            assert any(r["group"].startswith("X") for r in group_rows(record)), record["check_id"]


def test_no_group_count_under_k_and_no_derivable_cell_in_findings_json(run):
    _, records = run
    assert [leak for record in records for leak in small_cell_leaks(record)] == []


def test_a_count_hidden_in_one_finding_is_hidden_in_every_finding_that_shows_it(run):
    """Selection parity's selected people are delivery skew's eligible people: each finding alone hides no
    derivable cell, but a complement one hides and the other shows would give the small cell back."""
    _, records = run
    parity = {
        (r["attribute"], r["group"]): r["selected"] for r in group_rows(_record(records, "bias.selection_parity"))
    }
    assert any(v is None for v in parity.values())  # parity hides a complement: the case to protect
    assert cross_finding_leaks(records) == []


def _record(records, check_id):
    return next(r for r in records if r["check_id"] == check_id)


def test_summaries_quote_only_values_the_evidence_shows(run):
    _, records = run

    def ratio(v: float) -> str:
        return i18n.format_number(v, "ratio", "en")

    assert [leak for record in records for leak in summary_leaks(record, ratio)] == []


def test_charts_show_no_group_count_under_k(run):
    findings, _ = run
    labels = {label(f"columns.{c}", "en"): c for c in COUNTS}
    leaks, charted = [], 0
    for finding in findings:
        figure = chart_for(finding, "en")
        if figure is not None:
            charted += 1
            leaks += chart_count_leaks(figure.to_plotly_json(), labels)
    assert charted >= 5 and leaks == []


def test_the_lone_small_group_hides_a_calm_group_not_the_failing_one_nor_the_reference(run):
    _, records = run
    parity = next(r for r in records if r["check_id"] == "bias.selection_parity")
    gender = {r["group"]: r for r in group_rows(parity) if r["attribute"] == "gender"}
    assert gender["X"]["n"] == "<10"
    assert gender["N"]["n"] is None and gender["N"]["rate"] is None  # 160 + 140 + 150 + 3: N's 150 is hidden
    assert gender["F"]["n"] == 160 and gender["F"]["flag"] == "fail"
    assert gender["M"]["n"] == 140 and gender["M"]["flag"] == "reference"


def test_an_intersection_protects_its_small_cell_along_its_row_and_column(run):
    _, records = run
    cells = {r["group"]: r["n"] for r in group_rows(next(r for r in records if r["check_id"] == "bias.intersectional"))}
    assert cells["X × 25-34"] == "<10"
    # The 25-34 column would give X × 25-34 back from the age band's total: another of its cells is hidden, and
    # so on along the rows and columns that cell belongs to.
    hidden_in_column = [g for g, n in cells.items() if g.endswith("25-34") and n is None]
    assert len(hidden_in_column) >= 1
    for gender in ("F", "M", "N"):
        row = [cells[f"{gender} × {band}"] for band in ("25-34", "45-54")]
        assert sum(v is None for v in row) in (0, 2), gender


# --- the scanner is not blind -------------------------------------------------------------------------------------


def test_the_scan_finds_a_small_count_a_derivable_cell_and_an_unshown_headline():
    record = {
        "check_id": "bias.selection_parity",
        "summary": "F is selected at 0.47 times the rate of M.",
        "metric": {"min_impact_ratio": 0.47},
        "evidence": [
            {
                "campaign_id": "A",
                "attribute": "gender",
                "group": "F",
                "n": 160,
                "selected": 30,
                "impact_ratio": 0.5,
                "rate": 0.19,
            },
            {
                "campaign_id": "A",
                "attribute": "gender",
                "group": "M",
                "n": 160,
                "selected": 80,
                "impact_ratio": None,
                "rate": 0.5,
            },
            {
                "campaign_id": "A",
                "attribute": "gender",
                "group": "X",
                "n": "<10",
                "selected": None,
                "impact_ratio": None,
                "rate": 0.3,
            },
            {
                "campaign_id": "A",
                "attribute": "age_band",
                "group": "18-24",
                "n": 4,
                "selected": 0,
                "impact_ratio": None,
                "rate": None,
            },
        ],
    }
    leaks = small_cell_leaks(record)
    assert any("n = 4" in leak for leak in leaks)
    assert any("only hidden count" in leak and "row 2" in leak for leak in leaks)
    assert any("hidden but ['rate'] shown" in leak for leak in leaks)
    assert any("min_impact_ratio" in leak for leak in leaks)
    assert summary_leaks(record, lambda v: f"{v:.2f}") == [
        "bias.selection_parity: summary quotes 0.47, which the evidence hides"
    ]


def test_the_chart_scan_reads_counts_in_the_hover():
    figure = {
        "data": [
            {
                "name": "pass",
                "hovertemplate": "<b>%{y}</b>: %{x}<br>People: %{customdata[0]}<br>"
                "Selected: %{customdata[1]}<extra></extra>",
                "customdata": [["160", "<10"], ["1 200", "3"]],
            }
        ]
    }
    assert chart_count_leaks(figure, {"People": "n", "Selected": "selected"}) == ["chart pass: selected = 3"]


def test_when_every_other_group_is_flagged_the_summary_names_one_whose_ratio_is_shown():
    """F (20%) and G (15%) both fail against M (50%), and X has three people: the complement of X is a failing
    group (G, the smaller; never the reference), so the summary and min_impact_ratio quote F, whose ratio the
    evidence shows, not G's hidden 0.30."""
    from ethics_review.checks.bias import selection_parity
    from tests.checks.test_bias_checks import review_of

    finding = selection_parity(
        review_of(
            {"count": 32, "gender": "F", "selected": True},
            {"count": 128, "gender": "F", "selected": False},
            {"count": 70, "gender": "M", "selected": True},
            {"count": 70, "gender": "M", "selected": False},
            {"count": 22, "gender": "G", "selected": True},
            {"count": 128, "gender": "G", "selected": False},
            {"count": 1, "gender": "X", "selected": True},
            {"count": 2, "gender": "X", "selected": False},
        )
    )
    rows = {r["group"]: r for r in finding.evidence}
    assert (rows["G"]["n"], rows["G"]["impact_ratio"], rows["G"]["flag"]) == (None, None, "fail")
    assert rows["M"]["n"] == 140 and rows["F"]["impact_ratio"] == pytest.approx(0.4)
    assert finding.metric["failed_comparisons"] == 2  # a count of comparisons stays exact
    assert finding.metric["min_impact_ratio"] == pytest.approx(0.4)
    assert "group women (gender) is selected at 0.40 times the rate of men" in finding.summary
    assert small_cell_leaks(finding.to_json()) == []


def test_the_demo_run_shows_no_group_count_under_k_and_no_derivable_cell(demo_dir):
    """The same scan over the demo's whole bias area (its X gender, under-18 band and missing values are small
    groups in every campaign): findings as findings.json holds them, their summaries and their charts."""
    from ethics_review.review import open_review

    findings = run_checks(open_review(demo_dir), area="bias")
    records = json.loads(json.dumps([f.to_json() for f in findings]))
    assert any(r["n"] == "<10" for record in records for r in group_rows(record))  # the demo has small groups
    ratio = lambda v: i18n.format_number(v, "ratio", "en")  # noqa: E731
    labels = {label(f"columns.{c}", "en"): c for c in COUNTS}
    leaks = [leak for record in records for leak in (*small_cell_leaks(record), *summary_leaks(record, ratio))]
    leaks += cross_finding_leaks(records)
    for finding in findings:
        figure = chart_for(finding, "en")
        leaks += chart_count_leaks(figure.to_plotly_json(), labels) if figure is not None else []
    assert leaks == []


# --- an intersection and its margins, suppressed as one table -------------------------------------------------------


def _cell(group, n, selected=None, attribute="gender × age_band"):
    return {"campaign_id": "A", "attribute": attribute, "group": group, "n": n, "selected": selected}


def test_the_margin_scan_finds_a_hidden_gender_group_whose_only_intersection_cell_shows_14():
    parity = {
        "check_id": "bias.selection_parity",
        "evidence": [
            _cell("F", 200, 80, "gender"),
            _cell("X", "<10", "<10", "gender"),
            _cell("(missing)", None, None, "gender"),
        ],
    }
    crossed = {
        "check_id": "bias.intersectional",
        "evidence": [
            _cell("F × 25-34", 200, 80),
            _cell("X × 25-34", "<10", "<10"),
            _cell("(missing) × (missing)", 14, 5),
        ],
    }
    leaks = margin_leaks([parity, crossed])
    assert any("('A', 'gender', '(missing)'): n of margin" in leak for leak in leaks)
    assert any("('A', 'gender', '(missing)'): selected of margin" in leak for leak in leaks)
    assert cross_finding_leaks([parity, crossed]) == leaks  # the demo's scan runs it
    crossed["evidence"][2].update(n=None, selected=None)
    assert margin_leaks([parity, crossed]) == []


def test_the_margin_scan_finds_a_hidden_cell_that_its_shown_margin_gives_back():
    """F's 200 minus F × 45-54's 110 gives the hidden F × 25-34 back; hiding F too leaves two unknowns."""
    parity = {"check_id": "bias.selection_parity", "evidence": [_cell("F", 200, attribute="gender")]}
    crossed = {"check_id": "bias.intersectional", "evidence": [_cell("F × 25-34", None), _cell("F × 45-54", 110)]}
    assert margin_leaks([parity, crossed]) == [
        "('A', 'gender', 'F'): n of F × 25-34 is the only hidden count of the intersection's line [None, 110] "
        "with its margin 200: the others give it back"
    ]
    parity["evidence"][0]["n"] = None
    assert margin_leaks([parity, crossed]) == []


# F and M in two age bands, three people of gender X, and fourteen people with neither gender nor age: their only
# cell is "(missing) × (missing)", whose count is the missing gender's. Selection parity hides that group as the
# complement of X (the smallest group not flagged): the intersection used to show it, 14.
HIDDEN_MARGIN = {
    ("F", "25-34"): (100, 40),
    ("F", "45-54"): (100, 40),
    ("M", "25-34"): (100, 40),
    ("M", "45-54"): (100, 40),
    ("X", "25-34"): (3, 1),
    (None, None): (14, 5),
}


def test_an_intersection_whose_only_cell_of_a_hidden_gender_group_shows_14():
    review = review_of(*cells(HIDDEN_MARGIN), bias=INTERSECT)
    parity, crossed = selection_parity(review), intersectional(review)
    gender = {r["group"]: r for r in parity.evidence if r["attribute"] == "gender"}
    assert (gender["X"]["n"], gender["(missing)"]["n"], gender["(missing)"]["selected"]) == ("<10", None, "<10")
    cell = next(r for r in crossed.evidence if r["group"] == "(missing) × (missing)")
    assert (cell["n"], cell["selected"]) == (None, "<10")
    # The missing age band is hidden with it (the same fourteen people), and each line keeps two hidden counts.
    age = {r["group"]: r["n"] for r in parity.evidence if r["attribute"] == "age_band"}
    assert age["(missing)"] is None and sum(v is None for v in age.values()) == 2
    records = [parity.to_json(), crossed.to_json()]
    assert cross_finding_leaks(records) == [] and [leak for r in records for leak in small_cell_leaks(r)] == []


def test_a_reference_whose_count_is_hidden_takes_its_comparisons_with_it():
    """One age band: the intersection is selection parity by gender again. X's 4 selected need a complement in
    both; the intersection's named reference M × 18-24 is kept, so F's selected people are hidden in both, and F
    is parity's reference: M's ratio to it (0.60, with M's shown rate) would give F's rate, then F's 150, back."""
    named = {"reference": {"gender × age_band": "M × 18-24"}}
    review = review_of(
        *cells({("M", "18-24"): (300, 90), ("F", "18-24"): (300, 150), ("X", "18-24"): (40, 4)}),
        bias=INTERSECT,
        checks={"bias.intersectional": named},
    )
    parity = selection_parity(review)
    gender = {r["group"]: r for r in parity.evidence if r["attribute"] == "gender"}
    assert (gender["F"]["flag"], gender["F"]["selected"], gender["F"]["rate"]) == ("reference", None, None)
    assert (gender["M"]["flag"], gender["M"]["selected"], gender["M"]["impact_ratio"]) == ("fail", 90, None)
    assert gender["M"]["ratio_ci_low"] is None and gender["M"]["p_value"] is None
    assert parity.status == "fail" and parity.metric["failed_comparisons"] == 1  # the judgement stays
    assert parity.metric["min_impact_ratio"] is None and "0.60" not in parity.summary
    # A rerun with another reference (a notebook's panel) hides the same counts: only its comparisons change.
    for finding in (intersectional(review, **named), intersectional(review)):
        shown = {r["group"]: (r["n"], r["selected"]) for r in finding.evidence}
        assert shown == {"F × 18-24": (300, None), "M × 18-24": (300, 90), "X × 18-24": (40, "<10")}
        assert all(r["impact_ratio"] is None for r in finding.evidence)
        records = [parity.to_json(), finding.to_json()]
        assert cross_finding_leaks(records) == [] and [leak for r in records for leak in small_cell_leaks(r)] == []


def test_a_group_nobody_of_which_is_selected_protects_no_hidden_count():
    """Five people of gender X, none selected, and four selected of twenty with no gender. Parity hides X's
    selected people with its five and the missing gender's four: two hidden counts. But delivery skew lists no row
    for X (nobody eligible), which shows its zero: the four would be the total minus the others there, so one more
    group's selected people are hidden, in both findings."""
    from ethics_review.checks.bias import delivery_skew

    contacts, targeting = people(
        {"count": 80, "gender": "F", "selected": True},
        {"count": 120, "gender": "F", "selected": False},
        {"count": 80, "gender": "M", "selected": True},
        {"count": 120, "gender": "M", "selected": False},
        {"count": 5, "gender": "X", "selected": False},
        {"count": 4, "gender": None, "selected": True},
        {"count": 16, "gender": None, "selected": False},
    )
    chosen = [c for c, s in zip(targeting["contact_id"], targeting["selected"], strict=True) if s]
    sends = {
        "contact_id": chosen,
        "campaign_id": ["A"] * len(chosen),
        "channel": ["email"] * len(chosen),
        "sent_at": ["2026-07-01"] * len(chosen),
    }
    review = make_review(
        config={"bias": {"sensitive": ["gender"], "min_group_size": 10, "min_flag_size": 30}},
        contacts=contacts,
        targeting=targeting,
        sends=sends,
    )
    parity, delivery = selection_parity(review), delivery_skew(review)
    selected = {r["group"]: r["selected"] for r in parity.evidence}
    eligible = {r["group"]: r["eligible"] for r in delivery.evidence}
    assert "X" not in eligible and selected["X"] == "<10"  # "<10" beside X's five, never an empty cell read as 0
    assert selected["(missing)"] == eligible["(missing)"] == "<10"
    assert sorted(v for g, v in selected.items() if g in {"F", "M"} and v is not None) == [80]  # one of them hidden
    assert {g: v is None for g, v in eligible.items()} == {g: selected[g] is None for g in eligible}
    records = [parity.to_json(), delivery.to_json()]
    assert cross_finding_leaks(records) == [] and [leak for r in records for leak in small_cell_leaks(r)] == []
