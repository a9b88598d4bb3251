"""What the notebooks show: the area scorecard and, per finding, its status, wording, thresholds, chart and
evidence, in the review's language.

The notebooks only call these functions (no logic in notebooks). With `interactive=False` (papermill, the
report) everything is static HTML plus plotly figures rendered offline: plotly.js is embedded once per page and
nothing is loaded from a CDN. With `interactive=True` (JupyterLab) checks that have a widget panel get one.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from IPython.display import HTML
from IPython.display import display as ipython_display

from . import __version__, aggregates, charts, i18n
from .charts.common import catalogue_text, column_label
from .errors import ReviewInputError
from .findings import Finding, Threshold
from .review import Review

MAX_EVIDENCE_ROWS = 200  # longer evidence tables are cut in the page; findings.json keeps every row
PARTS_SUFFIX = ".findings.json"
VERDICTS = ("error", "fail_rule", "fail", "warn", "pass", "not_applicable")  # most severe first


# --- words -------------------------------------------------------------------------------------------------

label = charts.label  # a word of texts/report.yaml in the reader's language, with fallbacks


def status_label(status: str, lang: str) -> str:
    """The word of a status or verdict (`fail_rule`: a fail on a threshold a legal text fixes)."""
    return i18n.ui(f"status.{status}", lang)


def verdict(finding: Finding | Mapping[str, Any]) -> str:
    """The status as the report words it: a fail is `fail_rule` ("Non conforme") only when a breached fail
    threshold is of kind `rule`; a kit-default fail stays `fail` ("À corriger") (docs/checks.md, legal accuracy)."""
    status, metric, thresholds = _parts(finding)
    if status != "fail":
        return status
    fails = [t for t in thresholds if t.level == "fail"]
    breached = [t for t in fails if t.breached(_number(metric.get(t.metric)))]
    return "fail_rule" if any(t.kind == "rule" for t in (breached or fails)) else "fail"


def _parts(finding: Finding | Mapping[str, Any]) -> tuple[str, Mapping[str, Any], list[Threshold]]:
    if isinstance(finding, Finding):
        return finding.status, finding.metric, list(finding.thresholds)
    return (
        finding["status"],
        finding.get("metric", {}),
        [t if isinstance(t, Threshold) else Threshold(**t) for t in finding.get("thresholds", ())],
    )


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def verdict_counts(findings: Iterable[Finding | Mapping[str, Any]]) -> dict[str, int]:
    """How many findings of each verdict, most severe first; every verdict present."""
    counts = dict.fromkeys(VERDICTS, 0)
    for finding in findings:
        counts[verdict(finding)] += 1
    return counts


def threshold_verdict(threshold: Threshold) -> str:
    return "fail_rule" if threshold.level == "fail" and threshold.kind == "rule" else threshold.level


def area_title(area: str, lang: str) -> str:
    try:
        return i18n.ui(f"area.{area}", lang)
    except KeyError:
        return area


def anchor(check_id: str) -> str:
    """The HTML id of a finding's section: index.html links to `<area>.html#<anchor>`."""
    return "check-" + re.sub(r"[^a-z0-9]+", "-", check_id.lower()).strip("-")


# --- opening a review in a notebook ------------------------------------------------------------------------


