"""The register of AI systems (docs/data-contract.md, ai_systems): read from YAML or CSV, validated, typed.

Placeholders that people leave in a register ("TBD", "n/a", "[More Information Needed]", "à compléter"...)
count as empty: an entry that says "TBD" documents nothing. A value the kit cannot read (a decision mode it
does not know, a date it cannot parse, a boolean that is neither yes nor no) is an error naming the system,
the field and the value, never a silent gap.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from .config import read_yaml
from .contract import FALSE_WORDS, TRUE_WORDS
from .csvfiles import sniff_csv
from .errors import DataError

DECISION_MODES = ("assistive", "human_in_the_loop", "fully_automated")
USE_CASES = ("segmentation", "scoring", "pricing", "content_generation", "chatbot", "recommendation", "other")
ART22_EXCEPTIONS = ("contract", "law", "explicit_consent")  # GDPR Art 22(2)(a), (b), (c)
SAFEGUARDS = ("human_intervention", "express_view", "contest")  # GDPR Art 22(3)
BOOL_FIELDS = ("significant_effect", "special_categories", "minors_possible", "obvious_ai", "profiling", "large_scale")
DATE_FIELDS = ("last_bias_audit", "staff_trained", "in_service_from", "retired_on")
LIST_FIELDS = ("data_categories", "safeguards")
ENUM_FIELDS: dict[str, tuple[str, ...]] = {
    "decision_mode": DECISION_MODES,
    "use_case": USE_CASES,
    "art22_exception": ART22_EXCEPTIONS,
}
LIST_VALUES: dict[str, tuple[str, ...]] = {"safeguards": SAFEGUARDS}  # closed vocabularies of list fields
REQUIRED_FIELDS = ("id", "name")
# The fields every entry documents (contract v1), over which the register check judges completeness; the v2
# fields after them apply to some systems only (an Art 22 exception to a fully automated significant one).
COMPLETENESS_FIELDS = (
    "id",
    "name",
    "vendor",
    "purpose",
    "use_case",
    "owner",
    "contact",
    "decision_mode",
    "significant_effect",
    "data_categories",
    "special_categories",
    "legal_basis",
    "explanation",
    "human_oversight",
    "escalation_path",
    "model_card",
    "dpia",
    "last_bias_audit",
    "staff_trained",
    "risk_level",
    "minors_possible",
)
# Every field of the contract, in its order.
FIELDS = (
    *COMPLETENESS_FIELDS,
    "in_service_from",
    "retired_on",
    "art22_exception",
    "safeguards",
    "obvious_ai",
    "obvious_ai_reason",
    "profiling",
    "large_scale",
)
# Compared after lower-casing and trimming. "none" is not here: "data_categories: none" is an answer.
PLACEHOLDERS = frozenset(
    {
        "",
        "tbd",
        "tbc",
        "todo",
        "to do",
        "to be defined",
        "to be completed",
        "n/a",
        "na",
        "n.a.",
        "n/d",
        "nd",
        "n.d.",
        "-",
        "--",
        "?",
        "...",
        "…",
        "xxx",
        "[more information needed]",
        "more information needed",
        "à compléter",
        "a completer",
        "à définir",
        "a definir",
        "à venir",
        "à préciser",
        "null",
        "nan",
    }
)
_FRENCH_DATE = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[ T][0-9:.]+)?$")
_LIST_SEPARATOR = re.compile(r"\s*[;|,]\s*")


def is_placeholder(value: Any) -> bool:
    """True for a missing value or a placeholder such as "TBD" or "[More Information Needed]"."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and value != value:  # NaN
        return True
    if isinstance(value, (list, tuple)):
        return all(is_placeholder(v) for v in value)
    return isinstance(value, str) and value.strip().lower() in PLACEHOLDERS


def load_register(path: Path) -> pd.DataFrame:
    """Read `ai_systems.yaml` (a list of systems, or a mapping with a `systems:` list) or `ai_systems.csv`."""
    records: Any  # as read, validated below
    if path.suffix.lower() == ".csv":
        encoding, delimiter = sniff_csv(path)
        frame = pd.read_csv(path, sep=delimiter, encoding=encoding, dtype=str, keep_default_na=False)
        records = frame.to_dict(orient="records")
    else:
        document = read_yaml(path)
        records = document.get("systems", document.get("ai_systems")) if isinstance(document, dict) else document
        if document is None:
            records = []
        if not isinstance(records, list) or not all(isinstance(s, dict) for s in records):
            raise DataError(
                "the AI register must be a YAML list of systems (each a mapping of fields)",
                file=str(path),
                fix="write `- id: ...` entries, one per AI system",
            )
    return register_frame(records, source=str(path))


def register_frame(records: Sequence[Mapping[str, Any]] | pd.DataFrame, *, source: str = "DataFrame") -> pd.DataFrame:
    """Validated, typed register: text fields as strings (placeholders as missing), booleans as nullable
    booleans, dates as dates, lists as tuples. Fields beyond the contract's are kept as text."""
    given = (
        records.astype(object).where(records.notna(), None).to_dict(orient="records")
        if isinstance(records, pd.DataFrame)
        else records
    )
    entries = [{str(k).strip(): v for k, v in r.items()} for r in given]
    columns = list(FIELDS) + sorted({k for r in entries for k in r} - set(FIELDS))
    for field in REQUIRED_FIELDS:
        if entries and all(field not in r for r in entries):
            raise DataError(
                f"required field '{field}' is missing from the AI register",
                file=source,
                column=field,
                fix=f"give every system an `{field}:`",
            )
    rows = [
        {field: _typed(record.get(field), field, number, record, source) for field in columns}
        for number, record in enumerate(entries, start=1)
    ]
    _check_unique_ids(rows, source)
    _check_service_dates(rows, source)
    frame = pd.DataFrame(rows, columns=columns)
    return frame.astype(
        {
            **dict.fromkeys(BOOL_FIELDS, "boolean"),
            **{c: "string" for c in columns if c not in (*BOOL_FIELDS, *DATE_FIELDS, *LIST_FIELDS)},
        }
    )


