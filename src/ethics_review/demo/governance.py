"""Governance of the demo retailer: customer conversations, the register fields that call for an impact
assessment, the team's self-assessment and two earlier runs of the review in its history.

Planted problems, one per governance check:
- `human_contact`: Lumi, the site's chatbot, fails to hand over to a person for a quarter of those who ask
  (90 of 360 requests on the chat channel never reach anyone); phone, email and WhatsApp hand-offs work;
- `dpia`: dynamic pricing decides alone with a significant effect and records no impact assessment (GDPR
  Art 35(3)(a)); the segmentation profiles customers at scale and its DPIA field says "à compléter";
- `self_assessment`: partly answered: "no" on the breach procedure (GDPR Art 33, a legal duty), "no" on a
  public page about AI use (good practice), five questions unanswered;
- `continuous_evaluation`: the previous run is seven months old and three checks that passed then fail now.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from .. import history
from ..assessment import Answer, dump_assessment, questions
from .common import DAY, seconds, status, timestamps

# Conversations per channel: (conversations, requests for a person, requests that never reach one, answered by,
# upper bound of the wait in hours for the requests that do reach a person).
CONVERSATIONS = {
    "chat": (1200, 360, 90, "ai", 20),  # Lumi; planted: a quarter of the hand-offs fail
    "messaging": (300, 60, 0, "ai", 20),  # the WhatsApp assistant
    "email": (500, 100, 0, "human", 60),
    "phone": (400, 120, 0, "human", 0.5),
}
AI_SYSTEM = {"chat": "chatbot-lumi", "messaging": None, "email": None, "phone": None}
CONVERSATION_DAYS = 90  # conversations of the 90 days before as_of
HUMAN_CONTACT_STORY = (
    "Lumi, the site's chatbot, never hands over to a person for 90 of the 360 customers who asked "
    "for one on the chat channel: 75% reached a person, below the kit's 80%."
)

# Register fields of v2 (profiling, large_scale) and the planted DPIA gaps.
REGISTER_FIELDS: dict[str, dict[str, Any]] = {
    "lead-scoring": {"profiling": True, "large_scale": True},
    "segmentation": {"profiling": True, "large_scale": True, "dpia": "à compléter"},  # planted: placeholder
    "dynamic-pricing": {"profiling": True, "large_scale": True, "dpia": None},  # planted: no DPIA
    "chatbot-lumi": {"profiling": False, "large_scale": True},
    "content-generator": {"profiling": False, "large_scale": False},
}
DPIA_STORY = (
    "Dynamic pricing decides prices alone, with a significant effect, and has no impact assessment; the "
    "segmentation profiles every customer and its DPIA field reads 'à compléter'."
)

ASSESSMENT_YES = (
    "ethics_charter",
    "ethics_owner",
    "staff_trained",
    "vendor_due_diligence",
    "processor_contracts",
    "pseudonymisation_encryption",
    "records_of_processing",
    "dpo_designated",
    "rights_procedure",
    "accountability_records",
    "ai_register_kept",
    "bias_testing",
    "human_review_content",
)
ASSESSMENT_LEGAL_NO = ("breach_procedure",)  # planted: a "no" on GDPR Art 33
ASSESSMENT_OTHER_NO = ("public_ai_page",)
ASSESSMENT_NOT_APPLICABLE = ("high_risk_deployer",)
# Roles, not people: the file of a real team would name people, the demo has none to name.
ANSWERED_BY = {"fr": "Déléguée à la protection des données", "en": "Data protection officer"}

PREVIOUS_RUNS_MONTHS = (13, 7)  # two earlier runs, 13 and 7 months before as_of: the last is too old (6 months)
WORSENED_AREAS = ("consent", "bias", "transparency")  # in each, one check passed at the previous run and fails now


def interactions_table(rng: np.random.Generator, as_of: dt.date) -> pa.Table:
    """One row per conversation, channel by channel, with exact planted counts; times are drawn at random."""
    start = seconds(as_of) - CONVERSATION_DAYS * DAY
    columns: dict[str, list[Any]] = {k: [] for k in ("channel", "handled_by", "human_requested", "ai_system_id")}
    started, reached = [], []
    for channel, (total, requests, never, answered_by, max_wait_h) in CONVERSATIONS.items():
        begin = start + rng.integers(0, (CONVERSATION_DAYS - 4) * DAY, total)
        requested = np.zeros(total, dtype=bool)
        requested[rng.choice(total, size=requests, replace=False)] = True
        lost = np.zeros(total, dtype=bool)
        lost[rng.choice(np.flatnonzero(requested), size=never, replace=False)] = True
        wait = rng.integers(60, int(max_wait_h * 3600) + 1, total)
        reached_at = np.where(requested & ~lost, begin + wait, -1)
        handled = np.where(requested & ~lost, "both" if answered_by == "ai" else "human", answered_by)
        started.append(begin)
        reached.append(reached_at)
        columns["channel"] += [channel] * total
        columns["handled_by"] += handled.tolist()
        columns["human_requested"] += requested.tolist()
        columns["ai_system_id"] += [AI_SYSTEM[channel]] * total
    started_s, reached_s = np.concatenate(started), np.concatenate(reached)
    order = np.argsort(started_s, kind="stable")
    n = len(order)
    return pa.table(
        {
            "interaction_id": [f"CONV-{i + 1:05d}" for i in range(n)],
            "channel": pa.array(np.array(columns["channel"])[order].tolist(), pa.string()),
            "started_at": timestamps(started_s[order]),
            "handled_by": pa.array(np.array(columns["handled_by"])[order].tolist(), pa.string()),
            "human_requested": pa.array(np.array(columns["human_requested"])[order].tolist(), pa.bool_()),
            "human_reached_at": timestamps(reached_s[order]),
            "ai_system_id": pa.array(np.array(columns["ai_system_id"], dtype=object)[order].tolist(), pa.string()),
        }
    )


def with_register_fields(systems: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The transparency area's register with the v2 fields that call for a DPIA, and the planted gaps."""
    return [{**system, **REGISTER_FIELDS.get(str(system["id"]), {})} for system in systems]


