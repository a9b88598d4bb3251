"""Governance checks (area `governance`, docs/checks.md v2): human contact, impact assessments, the team's
self-assessment and continuous evaluation.

Conversations (`interactions`) are counted in the engine, per channel; only those counts come back. The register of
AI systems and the self-assessment are a handful of rows about systems and questions, read in pandas. The history is
the kit's own aggregate record of earlier runs (history.py).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol, cast

import ibis
import numpy as np
import pandas as pd

from .. import assessment, i18n, register
from .. import history as run_history
from ..contract import TRUE_WORDS
from ..engine import fetch
from ..findings import Finding, Threshold, judge, suppress_small_cells
from ..parts import wait_for_parts
from ..review import Review
from ..stats import wilson_interval
from .common import Check, OtherChecks, build_finding, share
from .transparency import automated_systems

# --- governance.human_contact ------------------------------------------------------------------------------------

EMAIL_CHANNELS = ("email",)  # answered in writing: the kit's target is 72 h; live channels: 24 h (docs/checks.md)
# Time to a person, in hours: the bands of the chart (upper bounds, inclusive); "never" is the rest.
TIME_BANDS = (("within_1h", 1), ("within_4h", 4), ("within_24h", 24), ("within_72h", 72), ("over_72h", None))


def _flag(table: ibis.Table, column: str) -> ibis.Value:
    return table[column].fill_null(False) if column in table.columns else ibis.literal(False)


def contact_counts(
    review: Review, *, channel: str | None = None, live_target_hours: float = 24, email_target_hours: float = 72
) -> pd.DataFrame:
    """Per channel (computed in the engine): conversations, those answered by AI alone, requests for a person,
    requests that reached one, that reached one within the target time, and requests per time band."""
    t = review.table("interactions")
    t = t.filter(t.started_at.date() <= review.as_of)
    if channel is not None:
        t = t.filter(t.channel == channel)
    requested = _flag(t, "human_requested")
    reached = requested & t.human_reached_at.notnull()
    # epoch seconds: portable across engines (no engine-specific interval arithmetic)
    hours = ((t.human_reached_at.epoch_seconds() - t.started_at.epoch_seconds()) / 3600.0).clip(lower=0)
    target = t.channel.isin(EMAIL_CHANNELS).ifelse(float(email_target_hours), float(live_target_hours))
    bands: dict[str, ibis.Value] = {}
    lower: float | None = None
    for name, upper in TIME_BANDS:
        band = reached if lower is None else reached & (hours > lower)
        if upper is not None:
            band = band & (hours <= upper)
        bands[name] = band
        lower = upper
    flags = {
        "ai_alone": t.handled_by == "ai",
        "requests": requested,
        "reached": reached,
        "in_time": reached & (hours <= target),
        **bands,
    }
    counts: pd.DataFrame = fetch(
        t.mutate(**{name: flag.cast("int64") for name, flag in flags.items()})
        .group_by("channel")
        .agg(conversations=ibis._.count(), **{n: ibis._[n].sum() for n in flags})
        .order_by("channel")
    )
    counts["target_hours"] = counts.channel.map(
        lambda c: float(email_target_hours) if c in EMAIL_CHANNELS else float(live_target_hours)
    )
    return counts


class _ChannelCounts(Protocol):
    """A row of contact_counts' table, read by attribute."""

    channel: str
    conversations: int
    ai_alone: int
    requests: int
    reached: int
    in_time: int
    target_hours: float


def _contact_evidence(counts: pd.DataFrame, k: int) -> pd.DataFrame:
    rows = []
    # pandas-stubs types every field of itertuples' rows as any scalar at all; contact_counts fixes their types.
    for row in cast(Iterator[_ChannelCounts], counts.itertuples(index=False)):
        requests, reached = int(row.requests), int(row.reached)
        interval = wilson_interval(reached, requests) if requests else None
        rows.append(
            {
                "channel": row.channel,
                "conversations": int(row.conversations),
                "ai_alone": int(row.ai_alone),
                "ai_alone_share": share(int(row.ai_alone), int(row.conversations)),
                "requests": requests,
                "reached": reached,
                "never_reached": requests - reached,
                "reached_share": share(reached, requests),
                "ci_low": interval.low if interval else None,
                "ci_high": interval.high if interval else None,
                "in_time": int(row.in_time),
                "in_time_share": share(int(row.in_time), requests),
                "target_hours": row.target_hours,
                **{name: int(getattr(row, name)) for name, _ in TIME_BANDS},
            }
        )
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    rates = ["reached_share", "ci_low", "ci_high", "in_time_share"]
    return suppress_small_cells(
        frame,
        count_columns=[
            "conversations",
            "ai_alone",
            "requests",
            "reached",
            "never_reached",
            "in_time",
            *(name for name, _ in TIME_BANDS),
        ],
        k=k,
        hide_with={
            "conversations": ["ai_alone_share"],
            "ai_alone": ["ai_alone_share"],
            "requests": rates,
            # a small count of the reached or the never reached reveals the other from the requests
            # (and the time bands add up to the reached)
            "reached": [*rates, "never_reached"],
            "never_reached": [*rates, "reached", "in_time", *(name for name, _ in TIME_BANDS)],
            "in_time": ["in_time_share"],
        },
    )


