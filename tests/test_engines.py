"""The whole catalogue, run as a user runs it (`ethics-review run DIR --engine ...`), gives the same findings on
a local Spark session and on a PostgreSQL database as on DuckDB: the same status and the same metrics for every
check, and no check in `error`.

Spark reads the demo's CSV files itself (as text, so the kit's own parsing runs on Spark). PostgreSQL holds the
demo's tables (typed, loaded here; no file), named under `sources: {NAME: {table: NAME}}` in review.yaml.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest
import yaml

from ethics_review import cli, engine
from ethics_review.history import default_dir
from ethics_review.review import open_review
from tests.engines import postgres_server

pytestmark = [
    pytest.mark.slow,
    # PySpark 4 warns that it does not fully support pandas 3; only aggregates cross that bridge here.
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]


@pytest.fixture(scope="session")
def postgres_url():
    with postgres_server() as url:
        yield url


def postgres_review(demo_dir: Path, url: str, folder: Path) -> Path:
    """A review folder whose tables live in PostgreSQL: the demo's validated tables loaded into the database,
    review.yaml naming them, and the rest as files (AI register, notices, self-assessment: the kit reads those
    itself), with the demo's run history next to it as next to the demo."""
    con = engine.connect(engine.parse_engine(url))
    demo = open_review(demo_dir)
    for name, table in demo.tables.items():
        con.create_table(name, table.to_pyarrow(), overwrite=True)
    con.disconnect()
    config = yaml.safe_load((demo_dir / "review.yaml").read_text(encoding="utf-8"))
    config["sources"] = {name: {"table": name} for name in demo.tables}
    folder.mkdir()
    (folder / "review.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    for path in demo_dir.iterdir():
        if path.name != "review.yaml" and path.stem not in demo.tables:
            (shutil.copytree if path.is_dir() else shutil.copy)(path, folder / path.name)
    shutil.copytree(default_dir(demo_dir), default_dir(folder))
    return folder


def same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=1e-9, abs=1e-12)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


# consent.tcf decodes TC strings with a Python UDF inside the engine. PostgreSQL cannot run the kit's Python, so
# there the check says so and how to run it (not_applicable), rather than judging without decoding.
NO_PYTHON_UDF = {"postgres": {"consent.tcf"}}


@pytest.mark.parametrize("name", [pytest.param("pyspark", marks=pytest.mark.spark), "postgres"])
def test_the_cli_gives_duckdb_s_findings_on_every_engine(name, demo_dir, demo_report, tmp_path, request, capsys):
    if name == "pyspark":
        review, option = demo_dir, "pyspark"
    else:
        url = request.getfixturevalue("postgres_url")
        review, option = postgres_review(demo_dir, url, tmp_path / "review"), url
    # --no-history: read the review's history as the DuckDB report did, and append nothing to the demo's
    code = cli.main(["run", str(review), "--engine", option, "--out", str(tmp_path / "report"), "--no-history"])
    assert code == 1, capsys.readouterr().err  # the demo's planted problems fail, on every engine
    got = {f["check_id"]: f for f in json.loads((tmp_path / "report" / "findings.json").read_text())["findings"]}
    expected = {f["check_id"]: f for f in json.loads(demo_report.paths["findings"].read_text())["findings"]}
    assert got.keys() == expected.keys()
    assert [c for c, f in got.items() if f["status"] == "error"] == [], [
        f["summary"] for f in got.values() if f["status"] == "error"
    ]
    for check_id, finding in expected.items():
        if check_id in NO_PYTHON_UDF.get(name, ()):
            assert finding["status"] == "fail"  # the demo plants sends without a valid TCF signal
            assert got[check_id]["status"] == "not_applicable", check_id
            assert "cannot run the kit's Python" in got[check_id]["summary"], got[check_id]["summary"]
            continue
        for status in ("error", "not_applicable"):
            assert (got[check_id]["status"] == status) == (finding["status"] == status), (check_id, status)
        assert got[check_id]["status"] == finding["status"], check_id
        assert got[check_id]["metric"].keys() == finding["metric"].keys(), check_id
        for key, value in finding["metric"].items():
            assert same(got[check_id]["metric"][key], value), (check_id, key, got[check_id]["metric"][key], value)


