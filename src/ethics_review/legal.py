"""Dates from which rules apply, kept as data (legal_dates.yaml) with their source."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml


@dataclass(frozen=True)
class LegalDate:
    id: str
    applies_from: dt.date
    source: str


@cache
def legal_dates() -> dict[str, LegalDate]:
    raw = yaml.safe_load(resources.files("ethics_review").joinpath("legal_dates.yaml").read_text(encoding="utf-8"))
    return {key: LegalDate(key, entry["applies_from"], entry["source"]) for key, entry in raw.items()}


def applies_from(rule_id: str) -> dt.date:
    return legal_dates()[rule_id].applies_from
