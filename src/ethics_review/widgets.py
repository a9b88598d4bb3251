"""ipywidgets panels for JupyterLab: pick a check's options, re-run it, re-draw its finding and chart.

Each panel is a few controls whose values become the check's keyword options, and an `Output` that shows
`reruns.rerun(...)` (that is `CHECKS[id].function(review, **options)`, through the runner). The controls start
at the review's config (review.yaml's `checks:`, else the kit default), which the reset button restores; a
threshold that differs from the kit default says so beside its slider. Numbers read as in the report, in the
review's language ("0,80"), and threshold sliders are named with the report's status words.

A change is quick because nothing is computed twice: the runner answers the queries the review already made from
its kept aggregates (aggregates.py), so a threshold change only judges them again, and each set of options is
drawn once per panel (going back to an earlier choice, or resetting, only swaps the Output's content).
Campaign choices are the distinct `campaign_id` values computed in the engine; no row is pulled.
"""

from __future__ import annotations

import html
import inspect
import json
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ipywidgets as w
import plotly.io as pio
from IPython.display import HTML

from . import aggregates, assessment, charts, i18n, pages, reruns
from .assessment import Answer
from .checks import CHECKS
from .checks.common import options_for
from .errors import ReviewInputError
from .findings import Finding, Threshold
from .review import Review

Controls = dict[str, w.ValueWidget]
ALL = ""  # the value of an "All ..." choice (a Dropdown whose value is None shows no selection): option None
THRESHOLD_OPTIONS = ("fail_below", "warn_below", "fail_above", "warn_above")
STEP = 0.05  # the threshold sliders' grid; the review's own value and the kit default are always on it
MAX_DRAWN = 32  # finished Outputs kept per panel (one per set of options tried)


def campaign_choices(review: Review, table: str) -> list[str]:
    """Distinct campaign ids of a table, computed by the engine (an aggregate, never the rows)."""
    if not review.has(table, "campaign_id"):
        return []
    rows = review.table(table)
    distinct = rows.select(campaign_id=rows.campaign_id.cast("string")).distinct()
    values = distinct.filter(distinct.campaign_id.notnull()).order_by("campaign_id").to_pyarrow()
    return [str(v) for v in values.column("campaign_id").to_pylist()]


def campaign_dropdown(
    review: Review, table: str, campaign: str | None, campaigns: dict[str, list[str]] | None = None
) -> Controls:
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
    options = [(pages.label("widgets.all_campaigns", lang), ALL), *((c, c) for c in choices)]
    return {
        "campaign": w.Dropdown(
            options=options,
            value=campaign if campaign in choices else ALL,
            description=pages.label("widgets.campaign", lang),
        )
    }


def _population_table(review: Review, area: str) -> str:
    """Where a check's campaigns come from: targeting for bias (when there is one), content for transparency."""
    if area == "bias" and review.has("targeting", "campaign_id"):
        return "targeting"
    if area == "transparency" and review.has("content", "campaign_id"):
        return "content"
    return "sends"


def _choices_dropdown(name: str, values: list[str], lang: str, configured: Any = None) -> Controls:
    """All, or one of `values`; a configured value (one, or a list of several) is a choice too, and the start.
    Each choice reads as the report's tables show it ("tranche d'âge" for age_band); its value stays canonical."""
    if isinstance(configured, (list, tuple)):
        configured = configured[0] if len(configured) == 1 else tuple(configured)
    choices: list[tuple[str, Any]] = [(i18n.word(name, v, lang), v) for v in values]
    if isinstance(configured, tuple):
        choices.insert(0, (", ".join(i18n.word(name, v, lang) for v in configured), configured))
    elif configured is not None and configured not in values:
        choices.insert(0, (i18n.word(name, configured, lang), configured))
    if not choices:
        return {}
    options = [(pages.label(f"widgets.all_{name}s", lang), ALL), *choices]
    start = ALL if configured is None else configured
    return {name: w.Dropdown(options=options, value=start, description=pages.label(f"widgets.{name}", lang))}