def open_for_notebook(
    config: str | None = None,
    data_dir: str | None = None,
    as_of: str | None = None,
    lang: str | None = None,
    *,
    interactive: bool = True,
    engine: Any = None,
    prepared: str | None = None,
) -> Review | Unopened:
    """The review named by the notebook's parameters: `data_dir` (a review folder) and/or `config` (a
    review.yaml; with `data_dir` too, its settings apply to that folder). Neither: the current folder.
    `lang` None is the review's own language (review.yaml `lang:`), a language overrides it.
    `engine` (duckdb, pyspark, sc://..., an Ibis URL, or a mapping as in review.yaml) overrides the config's.
    `prepared` (set by the report) is the folder of the tables the report validated: read instead of the files,
    and the fingerprints of what the report read are kept in the executed notebook (prepared.py).

    In JupyterLab (`interactive`) a review that cannot be opened is one banner saying why and how to fix it, and
    the check cells after it show nothing (an `Unopened`); headless (the report, nbval) the error is raised."""
    from .config import load_config
    from .review import open_review

    if not interactive:
        use_offline_plotly()
    if prepared is not None:
        from IPython.display import display as show

        from .prepared import inputs_output, open_prepared

        review = open_prepared(prepared, as_of=as_of, lang=lang, engine=engine)
        show(inputs_output(review), raw=True)
        return review
    try:
        if data_dir is not None and config is not None:
            review = open_review(data_dir, config=load_config(Path(config)), as_of=as_of, lang=lang, engine=engine)
        else:
            review = open_review(data_dir if data_dir is not None else config, as_of=as_of, lang=lang, engine=engine)
    except ReviewInputError as exc:
        if not interactive:
            raise
        unopened = Unopened(message=exc.message, fix=exc.fix, lang=_banner_lang(lang, config, data_dir))
        show_banner(unopened.banner())
        return unopened
    if interactive:  # the widget panels judge this review's aggregates again instead of querying the tables
        aggregates.remember(review)
    return review


@dataclass(frozen=True)
class Unopened:
    """A review the notebook could not open: what went wrong, its fix, and the language to say it in."""

    message: str
    fix: str | None
    lang: str

    def banner(self) -> str:
        parts = [i18n.text("notebook", "banner.unreadable", self.lang, message=self.message)]
        if self.fix:
            parts.append(i18n.text("notebook", "banner.fix", self.lang, fix=self.fix))
        parts.append(i18n.text("notebook", "banner.parameters", self.lang))
        return " ".join(parts)


def _banner_lang(lang: str | None, config: str | None, data_dir: str | None) -> str:
    """The language of a banner about a review that did not open: the parameter, else the review.yaml's when it
    can still be read, else English."""
    if lang in i18n.LANGUAGES:
        return str(lang)
    from .config import CONFIG_FILE_NAME, load_config

    candidates = [Path(config)] if config else []
    if data_dir is not None:
        candidates.append(Path(data_dir) / CONFIG_FILE_NAME)
    for path in candidates:
        try:
            found = load_config(path).lang
        except (ReviewInputError, OSError):
            continue
        if found in i18n.LANGUAGES:
            return found
    return "en"


def use_offline_plotly() -> None:
    """Render figures for nbconvert HTML that works offline, through plotly's and IPython's public APIs.

    plotly 6+ drops figures from nbconvert HTML unless a figure has a text/html output. plotly's own `notebook`
    renderer adds a MathJax CDN script to every figure and `notebook_connected` loads plotly.js from a CDN, so
    the kit keeps plotly's `plotly_mimetype` output (JupyterLab draws the executed notebook natively) and has
    IPython display each figure with `plotly.io.to_html` beside it, without plotly.js or MathJax. plotly.js
    itself is shown once, the first time (one kernel draws one page of the report).
    """
    import plotly.io as pio
    from IPython import get_ipython
    from plotly.graph_objects import Figure

    pio.renderers.default = "plotly_mimetype"  # not plotly's `notebook` renderer: it adds MathJax from a CDN
    shell = get_ipython()
    if shell is None:  # plain Python (a script, a test): nothing is displayed
        return
    # A figure displays itself (`_ipython_display_`); a formatter registered for its type comes first.
    formatter = shell.display_formatter.ipython_display_formatter
    if Figure in formatter.type_printers:
        return
    ipython_display(HTML(_plotlyjs_html()))  # before the first figure calls Plotly.newPlot
    formatter.for_type(Figure, show_offline_figure)


def show_offline_figure(figure: Any) -> None:
    """A figure as plotly's mimetype (JupyterLab) plus HTML that needs only the plotly.js already on the page."""
    bundle = dict(figure._repr_mimebundle_())  # the default renderer's output: plotly's JSON mimetype
    bundle["text/html"] = _figure_html(figure)
    ipython_display(bundle, raw=True)


def _plotlyjs_html() -> str:
    """plotly.js inlined (no CDN), with MathJax left alone as plotly's own notebook renderer does."""
    from plotly.offline import get_plotlyjs

    return (
        "<script type=\"text/javascript\">window.PlotlyConfig = {MathJaxConfig: 'local'};</script>"
        f'<script type="text/javascript">{get_plotlyjs()}</script>'
    )


