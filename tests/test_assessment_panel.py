"""The self-assessment panel, driven in-process: answers round-trip widget -> assessment.yaml -> check, and an
existing file is only overwritten after its diff was shown."""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

import pytest

from ethics_review import widgets
from ethics_review.assessment import FILE_NAME, question_ids
from ethics_review.checks.governance import self_assessment
from ethics_review.review import open_review


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    review = tmp_path / "review"
    review.mkdir()
    (review / "ai_systems.yaml").write_text("- id: x\n  name: x\n", encoding="utf-8")
    return review


def answer_all(panel: widgets.AssessmentPanel, *, breach: str = "no") -> None:
    for question_id, controls in panel.controls.items():
        controls["answer"].value = breach if question_id == "breach_procedure" else "yes"
        controls["evidence"].value = f"docs/{question_id}.pdf"
        controls["answered_by"].value = "Jeanne Martin"
        controls["answered_on"].value = dt.date(2026, 11, 2)


def test_answers_round_trip_from_the_widgets_to_the_file_to_the_check(folder: Path):
    review = open_review(folder, as_of="2026-11-15")
    panel = widgets.assessment_panel(review)
    assert list(panel.controls) == list(question_ids())
    assert all(c["answer"].value == "unanswered" for c in panel.controls.values())
    answer_all(panel)
    panel.save.click()
    assert (folder / FILE_NAME).is_file() and "Saved" in panel.message.value
    finding = self_assessment(open_review(folder, as_of="2026-11-15"))
    assert finding.status == "fail"
    assert (finding.metric["legal_duty_no"], finding.metric["yes"]) == (1, len(question_ids()) - 1)
    reopened = widgets.assessment_panel(open_review(folder))
    assert reopened.controls["breach_procedure"]["answer"].value == "no"
    assert reopened.controls["ethics_charter"]["answered_on"].value == dt.date(2026, 11, 2)


def test_an_existing_file_is_overwritten_only_after_its_diff_is_shown(folder: Path):
    panel = widgets.assessment_panel(open_review(folder))
    answer_all(panel)
    panel.save.click()
    saved = (folder / FILE_NAME).read_text(encoding="utf-8")
    panel.controls["breach_procedure"]["answer"].value = "yes"
    panel.save.click()
    assert (folder / FILE_NAME).read_text(encoding="utf-8") == saved  # not yet
    shown = html.unescape(panel.message.value)
    assert "-  answer: 'no'\n+  answer: 'yes'" in shown
    assert panel.confirm.layout.display is None  # the overwrite button is shown
    panel.confirm.click()
    assert "breach_procedure\n  answer: 'yes'" in (folder / FILE_NAME).read_text(encoding="utf-8")
    assert self_assessment(open_review(folder, as_of="2026-11-15")).status == "pass"


def test_saving_the_same_answers_again_changes_nothing(folder: Path):
    panel = widgets.assessment_panel(open_review(folder))
    answer_all(panel)
    panel.save.click()
    panel.save.click()
    assert "Nothing changed" in panel.message.value


def test_the_panel_speaks_french(folder: Path):
    panel = widgets.assessment_panel(open_review(folder, lang="fr"))
    labels = [label for label, _ in panel.controls["breach_procedure"]["answer"].options]
    assert labels == ["Sans réponse", "Oui", "Non", "Sans objet"]
    assert panel.save.description == "Enregistrer les réponses"
