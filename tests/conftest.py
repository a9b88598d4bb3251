"""Shared fixtures. The real datasets live in ../shared/data, outside the repo: a user's clone skips those tests
with a reason; CI sets ETHICS_REVIEW_REQUIRE_SHARED_DATA=1 so that their absence is an error instead."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"

# --- the session's temporary files -------------------------------------------------------------------------------
# The kit's code and every process it starts (kernels, Spark, PostgreSQL) write temporary files into a folder of
# this session (TMPDIR), so that what a test session leaves behind is seen here, whatever else runs on the machine.
# pytest's own tmp_path folders stay in the system's temp directory (PYTEST_DEBUG_TEMPROOT).
KIT_TEMP_PREFIXES = ("ethics-review-", "er-")  # tempfile.mkdtemp prefixes in src/ and tests/
# The UTF-8 copy that Spark reads lazily is removed when the process exits (engine._utf8_copy, atexit), which is
# after the session ends: the only kind of leftover that may still exist at this point.
REMOVED_AT_EXIT = ("ethics-review-spark-",)
_session_temp: dict[str, object] = {}


def pytest_configure(config: pytest.Config) -> None:
    system = tempfile.gettempdir()
    os.environ.setdefault("PYTEST_DEBUG_TEMPROOT", system)
    folder = Path(tempfile.mkdtemp(prefix="pytest-session-temp-", dir=system))
    _session_temp.update(folder=folder, environ={k: os.environ.get(k) for k in ("TMPDIR", "TEMP", "TMP")})
    for variable in ("TMPDIR", "TEMP", "TMP"):
        os.environ[variable] = str(folder)
    tempfile.tempdir = str(folder)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    folder = _session_temp.pop("folder", None)
    if not isinstance(folder, Path):
        return
    left = sorted(p.name for p in folder.iterdir() if p.name.startswith(KIT_TEMP_PREFIXES))
    left = [name for name in left if not name.startswith(REMOVED_AT_EXIT)]
    environ = _session_temp.pop("environ", {})
    assert isinstance(environ, dict)
    for variable, value in environ.items():
        if value is None:
            os.environ.pop(variable, None)
        else:
            os.environ[variable] = value
    tempfile.tempdir = None
    if not left:
        shutil.rmtree(folder, ignore_errors=True)
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    message = f"the test session left temporary files of the kit in {folder}: {', '.join(left)}"
    if reporter is not None:
        reporter.write_line(f"\nERROR: {message}", red=True, bold=True)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def shared_data_dir() -> Path:
    if SHARED_DATA.is_dir():
        return SHARED_DATA
    message = (
        f"the real datasets are not at {SHARED_DATA} (they live beside the repo in the team's checkout, "
        "not in a user's clone)"
    )
    if os.environ.get("ETHICS_REVIEW_REQUIRE_SHARED_DATA") == "1":
        pytest.fail(message)
    pytest.skip(message)


def make_review(*, config: dict | None = None, as_of: str = "2026-11-15", lang: str = "en", **tables):
    """A review over small in-memory tables (DataFrames or dicts of columns), on a fresh DuckDB."""
    import pandas as pd

    from ethics_review.review import open_review

    data = {name: table if isinstance(table, pd.DataFrame) else pd.DataFrame(table) for name, table in tables.items()}
    return open_review(data=data, config=config or {}, as_of=as_of, lang=lang)


DEMO_TEST_CONTACTS = 5000  # small enough for a fast suite, large enough for every planted problem


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory) -> Path:
    """The demo review folder, generated once per test session."""
    from ethics_review.demo import generate

    folder = tmp_path_factory.mktemp("demo") / "data"
    generate(folder, contacts=DEMO_TEST_CONTACTS, lang="en")
    return folder


@pytest.fixture(scope="session")
def demo_report(demo_dir, tmp_path_factory):
    """The full English report of the demo review, run once per test session (papermill + nbconvert)."""
    from ethics_review import report

    return report.run_report(demo_dir, tmp_path_factory.mktemp("report-en"), progress=False, jobs=2)


def a_finding(check_id: str, evidence: list[dict], *, status: str = "warn", thresholds: tuple = ()):
    """A hand-made finding for chart and display tests: only the check id, status, thresholds and evidence matter."""
    from ethics_review.findings import Finding

    return Finding(
        check_id=check_id,
        area=check_id.split(".")[0],
        status=status,
        title="t",
        summary="s",
        recommendation="r",
        metric={},
        thresholds=tuple(thresholds),
        evidence=tuple(evidence),
    )


def segments(figure, part: str) -> list[tuple[tuple[str, str], float]]:
    """The stacked-bar segments of one part (covered, uncovered, ...) as ((level 1, level 2), height)."""
    trace = next((t for t in figure.data if t.meta == part), None)
    if trace is None:
        return []
    return [((a, b), y) for a, b, y in zip(trace.x[0], trace.x[1], trace.y, strict=True)]


def problem_bars(figure) -> list[tuple[str, float, str]]:
    """A problem chart's horizontal bars, top to bottom, as (label, count of what is wrong, written text)."""
    (trace,) = figure.data
    assert trace.orientation == "h"
    return list(zip(trace.y, trace.x, trace.text, strict=True))


def chromium_available() -> bool:
    from ethics_review.errors import ReviewInputError
    from ethics_review.pdf import find_chromium

    try:
        find_chromium()
    except ReviewInputError:
        return False
    return True


@pytest.fixture(scope="session")
def demo_command_report(tmp_path_factory):
    """`ethics-review demo --lang <lang>` as a user runs it, once per language and session: its report folder."""
    folders: dict[str, Path] = {}

    def run(lang: str) -> Path:
        if lang not in folders:
            from ethics_review import cli

            out = tmp_path_factory.mktemp(f"demo-command-{lang}")
            # With a Chromium on the machine the French run also prints report.pdf (tests/test_browser.py reads it)
            pdf = ["--pdf"] if lang == "fr" and chromium_available() else []
            assert (
                cli.main(["demo", "--out", str(out), "--lang", lang, "--contacts", str(DEMO_TEST_CONTACTS), *pdf]) == 0
            )
            folders[lang] = out / "report"
        return folders[lang]

    return run
