"""Every bias check on a real local Spark session gives the findings it gives on DuckDB (portable Ibis only:
window functions, no raw SQL). The demo's CSV files are read by Spark as text, so the kit's parsing runs there too."""

import math
import shutil

import pytest

from ethics_review.review import open_review
from ethics_review.runner import run_checks

pytestmark = [
    pytest.mark.spark,
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]
TABLES = ("contacts", "consents", "sends", "targeting", "requests", "content")  # every table of the folder


def same(a, b):
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=1e-9, abs=1e-12)
    return a == b


def test_bias_findings_on_spark_equal_duckdb(demo_dir):
    if shutil.which("java") is None:
        pytest.fail("Java 17 is needed for the Spark tests (apt-get install openjdk-17-jre-headless)")
    import ibis
    from pyspark.sql import SparkSession

    spark = (SparkSession.builder.master("local[2]").appName("ethics-review-bias-tests")
             .config("spark.ui.enabled", "false").config("spark.sql.session.timeZone", "UTC")
             .config("spark.sql.shuffle.partitions", "4").config("spark.sql.ansi.enabled", "false").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    try:
        con = ibis.pyspark.connect(spark)
        data = {}
        for name in TABLES:
            if not (demo_dir / f"{name}.csv").exists():
                continue
            frame = spark.read.option("header", True).option("escape", '"').csv(str(demo_dir / f"{name}.csv"))
            frame.createOrReplaceTempView(f"bias_{name}")
            data[name] = con.table(f"bias_{name}")
        on_spark = {f.check_id: f for f in run_checks(open_review(demo_dir, data=data), area="bias")}
    finally:
        spark.stop()
    on_duckdb = {f.check_id: f for f in run_checks(open_review(demo_dir), area="bias")}
    assert on_spark.keys() == on_duckdb.keys()
    for check_id, expected in on_duckdb.items():
        got = on_spark[check_id]
        assert (got.status, got.notes) == (expected.status, expected.notes), check_id
        for key, value in expected.metric.items():
            assert same(got.metric[key], value), (check_id, key, got.metric[key], value)
        assert len(got.evidence) == len(expected.evidence), check_id
        for row_spark, row_duck in zip(got.evidence, expected.evidence, strict=True):
            assert all(same(row_spark[k], v) for k, v in row_duck.items()), (check_id, row_spark, row_duck)
