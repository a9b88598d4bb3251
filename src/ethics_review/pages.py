"""The words and HTML of the review's pages, and the files the notebooks hand to the report: what both the
notebook display layer (display.py, widgets.py) and the report (report.py) need. Nothing here imports IPython
or ipywidgets, so that the report does not load the notebook display layer.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from functools import cache
from pathlib import Path
from typing import Any

from . import __version__, charts, i18n
from .charts.common import catalogue_text, column_label
from .findings import Finding, Threshold
from .paths import report_template_dir
from .review import Review
from .work import next_step, order_of_work

MAX_EVIDENCE_ROWS = 200  # longer evidence tables are cut in the page; findings.json keeps every row
PARTS_SUFFIX = ".findings.json"
VERDICTS = ("error", "fail_rule", "fail", "warn", "pass", "not_applicable")  # most severe first
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


FIRST_ACTIONS = 3  # the closing section names the first few actions; the scorecard page lists them all


def first_actions_html(findings: Sequence[Finding], lang: str) -> str:
    """The area's most urgent findings (report order of work), each with its owner and one next step."""
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


_CODE_SPAN = re.compile(r"`([^`]+)`")


def prose_html(text: str) -> str:
    """Escaped text whose `backticked` spans (a review.yaml snippet to paste) read as code, in any language."""
    return _CODE_SPAN.sub(lambda m: f"<code>{m.group(1)}</code>", html.escape(text))


def message_html(text: str) -> str:
    return f'<div class="er"><p class="er-recommendation">{html.escape(text)}</p></div>'


@cache
def style_html() -> str:
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
        f"{prose_html(finding.recommendation)}</div>"
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
                cells.append(f"<td{css}>{e(charts.format_value(value, column, lang, row.get('attribute')))}</td>")
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


def part_path(output_dir: str | Path, area: str) -> Path:
    """Where an area notebook saves its findings: `<output_dir>/<area>.findings.json`."""
    return Path(output_dir) / f"{area}{PARTS_SUFFIX}"


def write_json(path: Path, record: Mapping[str, Any]) -> None:
    """Deterministic JSON: sorted keys, fixed indentation, UTF-8 as is, no NaN, a final newline."""
    path.write_text(
        json.dumps(record, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n", encoding="utf-8"
    )


def finding_parts(finding: Finding, lang: str, *, k: int, why: bool = False) -> list[Any]:
    """A finding's outputs, in order: its head as HTML, its chart (a plotly figure) when it has one, its body as
    HTML (evidence, advice, references). The notebook displays them; a widget panel renders them in its Output."""
    figure = charts.chart_for(finding, lang)
    parts: list[Any] = [finding_head_html(finding, lang, has_chart=figure is not None, why=why)]
    if figure is not None:
        parts.append(figure)
    parts.append(finding_body_html(finding, lang, k=k))
    return parts
