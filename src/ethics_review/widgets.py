"""ipywidgets panels for JupyterLab: pick a check's options, re-run it, re-draw its finding and chart.

Wiring only: each panel is a few controls whose values become the check's keyword options, and an `Output`
that shows `display.rerun(...)` (that is `CHECKS[id].function(review, **options)`, through the runner).
Campaign choices are the distinct `campaign_id` values computed in the engine; no row is pulled.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import ipywidgets as w

from . import charts, display
from .errors import ReviewInputError
from .findings import Finding
from .review import Review

Controls = dict[str, w.ValueWidget]
ALL = ""  # the value of an "All ..." choice (a Dropdown whose value is None shows no selection): option None


@dataclass(frozen=True)
class PanelSpec:
    """How one check's panel is made: its controls, and how their values become the check's options."""

    controls: Callable[[Review, Finding, str | None], Controls]
    options: Callable[[Mapping[str, Any]], dict[str, Any]] = dict


def campaign_choices(review: Review, table: str) -> list[str]:
    """Distinct campaign ids of a table, computed by the engine (an aggregate, never the rows)."""
    if not review.has(table, "campaign_id"):
        return []
    campaigns = review.table(table).campaign_id
    distinct = review.table(table).select(campaign_id=campaigns.cast("string")).distinct()
    values = distinct.filter(distinct.campaign_id.notnull()).order_by("campaign_id").to_pyarrow()
    return [str(v) for v in values.column("campaign_id").to_pylist()]


def campaign_dropdown(review: Review, table: str, campaign: str | None) -> Controls:
    choices = campaign_choices(review, table)
    if not choices:
        return {}
    lang = review.lang
    options = [(display.label("widgets.all_campaigns", lang), ALL), *((c, c) for c in choices)]
    return {"campaign": w.Dropdown(options=options, value=campaign if campaign in choices else ALL,
                                   description=display.label("widgets.campaign", lang))}


def _population_table(review: Review) -> str:
    return "targeting" if review.has("targeting", "campaign_id") else "sends"


def parity_controls(review: Review, finding: Finding, campaign: str | None) -> Controls:
    """Campaign, attribute, reference group and the two impact-ratio thresholds of bias.selection_parity."""
    lang = review.lang
    attributes = list(dict.fromkeys(str(row["attribute"]) for row in finding.evidence if row.get("attribute")))
    # A named reference must be a group big enough to be judged (the check ignores it otherwise).
    flaggable = review.config.bias.min_flag_size
    groups = list(dict.fromkeys(
        (str(row["attribute"]), str(row["group"])) for row in finding.evidence
        if charts.plotted_number(row.get("n")) is not None and row["n"] >= flaggable))
    warn_lines = [t.value for t in finding.thresholds if t.metric == "impact_ratio" and t.level == "warn"]
    slider = {"min": 0.5, "max": 1.0, "step": 0.05, "continuous_update": False, "readout_format": ".2f"}
    return {
        **campaign_dropdown(review, _population_table(review), campaign),
        "attributes": w.Dropdown(
            options=[(display.label("widgets.all_attributes", lang), ALL), *((a, a) for a in attributes)],
            value=ALL, description=display.label("widgets.attribute", lang)),
        "reference": w.Dropdown(
            options=[(display.label("widgets.highest", lang), "highest"),
                     (display.label("widgets.largest", lang), "largest"),
                     *((f"{attribute} = {group}", (attribute, group)) for attribute, group in groups)],
            value="highest", description=display.label("widgets.reference", lang)),
        "fail_below": w.FloatSlider(value=charts.impact_ratio_line(finding),
                                    description=display.label("widgets.fail_below", lang), **slider),
        "warn_below": w.FloatSlider(value=max(warn_lines, default=0.9),
                                    description=display.label("widgets.warn_below", lang), **slider),
    }


def parity_options(values: Mapping[str, Any]) -> dict[str, Any]:
    """Control values as selection_parity options: one attribute as a list, a named group as {attribute: group}."""
    reference = values["reference"]
    return {**values,
            "attributes": None if values["attributes"] is None else [values["attributes"]],
            "reference": {reference[0]: reference[1]} if isinstance(reference, tuple) else reference}


def check_options(spec: PanelSpec, controls: Controls) -> dict[str, Any]:
    """The controls' values as the check's options ("All ..." is None, the check's own default)."""
    return spec.options({name: None if c.value == ALL else c.value for name, c in controls.items()})


PANELS: dict[str, PanelSpec] = {
    "consent.coverage": PanelSpec(lambda review, finding, campaign: campaign_dropdown(review, "sends", campaign)),
    "bias.selection_parity": PanelSpec(parity_controls, parity_options),
    "transparency.ai_disclosure": PanelSpec(
        lambda review, finding, campaign: campaign_dropdown(review, "content", campaign)),
}


def campaign_panel(area: str) -> PanelSpec:
    """The default panel of a check that accepts `campaign`: one dropdown over the campaigns of its population
    (targeting for bias checks when there is a targeting table, else the sends)."""
    def controls(review: Review, finding: Finding, campaign: str | None) -> Controls:
        return campaign_dropdown(review, _population_table(review) if area == "bias" else "sends", campaign)

    return PanelSpec(controls)


def panel_spec(check_id: str) -> PanelSpec | None:
    if check_id in PANELS:
        return PANELS[check_id]
    if display.accepts_option(check_id, "campaign"):
        return campaign_panel(check_id.split(".", 1)[0])
    return None


def panel(review: Review, finding: Finding, *, campaign: str | None = None) -> w.VBox | None:
    """The finding in an Output under its controls; None when the check has no panel or no choice to offer."""
    spec = panel_spec(finding.check_id)
    controls = spec.controls(review, finding, campaign) if spec else {}
    if not controls:
        return None
    output = w.Output()

    def refresh(_change: object = None) -> None:
        with output:
            output.clear_output(wait=True)
            try:
                display.show_finding(review, display.rerun(review, finding.check_id, **check_options(spec, controls)))
            except ReviewInputError as exc:  # e.g. fail_below above warn_below: say so, keep the panel alive
                display.show_message(str(exc))

    for control in controls.values():
        control.observe(refresh, names="value")
    with output:
        display.show_finding(review, finding)
    layout = w.Layout(flex_flow="row wrap")
    return w.VBox([w.HBox(list(controls.values()), layout=layout), output])
