"""Waiting for this run's other areas. The report runs the governance notebook beside the others (report.py): its
continuous evaluation and its trend read the parts the other notebooks write (`<area>.findings.json`, pages.py).
The report marks each of those areas pending before they start, and removes the mark once the area's part, or its
failure, is written; governance waits until no mark is left. Outside a report (JupyterLab) there is no mark, and
nothing waits."""

from __future__ import annotations

import time
from pathlib import Path

PENDING_SUFFIX = ".pending"
POLL_SECONDS = 0.05


def pending_path(output_dir: str | Path, area: str) -> Path:
    return Path(output_dir) / f"{area}{PENDING_SUFFIX}"


def wait_for_parts(output_dir: str | Path) -> None:
    """Return once no area of this run is marked pending in `output_dir`. The wait cannot outlive the run: the
    kernel dies with the report's process, and each cell has the report's time limit."""
    while any(Path(output_dir).glob(f"*{PENDING_SUFFIX}")):
        time.sleep(POLL_SECONDS)
