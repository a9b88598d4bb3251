"""Load the review's tables as Ibis tables with canonical names, values and types, validated against the contract.

Files are read by the engine (DuckDB by default) as text, then mapped and typed with Ibis expressions, so the
same code types a table that lives in a warehouse. The first invalid value of a column is reported with its
file, column, row and value, and the fix. Inputs are only ever read.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.datatypes as dt
import pandas as pd
from ibis.backends import BaseBackend

from . import engine, i18n
from .config import ReviewConfig
from .contract import FALSE_WORDS, FILE_SUFFIXES, TABLES, TRUE_WORDS, ColumnSpec, TableSpec
from .errors import DataError
from .review import InputFingerprint, Notice, Review

ROW = "__row"  # 1-based data row number of the input, kept only to name rows in error messages
_DELIMITERS = ",;\t|"
_NOTICE_SUFFIXES = (".md", ".txt", ".html", ".htm")


@dataclass(frozen=True)
class RawTable:
    """A table as read, before mapping: its Ibis expression, where it came from, and how to name its rows."""

    name: str
    expr: ibis.Table
    origin: str  # file path, "DataFrame" or "database table"
    path: Path | None
    row_label: str  # "row" for data rows; the line is row + 1 in a CSV with its header line


def load_sources(config: ReviewConfig, *, base_dir: Path, data: Mapping[str, Any],
                 con: BaseBackend | None = None, progress: bool = False) -> Review:
    """Read every table the review has into `con` and return the Review."""
    unknown = set(data) - set(TABLES) - {"ai_systems", "notices", "assessment"}
    if unknown:
        raise DataError(f"unknown table name(s) {sorted(unknown)} passed as data", file="data",
                        fix=f"use the contract's table names: {', '.join(TABLES)}")
    con = con or _default_connection(data, config)
    data = {**engine.source_tables(con, config), **data}  # sources: {NAME: {table: ...}} of the engine
    tables: dict[str, ibis.Table] = {}
    inputs: list[InputFingerprint] = []
    names = [n for n in TABLES if n in data or _source_path(config, base_dir, n) is not None]
    for name in _progress(names, progress, "Loading tables"):
        raw = _read_raw(name, data.get(name), _source_path(config, base_dir, name), con,
                        sheet=_sheet_name(config, name))
        validate_table(raw, TABLES[name], config)
        table = canonical_table(raw, TABLES[name], config)
        table = _drop_row_numbers(table)
        if _is_duckdb(con) and raw.path is not None and raw.path.suffix.lower() == ".csv":
            # Parse the text once, then every check reads the typed columns; the text copy is dropped.
            table = con.create_table(f"review_{name}", table, overwrite=True)
            con.raw_sql(f'DROP TABLE IF EXISTS "{staging_name(name)}"')
        elif raw.path is not None:
            table = engine.keep(con, table)
        tables[name] = table
        inputs.append(_fingerprint(raw, table))
    ai_systems, ai_input = _load_ai_systems(config, base_dir, data.get("ai_systems"))
    if ai_input is not None:
        inputs.append(ai_input)
    notices = _load_notices(config, base_dir)
    inputs.extend(InputFingerprint("notices", _display_path(Path(n.path)), len(n.text.splitlines()),
                                   _sha256(Path(n.path))) for n in notices)
    assessment, assessment_input = _load_assessment(config, base_dir, data.get("assessment"))
    if assessment_input is not None:
        inputs.append(assessment_input)
    return Review(config=config, base_dir=base_dir, con=con, tables=tables, inputs=tuple(inputs),
                  ai_systems=ai_systems, notices=notices, assessment=assessment)


def _default_connection(data: Mapping[str, Any], config: ReviewConfig) -> BaseBackend:
    for value in data.values():
        if isinstance(value, ibis.Table):
            return value.get_backend()
    return engine.connect(config.engine)  # in UTC: timestamps with an offset are converted


def _is_duckdb(con: BaseBackend) -> bool:
    return con.name == "duckdb"


def _progress(items: list[str], enabled: bool, label: str) -> Iterable[str]:
    if not enabled:
        return items
    from tqdm.auto import tqdm

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
            raise DataError(f"the file configured for table '{name}' does not exist", file=str(path),
                            fix=f"correct sources.{name} in review.yaml (paths are relative to {base_dir})")
        return path
    found = [base_dir / f"{name}{suffix}" for suffix in FILE_SUFFIXES if (base_dir / f"{name}{suffix}").is_file()]
    if len(found) > 1:
        raise DataError(f"table '{name}' is given twice: {', '.join(p.name for p in found)}", file=str(base_dir),
                        fix="keep one file per table, or name the one to use under sources: in review.yaml")
    return found[0] if found else None


def _sheet_name(config: ReviewConfig, name: str) -> str | int:
    configured = config.sources.get(name, "")
    return configured.split("#", 1)[1] if isinstance(configured, str) and "#" in configured else 0


def _read_raw(name: str, given: Any, path: Path | None, con: BaseBackend, *, sheet: str | int = 0) -> RawTable:
    if isinstance(given, ibis.Table):
        return RawTable(name, given, "database table", None, "row")
    if isinstance(given, pd.DataFrame):
        frame = given.reset_index(drop=True).assign(**{ROW: range(1, len(given) + 1)})
        return RawTable(name, ibis.memtable(frame), "DataFrame", None, "row")
    if given is not None:
        raise DataError(f"table '{name}' was passed as {type(given).__name__}", file="data",
                        fix="pass a pandas DataFrame or an Ibis table")
    assert path is not None
    read_by_engine = engine.read_file(con, path, name)  # Spark reads files itself; a database refuses them
    if read_by_engine is not None:
        return RawTable(name, read_by_engine, str(path), path, "row")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return RawTable(name, _read_csv(path, name, con), str(path), path, "row")
    if suffix == ".parquet":
        # A view, not a copy: Parquet is typed and columnar, so checks read only the columns they need.
        _require_duckdb(con, path)
        sql = (f'SELECT CAST(file_row_number + 1 AS BIGINT) AS "{ROW}", * EXCLUDE (file_row_number) '
               f"FROM read_parquet({_sql_str(path)}, file_row_number = true)")
        return RawTable(name, _duckdb_sql(con, sql, name, path), str(path), path, "row")
    if suffix == ".xlsx":
        try:
            frame = pd.read_excel(path, sheet_name=sheet, dtype=object, engine="openpyxl")
        except ValueError as exc:
            raise DataError(f"cannot read the sheet of table '{name}': {exc}", file=str(path),
                            fix="name an existing sheet as sources: {table: file.xlsx#Sheet}") from None
        frame = frame.reset_index(drop=True).assign(**{ROW: range(1, len(frame) + 1)})
        frame = frame.astype({c: "string" for c in frame.columns if c != ROW})
        return RawTable(name, ibis.memtable(frame), str(path), path, "row")
    raise DataError(f"unsupported file type '{suffix}' for table '{name}'", file=str(path),
                    fix="export the table as .csv, .parquet or .xlsx")


def _sql_str(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _require_duckdb(con: BaseBackend, path: Path) -> None:
    if not _is_duckdb(con):
        raise DataError("files are read with the embedded DuckDB engine", file=str(path),
                        fix="load the file into your engine first and pass the table, or use the default engine")


def _duckdb_sql(con: BaseBackend, sql: str, name: str, path: Path, *, create: str | None = None) -> ibis.Table:
    """Run DuckDB's reader; its parser errors name the line, so they are passed on in one message."""
    try:
        if create:
            con.raw_sql(f'CREATE OR REPLACE TEMP TABLE "{create}" AS {sql}')
            return con.sql(f'SELECT CAST(rowid + 1 AS BIGINT) AS "{ROW}", * FROM "{create}"')
        return con.sql(sql)
    except Exception as exc:
        message = str(exc).split("\n\n")[0].strip()
        raise DataError(f"cannot read table '{name}': {message}", file=str(path),
                        fix="check the file is a well-formed table (same number of fields on every line, "
                        "quotes closed)") from None


