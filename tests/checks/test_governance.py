"""Governance checks on small named fixtures, at every threshold (CHECKS.md v2, section Governance)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from ethics_review import history
from ethics_review.assessment import FILE_NAME, question, question_ids
from ethics_review.checks import CHECKS
from ethics_review.checks.governance import (
    CONTINUOUS,
    continuous_evaluation,
    dpia,
    human_contact,
    self_assessment,
)
from ethics_review.errors import DataError, ReviewInputError
from ethics_review.review import open_review
from ethics_review.runner import other_checks, run_check
from tests.conftest import make_review

AS_OF = "2026-11-15"
START = pd.Timestamp("2026-10-01 10:00:00")


# --- governance.human_contact -------------------------------------------------------------------------------------


def conversations(
    channel: str,
    *,
    requests: int,
    reached_after_hours: list[float | None],
    extra_without_request: int = 0,
    prefix: str | None = None,
) -> list[dict]:
    """`requests` conversations where the person asked for a human; the i-th reached one after
    `reached_after_hours[i]` hours (None: never). Plus conversations the AI answered alone."""
    assert len(reached_after_hours) == requests
    prefix = prefix or channel
    rows = [
        {
            "interaction_id": f"{prefix}-{i}",
            "channel": channel,
            "started_at": START,
            "handled_by": "both",
            "human_requested": True,
            "human_reached_at": None if hours is None else START + pd.Timedelta(hours=hours),
        }
        for i, hours in enumerate(reached_after_hours)
    ]
    rows += [
        {
            "interaction_id": f"{prefix}-ai-{i}",
            "channel": channel,
            "started_at": START,
            "handled_by": "ai",
            "human_requested": False,
            "human_reached_at": None,
        }
        for i in range(extra_without_request)
    ]
    return rows


def contact_review(*rows: list[dict], **config):
    return make_review(
        interactions=pd.DataFrame([r for part in rows for r in part]), config=config or None, as_of=AS_OF
    )


def test_a_chat_where_24_of_30_requests_reached_a_person_is_not_a_fail():
    finding = human_contact(
        contact_review(conversations("chat", requests=30, reached_after_hours=[1] * 24 + [None] * 6))
    )
    assert finding.metric["lowest_reached_share"] == pytest.approx(0.8)
    assert finding.status == "warn"  # 80% reached, all in time: 80% < 95% in time


def test_a_chat_where_23_of_30_requests_reached_a_person_fails():
    finding = human_contact(
        contact_review(conversations("chat", requests=30, reached_after_hours=[1] * 23 + [None] * 7))
    )
    assert finding.status == "fail"
    assert finding.metric["never_reached"] == 7
    fail = next(t for t in finding.thresholds if t.level == "fail")
    assert (fail.metric, fail.value, fail.kind) == ("lowest_reached_share", 0.8, "kit default")
    assert "chat" in finding.summary


def test_38_of_40_in_time_passes_and_37_of_40_warns():
    passing = human_contact(contact_review(conversations("chat", requests=40, reached_after_hours=[1] * 38 + [30] * 2)))
    warning = human_contact(contact_review(conversations("chat", requests=40, reached_after_hours=[1] * 37 + [30] * 3)))
    assert passing.metric["lowest_in_time_share"] == pytest.approx(0.95) and passing.status == "pass"
    assert warning.metric["lowest_in_time_share"] == pytest.approx(0.925) and warning.status == "warn"
    warn = next(t for t in warning.thresholds if t.level == "warn")
    assert (warn.metric, warn.value, warn.kind) == ("lowest_in_time_share", 0.95, "kit default")


def test_a_person_reached_after_exactly_24_hours_on_chat_is_in_time_and_a_minute_later_is_not():
    on_time = human_contact(contact_review(conversations("chat", requests=40, reached_after_hours=[1] * 37 + [24] * 3)))
    late = human_contact(
        contact_review(conversations("chat", requests=40, reached_after_hours=[1] * 37 + [24 + 1 / 60] * 3))
    )
    assert on_time.status == "pass"
    assert late.status == "warn"


def test_an_email_answered_after_two_days_is_in_time_but_a_chat_is_not():
    email = human_contact(contact_review(conversations("email", requests=30, reached_after_hours=[48] * 30)))
    chat = human_contact(contact_review(conversations("chat", requests=30, reached_after_hours=[48] * 30)))
    assert email.metric["in_time_share"] == 1.0 and email.status == "pass"
    assert chat.metric["in_time_share"] == 0.0 and chat.status == "warn"


def test_a_channel_with_29_requests_is_too_small_to_judge():
    finding = human_contact(contact_review(conversations("phone", requests=29, reached_after_hours=[None] * 29)))
    assert finding.status == "not_applicable"
    assert finding.metric["channels_too_small"] == 1
    judged = human_contact(
        contact_review(
            conversations("phone", requests=29, reached_after_hours=[None] * 29),
            conversations("chat", requests=30, reached_after_hours=[1] * 30),
        )
    )
    assert judged.status == "pass" and judged.metric["channels_judged"] == 1


def test_the_worst_channel_decides_even_when_the_total_looks_fine():
    finding = human_contact(
        contact_review(
            conversations("chat", requests=40, reached_after_hours=[1] * 30 + [None] * 10),
            conversations("phone", requests=200, reached_after_hours=[0.1] * 200),
        )
    )
    assert finding.metric["reached_share"] == pytest.approx(230 / 240)
    assert finding.status == "fail"


def test_conversations_after_the_review_date_are_left_out():
    rows = conversations("chat", requests=30, reached_after_hours=[1] * 30)
    late = [
        {
            **r,
            "interaction_id": f"late-{i}",
            "started_at": pd.Timestamp("2026-12-01 10:00:00"),
            "human_reached_at": None,
        }
        for i, r in enumerate(conversations("chat", requests=30, reached_after_hours=[None] * 30))
    ]
    finding = human_contact(contact_review(rows, late))
    assert finding.metric["requests"] == 30 and finding.status == "pass"


def test_small_cells_are_shown_as_under_k_and_their_rates_hidden():
    finding = human_contact(
        contact_review(
            conversations("chat", requests=40, reached_after_hours=[1] * 35 + [None] * 5, extra_without_request=3)
        )
    )
    row = finding.evidence[0]
    assert row["never_reached"] == "<10" and row["ai_alone"] == "<10"
    assert row["reached"] is None and row["reached_share"] is None and row["ci_low"] is None
    assert row["ai_alone_share"] is None
    assert row["requests"] == 40


def test_the_wilson_interval_brackets_the_share():
    finding = human_contact(
        contact_review(conversations("chat", requests=100, reached_after_hours=[1] * 85 + [None] * 15))
    )
    row = finding.evidence[0]
    assert row["reached_share"] == pytest.approx(0.85)
    assert row["ci_low"] < 0.85 < row["ci_high"]


def test_without_the_human_requested_column_the_check_says_what_it_needs():
    rows = [
        {k: v for k, v in r.items() if k != "human_requested"}
        for r in conversations("chat", requests=30, reached_after_hours=[1] * 30)
    ]
    finding = run_check(make_review(interactions=pd.DataFrame(rows), as_of=AS_OF), CHECKS["governance.human_contact"])
    assert finding.status == "not_applicable"
    assert finding.metric["missing"] == ["interactions.human_requested"]


def test_an_unknown_channel_is_an_input_error():
    rows = conversations("chat", requests=30, reached_after_hours=[1] * 30)
    rows[0]["channel"] = "carrier pigeon"
    with pytest.raises(DataError, match="carrier pigeon"):
        contact_review(rows)


def test_human_contact_speaks_french():
    finding = human_contact(
        make_review(
            interactions=pd.DataFrame(conversations("chat", requests=30, reached_after_hours=[1] * 23 + [None] * 7)),
            as_of=AS_OF,
            lang="fr",
        )
    )
    assert "Sur le canal chat" in finding.summary and "à corriger" in finding.summary


# --- governance.dpia ----------------------------------------------------------------------------------------------


def system(system_id: str, **fields) -> dict:
    base = {
        "id": system_id,
        "name": system_id,
        "use_case": "other",
        "decision_mode": "assistive",
        "significant_effect": False,
        "special_categories": False,
        "minors_possible": False,
    }
    return {**base, **fields}


def dpia_of(*systems: dict):
    return dpia(make_review(ai_systems=pd.DataFrame(list(systems)), as_of=AS_OF))


def test_a_fully_automated_pricing_decision_without_a_dpia_fails_as_a_rule():
    finding = dpia_of(system("pricing", use_case="pricing", decision_mode="fully_automated", significant_effect=True))
    assert finding.status == "fail"
    assert finding.metric["automated_without_dpia"] == 1
    fail = next(t for t in finding.thresholds if t.level == "fail")
    assert fail.kind == "rule" and "35(3)(a)" in finding.summary


def test_the_same_decision_with_a_dpia_date_passes():
    finding = dpia_of(
        system(
            "pricing", use_case="pricing", decision_mode="fully_automated", significant_effect=True, dpia="2025-06-30"
        )
    )
    assert finding.status == "pass" and finding.metric["systems_needing_dpia"] == 1


def test_a_dpia_that_reads_tbd_counts_as_missing():
    finding = dpia_of(system("pricing", decision_mode="fully_automated", significant_effect=True, dpia="TBD"))
    assert finding.status == "fail"


def test_profiling_at_scale_without_a_dpia_warns_and_profiling_of_a_few_does_not():
    at_scale = dpia_of(system("segments", profiling=True, large_scale=True))
    small = dpia_of(system("segments", profiling=True, large_scale=False))
    assert at_scale.status == "warn" and at_scale.metric["other_without_dpia"] == 1
    assert small.status == "pass" and small.metric["systems_needing_dpia"] == 0
    warn = next(t for t in at_scale.thresholds if t.level == "warn")
    assert warn.kind == "kit default"


def test_register_flags_written_as_text_are_read():
    assert dpia_of(system("segments", profiling="yes", large_scale="oui")).status == "warn"


def test_a_scoring_system_at_scale_is_profiling_unless_the_register_says_otherwise():
    assert dpia_of(system("score", use_case="scoring", large_scale=True)).status == "warn"
    assert dpia_of(system("score", use_case="scoring", large_scale=True, profiling=False)).status == "pass"


def test_special_categories_or_possible_minors_without_a_dpia_warn():
    assert dpia_of(system("health", special_categories=True)).status == "warn"
    assert dpia_of(system("teens", minors_possible=True)).status == "warn"


def test_a_retired_system_needs_no_dpia_from_its_retirement():
    retired = system("old", decision_mode="fully_automated", significant_effect=True, retired_on="2026-01-31")
    assert dpia_of(retired).status == "pass"
    later = system("old", decision_mode="fully_automated", significant_effect=True, retired_on="2026-12-31")
    assert dpia_of(later).status == "fail"


# --- governance.self_assessment -----------------------------------------------------------------------------------


def answers(**overrides: str | None) -> list[dict]:
    """Every question answered yes with evidence, except the overrides (None: unanswered)."""
    return [
        {
            "question_id": q,
            "answer": overrides.get(q, "yes"),
            "evidence": "docs/x.pdf",
            "answered_by": "Jeanne Martin",
            "answered_on": "2026-11-01",
        }
        for q in question_ids()
    ]


def assessed(records: list[dict], lang: str = "en"):
    return self_assessment(make_review(assessment=pd.DataFrame(records), as_of=AS_OF, lang=lang))


def test_every_question_answered_yes_or_not_applicable_passes():
    finding = assessed(answers(high_risk_deployer="not_applicable"))
    assert finding.status == "pass"
    assert (finding.metric["yes"], finding.metric["not_applicable"]) == (len(question_ids()) - 1, 1)


def test_a_no_on_the_breach_procedure_fails_as_a_rule():
    finding = assessed(answers(breach_procedure="no"))
    assert finding.status == "fail" and finding.metric["legal_duty_no"] == 1
    assert next(t for t in finding.thresholds if t.level == "fail").kind == "rule"
    # The sentence names the duty and its article in words; the question id stays in the evidence table.
    assert "GDPR Art 33 (notify a personal-data breach within 72 hours" in finding.summary
    assert "breach_procedure" not in finding.summary + finding.recommendation


def test_a_warn_names_the_practices_answered_no_in_the_review_language():
    finding = assessed(answers(public_ai_page="no"), lang="fr")
    assert f"« {question('public_ai_page').text['fr']} »" in finding.recommendation
    assert "public_ai_page" not in finding.recommendation


def test_a_no_on_the_public_ai_page_warns():
    finding = assessed(answers(public_ai_page="no"))
    assert finding.status == "warn" and finding.metric["other_no"] == 1 and finding.metric["legal_duty_no"] == 0


def test_one_unanswered_question_warns():
    finding = assessed(answers(ethics_charter=None))
    assert finding.status == "warn" and finding.metric["unanswered"] == 1


def test_a_question_missing_from_the_file_counts_as_unanswered():
    finding = assessed([a for a in answers() if a["question_id"] != "ethics_owner"])
    assert finding.metric["unanswered"] == 1 and finding.status == "warn"


def test_the_answers_name_no_one_in_the_finding():
    finding = assessed(answers(breach_procedure="no"))
    assert "Jeanne Martin" not in json.dumps(finding.to_json())


def test_the_questions_and_their_legal_duties_are_in_french():
    finding = assessed(answers(breach_procedure="no"), lang="fr")
    row = next(r for r in finding.evidence if r["question_id"] == "breach_procedure")
    assert row["legal_duty"].startswith("RGPD art. 33") and "violation de données" in row["question"]
    assert "non conforme" in finding.summary


def test_without_an_assessment_the_check_is_not_applicable():
    finding = run_check(
        make_review(ai_systems=pd.DataFrame([system("x")]), as_of=AS_OF), CHECKS["governance.self_assessment"]
    )
    assert finding.status == "not_applicable" and finding.metric["missing"] == ["assessment"]


def write_assessment(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / FILE_NAME).write_text(text, encoding="utf-8")
    (folder / "ai_systems.yaml").write_text("- id: x\n  name: x\n", encoding="utf-8")
    return folder


def test_the_file_is_read_from_the_review_folder_with_oui_and_non(tmp_path):
    folder = write_assessment(
        tmp_path / "review",
        "- question_id: breach_procedure\n  answer: non\n- question_id: ethics_charter\n  answer: oui\n",
    )
    finding = self_assessment(open_review(folder, as_of=AS_OF))
    assert finding.metric["legal_duty_no"] == 1 and finding.metric["yes"] == 1
    assert any(i.table == "assessment" for i in open_review(folder).inputs)


def test_an_unknown_question_id_names_the_file_the_entry_the_value_and_the_nearest_id(tmp_path):
    folder = write_assessment(
        tmp_path / "review",
        "- question_id: ethics_charter\n  answer: yes\n- question_id: breach_procedur\n  answer: no\n",
    )
    with pytest.raises(DataError) as error:
        open_review(folder)
    message = str(error.value)
    assert FILE_NAME in message and "row 2" in message and "'breach_procedur'" in message
    assert "did you mean 'breach_procedure'" in message


def test_an_answer_that_is_not_yes_no_or_not_applicable_is_an_error(tmp_path):
    folder = write_assessment(tmp_path / "review", "- question_id: ethics_charter\n  answer: maybe\n")
    with pytest.raises(DataError, match=r"row 1.*'maybe'") as error:
        open_review(folder)
    assert "not_applicable" in error.value.fix


def test_a_question_answered_twice_or_a_bad_date_is_an_error(tmp_path):
    twice = write_assessment(
        tmp_path / "a", "- question_id: ethics_charter\n  answer: yes\n- question_id: ethics_charter\n  answer: no\n"
    )
    with pytest.raises(DataError, match="answered twice"):
        open_review(twice)
    bad_date = write_assessment(
        tmp_path / "b", "- question_id: ethics_charter\n  answer: yes\n  answered_on: 31/02/2026\n"
    )
    with pytest.raises(DataError, match="answered_on"):
        open_review(bad_date)


def test_the_init_template_is_valid_and_unanswered(tmp_path):
    from ethics_review.paths import templates_dir

    folder = write_assessment(tmp_path / "review", (templates_dir() / "review" / FILE_NAME).read_text(encoding="utf-8"))
    finding = self_assessment(open_review(folder, as_of=AS_OF))
    assert finding.metric["unanswered"] == len(question_ids()) and finding.status == "warn"


# --- governance.continuous_evaluation -----------------------------------------------------------------------------

NAME = "Spring review"


def failing_review():
    """A review whose self-assessment fails now (a "no" on a legal duty)."""
    return make_review(assessment=pd.DataFrame(answers(breach_procedure="no")), as_of=AS_OF, config={"name": NAME})


def evaluate(review, **options):
    """The continuous evaluation as the runner calls it: handed the run's other checks."""
    return continuous_evaluation(review, other_checks(review, CONTINUOUS), **options)


