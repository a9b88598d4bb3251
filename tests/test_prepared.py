"""Open once (prepared.py): the report validates the inputs once and the notebooks read the validated tables.

The fast tests round-trip the demo review through a prepared folder and judge both sides; the slow ones read the
report the session already ran (conftest's demo_report), so they add no notebook run of their own."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

import nbformat
import pytest

from ethics_review import pages, prepared
from ethics_review.errors import ConfigError
from ethics_review.findings import AREAS
from ethics_review.review import open_review
from ethics_review.runner import run_checks


@pytest.fixture(scope="module")
def demo_and_prepared(demo_dir, tmp_path_factory):
    review = open_review(demo_dir, as_of="2026-11-15")
    folder = prepared.write_prepared(review, tmp_path_factory.mktemp("staging") / prepared.FOLDER)
    return review, prepared.open_prepared(folder), folder


def test_a_prepared_review_has_the_same_tables_types_and_rows(demo_and_prepared):
    review, reopened, _ = demo_and_prepared
    assert set(reopened.tables) == set(review.tables)
    for name, table in review.tables.items():
        assert reopened.tables[name].schema() == table.schema(), name
        assert reopened.tables[name].count().to_pyarrow().as_py() == table.count().to_pyarrow().as_py(), name


def test_a_prepared_review_records_what_the_report_read(demo_and_prepared):
    """The parts the notebooks write must match the report's own record: same inputs, same config."""
    review, reopened, _ = demo_and_prepared
    assert reopened.inputs == review.inputs
    assert all(item.sha256 for item in reopened.inputs if item.path.endswith((".csv", ".yaml")))
    assert pages.findings_record(reopened, []) == pages.findings_record(review, [])
    assert reopened.ai_systems.equals(review.ai_systems)
    assert (reopened.notices, reopened.assessment) == (review.notices, review.assessment)


def test_every_check_judges_a_prepared_review_as_the_files(demo_and_prepared):
    review, reopened, _ = demo_and_prepared
    assert [f.to_json() for f in run_checks(reopened)] == [f.to_json() for f in run_checks(review)]


def test_the_notebook_options_override_a_prepared_config(demo_and_prepared):
    *_, folder = demo_and_prepared
    french = prepared.open_prepared(folder, as_of="2026-12-01", lang="fr")
    assert (french.as_of.isoformat(), french.lang) == ("2026-12-01", "fr")


def test_the_prepared_folder_is_private_to_its_owner(demo_and_prepared):
    *_, folder = demo_and_prepared
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_a_folder_the_report_did_not_prepare_is_refused_with_the_fix(tmp_path):
    with pytest.raises(ConfigError, match="holds no review prepared by the report") as caught:
        prepared.open_prepared(tmp_path)
    assert "`prepared` parameter as None" in caught.value.fix


@pytest.mark.slow
@pytest.mark.parametrize("area", AREAS)
def test_each_executed_notebook_read_the_prepared_tables_and_records_their_fingerprints(demo_report, area):
    notebook = nbformat.read(demo_report.paths[f"{area}.ipynb"], as_version=4)
    injected = next(c for c in notebook.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert f"/{prepared.FOLDER}" in injected.source  # the report passed its prepared folder
    recorded = [
        o.data[prepared.INPUTS_MIMETYPE]
        for c in notebook.cells
        if c.cell_type == "code"
        for o in c.outputs
        if prepared.INPUTS_MIMETYPE in o.get("data", {})
    ]
    assert len(recorded) == 1 and recorded[0]["prepared_by_report"] is True
    findings = json.loads(demo_report.paths["findings"].read_text(encoding="utf-8"))
    assert recorded[0]["inputs"] == findings["inputs"]


@pytest.mark.slow
def test_the_validated_tables_leave_no_copy_in_the_report_or_beside_it(demo_report):
    assert not (demo_report.out_dir / prepared.FOLDER).exists()
    assert not list(demo_report.out_dir.rglob("*.parquet"))
    staging = f".{demo_report.out_dir.name}."  # report.run_report's staging and previous-report folders
    leftovers = [p.name for p in demo_report.out_dir.parent.iterdir() if p.name.startswith(staging)]
    assert leftovers == []  # no staging folder (which held the prepared tables) left behind


def test_inputs_output_holds_the_fingerprints_and_draws_nothing(demo_and_prepared):
    review, *_ = demo_and_prepared
    output = prepared.inputs_output(review)
    assert output[prepared.INPUTS_MIMETYPE]["inputs"] == [asdict(i) for i in review.inputs]
    assert output["text/html"] == ""


@pytest.mark.spark
def test_a_notebook_s_spark_session_writes_its_scratch_files_in_the_staging_folder(demo_and_prepared):
    """Spark's shuffles and spills hold personal data: a session that reads the prepared tables writes them in a
    spill folder of the prepared folder, removed with it however the kernel ends, not in the system's temp folder."""
    _, _, folder = demo_and_prepared
    probe = (
        "import json, os, sys; from ethics_review import prepared; "
        "review = prepared.open_prepared(sys.argv[1], engine='pyspark'); "
        "review.tables['sends'].group_by('channel').agg(n=review.tables['sends'].count()).to_pandas(); "
        "local = review.con._session.conf.get('spark.local.dir'); "
        "print(json.dumps({'local': local, 'entries': sorted(os.listdir(local))}))"
    )
    ran = subprocess.run([sys.executable, "-c", probe, str(folder)], capture_output=True, text=True, timeout=600)
    assert ran.returncode == 0, ran.stderr[-2000:]
    seen = json.loads(ran.stdout.strip().splitlines()[-1])
    local = Path(seen["local"])
    assert local.parent == folder.resolve() and local.name.startswith(prepared.SPILL_PREFIX)
    assert any(entry.startswith("blockmgr-") for entry in seen["entries"])