def _numbered(con: BaseBackend, name: str, select_sql: str, path: Path) -> ibis.Table:
    """Materialise a CSV once with its row numbers: DuckDB keeps insertion order, so rowid is the row."""
    _require_duckdb(con, path)
    return _duckdb_sql(con, select_sql, name, path, create=staging_name(name))


def staging_name(name: str) -> str:
    return f"raw_{name}"


def sniff_csv(path: Path) -> tuple[str, str]:
    """(encoding, delimiter) of a CSV export: UTF-8 (with or without BOM), else cp1252; `,` `;` tab or `|`."""
    with path.open("rb") as handle:
        head = handle.read(1 << 16)
    if head.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    else:
        encoding = "utf-8" if _is_utf8(path) else "cp1252"
    sample = head.decode(encoding if encoding != "cp1252" else "latin-1", errors="replace")
    lines = sample.lstrip("\ufeff").splitlines()[:50]
    if len(lines) > 1 and len(head) == 1 << 16:
        lines = lines[:-1]  # the last line of a cut sample may be incomplete
    best, best_score = ",", (-1, 0)
    for delimiter in _DELIMITERS:
        widths = [len(r) for r in csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)]
        if not widths or widths[0] < 2:
            continue
        score = (sum(w == widths[0] for w in widths), widths[0])
        if score > best_score:
            best, best_score = delimiter, score
    return encoding, best