def _figure_html(figure: Any) -> str:
    """A figure as HTML that needs plotly.js on the page (shown once by `use_offline_plotly`) and nothing else."""
    from plotly.io import to_html

    return str(
        to_html(
            figure,
            config={"displaylogo": False},
            include_plotlyjs=False,
            include_mathjax=False,
            full_html=False,
            default_width="100%",
            default_height=525,
            validate=False,
        )
    )


# --- running the checks of an area -------------------------------------------------------------------------


def with_check_options(review: Review, check_id: str, options: Mapping[str, Any]) -> Review:
    """The review with extra options for one check, as if they were written under `checks:` in review.yaml."""
    checks = dict(review.config.checks)
    checks[check_id] = {**checks.get(check_id, {}), **options}
    return review.with_options(checks=checks)


def accepts_option(check_id: str, option: str) -> bool:
    from .runner import keyword_options

    return option in keyword_options(check_id)


def run_area(review: Review, area: str, *, campaign: str | None = None) -> list[Finding]:
    """Every enabled check of the area, restricted to one campaign where the check accepts it."""
    from .checks import CHECKS
    from .runner import run_checks

    if campaign is not None:
        ids = [check.id for check in CHECKS.values() if check.area == area and accepts_option(check.id, "campaign")]
        if ids:
            checks = dict(review.config.checks)
            for check_id in ids:
                checks[check_id] = {**checks.get(check_id, {}), "campaign": campaign}
            review = review.with_options(checks=checks)
    return run_checks(review, area=area)


def rerun(review: Review, check_id: str, **options: Any) -> Finding:
    """One check again with other options (what the widgets call): `CHECKS[id].function(review, **options)`
    through the runner, so missing inputs still give `not_applicable` and a crash an `error` finding."""
    from .checks import CHECKS
    from .runner import run_check

    return run_check(with_check_options(review, check_id, options), CHECKS[check_id])


# --- walking an area check by check (the notebooks' sections) -----------------------------------------------


@dataclass(frozen=True)
class AreaWalk:
    """One area of an opened review as the notebook walks it: the findings shown so far (by check id), the
    campaign choices its panels share, and `blocked` when the review cannot be judged (its banner was shown)."""

    review: Review | Unopened
    area: str
    interactive: bool = True
    campaign: str | None = None
    blocked: bool = False
    findings: dict[str, Finding] = field(default_factory=dict)
    campaigns: dict[str, list[str]] = field(default_factory=dict)


def start_area(
    review: Review | Unopened,
    area: str,
    *,
    interactive: bool = True,
    campaign: str | None = None,
    history_dir: str | None = None,
    output_dir: str | None = None,
) -> AreaWalk:
    """The walk of one area. A review with nothing to judge gets one banner here (in JupyterLab; headless it is
    an error), instead of a run of not-applicable findings. Governance's continuous evaluation reads the
    review's history (`history_dir`, default next to the review) and this run's other areas (`output_dir`)."""
    from .runner import require_something_to_judge

    if isinstance(review, Unopened):
        return AreaWalk(review, area, interactive, campaign, blocked=True)
    try:
        require_something_to_judge(review)
    except ReviewInputError as exc:
        if not interactive:
            raise
        fix = i18n.text("notebook", "banner.fix", review.lang, fix=exc.fix) if exc.fix else ""
        show_banner(
            i18n.text("notebook", "banner.empty", review.lang, folder=review.base_dir, message=exc.message)
            + (" " + fix if fix else "")
        )
        return AreaWalk(review, area, interactive, campaign, blocked=True)
    if area == "governance":
        from .governance_page import CONTINUOUS, history_folder

        options = {"history": str(history_folder(review, history_dir))}
        if output_dir is not None:
            options["parts"] = str(output_dir)
        review = with_check_options(review, CONTINUOUS, options)
    ipython_display(HTML(style_html()))  # once for the page of the report
    return AreaWalk(review, area, interactive, campaign)