def _evidence_values(finding: Finding, column: str) -> list[str]:
    return sorted({str(row[column]) for row in finding.evidence if row.get(column) not in (None, "")})


def _reference_dropdown(review: Review, finding: Finding, configured: Any) -> Controls:
    """Highest rate, largest group, or a named group. A named reference is a tuple of (attribute, group) pairs."""
    # A named reference must be a group big enough to be judged (the check ignores it otherwise).
    flaggable = review.config.bias.min_flag_size
    groups = list(
        dict.fromkeys(
            (str(row["attribute"]), str(row["group"]))
            for row in finding.evidence
            if row.get("attribute") and charts.plotted_number(row.get("n")) is not None and row["n"] >= flaggable
        )
    )
    lang = review.lang
    choices = [
        (pages.label("widgets.highest", lang), "highest"),
        (pages.label("widgets.largest", lang), "largest"),
        *((_reference_label(((attribute, group),), lang), ((attribute, group),)) for attribute, group in groups),
    ]
    # The check's own rule: the option, else bias.reference of the config.
    start = configured if configured is not None else review.config.bias.reference
    if isinstance(start, Mapping):
        start = tuple((str(a), str(g)) for a, g in start.items())
        if start not in [value for _, value in choices]:
            choices.append((_reference_label(start, lang), start))
    return {"reference": w.Dropdown(options=choices, value=start, description=pages.label("widgets.reference", lang))}


def kit_default(check_id: str, option: str) -> Any:
    """The value the check's function gives an option nobody set (its signature's default)."""
    return inspect.signature(CHECKS[check_id].function).parameters[option].default


def _threshold_of(finding: Finding, option: str, value: float) -> Threshold | None:
    """The finding's threshold that `option` sets: same level, same direction, same value."""
    level, side = option.split("_")
    ops = ("<", "<=") if side == "below" else (">", ">=")
    return next((t for t in finding.thresholds if t.level == level and t.op in ops and t.value == value), None)


def _slider_grid(option: str, value: float, default: float) -> list[float]:
    """0.50 to 1.00 for a `below` threshold (a ratio or a share), 0.05 to 0.50 for an `above` gap, 1.00 to 2.00 for
    an `above` ratio; stretched to hold the review's value and the kit default, which are always choices."""
    if option.endswith("_below"):
        low, high = 0.5, 1.0
    else:
        low, high = (1.0, 2.0) if default >= 1 else (STEP, 0.5)
    low, high = min(low, value, default), max(high, value, default)
    steps = round((high - low) / STEP)
    return sorted({round(low + i * STEP, 2) for i in range(steps + 1)} | {value, default})


@dataclass(frozen=True)
class ThresholdWords:
    """How a threshold reads: its slider's name with the report's status word, and its values as the report
    writes them (the metric's kind: a ratio "0,80", a share "80,0 %")."""

    description: str
    metric: str
    lang: str

    def value(self, number: float) -> str:
        return charts.format_value(float(number), self.metric, self.lang)


def threshold_words(review: Review, finding: Finding, option: str, value: float) -> ThresholdWords:
    level, side = option.split("_")
    threshold = _threshold_of(finding, option, value)
    status = pages.threshold_verdict(threshold) if threshold is not None else level
    description = pages.label(f"widgets.threshold.{side}", review.lang, level=pages.status_label(status, review.lang))
    metric = threshold.metric if threshold is not None else "ratio"  # no threshold to name: read as a ratio
    return ThresholdWords(description=description, metric=metric, lang=review.lang)


