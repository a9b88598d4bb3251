"""ipywidgets panels for JupyterLab: pick a check's options, re-run it, re-draw its finding and chart.

Wiring only: each panel is a few controls whose values become the check's keyword options, and an `Output`
that shows `display.rerun(...)` (that is `CHECKS[id].function(review, **options)`, through the runner).
Campaign choices are the distinct `campaign_id` values computed in the engine; no row is pulled.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ipywidgets as w

from . import charts, display
from .errors import ReviewInputError
from .findings import Finding
from .review import Review

Controls = dict[str, w.ValueWidget]
ALL = ""  # the value of an "All ..." choice (a Dropdown whose value is None shows no selection): option None


def campaign_choices(review: Review, table: str) -> list[str]:
    """Distinct campaign ids of a table, computed by the engine (an aggregate, never the rows)."""
    if not review.has(table, "campaign_id"):
        return []
    rows = review.table(table)
    distinct = rows.select(campaign_id=rows.campaign_id.cast("string")).distinct()
    values = distinct.filter(distinct.campaign_id.notnull()).order_by("campaign_id").to_pyarrow()
    return [str(v) for v in values.column("campaign_id").to_pylist()]


def campaign_dropdown(review: Review, table: str, campaign: str | None,
                      campaigns: dict[str, list[str]] | None = None) -> Controls:
    """`campaigns`, when given, keeps the choices per table, so that the panels of an area query each table once."""
    if campaigns is None:
        choices = campaign_choices(review, table)
    else:
        if table not in campaigns:
            campaigns[table] = campaign_choices(review, table)
        choices = campaigns[table]
    if not choices:
        return {}
    lang = review.lang
    options = [(display.label("widgets.all_campaigns", lang), ALL), *((c, c) for c in choices)]
    return {"campaign": w.Dropdown(options=options, value=campaign if campaign in choices else ALL,
                                   description=display.label("widgets.campaign", lang))}


def _population_table(review: Review, area: str) -> str:
    """Where a check's campaigns come from: targeting for bias (when there is one), content for transparency."""
    if area == "bias" and review.has("targeting", "campaign_id"):
        return "targeting"
    if area == "transparency" and review.has("content", "campaign_id"):
        return "content"
    return "sends"


def _choices_dropdown(name: str, values: list[str], lang: str) -> Controls:
    if not values:
        return {}
    options = [(display.label(f"widgets.all_{name}s", lang), ALL), *((v, v) for v in values)]
    return {name: w.Dropdown(options=options, value=ALL, description=display.label(f"widgets.{name}", lang))}


def _evidence_values(finding: Finding, column: str) -> list[str]:
    return sorted({str(row[column]) for row in finding.evidence if row.get(column) not in (None, "")})


def _reference_dropdown(review: Review, finding: Finding) -> Controls:
    # A named reference must be a group big enough to be judged (the check ignores it otherwise).
    flaggable = review.config.bias.min_flag_size
    groups = list(dict.fromkeys(
        (str(row["attribute"]), str(row["group"])) for row in finding.evidence
        if row.get("attribute") and charts.plotted_number(row.get("n")) is not None and row["n"] >= flaggable))
    lang = review.lang
    return {"reference": w.Dropdown(
        options=[(display.label("widgets.highest", lang), "highest"),
                 (display.label("widgets.largest", lang), "largest"),
                 *((f"{attribute} = {group}", (attribute, group)) for attribute, group in groups)],
        value="highest", description=display.label("widgets.reference", lang))}


def _threshold_slider(finding: Finding, option: str, default: float, lang: str) -> Controls:
    level = "fail" if option.startswith("fail") else "warn"
    values = [t.value for t in finding.thresholds if t.level == level and t.op in ("<", "<=")]
    slider = {"min": 0.5, "max": 1.0, "step": 0.05, "continuous_update": False, "readout_format": ".2f"}
    value = max(values, default=default) if level == "warn" else min(values, default=default)
    return {option: w.FloatSlider(value=value, description=display.label(f"widgets.{option}", lang), **slider)}


