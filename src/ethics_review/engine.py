"""The engine of a review: the one connection every table lives in, and the one gate results leave it by.

The connection is chosen once per review (DESIGN.md "The engine"): `engine:` in review.yaml, the CLI's
`--engine`, or the notebooks' `engine` parameter, which override it. DuckDB (embedded) is the default; a local
Spark session (`pyspark`), a Spark Connect server (`sc://...`) and any Ibis URL (`postgres://...`) are the others.
Every engine computes in UTC: the session time zone is set and read back, or the review stops with the fix.

Where files go:
- DuckDB reads CSV, Parquet and Excel files itself (sources.py).
- Spark reads CSV and Parquet files itself (the review's files must be readable by the Spark driver and
  executors); an Excel sheet is read in this process and handed to Spark as a table.
- A database (PostgreSQL or another Ibis URL) reads its own tables in place (`sources: {sends: {table:
  crm.sends}}`). The kit never writes a user's records into their database, so a file there is refused with the
  fix (load it with the database's own tools, or review it on the default engine).

The gate: `fetch` is the only function through which a check's result becomes pandas or a Python value. It
refuses row-level results: a table must come out of a grouping (group_by/aggregate or distinct, possibly
filtered, sorted, joined or unioned with other groupings), must hold no identifier column, and must stay under
MAX_RESULT_ROWS rows; a scalar must be a reduction (a count, a sum, a minimum...) and not a text. It applies the
small-cell rule to the counts named in `small_cells`. tests/test_engine_gate.py keeps every other
`.to_pandas()`, `.execute()` and `.to_pyarrow()` out of the checks.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
import uuid
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import ibis
import ibis.expr.operations as ops
import ibis.expr.types as ir
from ibis.backends import BaseBackend
from pydantic import ValidationError

from . import i18n
from .aggregates import recall
from .config import EngineConfig, ReviewConfig, TableSource
from .contract import TABLES
from .csvfiles import sniff_csv
from .errors import ConfigError, DataError
from .findings import suppress_small_cells

DEFAULT = EngineConfig(backend="duckdb")
SPARK_EXTRA = (
    "pip install 'ethics-review[spark]' (PySpark) and Java 17 or later (apt-get install openjdk-17-jre-headless)"
)
# Kit defaults for a local Spark session; review.yaml's `conf` wins, except the time zone, which must be UTC.
SPARK_DEFAULTS = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",  # progress bars would interleave with the kit's own output
    "spark.sql.session.timeZone": "UTC",
    # The kit's parsing reads an unparseable value as missing and then reports it (sources.validate_table):
    # Spark 4's ANSI mode would raise at the first one instead.
    "spark.sql.ansi.enabled": "false",
    "spark.sql.shuffle.partitions": "8",  # review aggregates are small: 200 partitions is mostly overhead
}


# --- choosing and opening the engine -----------------------------------------------------------------------------


def parse_engine(value: Any, *, source: str = "--engine") -> EngineConfig:
    """An engine from the CLI's text (`duckdb`, `pyspark`, `spark-connect sc://host:15002`, `sc://...`, or an
    Ibis URL), a notebook parameter (that text or a mapping as in review.yaml), or an EngineConfig."""
    if isinstance(value, EngineConfig):
        return value
    try:
        return EngineConfig.model_validate(value)
    except ValidationError as exc:
        problem = "; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors())
        raise ConfigError(
            f"{source}: '{_without_password(value)}' is not an engine: {problem}",
            fix="use duckdb, pyspark, spark-connect sc://HOST:PORT, or an Ibis URL such as "
            "postgres://user@host:5432/database",
        ) from None


def connect(spec: EngineConfig | None = None, *, spill_dir: Path | None = None) -> BaseBackend:
    """A connection to the engine `spec` names, in UTC. A missing library, an unreachable server or a refused
    login is a ConfigError (exit 2) with the fix. An embedded DuckDB is bounded in memory and spills into
    `spill_dir` (see bound_duckdb_memory); a local Spark session writes its scratch files there."""
    spec = spec or DEFAULT
    if spec.url and urlsplit(spec.url).password:
        raise ConfigError(
            "the engine url holds a password, which the kit would copy into the notebooks it runs",
            fix="remove the password from the url and give it the engine's own way "
            "(PGPASSWORD or ~/.pgpass for PostgreSQL)",
        )
    kind = spec.kind
    if kind == "duckdb" and spec.url is None:
        con = ibis.duckdb.connect()
        bound_duckdb_memory(con, spec, spill_dir=spill_dir)
    elif kind in {"pyspark", "spark-connect"}:
        # The session first: it checks PySpark and Java, which loading Ibis's PySpark backend would not.
        session = _spark_session(spec, local_dir=spill_dir) if kind == "pyspark" else _spark_connect_session(spec)
        con = ibis.pyspark.connect(session)
    else:
        con = _connect_url(spec)
    use_utc(con, spec)
    return con


# --- DuckDB's memory -----------------------------------------------------------------------------------------------

# DuckDB takes 80% of the machine's memory per connection by default, and a report runs several connections (the
# command, which validates the inputs, and a notebook kernel per area, up to kernels.MAX_PARALLEL_NOTEBOOKS at once):
# each is bounded instead, and what does not fit is spilled to disk (DuckDB's temp_directory). Below a million input
# rows governance's kernel runs beside those two (report.py), on tables that small: the budget counts the three that
# also run on the largest reviews.
MEMORY_LIMIT_ENV = "ETHICS_REVIEW_MEMORY_LIMIT"  # e.g. 2GB: each DuckDB connection's memory_limit on this machine
REVIEW_MEMORY_BUDGET = 3 * 2**30  # kit default: the DuckDB memory of a whole report (issue 12: 10M contacts, 4 GB)
MACHINE_SHARE = 0.5  # ... and never more than half of the machine's memory: Python, pandas and Jupyter need theirs
CONCURRENT_CONNECTIONS = 3  # the command's connection and two notebook kernels (kernels.MAX_PARALLEL_NOTEBOOKS)
MIN_MEMORY_LIMIT = 256 * 2**20  # below this DuckDB spills even the consent checks' small hash tables
# Settings the kit owns: the time zone (UTC, use_utc) and where personal data spills (the staging folder).
KIT_OWNED_DUCKDB_SETTINGS = frozenset({"timezone", "temp_directory"})
SPILL_PREFIX = "ethics-review-spill-"


def default_memory_limit(machine_bytes: int | None = None) -> int:
    """The kit's memory_limit of one DuckDB connection, in bytes: the review's budget (REVIEW_MEMORY_BUDGET, at
    most half of the machine) shared by the connections a report runs at once."""
    machine = machine_bytes if machine_bytes is not None else _machine_memory()
    budget = min(REVIEW_MEMORY_BUDGET, int(machine * MACHINE_SHARE)) if machine else REVIEW_MEMORY_BUDGET
    return max(MIN_MEMORY_LIMIT, budget // CONCURRENT_CONNECTIONS)


def duckdb_settings(spec: EngineConfig | None = None) -> dict[str, str]:
    """The DuckDB settings of a connection: the kit's memory_limit, then review.yaml's `engine: {backend: duckdb,
    conf: {...}}`, then ETHICS_REVIEW_MEMORY_LIMIT (the machine's say wins over the review's)."""
    conf = {str(k).lower(): v for k, v in (spec.conf if spec is not None else {}).items()}
    owned = sorted(KIT_OWNED_DUCKDB_SETTINGS & set(conf))
    if owned:
        raise ConfigError(
            f"engine.conf sets {', '.join(owned)}, which the kit sets itself (UTC; spilling into the report's "
            "private staging folder)",
            fix=f"remove {', '.join(owned)} from engine.conf in review.yaml",
        )
    settings = {
        "memory_limit": f"{default_memory_limit() // 2**20}MiB",
        # Keeping the input's row order makes DuckDB buffer what it writes (the report's prepared Parquet) and runs
        # it out of memory under a small limit; no result of the kit depends on row order (groupings are sorted).
        "preserve_insertion_order": "false",
    }
    settings.update({key: str(value).lower() if isinstance(value, bool) else str(value) for key, value in conf.items()})
    from_env = os.environ.get(MEMORY_LIMIT_ENV, "").strip()
    if from_env:
        settings["memory_limit"] = from_env
    return settings


def bound_duckdb_memory(con: BaseBackend, spec: EngineConfig | None = None, *, spill_dir: Path | None = None) -> None:
    """Apply duckdb_settings to `con` and choose where it spills:
    - `spill_dir` (the report's prepared folder, prepared.spill_dir: private, removed with the personal data);
    - otherwise a private folder (mode 0700) of the user's cache folder, removed when the process ends: the
      command's connection validates the inputs before the staging folder exists, and a notebook opened in
      JupyterLab has none. Never the system's temporary folder (often memory itself, and shared) nor the review's
      folder (DuckDB's default, `.tmp` in the current folder)."""
    for key, value in duckdb_settings(spec).items():
        try:
            con.raw_sql(f"SET {_setting_name(key)} = '{value.replace(chr(39), chr(39) * 2)}'")
        except Exception as exc:  # noqa: BLE001 - DuckDB names an unknown setting or a bad value its own way
            source = (
                f"{MEMORY_LIMIT_ENV}={value}" if key == "memory_limit" and os.environ.get(MEMORY_LIMIT_ENV) else key
            )
            raise ConfigError(
                f"DuckDB refused the setting {source}: {_first_line(exc)}",
                fix="correct engine.conf in review.yaml (DuckDB settings, e.g. memory_limit: 2GB, threads: 2) "
                f"or {MEMORY_LIMIT_ENV}",
            ) from None
    folder = spill_dir if spill_dir is not None else _private_spill_folder()
    con.raw_sql(f"SET temp_directory = '{str(folder).replace(chr(39), chr(39) * 2)}'")


def _setting_name(key: str) -> str:
    if not key.replace("_", "").isalnum():
        raise ConfigError(f"engine.conf: '{key}' is not a DuckDB setting name", fix="use names such as memory_limit")
    return key


def _private_spill_folder() -> Path:
    """A folder of its own for one connection's spill, in the user's cache folder (itself mode 0700). DuckDB
    creates it when it first spills and removes it when the connection closes; the process removes it at exit."""
    import platformdirs  # noqa: PLC0415 - only where a connection has no staging folder to spill into

    parent = Path(platformdirs.user_cache_dir("ethics-review"))
    parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    parent.chmod(0o700)  # the kit's own cache folder: spilled rows are personal data
    folder = parent / f"{SPILL_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:12]}"
    atexit.register(shutil.rmtree, folder, True)
    return folder


def _machine_memory() -> int:
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):  # not a POSIX system: the budget alone
        return 0


def _connect_url(spec: EngineConfig) -> BaseBackend:
    assert spec.url is not None
    url = spec.url
    scheme = url.split("://", 1)[0].lower()
    if scheme in {"postgresql", "postgresql+psycopg"}:
        url = "postgres://" + url.split("://", 1)[1]  # Ibis names the backend `postgres`
    shown = _without_password(spec.url)
    try:
        con = ibis.connect(url)
    except ModuleNotFoundError as exc:
        raise ConfigError(
            f"the engine {shown} needs the Python package '{exc.name}', which is not installed",
            fix="install the Ibis extra of your database (pip install 'ibis-framework[NAME]'); "
            "PostgreSQL's comes with the kit",
        ) from None
    except Exception as exc:  # noqa: BLE001 - a refused login, an unknown host or scheme: all the config's
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError(
            f"cannot connect to the engine {shown}: {reason}",
            fix="check the url under engine: in review.yaml or --engine (scheme, host, port, "
            "database, user), and that the server is running",
        ) from None
    if con.name == "duckdb":  # duckdb:///file.duckdb (or duckdb:// in memory): bounded alike
        bound_duckdb_memory(con, spec)
    return con


def _spark_session(spec: EngineConfig, *, local_dir: Path | None = None) -> Any:
    """A local Spark session. `local_dir`: where it writes its scratch files (shuffles and spills of personal data),
    unless engine.conf sets spark.local.dir; the report gives each kernel a folder in its staging folder, removed
    with it however the kernel ends."""
    SparkSession = _pyspark_session_class()
    user_zone = spec.conf.get("spark.sql.session.timeZone")
    if user_zone is not None and str(user_zone).upper() not in {"UTC", "ETC/UTC", "Z", "+00:00"}:
        raise ConfigError(
            f"engine.conf sets spark.sql.session.timeZone to '{user_zone}': the kit judges every date in UTC",
            fix="remove spark.sql.session.timeZone from engine.conf in review.yaml",
        )
    # Python UDFs (consent.tcf decodes TC strings on the workers) need the driver's Python, where the kit is;
    # PySpark takes the workers' Python from this variable only (spark.pyspark.python is not read for UDFs).
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.master(spec.master).appName("ethics-review")
    for key, value in {
        **SPARK_DEFAULTS,
        **({"spark.local.dir": str(local_dir)} if local_dir is not None else {}),
        **{k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in spec.conf.items()},
    }.items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # noqa: BLE001 - Spark raises many kinds; each is a config problem here
        raise ConfigError(
            f"cannot start a Spark session (master {spec.master}): {_first_line(exc)}",
            fix=f"check engine.master and engine.conf; Spark needs {SPARK_EXTRA}",
        ) from None
    session.sparkContext.setLogLevel("ERROR")
    return session


def _spark_connect_session(spec: EngineConfig) -> Any:
    SparkSession = _pyspark_session_class(needs_java=False)  # a Spark Connect client is Python and gRPC only
    try:
        return SparkSession.builder.remote(spec.url).getOrCreate()
    except Exception as exc:  # noqa: BLE001 - gRPC and Spark errors alike: the server is unreachable
        raise ConfigError(
            f"cannot reach the Spark Connect server {spec.url}: {_first_line(exc)}",
            fix="check the url (sc://host:15002) and that the server runs; the client needs "
            "pip install 'ethics-review[spark-connect]'",
        ) from None


def _pyspark_session_class(*, needs_java: bool = True) -> Any:
    # PySpark 4 warns at import and at each conversion that pandas 3 is not fully supported: only small
    # aggregates cross that bridge here, and the warning would fill every notebook of the report.
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
    warnings.filterwarnings("ignore", message="The copy keyword is deprecated")
    try:
        from pyspark.sql import SparkSession  # noqa: PLC0415 - pyspark is an optional engine (the spark extra)
    except ModuleNotFoundError:
        raise ConfigError("the pyspark engine needs PySpark, which is not installed", fix=SPARK_EXTRA) from None
    if needs_java and shutil.which("java") is None and not _java_home():
        raise ConfigError(
            "the pyspark engine needs Java, which is not installed (no `java` on the PATH, no JAVA_HOME)",
            fix=SPARK_EXTRA,
        )
    return SparkSession


def _java_home() -> bool:
    home = os.environ.get("JAVA_HOME")
    return home is not None and home != "" and (Path(home) / "bin" / "java").exists()


def use_utc(con: BaseBackend, spec: EngineConfig | None = None) -> None:
    """Set the session time zone to UTC and read it back: timestamps with an offset become UTC and every
    date is cut at UTC midnight, on every engine alike."""
    zone = _set_utc(con)
    if zone is None:
        raise ConfigError(
            f"the kit cannot set the session time zone of the engine '{con.name}' to UTC",
            fix="use duckdb, pyspark, spark-connect or PostgreSQL, whose time zone the kit sets",
        )
    if zone.upper() not in {"UTC", "ETC/UTC", "Z", "+00:00", "GMT"}:
        raise ConfigError(
            f"the engine's session time zone is '{zone}' and could not be set to UTC",
            fix="let the session use UTC (for PostgreSQL: ALTER ROLE you SET timezone = 'UTC'; for "
            "Spark: remove spark.sql.session.timeZone from the server's configuration)",
        )


def _set_utc(con: BaseBackend) -> str | None:
    name = con.name
    if name == "duckdb":
        con.raw_sql("SET TimeZone = 'UTC'")
        return str(con.raw_sql("SELECT current_setting('TimeZone')").fetchone()[0])
    if name == "pyspark":
        session = con._session  # Ibis keeps the Spark session there
        session.conf.set("spark.sql.session.timeZone", "UTC")
        return str(session.conf.get("spark.sql.session.timeZone"))
    if name == "postgres":
        _postgres_casts_booleans()
        with con.begin() as cursor:
            cursor.execute("SET TIME ZONE 'UTC'")
            cursor.execute("SHOW TIME ZONE")
            return str(cursor.fetchone()[0])
    return None


def _postgres_casts_booleans() -> None:
    """PostgreSQL casts a boolean to `integer` only, and Ibis writes CAST(flag AS BIGINT) for the checks'
    counts of flags (flag.cast("int64").sum()): go through integer first. Ibis's compiler, patched once."""
    import sqlglot.expressions as sge  # noqa: PLC0415 - the PostgreSQL engine only
    from ibis.backends.sql.compilers.postgres import PostgresCompiler  # noqa: PLC0415 - the PostgreSQL engine only

    original = PostgresCompiler.visit_Cast
    if getattr(original, "casts_booleans", False):
        return

    def visit_cast(self: Any, op: Any, *, arg: Any, to: Any) -> Any:
        if op.arg.dtype.is_boolean() and to.is_integer():
            arg = sge.Cast(this=arg, to=sge.DataType.build("INT"))
        return original(self, op, arg=arg, to=to)

    visit_cast.casts_booleans = True  # type: ignore[attr-defined]
    PostgresCompiler.visit_Cast = visit_cast


def close(con: BaseBackend) -> None:
    """Close a database connection at the end of a command. A Spark session is left running: it belongs to the
    process (getOrCreate shares it), and stopping it would cost the next review its start-up."""
    if not is_spark(con):
        con.disconnect()


def is_spark(con: BaseBackend) -> bool:
    return bool(con.name == "pyspark")  # Ibis backends carry no annotations


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _without_password(value: Any) -> str:
    text = str(value)
    if "://" in text and "@" in text:
        parts = urlsplit(text)
        if parts.password:
            return text.replace(f":{parts.password}@", ":***@")
    return text


# --- tables of the engine and files read by it -------------------------------------------------------------------


def source_tables(con: BaseBackend, config: ReviewConfig) -> dict[str, ibis.Table]:
    """The tables review.yaml names as `sources: {NAME: {table: [catalog.]database.table}}`, read in place."""
    found = {}
    for name, source in config.sources.items():
        if isinstance(source, TableSource):
            found[name] = engine_table(con, name, source.table, in_memory=config.engine.url is None)
    return found


def engine_table(con: BaseBackend, name: str, qualified: str, *, in_memory: bool = False) -> ibis.Table:
    *database, table = qualified.split(".")
    where = None if not database else database[0] if len(database) == 1 else tuple(database)
    try:
        return con.table(table, database=where)
    except Exception as exc:  # noqa: BLE001 - each backend names a missing table its own way
        hint = (
            " (an in-memory DuckDB has no tables of its own: name a database file, engine: "
            "{url: 'duckdb:///path/to/file.duckdb'})"
            if con.name == "duckdb" and in_memory
            else ""
        )
        raise DataError(
            f"the engine has no table '{qualified}' for table '{name}'{hint}: {_first_line(exc)}",
            file=f"sources.{name}",
            fix=f"correct sources.{name}.table in review.yaml ([catalog.]database.table, as the engine names it)",
        ) from None


def read_file(con: BaseBackend, path: Path, name: str) -> ibis.Table | None:
    """The raw text table of a file read by the engine itself, or None when sources.py reads it (DuckDB, and
    Excel sheets on Spark). A database engine refuses files (see the module's docstring)."""
    suffix = path.suffix.lower()
    if con.name == "duckdb":
        return None
    if is_spark(con):
        if suffix == ".csv":
            return _spark_csv(con, path, name)
        if suffix == ".parquet":
            return _spark_view(con, con._session.read.parquet(str(path.resolve())), name)
        return None
    raise DataError(
        f"table '{name}' is a file, but the review's engine is the database '{con.name}', which the kit "
        "reads and never writes to",
        file=str(path),
        fix=f"load the file into your database with its own tools and name the table in review.yaml "
        f"(sources: {{{name}: {{table: schema.{name}}}}}), or review the files on the default engine "
        "(--engine duckdb)",
    )


def _spark_csv(con: BaseBackend, path: Path, name: str) -> ibis.Table:
    """Every column as text, as DuckDB reads it, so the kit's own typing and validation run on Spark too."""
    encoding, delimiter = sniff_csv(path)
    readable = path if encoding.startswith("utf-8") else _utf8_copy(path)  # Spark 4 reads no cp1252
    reader = (
        con._session.read.option("header", True)
        .option("sep", delimiter)
        .option("quote", '"')
        .option("escape", '"')
        .option("multiLine", True)
        .option("inferSchema", False)
        .option("mode", "FAILFAST")
        .option("encoding", "UTF-8")
    )
    frame = reader.csv(str(readable.resolve()))
    if encoding == "utf-8-sig":  # Spark keeps the byte-order mark in the first column's name
        frame = frame.withColumnRenamed(frame.columns[0], frame.columns[0].lstrip("\ufeff"))
    return _spark_view(con, frame, name)


def _utf8_copy(path: Path) -> Path:
    """A UTF-8 copy of a cp1252 export, in a private folder (mode 0700) removed when the process ends: Spark
    reads lazily, so the copy must outlive this call (the input itself is never touched)."""
    folder = Path(tempfile.mkdtemp(prefix="ethics-review-spark-"))
    atexit.register(shutil.rmtree, folder, True)
    target = folder / path.name
    with path.open("rb") as source, target.open("w", encoding="utf-8", newline="") as sink:
        for block in iter(lambda: source.read(1 << 20), b""):
            sink.write(block.decode("cp1252", errors="replace"))
    return target


def _spark_view(con: BaseBackend, frame: Any, name: str) -> ibis.Table:
    view = f"ethics_review_{name}_{uuid.uuid4().hex[:8]}"  # the PySpark backend has no temporary tables
    frame.createOrReplaceTempView(view)
    return con.table(view)


def keep(con: BaseBackend, table: ibis.Table) -> ibis.Table:
    """On Spark, a table typed from a file is cached once, so that the checks do not parse the text again."""
    return table.cache() if is_spark(con) else table


# --- the one gate out of the engine ------------------------------------------------------------------------------

MAX_RESULT_ROWS = 100_000  # groups x campaigns x bins of a review: far below one row per person of a real base
# Columns that identify a person or an event about one: never a column of a result.
PERSONAL_COLUMNS = frozenset(
    {"contact_id", "send_id", "request_id", "tc_string", "evidence_ref", "birth_date"}
) | frozenset(c.name for t in TABLES.values() for c in t.columns if c.identifier)
_ALLOWED_REDUCTIONS_OF_TEXT = (ops.Count, ops.CountStar, ops.CountDistinct, ops.CountDistinctStar)


class RowLevelResult(RuntimeError):
    """A check asked for a result that would carry rows about people out of the engine (a bug in the kit)."""


def fetch(
    expr: ir.Expr,
    *,
    small_cells: Sequence[str] = (),
    k: int | None = None,
    hide_with: Mapping[str, Sequence[str]] | None = None,
    max_rows: int = MAX_RESULT_ROWS,
) -> Any:
    """The result of `expr` in Python: a DataFrame for a table, a Series for a column, a value for a scalar.

    Refuses (RowLevelResult) anything but a grouped, bounded result without identifier columns, or a reduction.
    `small_cells` names count columns to which the small-cell rule applies with `k`: a count of 1 to k-1 shows as
    "<k" and the columns of `hide_with` it governs are hidden (findings.suppress_small_cells)."""
    if isinstance(expr, ir.Scalar):
        _check_scalar(expr)
        return recall(expr, expr.to_pandas)  # a notebook review's known results come back without a query
    column_name = None
    if isinstance(expr, ir.Column):
        column_name = expr.get_name()
        expr = expr.as_table()
    if not isinstance(expr, ir.Table):
        raise RowLevelResult(f"the gate takes an Ibis table, column or scalar, not {type(expr).__name__}")
    personal = sorted(c for c in expr.columns if c.lower() in PERSONAL_COLUMNS)
    if personal:
        raise RowLevelResult(
            f"a result may not hold the identifier {i18n.plural(len(personal), 'column|columns', 'en')} {personal}"
        )
    if not _grouped(expr.op()):
        raise RowLevelResult(
            "a result must come out of a group_by/aggregate or a distinct: a row-level table "
            f"with columns {list(expr.columns)} may not leave the engine"
        )
    bounded = expr.limit(max_rows + 1)
    frame = recall(bounded, bounded.to_pandas)
    if len(frame) > max_rows:
        raise RowLevelResult(f"a result of more than {max_rows:,} rows is row-level, not an aggregate")
    if small_cells:
        if k is None:
            raise RowLevelResult("the small-cell rule needs k (the review's k_anonymity)")
        frame = suppress_small_cells(frame, count_columns=small_cells, k=k, hide_with=hide_with)
    return frame[column_name] if column_name is not None else frame


def _check_scalar(expr: ir.Scalar) -> None:
    op = expr.op()
    while isinstance(op, (ops.Cast, ops.Alias)):
        op = op.arg
    if isinstance(op, ops.Literal):
        return
    if not isinstance(op, ops.Reduction):
        raise RowLevelResult(f"a scalar result must be a reduction (count, sum, min...), not {type(op).__name__}")
    if expr.type().is_string() and not isinstance(op, _ALLOWED_REDUCTIONS_OF_TEXT):
        raise RowLevelResult("a text reduction (first, min, max of a text...) would carry one person's value out")
    if isinstance(op, (ops.First, ops.Last, ops.Arbitrary)):
        raise RowLevelResult(f"{type(op).__name__} picks one row's value: not an aggregate")


def _grouped(rel: ops.Relation) -> bool:
    """True when every row of `rel` stands for a group, not for a row of an input."""
    if isinstance(rel, (ops.Aggregate, ops.Distinct)):
        return True
    if isinstance(rel, ops.Set):
        return _grouped(rel.left) and _grouped(rel.right)
    if isinstance(rel, ops.JoinChain):
        return all(_grouped(table) for table in rel.tables)
    if isinstance(
        rel, (ops.Sort, ops.Filter, ops.Limit, ops.FillNull, ops.DropNull, ops.Project, ops.DropColumns, ops.Reference)
    ):
        return _grouped(rel.parent)
    return False