def assessment_text(as_of: dt.date, lang: str) -> str:
    """The team's partly answered self-assessment."""
    answered_on = as_of - dt.timedelta(days=20)
    who = ANSWERED_BY.get(lang, ANSWERED_BY["en"])
    answers = [
        *(Answer(q, "yes", f"docs/gouvernance/{q}.pdf", who, answered_on) for q in ASSESSMENT_YES),
        *(Answer(q, "no", None, who, answered_on) for q in (*ASSESSMENT_LEGAL_NO, *ASSESSMENT_OTHER_NO)),
        *(Answer(q, "not_applicable", None, who, answered_on) for q in ASSESSMENT_NOT_APPLICABLE),
    ]
    return dump_assessment(answers, lang=lang)


def write_history(
    history_dir: Path,
    *,
    planted: Mapping[str, Mapping[str, Any]],
    check_ids: list[str],
    review: str,
    as_of: dt.date,
    lang: str,
) -> list[Path]:
    """Two earlier runs of the review. Their runs are replaced on every generation (a demo run appended later
    would otherwise become the "previous" run); nothing else in the folder is touched."""
    history_dir.mkdir(parents=True, exist_ok=True)
    for stale in history_dir.glob(history.RUN_PATTERN):
        stale.unlink()
    improved = worsened_checks(planted)
    paths = []
    for months in PREVIOUS_RUNS_MONTHS:
        day = (pd.Timestamp(as_of) - pd.DateOffset(months=months)).date()
        findings: list[dict[str, Any]] = [
            {
                "check_id": check_id,
                "area": check_id.split(".", 1)[0],
                "status": "pass" if check_id in improved else planted.get(check_id, {}).get("status", "pass"),
                "metric": {},
            }
            for check_id in check_ids
            if check_id != "governance.continuous_evaluation"
        ]
        record = {
            "kit_version": None,
            "review": review,
            "as_of": day.isoformat(),
            "lang": lang,
            "campaign": None,
            "generated_at": f"{day.isoformat()}T09:00:00+00:00",
            "findings": findings,
        }
        paths.append(history.append(history_dir, record))
    return paths