def controls_for(review: Review, finding: Finding, campaign: str | None,
                 campaigns: dict[str, list[str]] | None = None) -> Controls:
    """One control per option the check accepts, among those a marketer explores: campaign, purpose, channel,
    attribute, reference group and the ratio thresholds. Choices are aggregates (distinct values), never rows."""
    check_id, lang = finding.check_id, review.lang
    area = check_id.split(".", 1)[0]
    accepts = {option for option in ("campaign", "purpose", "channel", "attributes", "reference", "fail_below",
                                     "warn_below") if display.accepts_option(check_id, option)}
    controls: Controls = {}
    if "campaign" in accepts:
        controls.update(campaign_dropdown(review, _population_table(review, area), campaign, campaigns))
    if "purpose" in accepts:
        controls.update(_choices_dropdown("purpose", _evidence_values(finding, "purpose"), lang))
    if "channel" in accepts:
        controls.update(_choices_dropdown("channel", _evidence_values(finding, "channel"), lang))
    if "attributes" in accepts:
        controls.update(_choices_dropdown("attribute", _evidence_values(finding, "attribute"), lang))
    if "reference" in accepts and any(row.get("attribute") for row in finding.evidence):
        controls.update(_reference_dropdown(review, finding))
    for option, default in (("fail_below", 0.8), ("warn_below", 0.9)):
        if option in accepts:
            controls.update(_threshold_slider(finding, option, default, lang))
    return controls


def options_from(values: Mapping[str, Any]) -> dict[str, Any]:
    """Control values as check options: one attribute as a list, a named group as {attribute: group}."""
    options = dict(values)
    if "attribute" in options:
        attribute = options.pop("attribute")
        options["attributes"] = None if attribute is None else [attribute]
    reference = options.get("reference")
    if isinstance(reference, tuple):
        options["reference"] = {reference[0]: reference[1]}
    return options


def check_options(controls: Controls) -> dict[str, Any]:
    """The controls' values as the check's options ("All ..." is None, the check's own default)."""
    return options_from({name: None if c.value == ALL else c.value for name, c in controls.items()})


def panel(review: Review, finding: Finding, *, campaign: str | None = None,
          campaigns: dict[str, list[str]] | None = None) -> w.VBox | None:
    """The finding in an Output under its controls; None when the check has no choice to offer. `campaigns`:
    see `campaign_dropdown`."""
    controls = controls_for(review, finding, campaign, campaigns)
    if not controls:
        return None
    output = w.Output()

    def refresh(_change: object = None) -> None:
        with output:
            output.clear_output(wait=True)
            try:
                display.show_finding(review, display.rerun(review, finding.check_id, **check_options(controls)))
            except ReviewInputError as exc:  # e.g. fail_below above warn_below: say so, keep the panel alive
                display.show_message(str(exc))

    for control in controls.values():
        control.observe(refresh, names="value")
    with output:
        display.show_finding(review, finding)
    layout = w.Layout(flex_flow="row wrap")
    return w.VBox([w.HBox(list(controls.values()), layout=layout), output])


# --- the self-assessment panel (governance notebook) ----------------------------------------------------------------

PANEL = "governance.assessment_panel"


@dataclass(frozen=True)
class AssessmentPanel:
    """The widget tree and the parts a caller (or a test) drives: one set of controls per question, the save
    button, the confirm button shown with the diff, and the message area."""

    box: w.VBox
    controls: Mapping[str, Controls]  # question id -> answer, evidence, answered_by, answered_on
    save: w.Button
    confirm: w.Button
    message: w.HTML
    path: Path


def _panel_text(part: str, lang: str, **values: Any) -> str:
    from . import i18n

    return i18n.text(PANEL, part, lang, **values)


