"""What the governance notebook shows beyond the findings of its checks: the trend of statuses per area over the
review's history, and the self-assessment panel. The notebook only calls these functions."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from IPython.display import HTML
from IPython.display import display as ipython_display

from . import history, i18n, pages, reruns
from .charts.governance import trend_chart
from .findings import STATUSES, Finding
from .parts import wait_for_parts
from .review import Review

AREA = "governance"
CONTINUOUS = "governance.continuous_evaluation"


def history_folder(review: Review, history_dir: str | None) -> Path:
    """The folder the report passed, else the default one next to the review folder."""
    return Path(history_dir) if history_dir else history.default_dir(review.base_dir)


def with_continuous_options(review: Review, *, history_dir: str | None, output_dir: str | None) -> Review:
    """The review with the continuous evaluation pointed at the history and at this run's other areas (their
    parts, when the report ran them first). The findings are saved with the review as opened, so the report's
    parts all describe the same config."""
    options = {"history": str(history_folder(review, history_dir))}
    if output_dir is not None:
        options["parts"] = str(output_dir)
    return reruns.with_check_options(review, CONTINUOUS, options)


def current_trend_rows(findings: Sequence[Finding], output_dir: str | None, lang: str) -> pd.DataFrame:
    """This run's counts per area: the governance findings, and the other areas' parts when the report wrote
    them."""
    statuses = [(f.area, f.status) for f in findings]
    if output_dir is not None:
        wait_for_parts(output_dir)  # the report may run this notebook beside the others (parts.py)
        for part in sorted(Path(output_dir).glob(f"*{pages.PARTS_SUFFIX}")):
            if part.name.startswith(f"{AREA}."):
                continue
            statuses += [(f["area"], f["status"]) for f in json.loads(part.read_text(encoding="utf-8"))["findings"]]
    label = i18n.text(CONTINUOUS, "trend.current", lang)
    areas = list(dict.fromkeys(area for area, _ in statuses))
    return pd.DataFrame(
        [
            {
                "as_of": label,
                "area": area,
                **{s: sum(1 for a, st in statuses if a == area and st == s) for s in STATUSES},
            }
            for area in areas
        ],
        columns=["as_of", "area", *STATUSES],
    )


def trend(
    review: Review, findings: Sequence[Finding], *, history_dir: str | None = None, output_dir: str | None = None
) -> pd.DataFrame:
    runs = history.read_runs(history_folder(review, history_dir), review=review.config.name)
    earlier = [r for r in runs if str(r["as_of"])[:10] <= review.as_of.isoformat()]
    return pd.concat(
        [history.area_trend(earlier), current_trend_rows(findings, output_dir, review.lang)], ignore_index=True
    )


def show_trend(
    review: Review, findings: Sequence[Finding], *, history_dir: str | None = None, output_dir: str | None = None
) -> None:
    """The trend per area over the earlier runs and this one (checks per status)."""
    frame = trend(review, findings, history_dir=history_dir, output_dir=output_dir)
    figure = trend_chart(frame, review.lang)
    if frame.as_of.nunique() <= 1:
        ipython_display(HTML(pages.message_html(i18n.text(CONTINUOUS, "trend.none", review.lang))))
    if figure is not None:
        ipython_display(figure)


def show_assessment_panel(review: Review, *, interactive: bool = True) -> None:
    """In JupyterLab, the self-assessment as widgets with a save button; headless, nothing (the report reads
    assessment.yaml and the self_assessment finding above lists every answer)."""
    if not interactive:
        return
    from .widgets import assessment_panel  # noqa: PLC0415 - ipywidgets: only JupyterLab shows the panel

    ipython_display(HTML(pages.style_html()))
    ipython_display(assessment_panel(review).box)
