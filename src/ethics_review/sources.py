"""Load the review's tables as Ibis tables with canonical names, values and types, validated against the contract.

Files are read by the engine (DuckDB by default) as text, then mapped and typed with Ibis expressions, so the
same code types a table that lives in a warehouse. The first invalid value of a column is reported with its
file, column, line (or sheet row) and value, and the fix; every unknown value of a closed vocabulary is listed in
one message. Inputs are only ever read, and nothing outside the review folder is followed into it.
"""

from __future__ import annotations

import csv
import difflib
import functools
import hashlib
import json
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import ibis
import ibis.expr.datatypes as dt
import pandas as pd
import pyarrow as pa
import sqlglot.expressions as sge
from ibis.backends import BaseBackend

from . import engine, i18n
from .assessment import answers_from_records, find_file, load_assessment
from .config import ReviewConfig
from .contract import (
    CANONICAL_PURPOSES,
    CLOSED_KINDS,
    FALSE_WORDS,
    FILE_SUFFIXES,
    ID_COLUMNS,
    TABLES,
    TRUE_WORDS,
    ColumnSpec,
    TableSpec,
    country_code,
    country_names,
    fold_name,
)
from .csvfiles import MAX_LINE_BYTES, check_csv_text, csv_line, sniff_csv
from .errors import DataError
from .records import InputFingerprint, Notice, Review
from .register import load_register, register_frame
from .text import plain_text

ROW = "__row"  # 1-based record number of the input, kept only to name rows in error messages
_NOTICE_SUFFIXES = (".md", ".txt", ".html", ".htm")
MAX_HEADER_BYTES = 1 << 20  # a header line longer than 1 MiB is not a table's header
MAX_LISTED_VALUES = 30  # unknown values listed in one message (all are counted)


@dataclass(frozen=True)
class RawTable:
    """A table as read, before mapping: its Ibis expression, where it came from, and how to name its rows."""

    name: str
    expr: ibis.Table
    origin: str  # file path, "DataFrame" or "database table"
    path: Path | None
    row_label: str  # "line" (CSV, header = line 1), "sheet row" (Excel) or "row" (Parquet, DataFrame, database)
    # record number (ROW) -> the number a person finds in their file: the line of a CSV, the row of a sheet
    locate: Callable[[int], int] = field(default=lambda record: record, compare=False)

    def where(self, record: int | None) -> dict[str, Any]:
        """`row=` and `row_label=` for a DataError about this record."""
        return {"row": None if record is None else self.locate(record), "row_label": self.row_label}


def load_sources(
    config: ReviewConfig,
    *,
    base_dir: Path,
    data: Mapping[str, Any],
    con: BaseBackend | None = None,
    progress: bool = False,
) -> Review:
    """Read every table the review has into `con` and return the Review."""
    unknown = set(data) - set(TABLES) - {"ai_systems", "notices", "assessment"}
    if unknown:
        raise DataError(
            f"unknown table {i18n.plural(len(unknown), 'name|names', 'en')} {sorted(unknown)} passed as data",
            file="data",
            fix=f"use the contract's table names: {', '.join(TABLES)}",
        )
    con = con or _default_connection(data, config)
    data = {**engine.source_tables(con, config), **data}  # sources: {NAME: {table: ...}} of the engine
    tables: dict[str, ibis.Table] = {}
    inputs: list[InputFingerprint] = []
    names = [n for n in TABLES if n in data or _source_path(config, base_dir, n) is not None]
    for name in _progress(names, progress, "Loading tables"):
        path = _source_path(config, base_dir, name) if name not in data else None
        raw = _read_raw(name, data.get(name), path, con, sheet=_sheet_name(config, name))
        with _engine_errors(raw):
            if _is_duckdb(con) and raw.path is not None and raw.path.suffix.lower() == ".csv":
                # Parse the text once, then every check reads the typed columns; the text copy is dropped.
                table = typed_text_table(con, raw, TABLES[name], config)
                con.raw_sql(f'DROP TABLE IF EXISTS "{staging_name(name)}"')
            else:
                learned = validate_table(raw, TABLES[name], config)
                table = _drop_row_numbers(canonical_table(raw, TABLES[name], config, learned=learned))
                if raw.path is not None:
                    table = engine.keep(con, table)
            tables[name] = table
            inputs.append(_fingerprint(raw, table))
    ai_systems, ai_input = _load_ai_systems(config, base_dir, data.get("ai_systems"))
    if ai_input is not None:
        inputs.append(ai_input)
    notices = _load_notices(config, base_dir)
    inputs.extend(
        InputFingerprint("notices", _display_path(Path(n.path)), len(n.text.splitlines()), _sha256(Path(n.path)))
        for n in notices
    )
    assessment, assessment_input = _load_assessment(config, base_dir, data.get("assessment"))
    if assessment_input is not None:
        inputs.append(assessment_input)
    return Review(
        config=config,
        base_dir=base_dir,
        con=con,
        tables=tables,
        inputs=tuple(inputs),
        ai_systems=ai_systems,
        notices=notices,
        assessment=assessment,
    )


def _default_connection(data: Mapping[str, Any], config: ReviewConfig) -> BaseBackend:
    for value in data.values():
        if isinstance(value, ibis.Table):
            return value.get_backend()
    return engine.connect(config.engine)  # in UTC: timestamps with an offset are converted


class _engine_errors:
    """An engine error while typing or validating a file's table (a corrupt page, a value the engine cannot
    convert) is an input error naming the file, in words of ours: the engine's message may quote a data row."""

    def __init__(self, raw: RawTable) -> None:
        self.raw = raw

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: object) -> Literal[False]:
        if exc is None or not _is_engine_error(exc):
            return False
        line, reason = engine_problem(str(exc))
        raise DataError(
            f"cannot read table '{self.raw.name}': {reason}",
            file=self.raw.origin,
            fix="check the file is a complete, well-formed export (export it again if it was cut or damaged)",
            row=line,
            row_label="line",
        ) from None


def _is_engine_error(exc: BaseException) -> bool:
    import duckdb  # noqa: PLC0415 - a review on another engine never loads DuckDB

    return isinstance(exc, (duckdb.Error, pa.ArrowException))