def _is_utf8(path: Path) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        try:
            for block in iter(lambda: handle.read(1 << 20), b""):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


_TRANSCODED: dict[Path, Path] = {}


def _utf8_copy(path: Path) -> Path:
    """A UTF-8 copy of a cp1252 export in a temporary folder (the input itself is never touched)."""
    if path not in _TRANSCODED:
        target = Path(tempfile.mkdtemp(prefix="ethics-review-")) / path.name
        with path.open("rb") as source, target.open("w", encoding="utf-8", newline="") as sink:
            for block in iter(lambda: source.read(1 << 20), b""):
                sink.write(block.decode("cp1252", errors="replace"))
        _TRANSCODED[path] = target
    return _TRANSCODED[path]


def _read_csv(path: Path, name: str, con: BaseBackend) -> ibis.Table:
    encoding, delimiter = sniff_csv(path)
    readable = _utf8_copy(path) if encoding == "cp1252" else path
    sql = (f"SELECT * FROM read_csv({_sql_str(readable)}, delim={_sql_str(Path(delimiter))}, header=true, "
           "all_varchar=true, quote='\"', escape='\"', auto_detect=false, "
           "columns=" + _csv_columns(readable, delimiter) + ")")
    return _numbered(con, name, sql, path)


def _csv_columns(path: Path, delimiter: str) -> str:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle, delimiter=delimiter), [])
    if not header or not any(h.strip() for h in header):
        raise DataError("the file has no header line", file=str(path),
                        fix="put the column names on the first line")
    seen: set[str] = set()
    for column in header:
        if column.strip() in seen:
            raise DataError("the header names a column twice", file=str(path), column=column.strip(),
                            fix="give every column a distinct name")
        seen.add(column.strip())
    struct = ", ".join(f"{_sql_str(Path(h.strip()))}: 'VARCHAR'" for h in header)
    return "{" + struct + "}"


# --- mapping and typing -------------------------------------------------------------------------------------------

def canonical_table(raw: RawTable, spec: TableSpec, config: ReviewConfig) -> ibis.Table:
    """Rename columns to the contract's names, apply value mappings, and type every known column."""
    t = _renamed(raw, spec, config)
    return t.select(**_typed_columns(t, spec, config))