def earlier_run(folder: Path, as_of: str, statuses: dict[str, str], *, review: str = NAME) -> Path:
    record = {
        "review": review,
        "as_of": as_of,
        "lang": "en",
        "generated_at": f"{as_of}T08:00:00+00:00",
        "findings": [
            {"check_id": c, "area": c.split(".")[0], "status": s, "metric": {"n": 1}, "evidence": [{"who": "x"}]}
            for c, s in statuses.items()
        ],
    }
    return history.append(folder, record)


def test_without_any_earlier_run_the_review_warns(tmp_path):
    finding = evaluate(failing_review(), history=str(tmp_path / "h"))
    assert finding.status == "warn" and finding.metric["no_previous_review"] == 1
    assert finding.summary == "No earlier review of this name is in the history."


def test_a_previous_run_exactly_six_months_ago_is_recent_enough(tmp_path):
    earlier_run(tmp_path, "2026-05-15", {"governance.self_assessment": "fail"})
    finding = evaluate(failing_review(), history=str(tmp_path))
    assert finding.status == "pass" and finding.metric["previous_too_old"] == 0
    assert "May 15, 2026" in finding.summary


def test_a_previous_run_six_months_and_one_day_ago_is_too_old(tmp_path):
    earlier_run(tmp_path, "2026-05-14", {"governance.self_assessment": "fail"})
    finding = evaluate(failing_review(), history=str(tmp_path))
    assert finding.status == "warn" and finding.metric["previous_too_old"] == 1
    assert finding.metric["days_since_previous"] == 185


