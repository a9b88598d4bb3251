"""Open once: the report reads and validates a review's inputs once, and its notebooks reuse the result.

`write_prepared` writes the validated canonical tables into a folder of the report's staging folder (Parquet,
written by the engine itself: DuckDB or Spark) with `review.json`, which holds what the review read (the config as
resolved, the input fingerprints) and the small inputs the kit reads in Python (the AI register, the notices, the
self-assessment). `open_prepared` turns that folder back into a Review on the same engine, without reading or
validating the inputs again; the fingerprints are those of the files the report validated.

The folder holds personal data: it lives in the staging folder only (mode 0700, beside --out, never in the
system's temporary folder) and the report removes it before the report is moved into place, also when a run fails.
The DuckDB connections that read it (the notebooks', and the command's while they run) spill into it too.
A database engine (PostgreSQL, another Ibis URL) reads its own tables in place, and the kit never copies a user's
records out of it: there is nothing to prepare, and the notebooks open the review themselves.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from ibis.backends import BaseBackend

from . import engine as engines
from .assessment import answers_from_records
from .config import ReviewConfig
from .errors import ConfigError, ReviewInputError
from .register import register_frame
from .review import InputFingerprint, Notice, Review, with_overrides

FOLDER = ".prepared"  # inside the report's staging folder; removed before the report is moved into place
META_FILE = "review.json"
FORMAT = 1  # the layout of review.json; a notebook refuses a folder of another layout
SPILL_PREFIX = "spill-"  # a connection's spill folder inside the prepared folder (spill_dir)
INPUTS_MIMETYPE = "application/vnd.ethics-review.inputs+json"  # kept in the executed notebook, drawn by no page


def can_prepare(review: Review) -> bool:
    """Files typed by the engine are prepared; tables a database reads in place are not (module docstring)."""
    return review.con.name in {"duckdb", "pyspark"}


def restrict_to_country(review: Review, country: str) -> Review:
    """The review of the contacts of one country: `contacts` filtered on its `country`, every table with a
    `contact_id` kept to those contacts' records, the other tables whole. Only a prepared review can be
    restricted, so that the notebooks read the restricted tables (the fingerprints stay the files')."""
    contacts = review.tables.get("contacts")
    if contacts is None or "country" not in contacts.columns:
        raise ReviewInputError(
            "a review split by country needs the contacts table with its country column",
            fix="add country to contacts (ISO code or name), or split by campaign",
        )
    if not can_prepare(review):
        raise ReviewInputError(
            f"a review on the database engine '{review.con.name}' cannot be split by country: "
            "the kit reads a database's tables in place and never copies them",
            fix="split by campaign, or review the files on duckdb or pyspark",
        )
    kept = contacts.filter(contacts["country"] == country)
    ids = kept.select("contact_id")
    tables = {
        name: kept
        if name == "contacts"
        else table.semi_join(ids, "contact_id")
        if "contact_id" in table.columns
        else table
        for name, table in review.tables.items()
    }
    return replace(review, tables=tables)


def write_prepared(review: Review, folder: Path) -> Path:
    """Write the review's validated tables and what it read into `folder` (created); returns `folder`."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=False)
    tables = {}
    for name, table in review.tables.items():
        target = folder / f"{name}.parquet"
        if engines.is_spark(review.con):
            review.con.to_parquet_dir(table, target)  # a folder of part files, written by the executors
        else:
            review.con.to_parquet(table, target)
        tables[name] = target.name
    meta = {
        "format": FORMAT,
        "base_dir": str(review.base_dir),
        "config": review.config.model_dump(mode="json"),
        "tables": tables,
        "inputs": [asdict(item) for item in review.inputs],
        "ai_systems": None if review.ai_systems is None else _records(review.ai_systems),
        "notices": [asdict(notice) for notice in review.notices],
        "assessment": None if review.assessment is None else [asdict(answer) for answer in review.assessment],
    }
    (folder / META_FILE).write_text(json.dumps(meta, ensure_ascii=False, default=_json_value), encoding="utf-8")
    return folder


def open_prepared(
    folder: str | Path,
    *,
    as_of: str | dt.date | None = None,
    lang: str | None = None,
    engine: Any = None,
    con: BaseBackend | None = None,
) -> Review:
    """The review the report prepared in `folder`, its tables read from there by the engine (the config's, or
    `engine`); `as_of` and `lang` override the config as in open_review."""
    folder = Path(folder)
    meta_path = folder / META_FILE
    if not meta_path.is_file():
        raise ConfigError(
            f"{folder} holds no review prepared by the report ({META_FILE} is missing)",
            fix="leave the notebook's `prepared` parameter as None: it is set by the report only",
        )
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if meta.get("format") != FORMAT:
        raise ConfigError(
            f"{folder} was prepared by another version of the kit",
            fix="run the report again, or set the notebook's `prepared` parameter to None",
        )
    config = with_overrides(ReviewConfig.model_validate(meta["config"]), as_of=as_of, lang=lang, engine=engine)
    con = con or engines.connect(config.engine, spill_dir=spill_dir(folder))
    tables = {}
    for name, file_name in meta["tables"].items():
        path = folder / file_name
        table = engines.read_file(con, path, name)  # Spark reads its own part files
        tables[name] = table if table is not None else con.read_parquet(path, table_name=f"prepared_{name}")
    return Review(
        config=config,
        base_dir=Path(meta["base_dir"]),
        con=con,
        tables=tables,
        inputs=tuple(InputFingerprint(**item) for item in meta["inputs"]),
        ai_systems=None if meta["ai_systems"] is None else register_frame(meta["ai_systems"], source="ai_systems"),
        notices=tuple(Notice(**notice) for notice in meta["notices"]),
        assessment=(
            None if meta["assessment"] is None else answers_from_records(meta["assessment"], source="assessment")
        ),
    )


def spill_dir(folder: Path) -> Path:
    """Where one connection that reads the prepared tables spills what does not fit in its memory_limit
    (engine.bound_duckdb_memory), or a local Spark session writes its scratch files: a folder of its own in the
    prepared folder (created by the engine when it first writes there), so that it is private and removed with the
    prepared tables, also when a kernel is killed."""
    return folder.resolve() / f"{SPILL_PREFIX}{uuid.uuid4().hex[:12]}"


def inputs_output(review: Review) -> dict[str, Any]:
    """What a notebook that opened a prepared review read, as an output of its executed copy: the fingerprints
    of the files the report validated (a mimetype no page draws: the record is the .ipynb)."""
    return {
        INPUTS_MIMETYPE: {"prepared_by_report": True, "inputs": [asdict(item) for item in review.inputs]},
        "text/html": "",
    }  # an output a page can draw (as nothing), so that nbconvert has no type to warn about


def _records(frame: Any) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = frame.astype(object).where(frame.notna(), None).to_dict(orient="records")
    return records


def _json_value(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (tuple, set, frozenset)):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON")