def _threshold_slider(review: Review, finding: Finding, option: str, configured: Mapping[str, Any]) -> Controls:
    """A slider over formatted values: its readout is the label of the chosen value, in the review's locale (a
    FloatSlider's readout is a d3 format, always with a decimal point)."""
    default = float(kit_default(finding.check_id, option))
    value = float(configured.get(option, default))
    words = threshold_words(review, finding, option, value)
    grid = _slider_grid(option, value, default)
    return {
        option: w.SelectionSlider(
            options=[(words.value(v), v) for v in grid],
            value=value,
            description=words.description,
            continuous_update=False,
            style={"description_width": "initial"},
        )
    }


def _reference_label(reference: tuple[tuple[str, str], ...], lang: str) -> str:
    """ "genre = femmes": a named reference group as the report's tables word its attribute and group."""
    return ", ".join(f"{i18n.word('attribute', a, lang)} = {i18n.word('group', g, lang, a)}" for a, g in reference)


def controls_for(
    review: Review, finding: Finding, campaign: str | None, campaigns: dict[str, list[str]] | None = None
) -> Controls:
    """One control per option the check accepts, among those a marketer explores: campaign, purpose, channel,
    attribute, reference group and the thresholds, each starting at the review's config (`campaign`, when given,
    wins over the config's). Choices are aggregates (distinct values), never rows."""
    check_id, lang = finding.check_id, review.lang
    area = check_id.split(".", 1)[0]
    configured = options_for(review, check_id)
    accepts = {
        option
        for option in ("campaign", "purpose", "channel", "attributes", "reference", *THRESHOLD_OPTIONS)
        if reruns.accepts_option(check_id, option)
    }
    controls: Controls = {}
    if "campaign" in accepts:
        start = campaign if campaign is not None else configured.get("campaign")
        controls.update(campaign_dropdown(review, _population_table(review, area), start, campaigns))
    for option, name in (("purpose", "purpose"), ("channel", "channel"), ("attributes", "attribute")):
        if option in accepts:
            controls.update(_choices_dropdown(name, _evidence_values(finding, name), lang, configured.get(option)))
    if "reference" in accepts and any(row.get("attribute") for row in finding.evidence):
        controls.update(_reference_dropdown(review, finding, configured.get("reference")))
    for option in THRESHOLD_OPTIONS:
        if option in accepts:
            controls.update(_threshold_slider(review, finding, option, configured))
    return controls


def options_from(values: Mapping[str, Any]) -> dict[str, Any]:
    """Control values as check options: attributes as a list, a named reference as {attribute: group}."""
    options = dict(values)
    if "attribute" in options:
        attribute = options.pop("attribute")
        options["attributes"] = (
            None if attribute is None else list(attribute) if isinstance(attribute, tuple) else [attribute]
        )
    reference = options.get("reference")
    if isinstance(reference, tuple):
        options["reference"] = dict(reference)
    return options


def check_options(controls: Mapping[str, w.ValueWidget]) -> dict[str, Any]:
    """The controls' values as the check's options ("All ..." is None, the check's own default)."""
    return options_from({name: None if c.value == ALL else c.value for name, c in controls.items()})


def options_key(options: Mapping[str, Any]) -> str:
    """One text per set of options, for the panel's drawn Outputs."""
    return json.dumps(options, sort_keys=True, default=str)


# --- the panel -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckPanel:
    """A check's widget tree and the parts a caller (or a test) drives: the controls (by option), the note beside
    each threshold, the reset button and the Output. `drawn` keeps, per set of options, the finding (None for a
    rejected set) and the Output's content."""

    box: w.VBox
    check_id: str
    controls: Mapping[str, w.ValueWidget]
    notes: Mapping[str, w.HTML]
    reset: w.Button
    output: w.Output
    start: Mapping[str, Any]  # the controls' values at the review's config
    drawn: OrderedDict[str, tuple[Finding | None, tuple[dict[str, Any], ...]]] = field(default_factory=OrderedDict)

    def shown(self) -> Finding | None:
        """The finding the Output shows now (None when the chosen options were rejected)."""
        entry = self.drawn.get(options_key(check_options(self.controls)))
        return None if entry is None else entry[0]