def test_a_check_that_passed_and_fails_now_got_worse(tmp_path):
    earlier_run(tmp_path, "2026-10-01", {"governance.self_assessment": "pass", "governance.dpia": "fail"})
    finding = evaluate(failing_review(), history=str(tmp_path))
    assert finding.status == "warn" and finding.metric["worsened_checks"] == 1
    assert finding.evidence == (
        {"check_id": "governance.self_assessment", "area": "governance", "before": "pass", "after": "fail"},
    )
    # The sentence names the check by its title, as the report's sections do; the id stays in the evidence.
    assert "got worse since then: “The team's self-assessment of AI governance”." in finding.summary


def test_a_check_that_improved_or_is_new_is_not_worse(tmp_path):
    earlier_run(tmp_path, "2026-10-01", {"governance.dpia": "fail"})  # dpia is not_applicable now: not worse
    finding = evaluate(failing_review(), history=str(tmp_path))
    assert finding.metric["worsened_checks"] == 0 and finding.status == "pass"


def test_runs_of_another_review_or_after_the_review_date_are_ignored(tmp_path):
    earlier_run(tmp_path, "2026-10-01", {"governance.self_assessment": "pass"}, review="Another review")
    earlier_run(tmp_path, "2026-12-01", {"governance.self_assessment": "pass"})
    finding = evaluate(failing_review(), history=str(tmp_path))
    assert finding.metric["no_previous_review"] == 1 and finding.metric["previous_runs"] == 0