def worsened_checks(planted: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """The planted failures of the other areas that passed at the previous run: the first by id of each area."""
    failing = sorted(c for c, e in planted.items() if e.get("status") == "fail")
    firsts = [next((c for c in failing if c.startswith(f"{area}.")), None) for area in WORSENED_AREAS]
    return [c for c in firsts if c is not None]


def planted_entries(
    table: pa.Table, systems: list[dict[str, Any]], planted: Mapping[str, Mapping[str, Any]], as_of: dt.date
) -> dict[str, dict[str, Any]]:
    """What each governance check must find, recomputed from the data as written."""
    frame = table.to_pandas()
    requested = frame.human_requested
    reached = requested & frame.human_reached_at.notna()
    by_channel = (
        pd.DataFrame({"requests": requested, "reached": reached, "channel": frame.channel}).groupby("channel").sum()
    )
    lowest = float((by_channel.reached / by_channel.requests).min())
    empty = {None, "", "à compléter", "n/a", "TBD"}
    needing = [
        s
        for s in systems
        if (s.get("decision_mode") == "fully_automated" and s.get("significant_effect"))
        or (s.get("profiling") and s.get("large_scale"))
        or s.get("special_categories")
        or s.get("minors_possible")
    ]
    missing = [s for s in needing if s.get("dpia") in empty]
    automated_missing = [
        s for s in missing if s.get("decision_mode") == "fully_automated" and s.get("significant_effect")
    ]
    unanswered = (
        len(questions())
        - len(ASSESSMENT_YES)
        - len(ASSESSMENT_LEGAL_NO)
        - len(ASSESSMENT_OTHER_NO)
        - len(ASSESSMENT_NOT_APPLICABLE)
    )
    previous_day = (pd.Timestamp(as_of) - pd.DateOffset(months=min(PREVIOUS_RUNS_MONTHS))).date()
    return {
        "governance.human_contact": {
            "status": status(lowest < 0.80, 0),
            "counts": {
                "conversations": len(frame),
                "requests": int(requested.sum()),
                "reached": int(reached.sum()),
                "never_reached": int((requested & ~reached).sum()),
                "lowest_reached_share": lowest,
                "channels_judged": len(by_channel),
            },
            "story": HUMAN_CONTACT_STORY,
        },
        "governance.dpia": {
            "status": status(len(automated_missing), len(missing)),
            "counts": {
                "systems": len(systems),
                "systems_needing_dpia": len(needing),
                "without_dpia": len(missing),
                "automated_without_dpia": len(automated_missing),
                "other_without_dpia": len(missing) - len(automated_missing),
            },
            "missing": sorted(str(s["id"]) for s in missing),
            "story": DPIA_STORY,
        },
        "governance.self_assessment": {
            "status": "fail",
            "counts": {
                "legal_duty_no": len(ASSESSMENT_LEGAL_NO),
                "other_no": len(ASSESSMENT_OTHER_NO),
                "unanswered": unanswered,
                "yes": len(ASSESSMENT_YES),
                "not_applicable": len(ASSESSMENT_NOT_APPLICABLE),
            },
            "legal_duty_no": list(ASSESSMENT_LEGAL_NO),
        },
        "governance.continuous_evaluation": {
            "status": "warn",
            "counts": {
                "previous_runs": len(PREVIOUS_RUNS_MONTHS),
                "no_previous_review": 0,
                "previous_too_old": 1,
                "worsened_checks": len(worsened_checks(planted)),
                "days_since_previous": (as_of - previous_day).days,
            },
            "worsened": worsened_checks(planted),
        },
    }
