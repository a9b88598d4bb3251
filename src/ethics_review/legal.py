"""Dates from which rules apply, kept as data (legal_dates.yaml) with their source."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

from .paths import package_yaml


@dataclass(frozen=True)
class LegalDate:
    id: str
    applies_from: dt.date
    source: str


@cache
def legal_dates() -> dict[str, LegalDate]:
    raw = package_yaml("legal_dates.yaml")
    return {key: LegalDate(key, entry["applies_from"], entry["source"]) for key, entry in raw.items()}


def applies_from(rule_id: str) -> dt.date:
    return legal_dates()[rule_id].applies_from
