"""What the notebooks show: the area scorecard and, per finding, its status, wording, thresholds, chart and
evidence, in the review's language.

The notebooks only call these functions (no logic in notebooks). With `interactive=False` (papermill, the
report) everything is static HTML plus plotly figures rendered offline: plotly.js is embedded once per page and
nothing is loaded from a CDN. With `interactive=True` (JupyterLab) checks that have a widget panel get one.
"""

from __future__ import annotations

import html
import importlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from IPython import get_ipython
from IPython.display import HTML
from IPython.display import display as ipython_display
from plotly.graph_objects import Figure
from plotly.io import to_html, to_json
from plotly.offline import get_plotlyjs

from . import aggregates, governance_page, i18n, pages, reruns
from .checks import CHECKS
from .config import CONFIG_FILE_NAME, load_config
from .errors import ReviewInputError
from .findings import Finding
from .prepared import inputs_output, open_prepared
from .review import Review, open_review
from .runner import enabled_checks, require_something_to_judge, run_check

# --- words -------------------------------------------------------------------------------------------------


# --- a kernel started ahead ---------------------------------------------------------------------------------

# What a report kernel imports on first use (slow imports the kit defers, so that the command and the other areas
# never pay for them): a kernel started ahead for an area imports them while it waits (kernels.py). Every notebook
# connects to its engine (Ibis loads a backend on first use, with the compilers of every SQL dialect: 0.5 s) and
# draws charts (plotly loads its figure classes on first use: 0.15 s).
KERNEL_IMPORTS = ("ibis.backends.duckdb", "plotly.graph_objects", "plotly.subplots")
AREA_IMPORTS = {
    "bias": ("scipy.stats",),
    "governance": ("scipy.stats",),
    "transparency": ("textstat.textstat",),
}


def warm_up(area: str) -> None:
    for module in (*KERNEL_IMPORTS, *AREA_IMPORTS.get(area, ())):
        importlib.import_module(module)


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
    if not interactive:
        use_offline_plotly()
    if prepared is not None:
        review = open_prepared(prepared, as_of=as_of, lang=lang, engine=engine)
        ipython_display(inputs_output(review), raw=True)
        # The same query asked by two checks (the selected groups that selection parity counts, which delivery
        # skew, offer and score parity compare with) runs once: 9 of the bias notebook's 39 queries on the demo.
        aggregates.remember(review)
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

    plotly's renderer registry (`plotly.io.renderers`) is left alone: it imports nbformat, hence jsonschema, whose
    IRI format checker (rfc3987-syntax) builds its grammars at import, about 2 s of CPU in every report kernel.
    """
    shell = get_ipython()
    if shell is None:  # plain Python (a script, a test): nothing is displayed
        return
    # A figure displays itself (`_ipython_display_`); a formatter registered for its type comes first.
    formatter = shell.display_formatter.ipython_display_formatter
    if Figure in formatter.type_printers:
        return
    ipython_display(HTML(_plotlyjs_html()))  # before the first figure calls Plotly.newPlot
    formatter.for_type(Figure, show_offline_figure)


PLOTLY_MIMETYPE = "application/vnd.plotly.v1+json"


def show_offline_figure(figure: Any) -> None:
    """A figure as plotly's mimetype (JupyterLab) plus HTML that needs only the plotly.js already on the page."""
    bundle = {PLOTLY_MIMETYPE: _figure_json(figure), "text/html": _figure_html(figure)}
    ipython_display(bundle, raw=True)


def _figure_json(figure: Any) -> Any:
    """The figure as plotly's `plotly_mimetype` renderer writes it (its JSON, no uid removed, no config), without
    the renderer registry (see use_offline_plotly)."""
    return json.loads(to_json(figure, validate=False, remove_uids=False))


def _plotlyjs_html() -> str:
    """plotly.js inlined (no CDN), with MathJax left alone as plotly's own notebook renderer does."""
    return (
        "<script type=\"text/javascript\">window.PlotlyConfig = {MathJaxConfig: 'local'};</script>"
        f'<script type="text/javascript">{get_plotlyjs()}</script>'
    )


def _figure_html(figure: Any) -> str:
    """A figure as HTML that needs plotly.js on the page (shown once by `use_offline_plotly`) and nothing else."""
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
    if area == governance_page.AREA:
        review = governance_page.with_continuous_options(review, history_dir=history_dir, output_dir=output_dir)
    ipython_display(HTML(pages.style_html()))  # once for the page of the report
    return AreaWalk(review, area, interactive, campaign)


def check_finding(walk: AreaWalk, check_id: str) -> Finding:
    """The check's finding on the walk's review (restricted to its campaign where the check accepts one)."""
    assert isinstance(walk.review, Review)
    review = walk.review
    if walk.campaign is not None and reruns.accepts_option(check_id, "campaign"):
        review = reruns.with_check_options(review, check_id, {"campaign": walk.campaign})
    finding = run_check(review, CHECKS[check_id])
    walk.findings[check_id] = finding
    return finding