def _typed(value: Any, field: str, number: int, record: Mapping[str, Any], source: str) -> Any:
    if field in LIST_FIELDS:
        items = _as_list(value)
        allowed = LIST_VALUES.get(field)
        unknown = [v for v in items or () if allowed and v.lower() not in allowed]
        if unknown and allowed:
            raise DataError(
                f"{_system(number, record)}: {field} must list values among {', '.join(allowed)}",
                file=source,
                column=field,
                row=number,
                value=unknown[0],
                fix=f"write a list of {', '.join(allowed)}",
            )
        return tuple(v.lower() for v in items) if items and allowed else items
    if is_placeholder(value):
        if field in REQUIRED_FIELDS:
            raise DataError(
                f"AI system number {number} has no {field}",
                file=source,
                column=field,
                row=number,
                value=None if value is None else value,
                fix=f"give every system an `{field}:`",
            )
        return None
    where = _system(number, record)
    if field in BOOL_FIELDS:
        return _as_bool(value, field, number, where, source)
    if field in DATE_FIELDS:
        return _as_date(value, field, number, where, source)
    text = value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else str(value).strip()
    if field in ENUM_FIELDS:
        allowed = ENUM_FIELDS[field]
        if text.lower() not in allowed:
            raise DataError(
                f"{where}: {field} must be one of {', '.join(allowed)}",
                file=source,
                column=field,
                row=number,
                value=text,
                fix=f"write one of {', '.join(allowed)} (or leave it empty "
                "while you find out, which the register check reports)",
            )
        return text.lower()
    return text


def _system(number: int, record: Mapping[str, Any]) -> str:
    name = record.get("id")
    return f"AI system number {number}" + (f" ('{name}')" if not is_placeholder(name) else "")


def _as_bool(value: Any, field: str, number: int, where: str, source: str) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise DataError(
        f"{where}: {field} must be a boolean",
        file=source,
        column=field,
        row=number,
        value=value,
        fix="write true or false (yes/no, oui/non, 1/0 and y/n are read too)",
    )


def _as_date(value: Any, field: str, number: int, where: str, source: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    french, iso = _FRENCH_DATE.match(text), _ISO_DATE.match(text)
    try:
        if french:
            day, month, year = (int(p) for p in french.groups())
            return dt.date(year, month, day)
        if iso:
            return dt.date.fromisoformat(iso.group(1))
    except ValueError:  # a day or month out of range: 31/02/2026
        pass
    raise DataError(
        f"{where}: {field} is not a date",
        file=source,
        column=field,
        row=number,
        value=value,
        fix="write the date as ISO-8601 (2026-03-31) or dd/mm/yyyy",
    )


def _as_list(value: Any) -> tuple[str, ...] | None:
    if is_placeholder(value):
        return None
    items = value if isinstance(value, (list, tuple)) else _LIST_SEPARATOR.split(str(value).strip())
    kept = tuple(str(v).strip() for v in items if not is_placeholder(v))
    return kept or None


def _check_unique_ids(rows: list[dict[str, Any]], source: str) -> None:
    seen: dict[str, int] = {}
    for number, row in enumerate(rows, start=1):
        if row["id"] in seen:
            raise DataError(
                f"AI system id '{row['id']}' is used twice, by systems number {seen[row['id']]} and {number}",
                file=source,
                column="id",
                row=number,
                value=row["id"],
                fix="give every system its own id",
            )
        seen[row["id"]] = number


def _check_service_dates(rows: list[dict[str, Any]], source: str) -> None:
    for number, row in enumerate(rows, start=1):
        start, end = row.get("in_service_from"), row.get("retired_on")
        if start is not None and end is not None and end < start:
            raise DataError(
                f"AI system '{row['id']}' is retired on {end} before it entered service on {start}",
                file=source,
                column="retired_on",
                row=number,
                value=end.isoformat(),
                fix="correct in_service_from or retired_on",
            )


def in_service_on_or_after(frame: pd.DataFrame, day: dt.date, as_of: dt.date) -> pd.Series:
    """Systems in service at some point between `day` and `as_of`: put into service by `as_of` (or undated) and
    not retired before `day`. Empty when the review is dated before `day`."""
    if as_of < day:
        return pd.Series(False, index=frame.index)
    started = frame.get("in_service_from", pd.Series(None, index=frame.index)).map(
        lambda d: not isinstance(d, dt.date) or d <= as_of
    )
    retired_before = frame.get("retired_on", pd.Series(None, index=frame.index)).map(
        lambda d: isinstance(d, dt.date) and d < day
    )
    return (started & ~retired_before).astype(bool)


def filled(frame: pd.DataFrame, field: str) -> pd.Series:
    """Which systems have `field` filled in (placeholders were already read as missing)."""
    if field not in frame.columns:
        return pd.Series(False, index=frame.index)
    return frame[field].map(lambda v: not is_placeholder(v)).astype(bool)