def check_finding(walk: AreaWalk, check_id: str) -> Finding:
    """The check's finding on the walk's review (restricted to its campaign where the check accepts one)."""
    from .checks import CHECKS
    from .runner import run_check

    assert isinstance(walk.review, Review)
    review = walk.review
    if walk.campaign is not None and accepts_option(check_id, "campaign"):
        review = with_check_options(review, check_id, {"campaign": walk.campaign})
    finding = run_check(review, CHECKS[check_id])
    walk.findings[check_id] = finding
    return finding


def show_check(walk: AreaWalk, check_id: str) -> None:
    """One section of the walk: the check run again, then the finding, with its widget panel in JupyterLab.
    Headless, a plain line `<check id>: <status>` comes first (what nbval compares; the report page hides it).
    Nothing when the review is blocked (the banner at the top said why) or the check is disabled in review.yaml.
    Returns nothing, so that the cell shows no repr: the finding is kept in `walk.findings` for the closing."""
    from .runner import enabled_checks

    if walk.blocked or not isinstance(walk.review, Review):
        return
    if check_id not in {c.id for c in enabled_checks(walk.review, area=walk.area)}:
        return
    finding = check_finding(walk, check_id)
    if not walk.interactive:  # in JupyterLab the panel's badge says it, and stays right when an option changes
        print(f"{check_id}: {finding.status}")
    if walk.interactive and finding.status not in ("not_applicable", "error"):
        from . import widgets

        panel = widgets.panel(walk.review, finding, campaign=walk.campaign, campaigns=walk.campaigns)
        if panel is not None:
            ipython_display(HTML(style_html()))  # each cell styled, also when it is the only one re-run
            ipython_display(panel)
            return
    if walk.interactive:
        ipython_display(HTML(style_html()))
    show_finding(walk.review, finding)


def close_area(walk: AreaWalk, *, history_dir: str | None = None, output_dir: str | None = None) -> list[Finding]:
    """The closing section: every enabled check of the area (those whose cell was not run are run now), the
    area's scorecard and what to do first; for governance, the trend per area. Returns the findings in catalogue
    order, for `save_findings`."""
    from .runner import enabled_checks

    if walk.blocked or not isinstance(walk.review, Review):
        return []
    review = walk.review
    findings = [
        walk.findings.get(check.id) or check_finding(walk, check.id) for check in enabled_checks(review, area=walk.area)
    ]
    show_scorecard(review, walk.area, findings, campaign=walk.campaign)
    ipython_display(HTML(first_actions_html(findings, review.lang)))
    if walk.area == "governance":
        from . import governance_page

        governance_page.show_trend(review, findings, history_dir=history_dir, output_dir=output_dir)
    return findings


FIRST_ACTIONS = 3  # the closing section names the first few actions; the scorecard page lists them all


def first_actions_html(findings: Sequence[Finding], lang: str) -> str:
    """The area's most urgent findings (report order of work), each with its owner and one next step."""
    from .work import next_step, order_of_work

    e = html.escape
    urgent = [
        f
        for f in order_of_work([{**f.to_json(), "status": f.status} for f in findings])
        if f["status"] in ("error", "fail", "warn")
    ][:FIRST_ACTIONS]
    parts = [f'<div class="er er-first-actions"><h3>{e(i18n.text("notebook", "first_actions", lang))}</h3>']
    if not urgent:
        parts.append(f"<p>{e(i18n.text('notebook', 'nothing_to_do', lang))}</p>")
    else:
        parts.append("<ol>")
        for finding in urgent:
            step = next_step(finding["recommendation"])
            owner = f"<strong>{e(step.owner)}</strong>{e(label('sep', lang))}" if step.owner else ""
            parts.append(
                f'<li>{badge_html(verdict(finding), lang)} <a href="#{anchor(finding["check_id"])}">'
                f"{e(finding['title'])}</a><br>{owner}{e(step.action)}</li>"
            )
        parts.append("</ol>")
    parts.append("</div>")
    return "".join(parts)


# --- showing -----------------------------------------------------------------------------------------------