def _renamed(raw: RawTable, spec: TableSpec, config: ReviewConfig) -> ibis.Table:
    t = raw.expr
    renames = dict(config.columns.get(spec.name, {}))
    # Exports without an id or a campaign column: `@row` numbers the rows, `@value:X` is the constant X.
    derived = {ours: _derived_column(t, theirs, raw) for theirs, ours in renames.items() if theirs.startswith("@")}
    if derived:
        t = t.mutate(**derived)
        renames = {theirs: ours for theirs, ours in renames.items() if not theirs.startswith("@")}
    missing_sources = [c for c in renames if c not in t.columns]
    if missing_sources:
        raise DataError(f"review.yaml maps column '{missing_sources[0]}' of table '{spec.name}', but the table "
                        f"has no such column. Columns in the table: {_columns_list(t)}", file=raw.origin,
                        column=missing_sources[0], fix=f"correct columns.{spec.name} in review.yaml")
    t = t.rename({ours: theirs for theirs, ours in renames.items()})
    # A column under an older name of the contract (ColumnSpec.aliases) is read as the canonical one.
    aliased = {c.name: alias for c in spec.columns for alias in c.aliases
               if alias in t.columns and c.name not in t.columns}
    t = t.rename(aliased)
    absent = [c for c in spec.required if c not in t.columns]
    if absent:
        raise DataError(f"required column '{absent[0]}' is missing from table '{spec.name}'. Columns in the "
                        f"table: {_columns_list(t)}", file=raw.origin, column=absent[0],
                        fix=f"add the column, or map yours to it in review.yaml: "
                        f"columns: {{{spec.name}: {{your_column: {absent[0]}}}}}")
    return t


def _derived_column(t: ibis.Table, source: str, raw: RawTable) -> ibis.Value:
    if source == "@row" and ROW in t.columns:
        return t[ROW].cast("string")
    if source.startswith("@value:"):
        return ibis.literal(source.removeprefix("@value:"))
    raise DataError(f"'{source}' is not a derived column", file=raw.origin, column=source,
                    fix="use '@row' (the row number, for files without an id) or '@value:TEXT' (a constant)")


def _typed_columns(t: ibis.Table, spec: TableSpec, config: ReviewConfig) -> dict[str, ibis.Value]:
    return {column: t[column] if column == ROW else _typed_column(t, column, spec, config) for column in t.columns}


def _typed_column(t: ibis.Table, column: str, spec: TableSpec, config: ReviewConfig) -> ibis.Value:
    value = _mapped(t[column], config.values.get(spec.name, {}).get(column))
    col_spec = column_spec(spec, column)
    return _typed(value, col_spec) if col_spec else _clean(value)


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
        stripped = value.re_replace("^[ \t\r\n]+|[ \t\r\n]+$", "")
        cleaned = ibis.ifelse(stripped == "", ibis.null(dt.string), stripped)
        # Most values start and end with a printable character and are already clean. Testing the first code
        # point and the last byte costs an eighth of the regex, which then runs only on the rest (and on '').
        ends_in_space = value.endswith(" ") | value.endswith("\t") | value.endswith("\r") | value.endswith("\n")
        return ibis.ifelse((value.ascii_str() > 32) & ~ends_in_space, value, cleaned)
    return value


def _mapped(value: ibis.Value, mapping: Mapping[str, str] | None) -> ibis.Value:
    if not mapping:
        return value
    text = _clean(value.cast("string"))
    cases = [(text.lower() == str(theirs).strip().lower(), ours) for theirs, ours in mapping.items()]
    return ibis.cases(*cases, else_=text)


def _typed(value: ibis.Value, spec: ColumnSpec) -> ibis.Value:
    kind = spec.kind
    if kind in {"timestamp", "date"}:
        return _parse_time(value, kind)
    if kind == "bool":
        if value.type().is_boolean():
            return value
        if value.type().is_numeric():
            return ibis.cases((value == 1, True), (value == 0, False), else_=ibis.null(dt.boolean))
        word = _clean(value.cast("string")).lower()
        return ibis.cases((word.isin(TRUE_WORDS), True), (word.isin(FALSE_WORDS), False),
                          else_=ibis.null(dt.boolean))
    if kind in {"float", "int"}:
        if value.type().is_numeric():
            return value.cast("float64" if kind == "float" else "int64")
        text = _clean(value.cast("string"))
        # French exports write decimals with a comma.
        text = ibis.ifelse(text.re_search(r"^-?[0-9]+,[0-9]+$"), text.replace(",", "."), text)
        number = text.try_cast("float64")
        return number if kind == "float" else ibis.ifelse(number == number.floor(), number.cast("int64"),
                                                           ibis.null(dt.int64))
    if kind == "enum":
        return _clean(value.cast("string")).lower()
    if spec.name == "country":
        return _clean(value.cast("string")).upper()
    return _clean(value.cast("string"))


