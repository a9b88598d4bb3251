"""The wheel alone can run a review: notebooks, templates, schema, texts and lexicons are package data."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(out),
            str(REPO_ROOT),
        ],
        check=True,
    )
    (built,) = out.glob("ethics_review-*.whl")
    return built


def test_wheel_holds_every_resource(wheel: Path):
    names = set(zipfile.ZipFile(wheel).namelist())
    for notebook in ("consent", "bias", "transparency", "governance"):
        assert f"ethics_review/_bundled/notebooks/{notebook}.ipynb" in names
    for required in (
        "ethics_review/_bundled/templates/report/index.html.j2",
        "ethics_review/_bundled/templates/review/review.yaml",
        "ethics_review/schema/findings.schema.json",
        "ethics_review/legal_dates.yaml",
        "ethics_review/schema/batch-summary.schema.json",
        "ethics_review/_bundled/templates/report/batch.html.j2",
        "ethics_review/texts/ui.yaml",
        "ethics_review/lexicons/purposes.yaml",
        "ethics_review/lexicons/assessment_questions.yaml",
        "ethics_review/texts/governance.yaml",
        "ethics_review/_bundled/templates/review/assessment.yaml",
        "ethics_review/texts/references.yaml",
        # the documents the error messages and templates point to
        "ethics_review/_bundled/docs/data-contract.md",
        "ethics_review/_bundled/docs/checks.md",
    ):
        assert required in names


def test_the_installed_wheel_alone_runs_a_review(wheel: Path, tmp_path: Path):
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(wheel)],
        check=True,
    )
    env = {"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    work = tmp_path / "work"
    work.mkdir()
    run = [sys.executable, "-m", "ethics_review.cli"]
    located = subprocess.run(
        [
            sys.executable,
            "-c",
            "import ethics_review, ethics_review.paths as p; print(ethics_review.__file__); print(p.notebooks_dir())",
        ],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert str(target) in located.splitlines()[0] and "_bundled" in located.splitlines()[1]
    subprocess.run([*run, "init", "review"], cwd=work, env=env, check=True, capture_output=True)
    done = subprocess.run([*run, "run", "review", "--out", "out"], cwd=work, env=env, capture_output=True, text=True)
    assert done.returncode in (0, 1), done.stderr
    assert (work / "out" / "index.html").is_file() and (work / "out" / "findings.json").is_file()
    assert len(list((work / "review.history").glob("run-*.json"))) == 1  # next to the review, not inside it