def show_area(review: Review, area: str, *, interactive: bool = True, campaign: str | None = None) -> list[Finding]:
    """Run the area's checks, show its scorecard, then every finding (with a widget panel when interactive).
    Returns the findings so that the notebook can save them."""
    findings = run_area(review, area, campaign=campaign)
    show_scorecard(review, area, findings, campaign=campaign)
    campaigns: dict[str, list[str]] = {}  # campaign choices per table, queried once for all the area's panels
    for finding in findings:
        if interactive and finding.status not in ("not_applicable", "error"):
            from . import widgets

            panel = widgets.panel(review, finding, campaign=campaign, campaigns=campaigns)
            if panel is not None:
                ipython_display(panel)
                continue
        show_finding(review, finding)
    return findings


def show_scorecard(review: Review, area: str, findings: Sequence[Finding], *, campaign: str | None = None) -> None:
    ipython_display(HTML(style_html() + scorecard_html(area, findings, review.lang, campaign=campaign)))


def show_finding(review: Review, finding: Finding, *, why: bool = False) -> None:
    """A finding as three outputs: its head (status, wording, thresholds), its chart, its evidence and advice.
    Without "why it matters" by default: the notebook's section above the finding says it, from the same text."""
    for shown in finding_displays(review, finding, why=why):
        ipython_display(shown)


def finding_displays(review: Review, finding: Finding, *, why: bool = False) -> list[Any]:
    """What `show_finding` displays, in order: the head as HTML, the chart (a plotly figure) when there is one,
    the body as HTML. A widget panel renders these into its Output."""
    lang = review.lang
    figure = charts.chart_for(finding, lang)
    shown: list[Any] = [HTML(finding_head_html(finding, lang, has_chart=figure is not None, why=why))]
    if figure is not None:
        shown.append(figure)
    shown.append(HTML(finding_body_html(finding, lang, k=review.k_anonymity)))
    return shown


def show_message(text: str) -> None:
    ipython_display(HTML(message_html(text)))


def message_html(text: str) -> str:
    return f'<div class="er"><p class="er-recommendation">{html.escape(text)}</p></div>'


def show_banner(text: str) -> None:
    """The one message at the top of a notebook that cannot review anything (no review, nothing to judge)."""
    ipython_display(
        HTML(
            style_html() + '<div class="er"><p class="er-recommendation er-banner" role="alert">'
            f"<strong>{html.escape(text)}</strong></p></div>"
        )
    )


@cache
def style_html() -> str:
    from .paths import report_template_dir

    css = (report_template_dir() / "static" / "report.css").read_text(encoding="utf-8")
    return f"<style>{css}</style>"


def badge_html(status: str, lang: str) -> str:
    return f'<span class="er-badge er-status-{status}">{html.escape(status_label(status, lang))}</span>'


def scorecard_html(area: str, findings: Sequence[Finding], lang: str, *, campaign: str | None = None) -> str:
    e = html.escape
    counts = verdict_counts(findings)
    parts = ['<div class="er er-scorecard">', f'<h2 class="er-area">{e(area_title(area, lang))}</h2>']
    if campaign is not None:
        parts.append(f'<p class="er-note">{e(label("campaign_filter", lang, campaign=campaign))}</p>')
    parts.append(
        '<p class="er-counts">'
        + "".join(
            f'{badge_html(status, lang)}<span class="er-count">{count}</span>'
            for status, count in counts.items()
            if count
        )
        + "</p>"
    )
    if not findings:
        parts.append(f"<p>{e(label('no_findings', lang))}</p>")
    else:
        parts.append(
            f'<table class="er-table"><thead><tr><th>{e(label("status", lang))}</th>'
            f"<th>{e(label('check', lang))}</th><th>{e(label('summary', lang))}</th></tr></thead><tbody>"
        )
        for finding in findings:
            parts.append(
                f"<tr><td>{badge_html(verdict(finding), lang)}</td>"
                f'<td><a href="#{anchor(finding.check_id)}">{e(finding.title)}</a></td>'
                f"<td>{e(finding.summary)}</td></tr>"
            )
        parts.append("</tbody></table>")
    parts.append("</div>")
    return "".join(parts)