def test_the_latest_earlier_run_is_the_one_compared(tmp_path):
    earlier_run(tmp_path, "2026-06-01", {"governance.self_assessment": "pass"})
    earlier_run(tmp_path, "2026-10-01", {"governance.self_assessment": "fail"})
    finding = evaluate(failing_review(), history=str(tmp_path))
    assert finding.metric["previous_as_of"] == "2026-10-01" and finding.metric["worsened_checks"] == 0
    assert finding.metric["previous_runs"] == 2


def test_this_runs_other_areas_are_read_from_the_report_parts(tmp_path):
    earlier_run(tmp_path / "h", "2026-10-01", {"consent.coverage": "pass"})
    parts = tmp_path / "parts"
    parts.mkdir()
    (parts / "consent.findings.json").write_text(
        json.dumps({"findings": [{"check_id": "consent.coverage", "area": "consent", "status": "fail"}]}),
        encoding="utf-8",
    )
    finding = evaluate(failing_review(), history=str(tmp_path / "h"), parts=str(parts))
    assert [row["check_id"] for row in finding.evidence] == ["consent.coverage"]


def test_the_history_holds_aggregates_only(tmp_path):
    path = earlier_run(tmp_path, "2026-10-01", {"governance.self_assessment": "pass"})
    entry = json.loads(path.read_text(encoding="utf-8"))
    assert "evidence" not in json.dumps(entry) and entry["findings"][0]["metric"] == {"n": 1}
    assert entry["areas"]["governance"]["pass"] == 1


