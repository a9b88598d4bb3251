"""The same checks on a real local Spark session give the same findings as on DuckDB.

Spark reads the demo's CSV files as text, so the kit's own parsing (dates, booleans, enums) runs on Spark too.
"""

import math
import shutil

import pytest

from ethics_review.review import open_review
from ethics_review.runner import run_checks

pytestmark = [
    pytest.mark.spark,
    # PySpark 4 warns that it does not fully support pandas 3; only aggregates cross that bridge here.
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]
TABLES = ("contacts", "consents", "sends", "targeting", "requests", "content", "interactions")


@pytest.fixture(scope="module")
def spark():
    if shutil.which("java") is None:
        pytest.fail("Java 17 is needed for the Spark tests (apt-get install openjdk-17-jre-headless)")
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[2]").appName("ethics-review-tests")
               .config("spark.ui.enabled", "false").config("spark.sql.session.timeZone", "UTC")
               .config("spark.sql.shuffle.partitions", "4").config("spark.sql.ansi.enabled", "false")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def same(a, b):
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=1e-9, abs=1e-12)
    return a == b


def test_spark_findings_equal_duckdb_findings(spark, demo_dir):
    import ibis

    con = ibis.pyspark.connect(spark)
    data = {}
    for name in TABLES:
        path = demo_dir / f"{name}.csv"
        if path.exists():
            frame = spark.read.option("header", True).option("escape", '"').csv(str(path))
            frame.createOrReplaceTempView(f"demo_{name}")
            data[name] = con.table(f"demo_{name}")
    on_spark = {f.check_id: f for f in run_checks(open_review(demo_dir, data=data))}
    on_duckdb = {f.check_id: f for f in run_checks(open_review(demo_dir))}
    assert on_spark.keys() == on_duckdb.keys()
    for check_id, expected in on_duckdb.items():
        got = on_spark[check_id]
        assert got.status == expected.status, check_id
        assert got.metric.keys() == expected.metric.keys()
        for key, value in expected.metric.items():
            assert same(got.metric[key], value), (check_id, key, got.metric[key], value)
        assert len(got.evidence) == len(expected.evidence), check_id
        for row_spark, row_duck in zip(got.evidence, expected.evidence):
            assert all(same(row_spark[k], v) for k, v in row_duck.items()), (check_id, row_spark, row_duck)