def finding_head_html(finding: Finding, lang: str, *, has_chart: bool | None = None, why: bool = True) -> str:
    """Status badge, title, summary, why it matters, what was measured, thresholds, how to read the chart."""
    e = html.escape
    if has_chart is None:
        has_chart = finding.check_id in charts.CHARTS and finding.status not in ("not_applicable", "error")
    parts = [
        f'<div class="er"><section class="er-finding er-{finding.status}" id="{anchor(finding.check_id)}">',
        (
            f"<h3>{badge_html(verdict(finding), lang)} {e(finding.title)} "
            f'<code class="er-check-id">{e(finding.check_id)}</code></h3>'
        ),
        f'<p class="er-summary">{e(finding.summary)}</p>',
    ]
    why_text = catalogue_text(finding.check_id, "why", lang) if why else None
    if why_text:
        parts.append(f'<div class="er-why"><strong>{e(label("why", lang))}</strong>{e(why_text)}</div>')
    if finding.metric and finding.status not in ("not_applicable", "error"):
        parts.append(f"<h4>{e(label('measured', lang))}</h4>{metric_html(finding.metric, lang, finding.check_id)}")
    if finding.thresholds:
        parts.append(f"<h4>{e(label('thresholds', lang))}</h4><ul>")
        parts.extend(f"<li>{e(threshold_text(t, lang, finding.check_id))}</li>" for t in finding.thresholds)
        parts.append("</ul>")
    if has_chart:
        how = catalogue_text(finding.check_id, "how_to_read", lang)
        if how:
            parts.append(f'<div class="er-how"><strong>{e(label("how_to_read", lang))}</strong>{e(how)}</div>')
    parts.append("</section></div>")
    return "".join(parts)


def threshold_text(threshold: Any, lang: str, check_id: str | None = None) -> str:
    text = label(
        "threshold_line",
        lang,
        metric=column_label(threshold.metric, lang, check_id),
        op=threshold.op,
        value=charts.format_value(float(threshold.value), threshold.metric, lang),
        level=status_label(threshold_verdict(threshold), lang),
        kind=i18n.ui(f"kind.{threshold.kind}", lang),
    )
    if threshold.needs_significance:
        text += label("needs_significance", lang)
    return text


def metric_html(metric: Mapping[str, Any], lang: str, check_id: str | None = None) -> str:
    e = html.escape
    rows = "".join(
        f"<tr><th>{e(column_label(key, lang, check_id))}</th>"
        f'<td class="er-num">{e(charts.format_value(value, key, lang))}</td></tr>'
        for key, value in metric.items()
        if not isinstance(value, Mapping)
    )
    return f'<table class="er-table er-metric"><tbody>{rows}</tbody></table>'


def finding_body_html(finding: Finding, lang: str, *, k: int) -> str:
    e = html.escape
    parts = ['<div class="er er-finding-body">']
    if finding.evidence:
        parts.append(
            f"<h4>{e(label('evidence', lang))}</h4>{evidence_html(finding.evidence, lang, check_id=finding.check_id)}"
        )
        parts.append(f'<p class="er-note">{e(label("evidence_note", lang, k=k))}</p>')
    parts.append(
        f'<div class="er-recommendation"><strong>{e(label("recommendation", lang))}</strong> '
        f"{e(finding.recommendation)}</div>"
    )
    if finding.notes:
        parts.append(f"<h4>{e(label('notes', lang))}</h4><ul>")
        parts.extend(f"<li>{e(note)}</li>" for note in finding.notes)
        parts.append("</ul>")
    if finding.references:
        parts.append(f"<h4>{e(label('references', lang))}</h4><ul>")
        parts.extend(reference_html(reference, lang) for reference in finding.references)
        parts.append("</ul>")
    parts.append("</div>")
    return "".join(parts)


def reference_html(reference: str, lang: str) -> str:
    """A reference in the reader's language; a work cited by its title keeps its language, marked `lang`."""
    text, written_in = i18n.reference(reference, lang)
    marked = f' lang="{html.escape(written_in)}"' if written_in != lang else ""
    return f"<li{marked}>{html.escape(text)}</li>"


