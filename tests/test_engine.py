"""The engine module: choosing the engine (review.yaml, --engine, notebooks), its time zone, tables of the
engine, and the one gate results leave it by."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import ibis
import pandas as pd
import pytest

from ethics_review import cli, engine, pii
from ethics_review.config import parse_config
from ethics_review.errors import ConfigError, DataError
from ethics_review.review import open_review
from ethics_review.runner import run_checks

CHECKS_DIR = Path(engine.__file__).parent / "checks"
# Every way an Ibis expression hands its rows to Python; only engine.fetch may call them for the checks.
MATERIALISING = {
    "to_pandas",
    "to_pandas_batches",
    "execute",
    "to_pyarrow",
    "to_pyarrow_batches",
    "to_polars",
    "to_torch",
    "to_list",
}


# --- choosing the engine ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "kind", "url"),
    [
        ("duckdb", "duckdb", None),
        ("pyspark", "pyspark", None),
        ("sc://spark.example:15002", "spark-connect", "sc://spark.example:15002"),
        ("spark-connect sc://spark.example:15002", "spark-connect", "sc://spark.example:15002"),
        ("postgres://reviewer@db.example:5432/crm", "postgres", "postgres://reviewer@db.example:5432/crm"),
        ({"backend": "pyspark", "master": "local[2]", "conf": {"spark.executor.memory": "2g"}}, "pyspark", None),
        ({"url": "duckdb:///reviews/warehouse.duckdb"}, "duckdb", "duckdb:///reviews/warehouse.duckdb"),
    ],
)
def test_every_written_form_of_an_engine(written, kind, url):
    spec = parse_config({"engine": written}).engine
    assert (spec.kind, spec.url) == (kind, url)
    assert engine.parse_engine(written) == spec  # the CLI and the notebooks read the same forms


def test_duckdb_is_the_default():
    assert parse_config({}).engine.kind == "duckdb"


@pytest.mark.parametrize(
    "written",
    [
        "spark",
        {"backend": "spark-connect"},
        {"backend": "duckdb", "url": "x://y"},
        {"backend": "duckdb", "master": "local[2]"},
        {"url": "x://y", "port": 1},
    ],
)
def test_a_wrong_engine_is_a_config_error(written):
    with pytest.raises(ConfigError, match="engine"):
        parse_config({"engine": written})


def test_a_bad_engine_on_the_command_line_exits_2_with_the_fix(demo_dir, capsys):
    assert cli.main(["validate", str(demo_dir), "--engine", "sparky"]) == 2
    err = capsys.readouterr().err
    assert "--engine: 'sparky' is not an engine" in err and "fix: use duckdb, pyspark" in err
    assert "Traceback" not in err


def test_an_unreachable_database_exits_2_naming_it(demo_dir, capsys):
    assert cli.main(["validate", str(demo_dir), "--engine", "postgres://reviewer@127.0.0.1:1/crm"]) == 2
    err = capsys.readouterr().err
    assert "cannot connect to the engine postgres://reviewer@127.0.0.1:1/crm" in err and "fix:" in err


def test_a_password_in_the_url_is_refused_and_never_echoed(demo_dir, capsys):
    assert cli.main(["validate", str(demo_dir), "--engine", "postgres://reviewer:s3cret@127.0.0.1:1/crm"]) == 2
    err = capsys.readouterr().err
    assert "holds a password" in err and "PGPASSWORD" in err and "s3cret" not in err


def test_a_spark_time_zone_other_than_utc_is_refused():
    spec = engine.parse_engine({"backend": "pyspark", "conf": {"spark.sql.session.timeZone": "Europe/Paris"}})
    with pytest.raises(ConfigError, match="Europe/Paris") as raised:
        engine.connect(spec)
    assert "remove spark.sql.session.timeZone" in raised.value.fix


def test_duckdb_computes_in_utc_whatever_the_machine_s_zone(monkeypatch):
    monkeypatch.setenv("TZ", "America/New_York")
    con = engine.connect()
    assert con.raw_sql("SELECT current_setting('TimeZone')").fetchone()[0] == "UTC"


# --- tables of the engine --------------------------------------------------------------------------------------


def duckdb_file_review(demo_dir: Path, folder: Path, tables: dict[str, str]) -> Path:
    """A review whose contacts and sends live in a DuckDB database file (schema crm), the rest as files."""
    con = ibis.duckdb.connect(folder / "warehouse.duckdb")
    con.raw_sql("CREATE SCHEMA crm")
    demo = open_review(demo_dir)
    for name in ("contacts", "sends"):
        con.create_table(name, demo.table(name).to_pyarrow(), database="crm")
    con.disconnect()
    for path in demo_dir.iterdir():
        if path.name != "review.yaml" and path.stem not in {"contacts", "sends"}:
            (shutil.copytree if path.is_dir() else shutil.copy)(path, folder / path.name)
    sources = "\n".join(f"  {name}: {{table: {table}}}" for name, table in tables.items())
    (folder / "review.yaml").write_text(
        (demo_dir / "review.yaml").read_text(encoding="utf-8")
        + f"engine: {{url: 'duckdb:///{folder / 'warehouse.duckdb'}'}}\n"
        + f"sources:\n{sources}\n",
        encoding="utf-8",
    )
    return folder


def test_tables_of_the_engine_and_files_make_one_review(demo_dir, tmp_path):
    folder = duckdb_file_review(demo_dir, tmp_path, {"contacts": "crm.contacts", "sends": "crm.sends"})
    review = open_review(folder)
    assert {i.table: i.path for i in review.inputs}["sends"] == "database table"
    assert {t.get_backend() is review.con for t in review.tables.values()} == {True}
    mixed = {f.check_id: (f.status, f.metric) for f in run_checks(review, area="consent")}
    files = {f.check_id: (f.status, f.metric) for f in run_checks(open_review(demo_dir), area="consent")}
    assert mixed == files


def test_a_missing_engine_table_names_the_source_and_the_fix(demo_dir, tmp_path):
    folder = duckdb_file_review(demo_dir, tmp_path, {"contacts": "crm.contacts", "sends": "crm.mailings"})
    with pytest.raises(DataError, match=r"no table 'crm\.mailings' for table 'sends'") as raised:
        open_review(folder)
    assert "sources.sends.table" in raised.value.fix


def test_the_register_and_notices_cannot_be_engine_tables():
    with pytest.raises(ConfigError, match="notices is a file or folder of the review"):
        parse_config({"sources": {"notices": {"table": "crm.notices"}}})


# --- the gate --------------------------------------------------------------------------------------------------


@pytest.fixture
def sends() -> ibis.Table:
    """Six sends to four people over two campaigns."""
    return ibis.memtable(
        pd.DataFrame(
            {
                "contact_id": ["a", "a", "b", "c", "d", "d"],
                "campaign_id": ["X", "X", "X", "Y", "Y", "Y"],
                "note": ["ok", "ok", "appeler 06 12 34 56 78", None, "ok", "ok"],
            }
        )
    )


def test_the_gate_lets_grouped_results_and_reductions_out(sends):
    per_campaign = engine.fetch(sends.group_by("campaign_id").agg(n=sends.count()).order_by("campaign_id"))
    assert per_campaign.to_dict("list") == {"campaign_id": ["X", "Y"], "n": [3, 3]}
    assert engine.fetch(sends.contact_id.nunique()) == 4
    assert sorted(engine.fetch(sends.select("campaign_id").distinct().campaign_id)) == ["X", "Y"]


@pytest.mark.parametrize(
    "row_level",
    [
        lambda t: t,  # the table itself
        lambda t: t.filter(t.campaign_id == "X").select("campaign_id", "note"),  # a row-level projection
        lambda t: t.group_by("contact_id").agg(n=t.count()),  # grouped by an identifier
        lambda t: t.select("contact_id").distinct(),
        lambda t: t.note.first(),  # one row's value
        lambda t: t.note.max(),  # a text reduction picks one person's text
        lambda t: t.note,  # a column of rows
    ],
    ids=["table", "projection", "by-identifier", "distinct-identifier", "first", "text-max", "column"],
)
def test_the_gate_refuses_row_level_results(sends, row_level):
    with pytest.raises(engine.RowLevelResult):
        engine.fetch(row_level(sends))


def test_the_gate_refuses_a_grouping_as_fine_as_the_rows(sends):
    per_row = sends.group_by(["campaign_id", "note"]).agg(n=sends.count())
    assert len(engine.fetch(per_row, max_rows=10)) == 4
    with pytest.raises(engine.RowLevelResult, match="more than 3 rows"):
        engine.fetch(per_row, max_rows=3)


def test_the_gate_applies_the_small_cell_rule_where_asked(sends):
    counts = sends.group_by("campaign_id").agg(n=sends.count(), people=sends.contact_id.nunique())
    frame = engine.fetch(counts.order_by("campaign_id"), small_cells=["n"], k=10, hide_with={"n": ["people"]})
    assert frame.n.tolist() == ["<10", "<10"] and frame.people.tolist() == [None, None]


def materialising_calls(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        f"{path.name}:{node.lineno} .{node.func.attr}()"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in MATERIALISING
    ]


def test_checks_leave_the_engine_only_through_the_gate():
    """No exception: consent.tcf decodes TC strings in the engine too (an Ibis Python UDF), so nothing in checks/
    materialises a table but engine.fetch."""
    found = [call for path in sorted(CHECKS_DIR.glob("*.py")) for call in materialising_calls(path)]
    assert found == [], "use ethics_review.engine.fetch instead of: " + ", ".join(found)


def test_the_scan_sees_a_materialising_call(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def f(t):\n    return t.count().to_pandas() + len(t.execute())\n")
    assert materialising_calls(sample) == ["sample.py:2 .to_pandas()", "sample.py:2 .execute()"]


# --- personal data flagged in the engine -----------------------------------------------------------------------

FREE_TEXT = [
    "Rappeler au 06 12 34 56 78",
    "tel +33 6 12 34 56 78 le soir",
    "Belgian mobile +32 470 12 34 56",
    "+33 (0)6 12 34 56 78",
    "0033 6 12 34 56 78",
    "Rappeler au 06 93 82 71 83",
    "ref 123456789",
    "SIRET 123 456 789 00012",
    "Commande n° 2026-000123",
    "écrire à marie.martin@example.com svp",
    "écrire à contact@atelier-martin.example",
    "Commandes : commandes@fleurs-dupont.example",
    "mail a.b@example.org ou 0612345678",
    "IBAN FR76 3000 6000 0112 3456 7890 189 pour le remboursement",
    "IBAN FR76 3000 6000 0112 3456 7890 188",
    "GB82WEST12345698765432",
    "NIR 2 55 08 14 168 025 38",
    "NIR 2 55 08 14 168 025 39",
    "né en Corse 1 85 05 2A 123 456 33",
    "Préfère les offres en magasin",
    "",
    None,
]


def test_the_engine_flags_what_the_python_reading_finds():
    """pii.engine_flags (regular expressions and check digits in SQL) agrees with pii.kinds_in (phonenumbers,
    Python regexes) on each named example: a valid and an invalid IBAN and NIR, role mailboxes, numbers that are
    and are not written as phone numbers."""
    table = ibis.memtable(pd.DataFrame({"text": pd.Series(FREE_TEXT, dtype="string")}))
    flags = pii.engine_flags(table.text, region="FR")
    found = table.select("text", **flags).to_pandas()
    for row in found.itertuples():
        text = row.text if isinstance(row.text, str) else None
        assert {k for k in pii.KINDS if getattr(row, k)} == set(pii.kinds_in(text)), text