def assessment_panel(review: Review, path: Path | str | None = None) -> AssessmentPanel:
    """Every question of the self-assessment as a widget (yes / no / not applicable, evidence, who, when), filled
    with the review's answers. Save writes `assessment.yaml` in the review folder; when the file exists and would
    change, the diff is shown first and a second button overwrites it."""
    from . import assessment

    lang = review.lang
    target = Path(path) if path is not None else review.base_dir / assessment.FILE_NAME
    given = assessment.answer_by_question(review.assessment)
    choices = [(_panel_text(f"answer.{a}", lang), a) for a in ("unanswered", *assessment.ANSWERS)]
    controls: dict[str, Controls] = {}
    rows: list[w.Widget] = [w.HTML(f"<h3>{html.escape(_panel_text('title', lang))}</h3><p>"
                                   f"{html.escape(_panel_text('intro', lang, path=str(target)))}</p>")]
    for q in assessment.questions():
        answer = given[q.id]
        controls[q.id] = {
            "answer": w.ToggleButtons(options=choices, value=answer.answer or "unanswered"),
            "evidence": w.Text(value=answer.evidence or "", description=_panel_text("evidence", lang)),
            "answered_by": w.Text(value=answer.answered_by or "", description=_panel_text("answered_by", lang)),
            "answered_on": w.DatePicker(value=answer.answered_on, description=_panel_text("answered_on", lang)),
        }
        notes = [_panel_text("legal_duty", lang, duty=q.legal_duty.get(lang, q.legal_duty["en"]))] if q.legal_duty \
            else []
        notes.append(_panel_text("evidence_hint", lang, evidence=q.evidence.get(lang, q.evidence["en"])))
        rows.append(w.HTML(f"<p><strong>{html.escape(q.text.get(lang, q.text['en']))}</strong><br>"
                           f"<small>{'<br>'.join(html.escape(n) for n in notes)}</small></p>"))
        rows.append(w.HBox(list(controls[q.id].values()), layout=w.Layout(flex_flow="row wrap")))
    save = w.Button(description=_panel_text("save", lang), button_style="primary")
    confirm = w.Button(description=_panel_text("confirm", lang), button_style="warning",
                       layout=w.Layout(display="none"))
    message = w.HTML()

    def write() -> None:
        assessment.save_assessment(target, answers_from_controls(controls), lang=lang)
        confirm.layout.display = "none"
        message.value = f"<p>{html.escape(_panel_text('saved', lang, path=str(target)))}</p>"

    def on_save(_button: object = None) -> None:
        try:
            text = assessment.dump_assessment(answers_from_controls(controls), lang=lang)
        except ReviewInputError as exc:
            message.value = f"<p>{html.escape(str(exc))}</p>"
            return
        if not target.is_file():
            write()
            return
        diff = assessment.unified_diff(target, text)
        if not diff:
            confirm.layout.display = "none"
            message.value = f"<p>{html.escape(_panel_text('unchanged', lang, path=str(target)))}</p>"
            return
        confirm.layout.display = None
        message.value = (f"<p>{html.escape(_panel_text('diff', lang, path=str(target)))}</p>"
                         f'<pre class="er-diff">{html.escape(diff)}</pre>')

    save.on_click(on_save)
    confirm.on_click(lambda _button: write())
    rows += [w.HBox([save, confirm]), message]
    return AssessmentPanel(box=w.VBox(rows), controls=controls, save=save, confirm=confirm, message=message,
                           path=target)


def answers_from_controls(controls: Mapping[str, Controls]) -> list[Any]:
    """The controls' values as answers; an unanswered question with nothing else filled in is kept as unanswered."""
    from .assessment import Answer

    answers = []
    for question_id, c in controls.items():
        value = c["answer"].value
        answers.append(Answer(question_id=question_id, answer=None if value == "unanswered" else value,
                              evidence=c["evidence"].value.strip() or None,
                              answered_by=c["answered_by"].value.strip() or None,
                              answered_on=c["answered_on"].value))
    return answers
