"""Plotly figures built from a finding's evidence rows, one module per area (like checks/).

Pure functions, no I/O: a Finding (and the reader's language) in, a Figure or None out. `CHARTS` maps a check id
to its chart function; a check without an entry has no chart.
"""

from __future__ import annotations

import plotly.graph_objects as go

from ..findings import Finding
from .bias import BIAS_CHARTS, impact_ratio_line
from .common import (
    HIDDEN_SEGMENT,
    IMPACT_LINE_NAME,
    ChartFunction,
    flag_label,
    format_value,
    label,
    plotted_number,
)
from .consent import CONSENT_CHARTS
from .governance import GOVERNANCE_CHARTS
from .transparency import TRANSPARENCY_CHARTS

__all__ = [
    "CHARTS",
    "HIDDEN_SEGMENT",
    "IMPACT_LINE_NAME",
    "chart_for",
    "flag_label",
    "format_value",
    "impact_ratio_line",
    "label",
    "plotted_number",
]

CHARTS: dict[str, ChartFunction] = {**CONSENT_CHARTS, **BIAS_CHARTS, **TRANSPARENCY_CHARTS, **GOVERNANCE_CHARTS}


def chart_for(finding: Finding, lang: str = "en") -> go.Figure | None:
    """The finding's chart, or None when its check has no chart, it did not run (`not_applicable`, `error`),
    or every cell it would plot is suppressed."""
    function = CHARTS.get(finding.check_id)
    if function is None or finding.status in ("not_applicable", "error") or not finding.evidence:
        return None
    return function(finding, lang)