def engine_problem(message: str) -> tuple[int | None, str]:
    """(line, reason) from an engine's error, in the kit's words. DuckDB's CSV errors quote the offending line
    ("Original Line: ...", with its emails and phones): only the line number and the kind of problem are kept."""
    found = re.search(r"on Line: (\d+)", message)
    line = int(found.group(1)) if found else None
    columns = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", message)
    if columns:
        return line, (
            f"a line has a different number of fields from the header (the header has "
            f"{columns.group(1)}, the line {columns.group(2)} or more); a field with the delimiter in "
            "it must be quoted"
        )
    if "unterminated quote" in message:
        return line, 'a quoted field is never closed (a " without its closing ")'
    if "Maximum line size" in message or "maximum line size" in message:
        return line, f"a line is longer than {MAX_LINE_BYTES >> 20} MiB"
    if "unicode" in message.lower() or "utf-8" in message.lower():
        return line, "the text is not valid in its encoding"
    if "parquet" in message.lower() or "magic" in message.lower() or "corrupt" in message.lower():
        return line, "the file is damaged or is not a Parquet file"
    return line, "the engine could not read it (the file may be damaged or not the format its name says)"


def _is_duckdb(con: BaseBackend) -> bool:
    return bool(con.name == "duckdb")


def _progress(items: list[str], enabled: bool, label: str) -> Iterable[str]:
    if not enabled:
        return items
    from tqdm.auto import tqdm  # noqa: PLC0415 - probes for Jupyter widgets: only a run with progress needs it

    return tqdm(items, desc=label, unit="table")


# --- finding and reading the inputs -------------------------------------------------------------------------------


def _source_path(config: ReviewConfig, base_dir: Path, name: str) -> Path | None:
    configured = config.sources.get(name)
    if configured is not None and not isinstance(configured, str):
        return None  # a table of the engine (engine.source_tables)
    if configured is not None:
        path = Path(configured.split("#", 1)[0]).expanduser()
        path = path if path.is_absolute() else base_dir / path
        if not path.exists():
            raise DataError(
                f"the file configured for table '{name}' does not exist",
                file=str(path),
                fix=f"correct sources.{name} in review.yaml (paths are relative to {base_dir})",
            )
        return _a_file(path, name)
    found = [
        base_dir / f"{name}{suffix}"
        for suffix in FILE_SUFFIXES
        if (base_dir / f"{name}{suffix}").exists() or (base_dir / f"{name}{suffix}").is_symlink()
    ]
    if len(found) > 1:
        raise DataError(
            f"table '{name}' is given twice: {', '.join(p.name for p in found)}",
            file=str(base_dir),
            fix="keep one file per table, or name the one to use under sources: in review.yaml",
        )
    return inside_review(_a_file(found[0], name), base_dir) if found else None


def _a_file(path: Path, name: str) -> Path:
    if path.is_dir():
        raise DataError(
            f"table '{name}' is a folder, not a file",
            file=str(path),
            fix="put the exported file there (a folder with a file's name is not read)",
        )
    if not path.is_file():
        raise DataError(
            f"table '{name}' is not a regular file (a broken link or a device)",
            file=str(path),
            fix="replace it with the exported file",
        )
    return path


def inside_review(path: Path, base_dir: Path) -> Path:
    """A file found in the review folder must be there: a link to a file elsewhere is not followed (only files
    named under sources: in review.yaml are read from other places)."""
    target = path.resolve()
    if not target.is_relative_to(base_dir.resolve()):
        raise DataError(
            "this file is a link to a file outside the review folder, which the kit does not follow",
            file=str(path),
            fix="copy the file into the review folder, or name it under sources: in review.yaml",
        )
    return path


def _sheet_name(config: ReviewConfig, name: str) -> str | int:
    configured = config.sources.get(name, "")
    return configured.split("#", 1)[1] if isinstance(configured, str) and "#" in configured else 0


def _read_raw(name: str, given: Any, path: Path | None, con: BaseBackend, *, sheet: str | int = 0) -> RawTable:
    if isinstance(given, ibis.Table):
        return RawTable(name, given, "database table", None, "row")
    if isinstance(given, pd.DataFrame):
        _check_header([str(c) for c in given.columns], "DataFrame", name)
        frame = given.reset_index(drop=True).assign(**{ROW: range(1, len(given) + 1)})
        return RawTable(name, ibis.memtable(frame), "DataFrame", None, "row")
    if given is not None:
        raise DataError(
            f"table '{name}' was passed as {type(given).__name__}",
            file="data",
            fix="pass a pandas DataFrame or an Ibis table",
        )
    assert path is not None
    read_by_engine = engine.read_file(con, path, name)  # Spark reads files itself; a database refuses them
    if read_by_engine is not None:
        return RawTable(name, read_by_engine, str(path), path, "row")
    suffix = path.suffix.lower()
    if suffix not in FILE_SUFFIXES:
        raise DataError(
            f"unsupported file type '{suffix}' for table '{name}'",
            file=str(path),
            fix="export the table as .csv, .parquet or .xlsx",
        )
    _check_content_matches(path, suffix)
    if suffix == ".csv":
        return _read_csv(path, name, con)
    if suffix == ".parquet":
        return _read_parquet(path, name, con)
    return _read_xlsx(path, name, sheet)


_MAGIC = {b"PK\x03\x04": ".xlsx", b"PAR1": ".parquet", b"\xd0\xcf\x11\xe0": ".xls (old Excel)"}


def _check_content_matches(path: Path, suffix: str) -> None:
    """A file must be what its name says: an .xlsx that is really a CSV, or a .csv that is a workbook, is refused
    before any reader guesses at it."""
    with path.open("rb") as handle:
        head = handle.read(4)
    actual = next((kind for magic, kind in _MAGIC.items() if head.startswith(magic)), ".csv")
    if actual != suffix and not (suffix == ".csv" and actual == ".csv"):
        raise DataError(
            f"the file's name says {suffix} but its content is {'text' if actual == '.csv' else actual}",
            file=str(path),
            fix=f"export the table again as {suffix}, or rename the file to match its content",
        )


def _check_header(header: list[str], origin: str, name: str) -> None:
    """Column names: distinct (compared without case, as SQL engines compare them) and not empty."""
    seen: dict[str, str] = {}
    for column in header:
        key = column.strip().casefold()
        if key in seen:
            raise DataError(
                f"the header of table '{name}' names a column twice"
                + (f" ('{seen[key]}' and '{column.strip()}')" if seen[key] != column.strip() else ""),
                file=origin,
                column=column.strip(),
                row=1,
                row_label=_header_label(origin),
                fix="give every column a distinct name (names are compared without case)",
            )
        seen[key] = column.strip()


def _header_label(origin: str) -> str:
    return {".csv": "line", ".xlsx": "sheet row"}.get(Path(origin).suffix.lower(), "row")


