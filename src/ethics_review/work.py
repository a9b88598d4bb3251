"""The order of work on the scorecard: what to fix first, who owns it and the one next step.

Findings are ordered by severity, then a breached `rule` threshold before a kit default, then by how many sends,
people or items the problem touches (AFFECTED), then in the registry's order. The owner and the next step come
from the finding's own recommendation, whose first clause names the role that acts first
("Campaign owner: stop the campaigns listed; DPO: ..."), so they are always in the review's language.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .findings import Threshold, severity

# The metrics that count who or what a problem touches (summed). Bias checks count the people of flagged groups.
AFFECTED: dict[str, tuple[str, ...]] = {
    "consent.coverage": ("uncovered_sends",),
    "consent.after_withdrawal": ("sends_after_withdrawal",),
    "consent.proof": ("incomplete_consents",),
    "consent.freshness": ("stale_sends",),
    "consent.minors": ("minors_without_parental_consent", "minors_targeted"),
    "consent.erasure": ("erased_still_present", "overdue_requests"),
    "consent.retention": ("dormant_prospects",),
    "consent.special_categories": ("special_category_columns",),
    "consent.minimisation": ("rows_with_email", "rows_with_phone", "rows_with_iban", "rows_with_nir"),
    "consent.tcf": ("sends_without_tcf_consent",),
    "transparency.ai_disclosure": ("undisclosed_items",),
    "transparency.machine_marking": ("unmarked_items",),
    "transparency.chatbot_disclosure": ("undisclosed_chatbots",),
    "transparency.human_review": ("unreviewed_items",),
    "transparency.register": ("systems_with_critical_gaps", "stale_audits"),
    "transparency.automated_decisions": ("failing_systems",),
    "transparency.notice_coverage": ("missing_descriptions",),
    "transparency.notice_readability": ("notices_below_standard",),
    "transparency.ai_literacy": ("untrained_systems",),
}
FLAGGED = ("fail", "warn")
_ROLE = re.compile(r"^\s*([^:;.]{2,60}?)\s*:\s*(.+)$", re.DOTALL)


@dataclass(frozen=True)
class Step:
    owner: str | None  # the role that acts first, as the recommendation names it
    action: str  # the one next step


def next_step(recommendation: str) -> Step:
    """The first clause of a recommendation, split into its role and its action."""
    first = _first_clause(recommendation)
    match = _ROLE.match(first)
    if match is None:
        return Step(None, first)
    action = match.group(2).strip()
    return Step(match.group(1).strip(), action[:1].upper() + action[1:] + ("" if action.endswith(".") else "."))


def _first_clause(text: str) -> str:
    """Up to the first semicolon outside parentheses."""
    depth = 0
    for index, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == ";" and depth <= 0:
            return text[:index].strip()
    return text.strip()


def affected(finding: Mapping[str, Any]) -> int:
    """How many sends, people or items the finding's problem touches (0 when it says nothing about that)."""
    metrics = AFFECTED.get(finding["check_id"])
    if metrics is not None:
        return sum(int(v) for m in metrics if isinstance(v := finding["metric"].get(m), (int, float)))
    return sum(
        int(row["n"])
        for row in finding.get("evidence", ())
        if row.get("flag") in FLAGGED and isinstance(row.get("n"), (int, float))
    )


def breaches_a_rule(finding: Mapping[str, Any]) -> bool:
    """A breached threshold at the finding's own level is of kind `rule` (a legal text fixes it)."""
    for raw in finding.get("thresholds", ()):
        threshold = raw if isinstance(raw, Threshold) else Threshold(**raw)
        value = finding["metric"].get(threshold.metric)
        number = float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
        if threshold.level == finding["status"] and threshold.kind == "rule" and threshold.breached(number):
            return True
    return False


def order_of_work(findings: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Most severe first; a rule before a kit default; more affected first; then the registry's order."""
    position = {id(f): i for i, f in enumerate(findings)}
    return sorted(
        findings, key=lambda f: (-severity(f["status"]), not breaches_a_rule(f), -affected(f), position[id(f)])
    )
