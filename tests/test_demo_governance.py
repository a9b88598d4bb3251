"""The demo's governance problems: the planted counts are what plain pandas finds in the written files, and the
governance checks find each of them with its exact count."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import yaml

from ethics_review import history
from ethics_review.assessment import question
from ethics_review.review import open_review
from ethics_review.runner import run_checks


@pytest.fixture(scope="module")
def planted(demo_dir):
    checks = json.loads((demo_dir / "planted.json").read_text(encoding="utf-8"))["checks"]
    return {k: v for k, v in checks.items() if k.startswith("governance.")}


@pytest.fixture(scope="module")
def findings(demo_dir):
    return {f.check_id: f for f in run_checks(open_review(demo_dir), area="governance")}


def test_every_governance_check_has_a_planted_problem(planted):
    assert set(planted) == {
        "governance.human_contact",
        "governance.dpia",
        "governance.self_assessment",
        "governance.continuous_evaluation",
    }


def test_the_chatbot_hand_off_fails_for_a_quarter_of_requests_in_the_written_file(demo_dir, planted):
    frame = pd.read_csv(demo_dir / "interactions.csv", dtype=str, keep_default_na=False, na_values=[""])
    requested = frame.human_requested == "true"
    reached = requested & frame.human_reached_at.notna()
    chat = frame.channel == "chat"
    assert (requested & chat).sum() == 360 and (reached & chat).sum() == 270
    counts = planted["governance.human_contact"]["counts"]
    assert (counts["requests"], counts["reached"], counts["lowest_reached_share"]) == (
        requested.sum(),
        reached.sum(),
        0.75,
    )


def test_the_register_and_the_assessment_hold_the_planted_gaps(demo_dir, planted):
    systems = {s["id"]: s for s in yaml.safe_load((demo_dir / "ai_systems.yaml").read_text(encoding="utf-8"))}
    assert systems["dynamic-pricing"]["dpia"] is None and systems["segmentation"]["dpia"] == "à compléter"
    assert planted["governance.dpia"]["missing"] == ["dynamic-pricing", "segmentation"]
    answers = yaml.safe_load((demo_dir / "assessment.yaml").read_text(encoding="utf-8"))
    noes = [a["question_id"] for a in answers if a["answer"] == "no"]
    assert [q for q in noes if question(q).is_legal_duty] == ["breach_procedure"]
    assert sum(a["answer"] is None for a in answers) == planted["governance.self_assessment"]["counts"]["unanswered"]


def test_the_history_holds_two_earlier_runs_next_to_the_review(demo_dir, planted):
    runs = history.read_runs(history.default_dir(demo_dir))
    assert [r["as_of"] for r in runs] == ["2025-10-15", "2026-04-15"]
    assert {r["review"] for r in runs} == {open_review(demo_dir).config.name}
    previous = {f["check_id"]: f["status"] for f in runs[-1]["findings"]}
    assert all(previous[c] == "pass" for c in planted["governance.continuous_evaluation"]["worsened"])


def test_each_planted_governance_problem_is_found_with_its_exact_counts(findings, planted):
    for check_id, expected in planted.items():
        finding = findings[check_id]
        assert finding.status == expected["status"], (check_id, finding.summary)
        for name, count in expected["counts"].items():
            assert finding.metric[name] == count, (check_id, name, finding.metric)
    worse = [row["check_id"] for row in findings["governance.continuous_evaluation"].evidence]
    assert sorted(worse) == sorted(planted["governance.continuous_evaluation"]["worsened"])


def test_a_french_review_words_the_governance_findings_in_french(demo_dir):
    finding = run_checks(open_review(demo_dir, lang="fr"), ids=["governance.self_assessment"])[0]
    assert finding.title == "L'auto-évaluation de la gouvernance de l'IA par l'équipe"
    assert "obligation légale" in finding.summary and "non conforme" in finding.summary


def test_a_history_inside_the_review_folder_is_refused_before_any_notebook_runs(demo_dir, tmp_path):
    from ethics_review.errors import ReviewInputError
    from ethics_review.report import run_report

    with pytest.raises(ReviewInputError, match="inside"):
        run_report(demo_dir, tmp_path / "out", history=demo_dir / "history", progress=False)
    assert not (demo_dir / "history").exists() and not (tmp_path / "out" / "governance.ipynb").exists()


@pytest.mark.slow
def test_a_report_with_a_history_appends_its_aggregates_and_the_page_shows_the_trend(demo_dir, tmp_path):
    import shutil

    from ethics_review.report import run_report

    folder = tmp_path / "h"
    shutil.copytree(history.default_dir(demo_dir), folder)
    result = run_report(demo_dir, tmp_path / "out", areas=("governance",), history=folder, progress=False)
    runs = history.read_runs(folder)
    assert len(runs) == 3 and runs[-1]["as_of"] == "2026-11-15"
    assert result.paths["history"].parent == folder
    text = result.paths["history"].read_text(encoding="utf-8")
    assert '"evidence"' not in text and "breach_procedure" not in text
    assert {f["check_id"] for f in runs[-1]["findings"]} == {
        "governance.human_contact",
        "governance.dpia",
        "governance.self_assessment",
        "governance.continuous_evaluation",
    }
    page = (tmp_path / "out" / "governance.html").read_text(encoding="utf-8")
    assert "Checks per status and area over the reviews" in page