@pytest.mark.spark
def test_spark_reads_a_french_excel_export_as_duckdb_does(tmp_path):
    """A cp1252 CSV with `;`, dd/mm/yyyy dates, oui/non booleans and accents, read by Spark itself: the same
    canonical table as DuckDB's."""
    rows = [
        "contact_id;birth_date;country;is_customer;commentaire",
        "C1;03/02/1980;fr;oui;Hélène préfère le magasin",
        "C2;;FR;non;",
        "C3;1975-12-31; de ;1;rappeler au 06 12 34 56 78",
    ]
    (tmp_path / "contacts.csv").write_bytes(("\r\n".join(rows) + "\r\n").encode("cp1252"))
    on_duckdb = open_review(tmp_path).table("contacts").order_by("contact_id").to_pandas()
    on_spark = open_review(tmp_path, engine="pyspark").table("contacts").order_by("contact_id").to_pandas()
    assert list(on_spark.columns) == list(on_duckdb.columns)
    assert on_spark.astype(str).to_dict("records") == on_duckdb.astype(str).to_dict("records")
    assert on_spark.commentaire[0] == "Hélène préfère le magasin"


def tcf_review(folder: Path) -> Path:
    """consents.csv and sends.csv whose personalised-ads sends meet every kind of TC string: one granting
    purposes 1, 3 and 4 (twelve sends, above k), one granting 1 and 2 only, one that does not decode, one of TCF
    2.0, one with legitimate interest on purpose 3, and a grant without a string."""
    from ethics_review.demo.consent import encode_tc_string

    strings = {
        "C1": encode_tc_string(purposes=(1, 2, 3, 4, 7), vendors=(755,)),
        "C2": encode_tc_string(purposes=(1, 2), vendors=(755,)),
        "C3": "CPnot-a-tc-string",
        "C4": encode_tc_string(purposes=(1, 3, 4), policy_version=2),
        "C5": encode_tc_string(purposes=(1, 3, 4), legitimate_interests=(3,)),
        "C6": "",
    }
    folder.mkdir()
    consents = ["contact_id,purpose,status,recorded_at,tc_string"]
    consents += [f"{c},personalised_ads,granted,2026-06-01T10:00:00,{s}" for c, s in strings.items()]
    sends = ["contact_id,campaign_id,channel,sent_at"]
    sends += [f"C1,A,ads,2026-07-{day:02d}T09:00:00" for day in range(1, 13)]
    sends += [f"{c},{campaign},ads,2026-07-02T09:00:00" for c in strings if c != "C1" for campaign in ("A", "B")]
    (folder / "consents.csv").write_text("\n".join(consents) + "\n", encoding="utf-8")
    (folder / "sends.csv").write_text("\n".join(sends) + "\n", encoding="utf-8")
    return folder


@pytest.mark.spark
def test_spark_decodes_tc_strings_on_its_workers_as_duckdb_does(tmp_path):
    """consent.tcf's UDF runs on Spark's Python workers (the driver's Python, where the kit is): the same
    finding, word for word, as on DuckDB."""
    from ethics_review.checks.consent import tcf_consent

    folder = tcf_review(tmp_path / "review")
    on_duckdb = tcf_consent(open_review(folder, as_of="2026-11-15")).to_json()
    on_spark = tcf_consent(open_review(folder, as_of="2026-11-15", engine="pyspark")).to_json()
    assert on_duckdb["status"] == "fail"
    assert on_duckdb["metric"]["tc_strings"] == 5 and on_duckdb["metric"]["undecodable_strings"] == 1
    assert on_duckdb["metric"]["ads_sends"] == 22 and on_duckdb["metric"]["sends_with_tcf_consent"] == 16
    assert on_spark == on_duckdb


def test_postgres_says_it_cannot_decode_tc_strings(tmp_path, postgres_url):
    """PostgreSQL has no Python the kit can use: consent.tcf is not judged, and its summary names the fix."""
    from ethics_review.checks.consent import tcf_consent

    folder = tcf_review(tmp_path / "review")
    con = engine.connect(engine.parse_engine(postgres_url))
    local = open_review(folder, as_of="2026-11-15")
    for name, table in local.tables.items():
        con.create_table(f"tcf_{name}", table.to_pyarrow(), overwrite=True)
    con.disconnect()
    (folder / "review.yaml").write_text(
        yaml.safe_dump(
            {
                "as_of": "2026-11-15",
                "engine": postgres_url,
                "sources": {name: {"table": f"tcf_{name}"} for name in local.tables},
            }
        ),
        encoding="utf-8",
    )
    for path in list(folder.glob("*.csv")):
        path.unlink()
    review = open_review(folder)
    try:
        finding = tcf_consent(review)
    finally:
        engine.close(review.con)
    assert finding.status == "not_applicable"
    assert finding.summary.startswith("Not checked on the engine 'postgres'")
    assert "DuckDB engine (the default) or PySpark" in finding.summary
