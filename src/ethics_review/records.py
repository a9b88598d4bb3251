"""The records of an opened review: the Review itself (config, canonical tables, register, notices, answers) and
what was read (InputFingerprint, Notice).

They live apart from `review.open_review` so that `sources`, which builds them, and `review`, which opens a
review through `sources`, both import them without importing each other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import ibis
import pandas as pd
from ibis.backends import BaseBackend

from .assessment import Answer
from .config import ReviewConfig


@dataclass(frozen=True)
class InputFingerprint:
    table: str
    path: str
    rows: int
    sha256: str | None  # None for a DataFrame or a table that lives in a database


@dataclass(frozen=True)
class Notice:
    path: str
    lang: str
    text: str


@dataclass(frozen=True)
class Review:
    config: ReviewConfig
    base_dir: Path
    con: BaseBackend
    tables: Mapping[str, ibis.Table]
    inputs: tuple[InputFingerprint, ...] = ()
    ai_systems: pd.DataFrame | None = None
    notices: tuple[Notice, ...] = ()
    assessment: tuple[Answer, ...] | None = None  # None when the review has no assessment file

    @property
    def as_of(self) -> dt.date:
        return self.config.resolved_as_of()

    @property
    def lang(self) -> str:
        return self.config.lang

    @property
    def k_anonymity(self) -> int:
        return self.config.bias.k_anonymity

    def has(self, table: str, *columns: str) -> bool:
        if table == "ai_systems":
            return self.ai_systems is not None and all(c in self.ai_systems.columns for c in columns)
        if table == "notices":
            return bool(self.notices)
        if table == "assessment":
            return self.assessment is not None
        return table in self.tables and all(c in self.tables[table].columns for c in columns)

    def table(self, name: str) -> ibis.Table:
        return self.tables[name]

    def with_options(self, **changes: Any) -> Review:
        """The same data judged with other config values (as_of, lang, bias thresholds...)."""
        return replace(self, config=self.config.model_copy(update=changes))
