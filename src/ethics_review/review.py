"""Open a review: the validated config, the canonical Ibis tables on one engine, and the input fingerprints.

The records (Review, InputFingerprint, Notice) are defined in `records` and importable from here too."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ibis.backends import BaseBackend

from .config import CONFIG_FILE_NAME, ReviewConfig, load_config, parse_config
from .engine import parse_engine
from .errors import ConfigError
from .records import InputFingerprint, Notice, Review
from .sources import load_sources

__all__ = ["InputFingerprint", "Notice", "Review", "open_review"]


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
    base_dir, cfg = _resolve_config(path, config)
    cfg = with_overrides(cfg, as_of=as_of, lang=lang, engine=engine)
    return load_sources(cfg, base_dir=base_dir, data=data or {}, con=con, progress=progress)


def with_overrides(
    cfg: ReviewConfig, *, as_of: str | dt.date | None = None, lang: str | None = None, engine: Any = None
) -> ReviewConfig:
    """The config with the options a command or a notebook gives (None: the config's own)."""
    overrides: dict[str, Any] = {}
    if as_of is not None:
        overrides["as_of"] = as_of
    if lang is not None:
        overrides["lang"] = lang
    if overrides:
        cfg = parse_config({**cfg.model_dump(exclude_defaults=True), **overrides}, source="options")
    if engine is not None:
        cfg = cfg.model_copy(update={"engine": parse_engine(engine)})
    return cfg


def _resolve_config(
    path: str | Path | None, config: ReviewConfig | Mapping[str, Any] | None
) -> tuple[Path, ReviewConfig]:
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
            raise ConfigError(
                f"{path} is neither a review.yaml nor a folder", fix="pass the review folder or its review.yaml"
            )
        return path.parent.resolve(), parsed or load_config(path)
    raise ConfigError(
        f"{path} does not exist",
        fix="pass an existing review folder or review.yaml (`ethics-review init DIR` creates one)",
    )