def show_check(walk: AreaWalk, check_id: str) -> None:
    """One section of the walk: the check run again, then the finding, with its widget panel in JupyterLab.
    Headless, a plain line `<check id>: <status>` comes first (what nbval compares; the report page hides it).
    Nothing when the review is blocked (the banner at the top said why) or the check is disabled in review.yaml.
    Returns nothing, so that the cell shows no repr: the finding is kept in `walk.findings` for the closing."""
    if walk.blocked or not isinstance(walk.review, Review):
        return
    if check_id not in {c.id for c in enabled_checks(walk.review, area=walk.area)}:
        return
    finding = check_finding(walk, check_id)
    if not walk.interactive:  # in JupyterLab the panel's badge says it, and stays right when an option changes
        print(f"{check_id}: {finding.status}")
    if walk.interactive and finding.status not in ("not_applicable", "error"):
        from . import widgets  # noqa: PLC0415 - ipywidgets: only JupyterLab shows a panel, not the report

        panel = widgets.panel(walk.review, finding, campaign=walk.campaign, campaigns=walk.campaigns)
        if panel is not None:
            ipython_display(HTML(pages.style_html()))  # each cell styled, also when it is the only one re-run
            ipython_display(panel)
            return
    if walk.interactive:
        ipython_display(HTML(pages.style_html()))
    show_finding(walk.review, finding)


def close_area(walk: AreaWalk, *, history_dir: str | None = None, output_dir: str | None = None) -> list[Finding]:
    """The closing section: every enabled check of the area (those whose cell was not run are run now), the
    area's scorecard and what to do first; for governance, the trend per area. Returns the findings in catalogue
    order, for `save_findings`."""
    if walk.blocked or not isinstance(walk.review, Review):
        return []
    review = walk.review
    findings = [
        walk.findings.get(check.id) or check_finding(walk, check.id) for check in enabled_checks(review, area=walk.area)
    ]
    show_scorecard(review, walk.area, findings, campaign=walk.campaign)
    ipython_display(HTML(pages.first_actions_html(findings, review.lang)))
    if walk.area == "governance":
        governance_page.show_trend(review, findings, history_dir=history_dir, output_dir=output_dir)
    return findings


# --- showing -----------------------------------------------------------------------------------------------


def show_area(review: Review, area: str, *, interactive: bool = True, campaign: str | None = None) -> list[Finding]:
    """Run the area's checks, show its scorecard, then every finding (with a widget panel when interactive).
    Returns the findings so that the notebook can save them."""
    findings = reruns.run_area(review, area, campaign=campaign)
    show_scorecard(review, area, findings, campaign=campaign)
    campaigns: dict[str, list[str]] = {}  # campaign choices per table, queried once for all the area's panels
    for finding in findings:
        if interactive and finding.status not in ("not_applicable", "error"):
            from . import widgets  # noqa: PLC0415 - ipywidgets: only JupyterLab shows a panel, not the report

            panel = widgets.panel(review, finding, campaign=campaign, campaigns=campaigns)
            if panel is not None:
                ipython_display(panel)
                continue
        show_finding(review, finding)
    return findings


def show_scorecard(review: Review, area: str, findings: Sequence[Finding], *, campaign: str | None = None) -> None:
    ipython_display(HTML(pages.style_html() + pages.scorecard_html(area, findings, review.lang, campaign=campaign)))


def show_finding(review: Review, finding: Finding, *, why: bool = False) -> None:
    """A finding as three outputs: its head (status, wording, thresholds), its chart, its evidence and advice.
    Without "why it matters" by default: the notebook's section above the finding says it, from the same text."""
    for shown in finding_displays(review, finding, why=why):
        ipython_display(shown)


def finding_displays(review: Review, finding: Finding, *, why: bool = False) -> list[Any]:
    """What `show_finding` displays, in order: the head as HTML, the chart (a plotly figure) when there is one,
    the body as HTML (pages.finding_parts)."""
    return [
        HTML(part) if isinstance(part, str) else part
        for part in pages.finding_parts(finding, review.lang, k=review.k_anonymity, why=why)
    ]


def show_message(text: str) -> None:
    ipython_display(HTML(pages.message_html(text)))


def show_banner(text: str) -> None:
    """The one message at the top of a notebook that cannot review anything (no review, nothing to judge)."""
    ipython_display(
        HTML(
            pages.style_html() + '<div class="er"><p class="er-recommendation er-banner" role="alert">'
            f"<strong>{html.escape(text)}</strong></p></div>"
        )
    )


# --- saving the findings for the report --------------------------------------------------------------------


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
    path = pages.part_path(output_dir, area)
    path.parent.mkdir(parents=True, exist_ok=True)
    pages.write_json(path, {"area": area, **pages.findings_record(review, findings, campaign=campaign)})


# --- the governance area (its notebook's calls; the work is in governance_page.py) -------------------------


def show_governance(
    review: Review, *, interactive: bool = True, history_dir: str | None = None, output_dir: str | None = None
) -> list[Finding]:
    """The governance checks (continuous evaluation reading the review's history and this run's other areas),
    then the trend per area over the runs. Returns the findings so that the notebook can save them."""
    tuned = governance_page.with_continuous_options(review, history_dir=history_dir, output_dir=output_dir)
    findings = show_area(tuned, governance_page.AREA, interactive=interactive)
    governance_page.show_trend(review, findings, history_dir=history_dir, output_dir=output_dir)
    return findings


def show_assessment_panel(review: Review | Unopened, *, interactive: bool = True) -> None:
    """The self-assessment as widgets with a save button (JupyterLab only)."""
    if isinstance(review, Unopened):
        return

    governance_page.show_assessment_panel(review, interactive=interactive)