def display_data(shown: Any) -> dict[str, Any]:
    """One output of an Output widget, as `display(shown)` would publish it in JupyterLab: a plotly figure as
    plotly's JSON mimetype (JupyterLab's plotly renderer draws it), anything else as HTML."""
    if isinstance(shown, str | HTML):
        text = shown if isinstance(shown, str) else shown._repr_html_() or ""
        data = {"text/html": text, "text/plain": "<HTML>"}
    else:
        data = pio.renderers["plotly_mimetype"].to_mimebundle(shown.to_dict())
    return {"output_type": "display_data", "data": data, "metadata": {}}


def finding_outputs(review: Review, finding: Finding) -> tuple[dict[str, Any], ...]:
    return tuple(display_data(shown) for shown in pages.finding_parts(finding, review.lang, k=review.k_anonymity))


def panel(
    review: Review, finding: Finding, *, campaign: str | None = None, campaigns: dict[str, list[str]] | None = None
) -> w.VBox | None:
    """The finding in an Output under its controls; None when the check has no choice to offer. `campaigns`:
    see `campaign_dropdown`."""
    built = check_panel(review, finding, campaign=campaign, campaigns=campaigns)
    return None if built is None else built.box


def check_panel(
    review: Review, finding: Finding, *, campaign: str | None = None, campaigns: dict[str, list[str]] | None = None
) -> CheckPanel | None:
    """`panel`, with its parts. The review keeps its aggregates from now on, so that every change after the first
    query of a set of options only judges again."""
    controls = controls_for(review, finding, campaign, campaigns)
    if not controls:
        return None
    aggregates.remember(review)
    lang = review.lang
    notes = {name: w.HTML() for name in controls if name in THRESHOLD_OPTIONS}
    reset = w.Button(
        description=pages.label("widgets.reset", lang),
        tooltip=pages.label("widgets.reset_hint", lang),
        icon="undo",
        layout=w.Layout(width="auto"),  # the default width cuts the French label ("Revenir aux ré…")
    )
    built = CheckPanel(
        box=w.VBox(),
        check_id=finding.check_id,
        controls=controls,
        notes=notes,
        reset=reset,
        output=w.Output(),
        start={name: c.value for name, c in controls.items()},
    )
    built.drawn[options_key(check_options(controls))] = (finding, finding_outputs(review, finding))
    holding = [False]  # True while reset moves several controls: one re-draw at the end

    def refresh(_change: object = None) -> None:
        if holding[0]:
            return
        _write_notes(built, lang)
        _draw(review, built)

    def on_reset(_button: object = None) -> None:
        holding[0] = True
        try:
            for name, control in controls.items():
                control.value = built.start[name]
        finally:
            holding[0] = False
        refresh()

    for control in controls.values():
        control.observe(refresh, names="value")
    reset.on_click(on_reset)
    rows: list[w.Widget] = [
        w.HBox([c for n, c in controls.items() if n not in notes], layout=w.Layout(flex_flow="row wrap"))
    ]
    rows += [w.HBox([controls[n], note]) for n, note in notes.items()]
    built.box.children = (*rows, reset, built.output)
    _write_notes(built, lang)
    built.output.outputs = built.drawn[options_key(check_options(controls))][1]
    return built


def _write_notes(built: CheckPanel, lang: str) -> None:
    """Beside each threshold: "changed from the kit default (X)" when its value is not the kit default, be it the
    review's config or the slider that moved it."""
    for name, note in built.notes.items():
        slider = built.controls[name]
        default = float(kit_default(built.check_id, name))
        if slider.value == default:
            note.value = ""
            continue
        shown_default = next(label for label, value in slider.options if value == default)
        note.value = (
            f'<span class="er-note er-changed">'
            f"{html.escape(pages.label('widgets.changed_from_default', lang, value=shown_default))}</span>"
        )