def _sql_str(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _require_duckdb(con: BaseBackend, path: Path) -> None:
    if not _is_duckdb(con):
        raise DataError(
            "files are read with the embedded DuckDB engine",
            file=str(path),
            fix="load the file into your engine first and pass the table, or use the default engine",
        )


def _duckdb_sql(con: BaseBackend, sql: str, name: str, path: Path, *, create: str | None = None) -> ibis.Table:
    """Run DuckDB's reader; its parser errors name the line, which is kept; the rest of its message is not (it
    quotes the offending row, personal data included)."""
    try:
        if create:
            con.raw_sql(f'CREATE OR REPLACE TEMP TABLE "{create}" AS {sql}')
            return con.sql(f'SELECT CAST(rowid + 1 AS BIGINT) AS "{ROW}", * FROM "{create}"')
        return con.sql(sql)
    except Exception as exc:  # noqa: BLE001 - any reader failure is the file's; its message is reworded below
        line, reason = engine_problem(str(exc))
        raise DataError(
            f"cannot read table '{name}': {reason}",
            file=str(path),
            fix="check the file is a well-formed table (same number of fields on every line, quotes closed)",
            row=line,
            row_label="line",
        ) from None


def _read_parquet(path: Path, name: str, con: BaseBackend) -> RawTable:
    """A view, not a copy: Parquet is typed and columnar, so checks read only the columns they need. The file is
    decoded once here, batch by batch, so that a damaged page is an input error now rather than a crash later."""
    import pyarrow.parquet as pq  # noqa: PLC0415 - only Parquet sources need it

    _require_duckdb(con, path)
    try:
        parquet = pq.ParquetFile(path)
        schema = parquet.schema_arrow
        _check_header(list(schema.names), str(path), name)
        nested = [f.name for f in schema if pa.types.is_nested(f.type)]
        if nested:
            raise DataError(
                f"column '{nested[0]}' of table '{name}' holds lists or records, not single values",
                file=str(path),
                column=nested[0],
                fix="flatten the column into plain values before exporting (one value per cell)",
            )
        for _ in parquet.iter_batches(batch_size=1 << 16):
            pass
    except (pa.ArrowException, OSError) as exc:
        raise DataError(
            f"cannot read table '{name}': the Parquet file is damaged or incomplete ({type(exc).__name__})",
            file=str(path),
            fix="export the table again (the file may have been cut or altered)",
        ) from None
    sql = (
        f'SELECT CAST(file_row_number + 1 AS BIGINT) AS "{ROW}", * EXCLUDE (file_row_number) '
        f"FROM read_parquet({_sql_str(path)}, file_row_number = true)"
    )
    return RawTable(name, _duckdb_sql(con, sql, name, path), str(path), path, "row")


def _read_xlsx(path: Path, name: str, sheet: str | int) -> RawTable:
    """The sheet read cell by cell (openpyxl): exact sheet row numbers and the header as written, so that two
    columns of the same name are an error instead of being renamed."""
    from openpyxl import load_workbook  # noqa: PLC0415 - only Excel sources need it

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a damaged or foreign zip: the file's fault
        raise DataError(
            f"cannot read table '{name}': the Excel file is damaged or not an .xlsx workbook ({type(exc).__name__})",
            file=str(path),
            fix="open it in Excel and save it again as .xlsx",
        ) from None
    try:
        tables = {candidate.title: candidate for candidate in workbook.worksheets}  # chart sheets hold no table
        if isinstance(sheet, str):
            if sheet not in workbook.sheetnames:
                raise DataError(
                    f"the workbook of table '{name}' has no sheet '{sheet}'; its sheets: "
                    f"{', '.join(workbook.sheetnames)}",
                    file=str(path),
                    fix="name an existing sheet as sources: {table: file.xlsx#Sheet}",
                )
            if sheet not in tables:
                raise DataError(
                    f"sheet '{sheet}' of the workbook of table '{name}' is a chart, not a table",
                    file=str(path),
                    fix="name the sheet that holds the table as sources: {table: file.xlsx#Sheet}",
                )
            worksheet = tables[sheet]
        else:
            worksheet = workbook.worksheets[0]
        header: list[str] | None = None
        records: list[tuple[Any, ...]] = []
        sheet_rows: list[int] = []
        for number, cells in enumerate(worksheet.iter_rows(min_row=1, values_only=True), start=1):
            if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
                continue
            if header is None:
                header = [f"column {i + 1}" if c is None else str(c).strip() for i, c in enumerate(cells)]
                _check_header(header, str(path), name)
                continue
            records.append(tuple(_cell_text(c) for c in cells))
            sheet_rows.append(number)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise DataError(
            f"cannot read table '{name}': the Excel file is damaged ({type(exc).__name__})",
            file=str(path),
            fix="open it in Excel and save it again as .xlsx",
        ) from None
    finally:
        workbook.close()
    if header is None:
        raise DataError(
            f"the sheet of table '{name}' is empty",
            file=str(path),
            fix="put the column names on the first row and the data below",
        )
    width = len(header)
    frame = pd.DataFrame([(r + (None,) * width)[:width] for r in records], columns=header, dtype="string")
    frame[ROW] = range(1, len(frame) + 1)
    rows = tuple(sheet_rows)
    return RawTable(
        name,
        ibis.memtable(frame),
        str(path),
        path,
        "sheet row",
        locate=lambda record: rows[record - 1] if 0 < record <= len(rows) else record,
    )


def _cell_text(value: Any) -> str | None:
    """A cell as the text a CSV export would hold: dates in ISO, whole numbers without '.0'."""
    if value is None:
        return None
    if hasattr(value, "isoformat"):
        return str(value.isoformat(sep=" ") if hasattr(value, "hour") and hasattr(value, "year") else value.isoformat())
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _numbered(con: BaseBackend, name: str, select_sql: str, path: Path) -> ibis.Table:
    """Materialise a CSV once with its row numbers: DuckDB keeps insertion order, so rowid is the row."""
    _require_duckdb(con, path)
    return _duckdb_sql(con, select_sql, name, path, create=staging_name(name))


def staging_name(name: str) -> str:
    return f"raw_{name}"


def _utf8_copy(path: Path, folder: Path) -> Path:
    """A UTF-8 copy of a cp1252 export in a temporary folder (the input itself is never touched)."""
    target = folder / "table.csv"
    with path.open("rb") as source, target.open("w", encoding="utf-8", newline="") as sink:
        for block in iter(lambda: source.read(1 << 20), b""):
            sink.write(block.decode("cp1252"))
    return target


def _read_csv(path: Path, name: str, con: BaseBackend) -> RawTable:
    encoding, delimiter = sniff_csv(path)
    check_csv_text(path, encoding)
    header = _csv_header(path, encoding, delimiter, name)
    # The UTF-8 copy of a cp1252 export holds personal data: it lives only while DuckDB reads it, and is
    # removed on success and on failure alike.
    folder = Path(tempfile.mkdtemp(prefix="ethics-review-")) if encoding == "cp1252" else None
    try:
        readable = _utf8_copy(path, folder) if folder else path
        sql = (
            f"SELECT * FROM read_csv({_sql_str(readable)}, delim={_sql_str(Path(delimiter))}, header=true, "
            f"all_varchar=true, quote='\"', escape='\"', auto_detect=false, max_line_size={MAX_LINE_BYTES}, "
            "columns={" + ", ".join(f"{_sql_str(Path(h))}: 'VARCHAR'" for h in header) + "})"
        )
        expr = _numbered(con, name, sql, path)
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
    return RawTable(
        name, expr, str(path), path, "line", locate=lambda record: csv_line(path, encoding, delimiter, record)
    )


def _csv_header(path: Path, encoding: str, delimiter: str, name: str) -> list[str]:
    with path.open("rb") as handle:
        first = handle.readline(MAX_HEADER_BYTES + 1)
    if len(first) > MAX_HEADER_BYTES:
        raise DataError(
            f"the header line of table '{name}' is longer than {MAX_HEADER_BYTES >> 20} MiB: this is "
            "not a table's header",
            file=str(path),
            row=1,
            row_label="line",
            fix="put the column names, and only them, on the first line",
        )
    text = first.decode("utf-8-sig" if encoding.startswith("utf-8") else encoding)
    try:
        header = next(csv.reader([text.rstrip("\r\n")], delimiter=delimiter), [])
    except csv.Error:
        header = []
    if not header or not any(h.strip() for h in header):
        raise DataError(
            "the file has no header line",
            file=str(path),
            row=1,
            row_label="line",
            fix="put the column names on the first line",
        )
    header = [h.strip() for h in header]
    _check_header(header, str(path), name)
    return header


# --- mapping and typing -------------------------------------------------------------------------------------------


def canonical_table(
    raw: RawTable, spec: TableSpec, config: ReviewConfig, *, learned: Mapping[str, Mapping[str, str]] | None = None
) -> ibis.Table:
    """Rename columns to the contract's names, apply value mappings, and type every known column. `learned` maps
    more values per column, found by validation (country names to their codes)."""
    t = _renamed(raw, spec, config)
    return t.select(**_typed_columns(t, spec, config, learned or {}))


def _renamed(raw: RawTable, spec: TableSpec, config: ReviewConfig) -> ibis.Table:
    t = raw.expr
    renames = dict(config.columns.get(spec.name, {}))
    # Exports without an id or a campaign column: `@row` numbers the rows, `@value:X` is the constant X.
    missing_sources = [c for c in renames if c not in t.columns and not c.startswith("@")]
    if missing_sources:
        raise DataError(
            f"review.yaml maps column '{missing_sources[0]}' of table '{spec.name}', but the table "
            f"has no such column. Columns in the table: {_columns_list(t)}",
            file=raw.origin,
            column=missing_sources[0],
            fix=f"correct columns.{spec.name} in review.yaml",
        )
    replaced = [(theirs, ours) for theirs, ours in renames.items() if ours in t.columns and ours != theirs]
    if replaced:
        theirs, ours = replaced[0]
        raise DataError(
            f"review.yaml maps '{theirs}' onto '{ours}' of table '{spec.name}', but the table already "
            f"has a column '{ours}': its values would be silently replaced",
            file=raw.origin,
            column=ours,
            fix=f"remove the mapping {theirs}: {ours} from columns.{spec.name}, or rename "
            f"the existing '{ours}' column in your export",
        )
    derived = {ours: _derived_column(t, theirs, raw) for theirs, ours in renames.items() if theirs.startswith("@")}
    if derived:
        t = t.mutate(**derived)
        renames = {theirs: ours for theirs, ours in renames.items() if not theirs.startswith("@")}
    t = t.rename({ours: theirs for theirs, ours in renames.items()})
    # A column under an older name of the contract (ColumnSpec.aliases) is read as the canonical one.
    aliased = {
        c.name: alias for c in spec.columns for alias in c.aliases if alias in t.columns and c.name not in t.columns
    }
    t = t.rename(aliased)
    absent = [c for c in spec.required if c not in t.columns]
    if absent:
        raise DataError(
            f"required column '{absent[0]}' is missing from table '{spec.name}'. Columns in the "
            f"table: {_columns_list(t)}",
            file=raw.origin,
            column=absent[0],
            fix=f"add the column, or map yours to it in review.yaml: "
            f"columns: {{{spec.name}: {{your_column: {absent[0]}}}}}",
        )
    return t


def _derived_column(t: ibis.Table, source: str, raw: RawTable) -> ibis.Value:
    if source == "@row" and ROW in t.columns:
        return t[ROW].cast("string")
    if source.startswith("@value:"):
        return ibis.literal(source.removeprefix("@value:"))
    raise DataError(
        f"'{source}' is not a derived column",
        file=raw.origin,
        column=source,
        fix="use '@row' (the row number, for files without an id) or '@value:TEXT' (a constant)",
    )


Clean = Callable[[ibis.Value], ibis.Value]  # how a column's text is trimmed before it is typed


def _typed_columns(
    t: ibis.Table,
    spec: TableSpec,
    config: ReviewConfig,
    learned: Mapping[str, Mapping[str, str]],
    *,
    clean: Clean | None = None,
) -> dict[str, ibis.Value]:
    """Every column typed. `clean` trims a column's text: `_clean`, or nothing for columns trimmed already
    (`_clean` is idempotent, so the typed values are the same)."""
    return {
        column: t[column]
        if column == ROW
        else _typed_column(t, column, spec, config, learned.get(column), clean=clean or _clean)
        for column in t.columns
    }


def _typed_column(
    t: ibis.Table,
    column: str,
    spec: TableSpec,
    config: ReviewConfig,
    learned: Mapping[str, str] | None = None,
    *,
    clean: Clean | None = None,
) -> ibis.Value:
    mapping = {**(learned or {}), **config.values.get(spec.name, {}).get(column, {})}
    value = _mapped(t[column], mapping, clean or _clean)
    # A mapped value is the mapping's own text (review.yaml may give it spaces): it is trimmed in any case.
    then = _clean if mapping else clean or _clean
    col_spec = column_spec(spec, column)
    return _typed(value, col_spec, then) if col_spec else then(value)


def column_spec(spec: TableSpec, column: str) -> ColumnSpec | None:
    """The contract's spec of a column; a targeting table may carry the contacts' attributes (age, birth_date...)."""
    own = spec.column(column)
    if own is None and spec.name == "targeting" and column != "contact_id":
        return TABLES["contacts"].column(column)
    return own


def _columns_list(t: ibis.Table) -> str:
    return str([c for c in t.columns if c != ROW])


def _clean(value: ibis.Value) -> ibis.Value:
    """Text trimmed, empty text as missing; other types as they are."""
    if value.type().is_string():
        # Not .strip(): Ibis renders it for Spark as TRIM(' \t\n\r\v\f' FROM x), and Spark reads '\f' as the
        # letter f, so 'false' became 'alse'. A regex over real whitespace characters is read alike everywhere.
        cleaned = value.re_replace("^[ \t\r\n]+|[ \t\r\n]+$", "").nullif("")
        # Most values start and end with a printable character and are already clean. Testing the first code
        # point and the last byte costs an eighth of the regex, which then runs only on the rest (and on '').
        ends_in_space = value.endswith(" ") | value.endswith("\t") | value.endswith("\r") | value.endswith("\n")
        return ibis.ifelse((value.ascii_str() > 32) & ~ends_in_space, value, cleaned)
    return value


def _mapped(value: ibis.Value, mapping: Mapping[str, str] | None, clean: Clean = _clean) -> ibis.Value:
    if not mapping:
        return value
    text = clean(value.cast("string"))
    cases = [(text.lower() == str(theirs).strip().lower(), ours) for theirs, ours in mapping.items()]
    return ibis.cases(*cases, else_=text)


def _typed(value: ibis.Value, spec: ColumnSpec, clean: Clean = _clean) -> ibis.Value:
    kind = spec.kind
    if kind in {"timestamp", "date"}:
        return _parse_time(value, kind, clean)
    if kind == "bool":
        if value.type().is_boolean():
            return value
        if value.type().is_numeric():
            return ibis.cases((value == 1, True), (value == 0, False), else_=ibis.null(dt.boolean))
        word = clean(value.cast("string")).lower()
        return ibis.cases((word.isin(TRUE_WORDS), True), (word.isin(FALSE_WORDS), False), else_=ibis.null(dt.boolean))
    if kind in {"float", "int"}:
        if value.type().is_numeric():
            return value.cast("float64" if kind == "float" else "int64")
        text = clean(value.cast("string"))
        # French exports write decimals with a comma.
        text = ibis.ifelse(text.re_search(r"^-?[0-9]+,[0-9]+$"), text.replace(",", "."), text)
        number = text.try_cast("float64")
        return (
            number
            if kind == "float"
            else ibis.ifelse(number == number.floor(), number.cast("int64"), ibis.null(dt.int64))
        )
    if kind == "enum":
        return clean(value.cast("string")).lower()
    if kind == "country":
        return clean(value.cast("string")).upper()
    return clean(value.cast("string"))


def _parse_time(value: ibis.Value, kind: str, clean: Clean = _clean) -> ibis.Value:
    target = dt.date if kind == "date" else dt.timestamp
    if value.type().is_timestamp() or value.type().is_date():
        return value.cast(target)
    text = clean(value.cast("string"))
    # dd/mm/yyyy (French exports) rebuilt as ISO from fixed positions: portable across engines.
    french = text.re_search(r"^[0-9]{2}/[0-9]{2}/[0-9]{4}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?)?$")
    iso_text = ibis.ifelse(
        french, text.substr(6, 4) + "-" + text.substr(3, 2) + "-" + text.substr(0, 2) + text.substr(10), text
    )
    iso_shape = iso_text.re_search(
        r"^[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?"
        r"(Z|[+-][0-9]{2}:?[0-9]{2})?)?$"
    )
    parsed = iso_text.try_cast(dt.Timestamp(timezone="UTC")).cast(dt.timestamp)
    return ibis.ifelse(iso_shape, parsed, ibis.null(dt.timestamp)).cast(target)


def _drop_row_numbers(table: ibis.Table) -> ibis.Table:
    return table.drop(ROW) if ROW in table.columns else table


# --- validation ---------------------------------------------------------------------------------------------------

_FIX = {
    "timestamp": "write it as ISO-8601 (2026-03-31 or 2026-03-31 14:05:00) or dd/mm/yyyy [hh:mm[:ss]]",
    "date": "write it as ISO-8601 (2026-03-31) or dd/mm/yyyy",
    "bool": "use true/false, 1/0, yes/no, oui/non or y/n, or map the value in review.yaml under values:",
    "float": "write a number (a decimal comma is accepted)",
    "int": "write a whole number",
}


@dataclass(frozen=True)
class _Problem:
    """One kind of problem one column can have."""

    kind: str  # "empty", "parse", "finite" or "id" (the first words of _raise_invalid's messages)
    column: str

    def flag(self, t: ibis.Table, typed: Mapping[str, ibis.Value]) -> ibis.Value:
        """The rows of the renamed table `t` that have the problem; `typed` are its typed columns."""
        given, value = t[self.column], typed[self.column]
        if self.kind == "empty":
            return (_clean(given) if given.type().is_string() else given).isnull()
        if self.kind == "parse":
            return _clean(given.cast("string")).notnull() & value.isnull()
        return _not_finite(value) if self.kind == "finite" else _control_characters(value)


def validate_table(raw: RawTable, spec: TableSpec, config: ReviewConfig) -> dict[str, dict[str, str]]:
    """Raise one DataError for the first problem found: unknown values of a closed vocabulary (all of them, in one
    message), empty required values, unparseable or non-finite values, ids with line breaks, duplicate keys.
    Returns the value mappings learned from the data (country names to codes), for `canonical_table`."""
    t = _renamed(raw, spec, config)
    learned = _learned_values(raw, t, spec, config)
    typed = _typed_columns(t, spec, config, learned)
    problems = _problems(t, {c: v.type() for c, v in typed.items()}, spec)
    keys = _unique_keys(t, spec)
    # One scan counts every problem of every column and the repeated values of every key.
    row = t.aggregate(
        **{f"f{i}": problem.flag(t, typed).cast("int64").sum() for i, problem in enumerate(problems)},
        **{f"repeats_{key}": typed[key].count() - typed[key].nunique() for key in keys},
    )
    _raise_first_problem(raw, spec, t, lambda: typed, problems, row.to_pyarrow().to_pylist()[0])
    return learned


def typed_text_table(con: BaseBackend, raw: RawTable, spec: TableSpec, config: ReviewConfig) -> ibis.Table:
    """A table DuckDB read as text, typed into a table of the connection and validated like `validate_table`.

    Compiling and running the typed columns costs more than reading the file: a parsed date repeats its trimmed
    text a dozen times. So every column is trimmed once, in a view, and typed from there into the table; then
    the problems are counted with small expressions (a value given, that is not blank, but missing once typed,
    did not parse; the other flags read the typed columns). The first problem is found and reported exactly as
    `validate_table` does, from the text."""
    t = _renamed(raw, spec, config)
    if not all(t[c].type().is_string() for c in t.columns if c != ROW):
        learned = validate_table(raw, spec, config)
        return _filled_table(
            con, f"review_{spec.name}", _drop_row_numbers(canonical_table(raw, spec, config, learned=learned))
        )
    learned = _learned_values(raw, t, spec, config)
    # One macro trims every column: `_clean` built and compiled once, not once per column of every table.
    con.raw_sql(f"CREATE OR REPLACE TEMP MACRO {_TRIM_MACRO}(value) AS {_trim_macro_body(con.compiler)}")
    view = f"trimmed_{spec.name}"
    con.raw_sql(
        f'CREATE OR REPLACE TEMP VIEW "{view}" AS '
        + con.compile(t.select(**{c: _trimmed(t[c]) for c in t.columns if c != ROW}))
    )
    name = f"review_{spec.name}"
    try:
        trimmed = con.table(view)
        table = _filled_table(con, name, trimmed.select(**_typed_columns(trimmed, spec, config, learned, clean=_as_is)))
        problems = _problems(t, dict(table.schema().items()), spec)
        counts = _typed_counts(trimmed, table, problems, _unique_keys(t, spec))
        _raise_first_problem(raw, spec, t, lambda: _typed_columns(t, spec, config, learned), problems, counts)
    except Exception:  # an invalid table is not left behind in the connection
        con.raw_sql(f'DROP TABLE IF EXISTS "{name}"')
        raise
    finally:
        con.raw_sql(f'DROP VIEW IF EXISTS "{view}"')
    return table


def _as_is(value: ibis.Value) -> ibis.Value:
    return value


_TRIM_MACRO = "ethics_review_trim"


@ibis.udf.scalar.builtin(name=_TRIM_MACRO)  # type: ignore[untyped-decorator]
def _trimmed(value: str) -> str:  # type: ignore[empty-body]
    """`_clean` of a text column, by the DuckDB macro that `typed_text_table` defines from it."""


@functools.cache
def _trim_macro_body(compiler: Any) -> str:
    """`_clean(value)` in DuckDB's SQL, with `value` the macro's parameter."""
    probe = ibis.table({"value": "string"}, name="probe")
    select = compiler.to_sqlglot(probe.select(value=_clean(probe.value)))
    body = select.expressions[0].this  # the expression under its alias
    return str(body.transform(lambda node: sge.column("value") if isinstance(node, sge.Column) else node).sql("duckdb"))


def _filled_table(con: BaseBackend, name: str, expr: ibis.Table) -> ibis.Table:
    """`con.create_table(name, expr, overwrite=True)` with the same column types, less its deep copy of the
    compiled query (as costly as compiling it again)."""
    table = con.create_table(name, schema=expr.schema(), overwrite=True)
    con.raw_sql(f'INSERT INTO "{name}" {con.compile(expr)}')
    return table


def _typed_counts(trimmed: ibis.Table, table: ibis.Table, problems: list[_Problem], keys: list[str]) -> dict[str, int]:
    """validate_table's counts, from the trimmed text and the typed table. Typing only ever turns a blank value
    into a missing one (never the reverse), so the rows given but missing once typed are those that did not
    parse."""
    blanks = sorted({p.column for p in problems if p.kind in {"empty", "parse"}})
    given = trimmed.aggregate(rows=ibis._.count(), **{f"g_{c}": trimmed[c].count() for c in blanks})
    metrics: dict[str, ibis.Value] = {}
    for i, problem in enumerate(problems):
        value = table[problem.column]
        if problem.kind == "parse":
            metrics[f"n{i}"] = value.count()
        elif problem.kind == "finite":
            metrics[f"f{i}"] = _not_finite(value).cast("int64").sum()
        elif problem.kind == "id":
            metrics[f"f{i}"] = _control_characters(value).cast("int64").sum()
    metrics.update({f"repeats_{key}": table[key].count() - table[key].nunique() for key in keys})
    both = given.cross_join(table.aggregate(**metrics)) if metrics else given
    counts: dict[str, int] = both.to_pyarrow().to_pylist()[0]
    for i, problem in enumerate(problems):
        if problem.kind == "empty":
            counts[f"f{i}"] = counts["rows"] - counts[f"g_{problem.column}"]
        elif problem.kind == "parse":
            counts[f"f{i}"] = counts[f"g_{problem.column}"] - counts[f"n{i}"]
    return counts


def _learned_values(raw: RawTable, t: ibis.Table, spec: TableSpec, config: ReviewConfig) -> dict[str, dict[str, str]]:
    learned: dict[str, dict[str, str]] = {}
    for col in (column_spec(spec, c) for c in t.columns):
        if col is not None and col.kind in CLOSED_KINDS:
            learned[col.name] = _check_vocabulary(raw, t, spec, col, config)
    return learned


def _problems(t: ibis.Table, types: Mapping[str, dt.DataType], spec: TableSpec) -> list[_Problem]:
    """The problems each column can have, in the order they are reported; `types` are the typed columns' types."""
    problems: list[_Problem] = []
    for col in (column_spec(spec, c) for c in t.columns):
        if col is None:
            continue
        given = t[col.name]
        if col.required:
            problems.append(_Problem("empty", col.name))
        if col.kind in _FIX and not _already_typed(given, col.kind):
            problems.append(_Problem("parse", col.name))
        if col.kind == "float" and (types[col.name].is_floating() or not given.type().is_numeric()):
            problems.append(_Problem("finite", col.name))
        if col.name in ID_COLUMNS and types[col.name].is_string():
            problems.append(_Problem("id", col.name))
    return problems


def _not_finite(value: ibis.Value) -> ibis.Value:
    return (value.isinf() | value.isnan()).fill_null(False)


def _control_characters(value: ibis.Value) -> ibis.Value:
    return value.re_search(r"[\x00-\x1f\x7f]").fill_null(False)


def _unique_keys(t: ibis.Table, spec: TableSpec) -> list[str]:
    return [key for key in spec.unique if key in t.columns]


def _raise_first_problem(
    raw: RawTable,
    spec: TableSpec,
    t: ibis.Table,
    typed: Callable[[], Mapping[str, ibis.Value]],
    problems: list[_Problem],
    counts: Mapping[str, int],
) -> None:
    """The first problem counted, found in the renamed table `t` (its typed columns are built only then)."""
    for i, problem in enumerate(problems):
        if counts[f"f{i}"]:
            record, value = _first_flagged(t, problem.flag(t, typed()), problem.column)
            _raise_invalid(raw, spec, problem.kind, problem.column, record, value, counts[f"f{i}"])
    for key in _unique_keys(t, spec):
        if counts[f"repeats_{key}"]:
            _check_unique(raw, t.select(**typed()), spec, key)


def _first_flagged(t: ibis.Table, flag: ibis.Value, column: str) -> tuple[int | None, Any]:
    flagged = t.filter(flag)
    has_rows = ROW in t.columns
    first = (flagged.order_by(ROW) if has_rows else flagged).limit(1)
    found = (
        first.select(row=first[ROW] if has_rows else ibis.null(dt.int64), value=first[column].cast("string"))
        .to_pyarrow()
        .to_pylist()[0]
    )
    return found["row"], found["value"]


def declared_purposes(config: ReviewConfig) -> set[str]:
    """Custom purposes the review declares by naming them in review.yaml: every target of a
    `values: {table: {purpose: ...}}` mapping, and every purpose given an `exemptions:` entry."""
    mapped = {str(target) for mapping in config.values.values() for target in mapping.get("purpose", {}).values()}
    return mapped | {str(purpose) for purpose in config.exemptions}


def _check_vocabulary(
    raw: RawTable, t: ibis.Table, spec: TableSpec, col: ColumnSpec, config: ReviewConfig
) -> dict[str, str]:
    """Every distinct value of a closed column (a handful: grouping first is cheap) judged against its vocabulary;
    all unknown ones are reported together, with their counts and the `values:` block that maps them."""
    has_rows = ROW in t.columns
    value = t[col.name].cast("string")
    distinct = t.group_by(value=value).agg(rows=ibis._.count(), first=t[ROW].min() if has_rows else ibis.null(dt.int64))
    mapping = {str(k).strip().lower(): str(v) for k, v in config.values.get(spec.name, {}).get(col.name, {}).items()}
    declared = declared_purposes(config)
    learned: dict[str, str] = {}
    unknown: dict[str, tuple[int, int | None]] = {}  # value -> (rows, first record)
    for item in distinct.to_pyarrow().to_pylist():
        text = (item["value"] or "").strip(" \t\r\n")
        if not text:
            continue
        mapped = mapping.get(text.lower(), text)
        if col.kind == "enum":
            known = mapped.strip().lower() in col.values
        elif col.kind == "country":
            code = country_code(mapped)
            known = code is not None
            if code is not None and code != mapped.strip().upper():
                learned[text] = code
        else:  # purpose: canonical, or explicitly declared under values:
            known = mapped.strip() in CANONICAL_PURPOSES or text.lower() in mapping or mapped.strip() in declared
        if not known:
            rows, first = unknown.get(text, (0, None))
            firsts = [record for record in (first, item["first"]) if record is not None]
            unknown[text] = (rows + item["rows"], min(firsts) if firsts else None)
    if unknown:
        _raise_unknown_values(raw, spec, col, unknown)
    return learned


def _raise_unknown_values(
    raw: RawTable, spec: TableSpec, col: ColumnSpec, unknown: Mapping[str, tuple[int, int | None]]
) -> None:
    ordered = sorted(unknown.items(), key=lambda item: (-item[1][0], item[0]))
    shown = ordered[:MAX_LISTED_VALUES]
    listed = ", ".join(f"{value!r} ({i18n.counted(rows, 'row|rows', 'en')})" for value, (rows, _) in shown)
    if len(ordered) > len(shown):
        listed += f" and {len(ordered) - len(shown)} more"
    first_value, (_, first_record) = min(ordered, key=lambda item: (item[1][1] is None, item[1][1] or 0))
    allowed = {
        "enum": f"allowed: {', '.join(col.values)}",
        "country": "allowed: ISO 3166-1 alpha-2 codes (FR, DE, BE...) or country names in English or French",
        "purpose": f"allowed: the canonical purposes ({', '.join(CANONICAL_PURPOSES)}) or a custom purpose "
        "declared in review.yaml, by mapping it to itself under values: (a lower-case code such as "
        "loyalty_club) or by giving it an exemptions: entry; "
        "an undeclared purpose would match no consent and be judged as never consented",
    }[col.kind]
    block = "\n".join(
        ["values:", f"  {spec.name}:", f"    {col.name}:"]
        + [f"      {_yaml_key(value)}: {_suggestion(value, col)}" for value, _ in shown]
    )
    how_many = i18n.counted(len(ordered), "unknown value|unknown values", "en")
    raise DataError(
        f"{how_many} in column '{col.name}' of table '{spec.name}': {listed}; {allowed}",
        file=raw.origin,
        column=col.name,
        value=first_value,
        **raw.where(first_record),
        fix="map every value in review.yaml: paste this block and check the value after each colon "
        "(a suggestion, or CHOOSE, which is refused until you replace it):\n" + block,
    )


def _yaml_key(value: str) -> str:
    """A value as a YAML mapping key, quoted when YAML would read it otherwise."""
    return (
        value
        if re.fullmatch(r"[A-Za-z][A-Za-z0-9_ .-]*", value)
        and value.lower() not in {"true", "false", "null", "yes", "no", "on", "off", "y", "n"}
        else json.dumps(value, ensure_ascii=False)
    )


def _suggestion(value: str, col: ColumnSpec) -> str:
    """The nearest allowed value, with the choices in a comment; a placeholder the validation refuses when there
    is no near one, so that a block pasted without choosing is never read as a mapping."""
    if col.kind == "country":
        names = country_names()
        near = difflib.get_close_matches(fold_name(value), list(names), n=1, cutoff=0.75)
        return f"{names[near[0]]}  # {near[0]}?" if near else "XX  # the ISO code of the country"
    choices = col.values if col.kind == "enum" else CANONICAL_PURPOSES
    near = difflib.get_close_matches(value.strip().lower(), choices, n=1, cutoff=0.6)
    target = near[0] if near else "CHOOSE"
    note = f"one of {', '.join(choices)}" + (", or a custom code" if col.kind == "purpose" else "")
    return f"{target}  # {note}"


def _already_typed(value: ibis.Value, kind: str) -> bool:
    """A Parquet or database column of the right type needs no parsing, so it cannot hold an unparseable value."""
    kind_of = value.type()
    return bool(
        {
            "timestamp": kind_of.is_timestamp() or kind_of.is_date(),
            "date": kind_of.is_timestamp() or kind_of.is_date(),
            "bool": kind_of.is_boolean(),
            "float": kind_of.is_numeric(),
            "int": kind_of.is_integer(),
        }.get(kind, False)
    )


def _raise_invalid(
    raw: RawTable, spec: TableSpec, problem: str, column: str, record: int | None, value: Any, count: int
) -> None:
    col = column_spec(spec, column)
    assert col is not None
    others = f" ({count - 1:,} more rows like it)" if count > 1 else ""
    where = {"file": raw.origin, "column": column, **raw.where(record)}
    if problem == "empty":
        raise DataError(
            f"required column '{column}' of table '{spec.name}' is empty on this row{others}",
            **where,
            fix=f"fill in every {column} (a row without one cannot be joined or judged), or remove "
            "those rows from the export",
        )
    if problem == "finite":
        raise DataError(
            f"'{value}' is not a finite number in table '{spec.name}'{others}",
            **where,
            value=value,
            fix="write a number (an infinite or not-a-number value cannot be judged); leave the cell "
            "empty when the value is unknown",
        )
    if problem == "id":
        raise DataError(
            f"'{column}' holds a line break or a control character in table '{spec.name}'{others}",
            **where,
            fix=f"clean the ids in your export: a {column} is one line of printable text",
        )
    raise DataError(
        f"cannot read this value as a {col.kind} in table '{spec.name}'{others}",
        **where,
        value=value,
        fix=_FIX[col.kind],
    )


def _check_unique(raw: RawTable, table: ibis.Table, spec: TableSpec, key: str) -> None:
    counted = table.filter(table[key].notnull()).group_by(key).agg(n=ibis._.count()).filter(ibis._.n > 1)
    duplicates = counted.count().to_pyarrow().as_py()
    if not duplicates:
        return
    value = counted.order_by(key).limit(1).to_pyarrow().to_pylist()[0][key]
    rows = None
    if ROW in table.columns:
        rows = [
            raw.locate(r[ROW])
            for r in table.filter(table[key] == value).select(ROW).order_by(ROW).limit(2).to_pyarrow().to_pylist()
        ]
    repeated = i18n.counted(duplicates, "value appears|values appear", "en")
    raise DataError(
        f"'{key}' must be unique in table '{spec.name}', but {repeated} more than once"
        + (f"; this one on {raw.row_label}s {rows[0]} and {rows[1]}" if rows else ""),
        file=raw.origin,
        column=key,
        row=rows[1] if rows else None,
        row_label=raw.row_label,
        value=value,
        fix=f"keep one row per {key} (merge or remove the duplicates in your export)",
    )


# --- fingerprints, the AI register and the notices -------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _display_path(path: Path) -> str:
    return str(path.resolve())


def _fingerprint(raw: RawTable, table: ibis.Table) -> InputFingerprint:
    rows = int(table.count().to_pyarrow().as_py())
    if raw.path is None:
        return InputFingerprint(raw.name, raw.origin, rows, None)
    return InputFingerprint(raw.name, _display_path(raw.path), rows, _sha256(raw.path))


def _load_ai_systems(
    config: ReviewConfig, base_dir: Path, given: Any
) -> tuple[pd.DataFrame | None, InputFingerprint | None]:
    """The AI register, read and validated by `register` (YAML or CSV file, or a DataFrame from a notebook)."""
    if isinstance(given, pd.DataFrame):
        return register_frame(given), InputFingerprint("ai_systems", "DataFrame", len(given), None)
    configured = config.file_source("ai_systems")
    candidates = (
        [base_dir / configured] if configured else [base_dir / f"ai_systems{s}" for s in (".yaml", ".yml", ".csv")]
    )
    path = next((p for p in candidates if p.exists() or p.is_symlink()), None)
    if path is None:
        if configured:
            raise DataError(
                "the AI register configured under sources.ai_systems does not exist",
                file=str(candidates[0]),
                fix="correct sources.ai_systems in review.yaml",
            )
        return None, None
    path = _a_file(path, "ai_systems")
    if not configured:
        inside_review(path, base_dir)
    if path.suffix.lower() == ".csv":
        encoding, _ = sniff_csv(path)
        check_csv_text(path, encoding)
    try:
        frame = load_register(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, csv.Error) as exc:
        line = re.search(r"line (\d+)", str(exc))
        raise DataError(
            f"cannot read the AI register: {type(exc).__name__}",
            file=str(path),
            row=int(line.group(1)) if line else None,
            row_label="line",
            fix="give every line the same number of fields as the header, and close every quote",
        ) from None
    return frame, InputFingerprint("ai_systems", _display_path(path), len(frame), _sha256(path))


def _load_assessment(
    config: ReviewConfig, base_dir: Path, given: Any
) -> tuple[tuple[Any, ...] | None, InputFingerprint | None]:
    """The self-assessment answers (assessment.yaml, or a list of answer mappings from a notebook)."""
    if isinstance(given, pd.DataFrame):
        given = given.astype(object).where(given.notna(), None).to_dict(orient="records")
    if given is not None:
        answers = answers_from_records(given, source="assessment (data)")
        return answers, InputFingerprint("assessment", "data", len(answers), None)
    path = find_file(base_dir, config.file_source("assessment"))
    if path is None:
        return None, None
    answers = load_assessment(path)
    return answers, InputFingerprint("assessment", _display_path(path), len(answers), _sha256(path))


def notice_language(path: Path, default: str) -> str:
    """`privacy.fr.md` is French, `ai-notice.en.txt` English, `cookies.fr-FR.html` French; otherwise the
    review's language (or the one configured as `sources: {notices: folder#fr}`)."""
    parts = path.name.lower().split(".")
    tag = parts[-2].replace("_", "-").split("-")[0] if len(parts) >= 3 else ""
    return tag if tag in i18n.LANGUAGES else default


def _load_notices(config: ReviewConfig, base_dir: Path) -> tuple[Notice, ...]:
    """Every .md, .txt and .html file of the notices folder, as plain text (HTML parsed, Markdown marks
    removed) with its language."""
    configured, _, language = (config.file_source("notices") or "").partition("#")
    folder = (base_dir / configured) if configured else base_dir / "notices"
    if configured and not folder.is_dir():
        raise DataError(
            "the notices folder configured under sources.notices does not exist",
            file=str(folder),
            fix="correct sources.notices in review.yaml",
        )
    if language and language not in i18n.LANGUAGES:
        raise DataError(
            f"unknown notice language '{language}'",
            file=str(folder),
            fix="write sources: {notices: folder#fr} or folder#en",
        )
    if folder.exists() and not folder.is_dir():
        raise DataError(
            "'notices' is a file, where the kit expects a folder of notices",
            file=str(folder),
            fix="put the notice files (.md, .txt, .html) in a folder named notices",
        )
    if not folder.is_dir():
        return ()
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in _NOTICE_SUFFIXES)
    for path in files:
        _a_file(path, "notices")
        # A notice linked from elsewhere is not followed, wherever the notices folder is.
        inside_review(path, folder if configured else base_dir)
    return tuple(
        Notice(str(p), notice_language(p, language or config.lang), plain_text(_notice_text(p), p.suffix))
        for p in files
    )


def _notice_text(path: Path) -> str:
    """A notice's text: UTF-8, else Windows-1252; bytes invalid in both are an input error, never replaced."""
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    check_csv_text(path, "cp1252")  # names the line of the first invalid byte
    return data.decode("utf-8", errors="strict")