def evidence_html(rows: Sequence[Mapping[str, Any]], lang: str, *, check_id: str | None = None) -> str:
    """The evidence as an HTML table without index; suppressed cells ("<10") are shown as given."""
    e = html.escape
    columns = list(dict.fromkeys(column for row in rows for column in row))
    head = "".join(f"<th>{e(column_label(c, lang, check_id))}</th>" for c in columns)
    body = []
    for row in rows[:MAX_EVIDENCE_ROWS]:
        cells = []
        for column in columns:
            value = row.get(column)
            if column == "flag" and value is not None:
                cells.append(
                    f'<td class="er-flag-{e(str(value)).replace(" ", "-")}">'
                    f"{e(charts.flag_label(str(value), lang))}</td>"
                )
            else:
                numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
                css = ' class="er-num"' if numeric or (isinstance(value, str) and value.startswith("<")) else ""
                written_in = _cell_language(row, column, lang)
                css += f' lang="{e(written_in)}"' if written_in != lang else ""
                cells.append(f"<td{css}>{e(charts.format_value(value, column, lang))}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    table = (
        f'<div class="er-scroll"><table class="er-table er-evidence"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )
    if len(rows) > MAX_EVIDENCE_ROWS:
        table += (
            f'<p class="er-note">{e(label("evidence_truncated", lang, shown=MAX_EVIDENCE_ROWS, total=len(rows)))}</p>'
        )
    return table


QUOTED_COLUMNS = ("keywords_found", "where")  # words quoted from a document: shown in that document's language


def _cell_language(row: Mapping[str, Any], column: str, lang: str) -> str:
    quoted_in = row.get("lang")
    if column in QUOTED_COLUMNS and isinstance(quoted_in, str) and quoted_in in i18n.LANGUAGES:
        return quoted_in
    return lang


# --- saving the findings for the report --------------------------------------------------------------------


def findings_record(review: Review, findings: Sequence[Finding], *, campaign: str | None = None) -> dict[str, Any]:
    """What a notebook hands to the report: the review's identity and its findings, as plain JSON values."""
    return {
        "kit_version": __version__,
        "review": review.config.name,
        "as_of": review.as_of.isoformat(),
        "lang": review.lang,
        "campaign": campaign,
        "inputs": [asdict(item) for item in review.inputs],
        "config": review.config.model_dump(mode="json"),
        "findings": [finding.to_json() for finding in findings],
    }


def save_findings(
    review: Review | Unopened,
    area: str,
    findings: Sequence[Finding],
    output_dir: str | None,
    *,
    campaign: str | None = None,
) -> None:
    """Write `<output_dir>/<area>.findings.json` (nothing when output_dir is None), so that the report's
    findings.json comes from the very execution that drew the report's pages."""
    if output_dir is None:
        return
    if isinstance(review, Unopened):  # headless runs raise at opening: only a hand-set output_dir gets here
        raise ReviewInputError(review.message, fix=review.fix)
    path = part_path(output_dir, area)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_json(path, {"area": area, **findings_record(review, findings, campaign=campaign)})


def part_path(output_dir: str | Path, area: str) -> Path:
    """Where an area notebook saves its findings: `<output_dir>/<area>.findings.json`."""
    return Path(output_dir) / f"{area}{PARTS_SUFFIX}"


def write_json(path: Path, record: Mapping[str, Any]) -> None:
    """Deterministic JSON: sorted keys, fixed indentation, UTF-8 as is, no NaN, a final newline."""
    path.write_text(
        json.dumps(record, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n", encoding="utf-8"
    )


# --- the governance area (its notebook's calls; the work is in governance_page.py) -------------------------


def show_governance(
    review: Review, *, interactive: bool = True, history_dir: str | None = None, output_dir: str | None = None
) -> list[Finding]:
    """The governance checks (continuous evaluation reading the review's history and this run's other areas),
    then the trend per area over the runs. Returns the findings so that the notebook can save them."""
    from . import governance_page

    findings = governance_page.show_area(
        review, interactive=interactive, history_dir=history_dir, output_dir=output_dir
    )
    governance_page.show_trend(review, findings, history_dir=history_dir, output_dir=output_dir)
    return findings


def show_assessment_panel(review: Review | Unopened, *, interactive: bool = True) -> None:
    """The self-assessment as widgets with a save button (JupyterLab only)."""
    from . import governance_page

    if isinstance(review, Unopened):
        return

    governance_page.show_assessment_panel(review, interactive=interactive)