def _draw(review: Review, built: CheckPanel) -> None:
    """Show the finding for the controls' options: drawn before, or re-run (on the kept aggregates) and drawn."""
    options = check_options(built.controls)
    key = options_key(options)
    if key in built.drawn:
        built.drawn.move_to_end(key)
    else:
        try:
            finding = reruns.rerun(review, built.check_id, **options)
            built.drawn[key] = (finding, finding_outputs(review, finding))
        except ReviewInputError as exc:  # e.g. fail_below above warn_below: say so, keep the panel alive
            built.drawn[key] = (None, (display_data(pages.message_html(str(exc))),))
        if len(built.drawn) > MAX_DRAWN:
            built.drawn.popitem(last=False)
    built.output.outputs = built.drawn[key][1]


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
    return i18n.text(PANEL, part, lang, **values)


def assessment_panel(review: Review, path: Path | str | None = None) -> AssessmentPanel:
    """Every question of the self-assessment as a widget (yes / no / not applicable, evidence, who, when), filled
    with the review's answers. Save writes `assessment.yaml` in the review folder; when the file exists and would
    change, the diff is shown first and a second button overwrites it."""
    lang = review.lang
    target = Path(path) if path is not None else review.base_dir / assessment.FILE_NAME
    given = assessment.answer_by_question(review.assessment)
    choices = [(_panel_text(f"answer.{a}", lang), a) for a in ("unanswered", *assessment.ANSWERS)]
    controls: dict[str, Controls] = {}
    rows: list[w.Widget] = [
        w.HTML(
            f"<h3>{html.escape(_panel_text('title', lang))}</h3><p>"
            f"{html.escape(_panel_text('intro', lang, path=str(target)))}</p>"
        )
    ]
    for q in assessment.questions():
        answer = given[q.id]
        controls[q.id] = {
            "answer": w.ToggleButtons(options=choices, value=answer.answer or "unanswered"),
            "evidence": w.Text(value=answer.evidence or "", description=_panel_text("evidence", lang)),
            "answered_by": w.Text(value=answer.answered_by or "", description=_panel_text("answered_by", lang)),
            "answered_on": w.DatePicker(value=answer.answered_on, description=_panel_text("answered_on", lang)),
        }
        notes = (
            [_panel_text("legal_duty", lang, duty=q.legal_duty.get(lang, q.legal_duty["en"]))] if q.legal_duty else []
        )
        notes.append(_panel_text("evidence_hint", lang, evidence=q.evidence.get(lang, q.evidence["en"])))
        rows.append(
            w.HTML(
                f"<p><strong>{html.escape(q.text.get(lang, q.text['en']))}</strong><br>"
                f"<small>{'<br>'.join(html.escape(n) for n in notes)}</small></p>"
            )
        )
        rows.append(w.HBox(list(controls[q.id].values()), layout=w.Layout(flex_flow="row wrap")))
    save = w.Button(description=_panel_text("save", lang), button_style="primary")
    confirm = w.Button(
        description=_panel_text("confirm", lang), button_style="warning", layout=w.Layout(display="none")
    )
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
        message.value = (
            f"<p>{html.escape(_panel_text('diff', lang, path=str(target)))}</p>"
            f'<pre class="er-diff">{html.escape(diff)}</pre>'
        )

    save.on_click(on_save)
    confirm.on_click(lambda _button: write())
    rows += [w.HBox([save, confirm]), message]
    return AssessmentPanel(
        box=w.VBox(rows), controls=controls, save=save, confirm=confirm, message=message, path=target
    )


def answers_from_controls(controls: Mapping[str, Controls]) -> list[Any]:
    """The controls' values as answers; an unanswered question with nothing else filled in is kept as unanswered."""
    answers = []
    for question_id, c in controls.items():
        value = c["answer"].value
        answers.append(
            Answer(
                question_id=question_id,
                answer=None if value == "unanswered" else value,
                evidence=c["evidence"].value.strip() or None,
                answered_by=c["answered_by"].value.strip() or None,
                answered_on=c["answered_on"].value,
            )
        )
    return answers