def human_contact(
    review: Review,
    *,
    channel: str | None = None,
    warn_below: float = 0.95,
    fail_below: float = 0.80,
    live_target_hours: float = 24,
    email_target_hours: float = 72,
) -> Finding:
    """Do people who ask for a person get one? Per channel: the share of conversations answered by AI alone, the
    share of requests for a person that reached one, and within the kit's target time (24 h on live channels,
    72 h by email). Judged on the worst channel with at least `bias.min_group_size` requests."""
    counts = contact_counts(
        review, channel=channel, live_target_hours=live_target_hours, email_target_hours=email_target_hours
    )
    min_size = review.config.bias.min_group_size
    judged = counts[counts.requests >= min_size]
    total = {
        name: int(counts[name].sum()) if len(counts) else 0
        for name in ("conversations", "ai_alone", "requests", "reached", "in_time")
    }
    reached_shares = judged.reached / judged.requests
    in_time_shares = judged.in_time / judged.requests
    metric: dict[str, Any] = {
        "conversations": total["conversations"],
        "ai_alone_share": share(total["ai_alone"], total["conversations"]),
        "requests": total["requests"],
        "reached": total["reached"],
        "never_reached": total["requests"] - total["reached"],
        "reached_share": share(total["reached"], total["requests"]),
        "in_time_share": share(total["in_time"], total["requests"]),
        "channels_judged": len(judged),
        "channels_too_small": int(((counts.requests > 0) & (counts.requests < min_size)).sum()),
        "lowest_reached_share": float(reached_shares.min()) if len(judged) else None,
        "lowest_in_time_share": float(in_time_shares.min()) if len(judged) else None,
    }
    thresholds = (
        Threshold("lowest_reached_share", "<", fail_below, "fail", "kit default"),
        Threshold("lowest_in_time_share", "<", warn_below, "warn", "kit default"),
    )
    status = judge(metric, thresholds) if len(judged) else "not_applicable"
    worst_channel = str(judged.channel.iloc[int(reached_shares.to_numpy().argmin())]) if len(judged) else ""
    late_channel = str(judged.channel.iloc[int(in_time_shares.to_numpy().argmin())]) if len(judged) else ""
    return build_finding(
        review,
        "governance.human_contact",
        status,
        metric=metric,
        thresholds=thresholds,
        evidence=_contact_evidence(counts, review.k_anonymity),
        worst_channel=worst_channel,
        late_channel=late_channel,
        warn_below=warn_below,
        fail_below=fail_below,
        min_size=min_size,
        live_target_hours=live_target_hours,
        email_target_hours=email_target_hours,
    )


# --- governance.dpia ---------------------------------------------------------------------------------------------

PROFILING_USE_CASES = ("scoring", "segmentation", "recommendation")  # automated evaluation of personal aspects


def _stated_true(systems: pd.DataFrame, field: str) -> pd.Series:
    """A yes/no field of the register, read whether the register typed it (boolean) or kept it as text."""
    if field not in systems.columns:
        return pd.Series(False, index=systems.index)

    def true(value: Any) -> bool:
        if isinstance(value, (bool, np.bool_)):
            return bool(value)
        return isinstance(value, str) and value.strip().lower() in TRUE_WORDS

    return systems[field].map(true).astype(bool)


def _stated(systems: pd.DataFrame, field: str) -> pd.Series:
    return register.filled(systems, field)


def _in_service(systems: pd.DataFrame, as_of: dt.date) -> pd.Series:
    """Systems not retired by `as_of` (retired_on, a v2 field, read defensively: as a date or as text)."""
    if "retired_on" not in systems.columns:
        return pd.Series(True, index=systems.index)
    retired = pd.to_datetime(systems.retired_on.astype("string"), errors="coerce")
    return ~(retired.notna() & (retired <= pd.Timestamp(as_of))).astype(bool)


