"""A review: the validated config, the canonical Ibis tables on one engine, and the input fingerprints."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import ibis
import pandas as pd
from ibis.backends import BaseBackend

from .config import CONFIG_FILE_NAME, ReviewConfig, load_config, parse_config
from .errors import ConfigError


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
    assessment: tuple[Any, ...] | None = None  # assessment.Answer records; None when the review has no file

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


def open_review(
    path: str | Path | None = None,
    *,
    data: Mapping[str, Any] | None = None,
    con: BaseBackend | None = None,
    config: ReviewConfig | Mapping[str, Any] | None = None,
    as_of: str | dt.date | None = None,
    lang: str | None = None,
    engine: Any = None,
    progress: bool = False,
) -> Review:
    """Open a review from a review.yaml, a review folder, or in-memory tables.

    `path` is a review.yaml or a folder (canonical file names, optional review.yaml). `data` maps table names
    to pandas DataFrames or Ibis tables (from a notebook or a warehouse connection); it wins over files.
    `as_of` and `lang` override the config, and so does `engine` (the CLI's --engine text, a notebook's
    `engine` parameter, or a mapping as under `engine:` in review.yaml).
    """
    from .sources import load_sources  # sources imports review's records

    base_dir, cfg = _resolve_config(path, config)
    cfg = with_overrides(cfg, as_of=as_of, lang=lang, engine=engine)
    return load_sources(cfg, base_dir=base_dir, data=data or {}, con=con, progress=progress)


def with_overrides(cfg: ReviewConfig, *, as_of: str | dt.date | None = None, lang: str | None = None,
                   engine: Any = None) -> ReviewConfig:
    """The config with the options a command or a notebook gives (None: the config's own)."""
    overrides: dict[str, Any] = {}
    if as_of is not None:
        overrides["as_of"] = as_of
    if lang is not None:
        overrides["lang"] = lang
    if overrides:
        cfg = parse_config({**cfg.model_dump(exclude_defaults=True), **overrides}, source="options")
    if engine is not None:
        from .engine import parse_engine

        cfg = cfg.model_copy(update={"engine": parse_engine(engine)})
    return cfg


def _resolve_config(path: str | Path | None,
                    config: ReviewConfig | Mapping[str, Any] | None) -> tuple[Path, ReviewConfig]:
    if isinstance(config, ReviewConfig):
        parsed: ReviewConfig | None = config
    elif config is not None:
        parsed = parse_config(dict(config), source="config")
    else:
        parsed = None
    if path is None:
        return Path.cwd(), parsed or ReviewConfig()
    path = Path(path).expanduser()
    if path.is_dir():
        yaml_path = path / CONFIG_FILE_NAME
        return path.resolve(), parsed or (load_config(yaml_path) if yaml_path.is_file() else ReviewConfig())
    if path.is_file():
        if path.suffix.lower() not in {".yaml", ".yml"}:
            raise ConfigError(f"{path} is neither a review.yaml nor a folder",
                              fix="pass the review folder or its review.yaml")
        return path.parent.resolve(), parsed or load_config(path)
    raise ConfigError(f"{path} does not exist", fix="pass an existing review folder or review.yaml "
                      "(`ethics-review init DIR` creates one)")