def test_the_history_is_never_inside_the_review_folder(tmp_path):
    review_dir = tmp_path / "review"
    review_dir.mkdir()
    with pytest.raises(ReviewInputError, match="inside"):
        history.check_location(review_dir / "history", review_dir)
    assert history.check_location(tmp_path / "review.history", review_dir) == (tmp_path / "review.history").resolve()
    assert history.default_dir(review_dir) == (tmp_path / "review.history").resolve()


def test_the_history_is_never_inside_an_input_folder(tmp_path):
    exports = tmp_path / "exports"
    exports.mkdir()
    with pytest.raises(ReviewInputError):
        history.check_location(exports / "h", tmp_path / "review", [str(exports / "contacts.csv")])


def test_continuous_evaluation_speaks_french(tmp_path):
    earlier_run(tmp_path, "2026-04-01", {"governance.self_assessment": "pass"})
    review = make_review(
        assessment=pd.DataFrame(answers(breach_procedure="no")), as_of=AS_OF, lang="fr", config={"name": NAME}
    )
    finding = evaluate(review, history=str(tmp_path))
    assert finding.summary == (
        "La revue précédente a été jugée le 1er avril 2026, il y a plus de 6 mois. "
        "1 contrôle s'est dégradé depuis : « L'auto-évaluation de la gouvernance de l'IA par l'équipe »."
    )


def test_a_date_in_the_history_is_compared_as_a_date():
    assert history.previous_run([{"as_of": "2026-11-15", "findings": []}], dt.date(2026, 11, 15)) is not None