def dpia_reasons(systems: pd.DataFrame) -> pd.DataFrame:
    """Why each system needs an impact assessment (GDPR Art 35(3), CNIL list): one boolean column per reason."""
    profiling = _stated_true(systems, "profiling")
    if "profiling" in systems.columns:
        unstated = ~_stated(systems, "profiling")
    else:
        unstated = pd.Series(True, index=systems.index)
    profiling = profiling | (unstated & systems.use_case.fillna("").isin(PROFILING_USE_CASES))
    return pd.DataFrame(
        {
            "automated_decision": automated_systems(systems),
            "profiling_at_scale": (profiling & _stated_true(systems, "large_scale")).astype(bool),
            "special_categories": _stated_true(systems, "special_categories"),
            "minors_possible": _stated_true(systems, "minors_possible"),
        },
        index=systems.index,
    )


def dpia(review: Review) -> Finding:
    """AI systems in service whose register entry shows a fully automated significant decision, profiling at
    scale, special categories or possible minors, and that record no DPIA (a date or a reference)."""
    systems = review.ai_systems
    if systems is None or systems.empty:
        return build_finding(review, "governance.dpia", "not_applicable", metric={"systems": 0})
    systems = systems[_in_service(systems, review.as_of)]
    reasons = dpia_reasons(systems)
    needs = reasons.any(axis=1)
    has_dpia = register.filled(systems, "dpia")
    automated_missing = reasons.automated_decision & ~has_dpia
    other_missing = needs & ~reasons.automated_decision & ~has_dpia
    metric = {
        "systems": len(systems),
        "systems_needing_dpia": int(needs.sum()),
        "without_dpia": int((needs & ~has_dpia).sum()),
        "automated_without_dpia": int(automated_missing.sum()),
        "other_without_dpia": int(other_missing.sum()),
    }
    thresholds = (
        Threshold("automated_without_dpia", ">", 0, "fail", "rule"),
        Threshold("other_without_dpia", ">", 0, "warn", "kit default"),
    )
    scope = systems[needs]
    evidence = pd.DataFrame(
        {
            "system": scope["id"].astype(str),
            "reasons": [", ".join(r for r in reasons.columns if reasons.at[i, r]) for i in scope.index],
            "dpia": has_dpia[needs].map({True: "filled", False: "empty"}),
        }
    )
    missing_ids = ", ".join(scope.loc[~has_dpia[needs], "id"].astype(str))
    return build_finding(
        review,
        "governance.dpia",
        judge(metric, thresholds),
        metric=metric,
        thresholds=thresholds,
        evidence=evidence,
        missing_ids=missing_ids,
    )


# --- governance.self_assessment ----------------------------------------------------------------------------------

UNANSWERED = "unanswered"


def self_assessment(review: Review) -> Finding:
    """The team's answers to the kit's questions: a "no" on a question tied to a legal duty fails (rule); any
    other "no" or an unanswered question warns (kit default)."""
    lang = review.lang
    answers = assessment.answer_by_question(review.assessment)
    rows = []
    for q in assessment.questions():
        a = answers[q.id]
        rows.append(
            {
                "question_id": q.id,
                "question": q.text.get(lang, q.text["en"]),
                "legal_duty": q.legal_duty.get(lang, q.legal_duty["en"]) if q.legal_duty else None,
                "answer": a.answer or UNANSWERED,
                "evidence_given": a.evidence is not None,
                "answered_on": a.answered_on.isoformat() if a.answered_on else None,
            }
        )
    evidence = pd.DataFrame(rows)
    legal = evidence.legal_duty.notna()
    no = evidence.answer == "no"
    metric = {
        "questions": len(evidence),
        "answered": int((evidence.answer != UNANSWERED).sum()),
        "yes": int((evidence.answer == "yes").sum()),
        "no": int(no.sum()),
        "not_applicable": int((evidence.answer == "not_applicable").sum()),
        "unanswered": int((evidence.answer == UNANSWERED).sum()),
        "legal_duty_no": int((no & legal).sum()),
        "other_no": int((no & ~legal).sum()),
        "yes_without_evidence": int(((evidence.answer == "yes") & ~evidence.evidence_given).sum()),
    }
    thresholds = (
        Threshold("legal_duty_no", ">", 0, "fail", "rule"),
        Threshold("other_no", ">", 0, "warn", "kit default"),
        Threshold("unanswered", ">", 0, "warn", "kit default"),
    )
    # Sentences name the duty (its article) or the question in words; the question ids stay in the evidence.
    listed = i18n.ui("semicolon", lang).join
    legal_no_duties = listed(evidence.legal_duty[no & legal])
    other_no_questions = listed(i18n.ui("quoted", lang, text=q) for q in evidence.question[no & ~legal])
    if other_no_questions:
        other_no_questions = i18n.ui("colon", lang) + other_no_questions
    return build_finding(
        review,
        "governance.self_assessment",
        judge(metric, thresholds),
        metric=metric,
        thresholds=thresholds,
        evidence=evidence,
        legal_no_duties=legal_no_duties,
        other_no_questions=other_no_questions,
    )