def _parse_time(value: ibis.Value, kind: str) -> ibis.Value:
    target = dt.date if kind == "date" else dt.timestamp
    if value.type().is_timestamp() or value.type().is_date():
        return value.cast(target)
    text = _clean(value.cast("string"))
    # dd/mm/yyyy (French exports) rebuilt as ISO from fixed positions: portable across engines.
    french = text.re_search(r"^[0-9]{2}/[0-9]{2}/[0-9]{4}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?)?$")
    iso_text = ibis.ifelse(french, text.substr(6, 4) + "-" + text.substr(3, 2) + "-" + text.substr(0, 2)
                           + text.substr(10), text)
    iso_shape = iso_text.re_search(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?"
                                   r"(Z|[+-][0-9]{2}:?[0-9]{2})?)?$")
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


def validate_table(raw: RawTable, spec: TableSpec, config: ReviewConfig) -> None:
    """Raise one DataError for the first problem found: unparseable values, unknown enum values, duplicate keys."""
    t = _renamed(raw, spec, config)
    typed = _typed_columns(t, spec, config)
    bad: dict[str, ibis.Value] = {}
    enums = []
    for col in (column_spec(spec, c) for c in t.columns):
        if col is None or col.kind == "string":
            continue
        if col.kind == "enum":
            enums.append(col)
            bad[col.name] = typed[col.name].notnull() & ~typed[col.name].isin(col.values)
        elif not _already_typed(t[col.name], col.kind):
            bad[col.name] = _clean(t[col.name].cast("string")).notnull() & typed[col.name].isnull()
    counts = _enum_violations(t, enums, spec, config)
    keys = [key for key in spec.unique if key in t.columns]
    scanned = {c: flag for c, flag in bad.items() if c not in counts}
    if scanned or keys:
        # One scan counts the unparseable values of every column and the repeated values of every key.
        row = t.aggregate(**{f"bad_{c}": flag.cast("int64").sum() for c, flag in scanned.items()},
                          **{f"repeats_{key}": typed[key].count() - typed[key].nunique() for key in keys})
        counts |= {name.removeprefix("bad_"): n for name, n in row.to_pyarrow().to_pylist()[0].items()}
    for column, flag in bad.items():
        if counts[column]:
            flagged = t.filter(flag)
            has_rows = ROW in t.columns
            first = (flagged.order_by(ROW) if has_rows else flagged).limit(1)
            row = first.select(row=first[ROW] if has_rows else ibis.null(dt.int64),
                               value=first[column].cast("string")).to_pyarrow().to_pylist()[0]
            _raise_invalid(raw, spec, column, row["row"], row["value"], counts[column])
    for key in keys:
        if counts[f"repeats_{key}"]:
            _check_unique(raw, t.select(**typed), spec, key)


def _enum_violations(t: ibis.Table, enums: list[ColumnSpec], spec: TableSpec, config: ReviewConfig) -> dict[str, int]:
    """Rows whose value is outside each enum's list, judged once per distinct raw value: an enum column has a
    handful of values, so grouping first is several times cheaper than typing every row. One query per column:
    a union of them would share the table as a CTE, which DuckDB materialises whole."""
    counts = {}
    for col in enums:
        values = t.group_by(col.name).agg(rows=ibis._.count())
        typed = _typed_column(values, col.name, spec, config)
        bad_rows = values.filter(typed.notnull() & ~typed.isin(col.values)).rows.sum()
        counts[col.name] = int(bad_rows.to_pyarrow().as_py() or 0)
    return counts


def _already_typed(value: ibis.Value, kind: str) -> bool:
    """A Parquet or database column of the right type needs no parsing, so it cannot hold an unparseable value."""
    kind_of = value.type()
    return {"timestamp": kind_of.is_timestamp() or kind_of.is_date(), "date": kind_of.is_timestamp() or kind_of.is_date(),
            "bool": kind_of.is_boolean(), "float": kind_of.is_numeric(), "int": kind_of.is_integer()}.get(kind, False)


