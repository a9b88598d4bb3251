"""The kit's legal calendar (legal_dates.yaml): when each date-dependent rule applies, its source, the date the
source was last verified and its status, with the review's overrides (review.yaml `legal_dates:`).

A check asks `applies_from(rule_id, review)`; the report shows every date of the calendar as the review used it
(`legal_block`) with the dated notice that the kit is a screening aid, not legal advice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache
from typing import Any, Literal

from . import i18n
from .paths import package_yaml

LegalStatus = Literal["in_force", "adopted_not_yet_applicable", "adopted_awaiting_publication", "proposed"]
STATUSES: tuple[str, ...] = ("in_force", "adopted_not_yet_applicable", "adopted_awaiting_publication", "proposed")


@dataclass(frozen=True)
class LegalDate:
    id: str
    applies_from: dt.date | None  # None: not known yet (a text awaiting publication)
    source: str
    status: LegalStatus
    verified_on: dt.date
    used_by: tuple[str, ...] = ()
    kit_date: dt.date | None = None  # the calendar's own date when a review overrides it
    override_note: str | None = None


@cache
def legal_dates() -> dict[str, LegalDate]:
    """The calendar as shipped, validated: every entry has a source, a verification date and a known status."""
    raw = package_yaml("legal_dates.yaml")
    dates = {}
    for key, entry in raw.items():
        if entry.get("status") not in STATUSES or not entry.get("source") or not entry.get("verified_on"):
            raise RuntimeError(
                f"legal_dates.yaml: entry '{key}' needs a source, verified_on and a status among {', '.join(STATUSES)}"
            )
        dates[key] = LegalDate(
            key,
            entry["applies_from"],
            entry["source"],
            entry["status"],
            entry["verified_on"],
            tuple(entry.get("used_by") or ()),
        )
    return dates


def _overrides(review: Any) -> Mapping[str, Any]:
    """review.yaml `legal_dates:` of a Review or a ReviewConfig (None: no override)."""
    config = getattr(review, "config", review)
    return getattr(config, "legal_dates", None) or {}


def effective_dates(review: Any = None) -> dict[str, LegalDate]:
    """The calendar with the review's overrides applied; an overridden entry keeps the kit's date and the note."""
    dates = dict(legal_dates())
    for rule_id, override in _overrides(review).items():
        kit = dates[rule_id]
        dates[rule_id] = replace(
            kit, applies_from=override.date, kit_date=kit.applies_from, override_note=override.note
        )
    return dates


def applies_from(rule_id: str, review: Any = None) -> dt.date:
    """The date from which rule `rule_id` applies, as the review sets it (its override, else the kit's date)."""
    day = effective_dates(review)[rule_id].applies_from
    if day is None:
        raise ValueError(
            f"the legal calendar has no date yet for '{rule_id}' (status "
            f"{legal_dates()[rule_id].status}); set one in review.yaml under legal_dates"
        )
    return day


def last_verified() -> dt.date:
    """The oldest verification date of the calendar: the date the notice gives."""
    return min(entry.verified_on for entry in legal_dates().values())


def legal_block(review: Any, lang: str) -> dict[str, Any]:
    """findings.json's `legal`: every date the review used (with source, status and override note) and the
    dated notice, in the review's language."""
    verified = last_verified()
    return {
        "verified_on": verified.isoformat(),
        "notice": i18n.text("legal", "notice", lang, verified_on=verified),
        "dates": [
            {
                "id": d.id,
                "label": i18n.text("legal", f"dates.{d.id}", lang),
                "applies_from": None if d.applies_from is None else d.applies_from.isoformat(),
                "status": d.status,
                "status_label": i18n.text("legal", f"statuses.{d.status}", lang),
                "source": d.source,
                "verified_on": d.verified_on.isoformat(),
                "used_by": list(d.used_by),
                "kit_date": None if d.kit_date is None else d.kit_date.isoformat(),
                "override_note": d.override_note,
            }
            for d in effective_dates(review).values()
        ],
    }


def summary_lines(block: Mapping[str, Any], lang: str) -> list[str]:
    """The CLI's lines about the legal calendar: the dates used, overrides marked, then the notice."""
    lines = [i18n.text("legal", "dates_used", lang)]
    for entry in block["dates"]:
        day = (
            i18n.format_day(entry["applies_from"], lang)
            if entry["applies_from"]
            else i18n.text("legal", "no_date", lang)
        )
        line = f"  {entry['label']}: {day} ({entry['status_label']})"
        if entry["override_note"]:
            line += " " + i18n.text(
                "legal", "overridden", lang, kit_date=entry["kit_date"], note=entry["override_note"]
            )
        lines.append(line)
    lines.append(block["notice"])
    return lines