# --- governance.continuous_evaluation ----------------------------------------------------------------------------

CONTINUOUS = "governance.continuous_evaluation"


def current_statuses(others: OtherChecks, parts: str | None = None) -> dict[str, tuple[str, str]]:
    """check id -> (area, status) of this run. The report's other area notebooks ran first and left their parts
    in `parts`; an area without a part (in JupyterLab, or a partial report) is run here."""
    statuses: dict[str, tuple[str, str]] = {}
    if parts:
        wait_for_parts(parts)  # the report may run this notebook beside the others (parts.py)
    for area in dict.fromkeys(others.areas.values()):
        part = Path(parts) / f"{area}.findings.json" if parts else None
        if area != "governance" and part is not None and part.is_file():
            for f in json.loads(part.read_text(encoding="utf-8"))["findings"]:
                statuses[f["check_id"]] = (f["area"], f["status"])
            continue
        ids = [check_id for check_id, a in others.areas.items() if a == area]
        statuses.update({f.check_id: (f.area, f.status) for f in others.run(ids)})
    return statuses


def _months_before(day: dt.date, months: int) -> dt.date:
    return (pd.Timestamp(day) - pd.DateOffset(months=months)).date()


def continuous_evaluation(
    review: Review,
    others: OtherChecks,
    *,
    history: str | None = None,
    parts: str | None = None,
    max_age_months: int = 6,
) -> Finding:
    """The review's history: how long ago the previous review of the same name was judged, and every check whose
    status got worse since then. `others`: the run's other checks (the runner gives them); `history`: the history
    folder (default: next to the review folder); `parts`: set by the report, where this run's other areas left
    their findings."""
    folder = Path(history) if history else run_history.default_dir(review.base_dir)
    runs = run_history.read_runs(folder, review=review.config.name)
    previous = run_history.previous_run(runs, review.as_of)
    now = current_statuses(others, parts)
    worse = (
        []
        if previous is None
        else run_history.worsened(
            previous, {check_id: status for check_id, (_, status) in now.items()}, ignore=(CONTINUOUS,)
        )
    )
    previous_as_of = dt.date.fromisoformat(str(previous["as_of"])[:10]) if previous is not None else None
    too_old = previous_as_of is not None and previous_as_of < _months_before(review.as_of, max_age_months)
    metric: dict[str, Any] = {
        "previous_runs": len([r for r in runs if dt.date.fromisoformat(str(r["as_of"])[:10]) <= review.as_of]),
        "previous_as_of": previous_as_of.isoformat() if previous_as_of else None,
        "days_since_previous": (review.as_of - previous_as_of).days if previous_as_of else None,
        "no_previous_review": int(previous is None),
        "previous_too_old": int(too_old),
        "worsened_checks": len(worse),
    }
    thresholds = (
        Threshold("no_previous_review", ">", 0, "warn", "kit default"),
        Threshold("previous_too_old", ">", 0, "warn", "kit default"),
        Threshold("worsened_checks", ">", 0, "warn", "kit default"),
    )
    area_of = {check_id: area for check_id, (area, _) in now.items()}
    evidence = [
        {"check_id": w["check_id"], "area": area_of[w["check_id"]], "before": w["before"], "after": w["after"]}
        for w in worse
    ]
    situation = "none" if previous is None else "old" if too_old else "recent"
    worded: dict[str, Any] = {"previous_day": previous_as_of, "max_age_months": max_age_months}  # placeholders
    return build_finding(
        review,
        CONTINUOUS,
        judge(metric, thresholds),
        metric=metric,
        thresholds=thresholds,
        evidence=evidence,
        history_dir=str(folder),
        **worded,
        situation=i18n.text(CONTINUOUS, f"situation.{situation}", review.lang, **worded),
        worsened_sentence=""
        if previous is None
        else i18n.text(
            CONTINUOUS,
            f"worsened.{'some' if worse else 'none'}",
            review.lang,
            worsened_checks=len(worse),
            worsened_titles=i18n.ui("semicolon", review.lang).join(
                i18n.ui("quoted", review.lang, text=i18n.text(w["check_id"], "title", review.lang)) for w in worse
            ),
        ),
    )


GOVERNANCE_CHECKS = (
    Check(
        "governance.human_contact",
        "governance",
        human_contact,
        needs={
            "interactions": (
                "interaction_id",
                "channel",
                "started_at",
                "handled_by",
                "human_requested",
                "human_reached_at",
            )
        },
    ),
    Check("governance.dpia", "governance", dpia, needs={"ai_systems": ()}),
    Check("governance.self_assessment", "governance", self_assessment, needs={"assessment": ()}),
    Check(CONTINUOUS, "governance", continuous_evaluation, judges_others=True),
)
