"""A pytest plugin for the nbval run of tests/test_notebooks.py: in a cell marked `nbval-check-output`, compare
the plain text streams only (each check section's line `consent.coverage: fail`), not the rich displays (the
finding's HTML, plotly figures, widgets), which carry random ids and are tested in-process instead.

nbval compares every output key except those in `IPyNbFile.skip_compare`; `data` there drops display_data and
execute_result bundles from both sides, so the stdout and stderr streams (and errors) are still compared."""

from __future__ import annotations

from nbval.plugin import IPyNbFile


def pytest_collectstart(collector) -> None:
    if isinstance(collector, IPyNbFile) and "data" not in collector.skip_compare:
        collector.skip_compare = (*collector.skip_compare, "data")