def _raise_invalid(raw: RawTable, spec: TableSpec, column: str, row: int | None, value: Any, count: int) -> None:
    col = column_spec(spec, column)
    assert col is not None
    others = f" ({count - 1} more rows like it)" if count > 1 else ""
    if col.kind == "enum":
        raise DataError(f"unknown value in table '{spec.name}'{others}; allowed: {', '.join(col.values)}",
                        file=raw.origin, column=column, row=row, value=value,
                        fix=f"map it in review.yaml: values: {{{spec.name}: {{{column}: {{{value}: "
                        f"<one of {', '.join(col.values)}>}}}}}}")
    raise DataError(f"cannot read this value as a {col.kind} in table '{spec.name}'{others}", file=raw.origin,
                    column=column, row=row, value=value, fix=_FIX[col.kind])


def _check_unique(raw: RawTable, table: ibis.Table, spec: TableSpec, key: str) -> None:
    counted = table.filter(table[key].notnull()).group_by(key).agg(n=ibis._.count()).filter(ibis._.n > 1)
    duplicates = counted.count().to_pyarrow().as_py()
    if not duplicates:
        return
    value = counted.order_by(key).limit(1).to_pyarrow().to_pylist()[0][key]
    rows = None
    if ROW in table.columns:
        rows = [r[ROW] for r in table.filter(table[key] == value).select(ROW).order_by(ROW).limit(2)
                .to_pyarrow().to_pylist()]
    raise DataError(f"'{key}' must be unique in table '{spec.name}', but {duplicates} value(s) appear more than "
                    f"once" + (f"; this one on rows {rows[0]} and {rows[1]}" if rows else ""),
                    file=raw.origin, column=key, row=rows[1] if rows else None, value=value,
                    fix=f"keep one row per {key} (merge or remove the duplicates in your export)")


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


def _load_ai_systems(config: ReviewConfig, base_dir: Path,
                     given: Any) -> tuple[pd.DataFrame | None, InputFingerprint | None]:
    """The AI register, read and validated by `register` (YAML or CSV file, or a DataFrame from a notebook)."""
    from .register import load_register, register_frame

    if isinstance(given, pd.DataFrame):
        return register_frame(given), InputFingerprint("ai_systems", "DataFrame", len(given), None)
    configured = config.sources.get("ai_systems")
    candidates = [base_dir / configured] if configured else [base_dir / f"ai_systems{s}"
                                                              for s in (".yaml", ".yml", ".csv")]
    path = next((p for p in candidates if p.is_file()), None)
    if path is None:
        if configured:
            raise DataError("the AI register configured under sources.ai_systems does not exist",
                            file=str(candidates[0]), fix="correct sources.ai_systems in review.yaml")
        return None, None
    frame = load_register(path)
    return frame, InputFingerprint("ai_systems", _display_path(path), len(frame), _sha256(path))


def _load_assessment(config: ReviewConfig, base_dir: Path,
                     given: Any) -> tuple[tuple[Any, ...] | None, InputFingerprint | None]:
    """The self-assessment answers (assessment.yaml, or a list of answer mappings from a notebook)."""
    from .assessment import answers_from_records, find_file, load_assessment

    if isinstance(given, pd.DataFrame):
        given = given.astype(object).where(given.notna(), None).to_dict(orient="records")
    if given is not None:
        answers = answers_from_records(given, source="assessment (data)")
        return answers, InputFingerprint("assessment", "data", len(answers), None)
    path = find_file(base_dir, config.sources.get("assessment"))
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
    from .text import plain_text

    configured, _, language = config.sources.get("notices", "").partition("#")
    folder = (base_dir / configured) if configured else base_dir / "notices"
    if configured and not folder.is_dir():
        raise DataError("the notices folder configured under sources.notices does not exist", file=str(folder),
                        fix="correct sources.notices in review.yaml")
    if language and language not in i18n.LANGUAGES:
        raise DataError(f"unknown notice language '{language}'", file=str(folder),
                        fix="write sources: {notices: folder#fr} or folder#en")
    if not folder.is_dir():
        return ()
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in _NOTICE_SUFFIXES and p.is_file())
    return tuple(Notice(str(p), notice_language(p, language or config.lang),
                        plain_text(p.read_text(encoding="utf-8-sig", errors="replace"), p.suffix))
                 for p in files)
