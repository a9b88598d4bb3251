"""The report: real papermill runs of the three notebooks on the demo data, real nbconvert pages, findings.json
against its schema, offline HTML, French pages, determinism. The full runs happen once per module (slow)."""

from __future__ import annotations

import json
import os
import re
from html import escape
from pathlib import Path

import jsonschema
import nbformat
import pytest
from plotly.offline import get_plotlyjs

from ethics_review import __version__, charts, pages, report
from ethics_review.checks import CHECKS
from ethics_review.errors import ReviewInputError
from ethics_review.findings import AREAS, STATUSES, Finding, Threshold

REMOTE_SCRIPT = re.compile(r"<script[^>]+src=[\"']?https?:", re.IGNORECASE)
REMOTE_LINK = re.compile(r"<link[^>]+href=[\"']?https?:", re.IGNORECASE)
REMOTE_IMPORT = re.compile(r"import\s*\(?\s*[\"']https?:", re.IGNORECASE)
PLOTLY_JS_HEAD = get_plotlyjs()[:120]  # the licence banner and first lines of the bundled plotly.js
PLOT_DIV = 'class="plotly-graph-div"'


# --- fast tests on hand-made records -----------------------------------------------------------------------


def a_finding(check_id: str = "consent.coverage", status: str = "fail") -> Finding:
    return Finding(
        check_id=check_id,
        area=check_id.split(".")[0],
        status=status,
        title="Every send had a basis",
        summary="3 of 10 sends had no basis.",
        recommendation="Campaign owner: stop the campaign.",
        metric={"sends": 10, "coverage": 0.7, "missing": ["sends"]},
        thresholds=(Threshold("uncovered_sends", ">", 0, "fail", "rule"),),
        references=("GDPR Art 7",),
        evidence=({"campaign_id": "A", "sends": "<10", "coverage": None},),
        notes=("a note",),
    )


def a_record(*findings: Finding) -> dict:
    summary = dict.fromkeys(STATUSES, 0)
    for finding in findings:
        summary[finding.status] += 1
    return {
        "kit_version": __version__,
        "review": "Spring",
        "as_of": "2026-11-15",
        "lang": "en",
        "campaign": None,
        "areas": list(AREAS),
        "generated_at": "2026-11-16T08:00:00+00:00",
        "inputs": [{"table": "sends", "path": "/data/sends.csv", "rows": 10, "sha256": "a" * 64}],
        "config": {"name": "Spring"},
        "summary": summary,
        "findings": [f.to_json() for f in findings],
    }


def test_the_shipped_schema_is_a_valid_draft_2020_12_schema():
    schema = report.findings_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_a_well_formed_record_validates():
    report.validate_findings(a_record(a_finding(), a_finding("bias.selection_parity", "pass")))


@pytest.mark.parametrize(
    ("path", "value", "where"),
    [
        (("findings", 0, "status"), "failed", "/findings/0/status"),
        (("findings", 0, "thresholds", 0, "kind"), "law", "/findings/0/thresholds/0/kind"),
        (("inputs", 0, "sha256"), "not-a-hash", "/inputs/0/sha256"),
        (("summary", "pass"), -1, "/summary/pass"),
        (("as_of",), "15/11/2026", "/as_of"),
    ],
)
def test_schema_rejects_a_wrong_value_and_says_where(path, value, where):
    record = a_record(a_finding())
    node = record
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    with pytest.raises(report.ReportError, match=re.escape(where)):
        report.validate_findings(record)


@pytest.mark.parametrize("key", ["kit_version", "review", "as_of", "lang", "inputs", "config", "summary", "findings"])
def test_schema_requires_every_documented_key(key):
    record = a_record(a_finding())
    del record[key]
    with pytest.raises(report.ReportError, match=key):
        report.validate_findings(record)


def test_schema_rejects_an_undocumented_key_in_a_finding():
    record = a_record(a_finding())
    record["findings"][0]["score"] = 1
    with pytest.raises(report.ReportError, match="score"):
        report.validate_findings(record)


def test_a_finding_survives_its_json_round_trip():
    finding = a_finding()
    assert report.finding_from_json(json.loads(json.dumps(finding.to_json()))) == finding


def test_parts_from_different_inputs_are_not_merged():
    consent = {**a_record(a_finding()), "findings": [a_finding().to_json()]}
    bias = {**consent, "inputs": [{**consent["inputs"][0], "sha256": "b" * 64}]}
    with pytest.raises(report.ReportError, match="inputs"):
        report.merge_parts({"consent": consent, "bias": bias}, areas=("consent", "bias"))


def test_merged_summary_counts_every_status():
    part = a_record(a_finding())
    parts = {
        "consent": {**part, "findings": [a_finding().to_json()]},
        "bias": {
            **part,
            "findings": [
                a_finding("bias.selection_parity", "pass").to_json(),
                a_finding("bias.proxies", "not_applicable").to_json(),
            ],
        },
    }
    merged = report.merge_parts(parts, areas=("consent", "bias"))
    assert merged["summary"] == {"pass": 1, "warn": 0, "fail": 1, "not_applicable": 1, "error": 0}
    assert [f["check_id"] for f in merged["findings"]] == ["consent.coverage", "bias.selection_parity", "bias.proxies"]


def test_index_links_every_finding_to_its_section(tmp_path):
    record = a_record(a_finding(), a_finding("transparency.ai_disclosure", "warn"))
    html = report.write_index(tmp_path, record, AREAS).read_text(encoding="utf-8")
    assert 'href="consent.html#check-consent-coverage"' in html
    assert 'href="transparency.html#check-transparency-ai-disclosure"' in html
    assert "<script" not in html


def test_a_finding_head_shows_status_wording_and_the_kind_of_each_threshold():
    finding = Finding(
        **{
            **a_finding().__dict__,
            "thresholds": (
                Threshold("impact_ratio", "<", 0.8, "fail", "kit default", needs_significance=True),
                Threshold("uncovered_sends", ">", 0, "fail", "rule"),
            ),
        }
    )
    english = pages.finding_head_html(finding, "en")
    # the metric breaches the `rule` threshold (uncovered sends > 0): a breach of the law, not a kit default
    assert 'id="check-consent-coverage"' in english and "er-status-fail_rule" in english
    assert ">Non-compliant<" in english
    assert "Impact ratio &lt; 0.80 gives To fix (kit default); only when statistically significant" in english
    assert "Sends without a basis &gt; 0 gives Non-compliant (rule)" in english
    assert "Why it matters" in english  # the check's own `why` text, from the catalogue
    french = pages.finding_head_html(finding, "fr")
    assert escape("Ratio d'impact < 0,80 donne À corriger (valeur par défaut du kit)") in french
    assert escape("Envois sans base > 0 donne Non conforme (règle)") in french
    assert escape("Pourquoi c'est important") in french


def a_judged_finding(check_id: str, status: str, *, kind: str, metric: dict, recommendation: str = "x") -> Finding:
    return Finding(
        check_id=check_id,
        area=check_id.split(".")[0],
        status=status,
        title=check_id,
        summary="s",
        recommendation=recommendation,
        metric=metric,
        thresholds=(
            Threshold(next(iter(metric)), ">", 0, "fail", kind),
            Threshold(next(iter(metric)), ">", 0, "warn", kind),
        ),
    )


@pytest.mark.parametrize(
    ("status", "kind", "verdict", "fr"),
    [
        ("fail", "rule", "fail_rule", "Non conforme"),
        ("fail", "kit default", "fail", "À corriger"),
        ("warn", "rule", "warn", "À examiner"),
        ("pass", "rule", "pass", "Sans anomalie"),
    ],
)
def test_non_conforme_is_kept_for_a_breached_rule(status, kind, verdict, fr):
    finding = a_judged_finding("consent.coverage", status, kind=kind, metric={"uncovered_sends": 3})
    assert pages.verdict(finding) == verdict == pages.verdict(finding.to_json())
    assert pages.status_label(verdict, "fr") == fr


def test_order_of_work_severity_then_rule_then_people_affected():
    from ethics_review.work import order_of_work

    findings = [
        a_judged_finding("consent.freshness", "warn", kind="kit default", metric={"stale_sends": 900}),
        a_judged_finding("bias.proxies", "fail", kind="kit default", metric={"failed_pairs": 1}),
        a_judged_finding("consent.after_withdrawal", "fail", kind="rule", metric={"sends_after_withdrawal": 10}),
        a_judged_finding("consent.coverage", "fail", kind="rule", metric={"uncovered_sends": 210}),
        a_judged_finding("consent.erasure", "warn", kind="rule", metric={"overdue_requests": 1}),
    ]
    ordered = [f["check_id"] for f in order_of_work([f.to_json() for f in findings])]
    assert ordered == [
        "consent.coverage",
        "consent.after_withdrawal",
        "bias.proxies",
        "consent.erasure",
        "consent.freshness",
    ]


@pytest.mark.parametrize(
    ("recommendation", "owner", "action"),
    [
        (
            "Campaign owner: stop the campaigns listed; DPO: record the incident.",
            "Campaign owner",
            "Stop the campaigns listed.",
        ),
        (
            "Data team: explain the gap (see bias.proxies; then retrain); campaign owner: wait.",
            "Data team",
            "Explain the gap (see bias.proxies; then retrain).",
        ),
        (
            "Équipe data : synchronisez les retraits avant chaque envoi ; DPO : consignez l'incident.",
            "Équipe data",
            "Synchronisez les retraits avant chaque envoi.",
        ),
        ("Keep checking.", None, "Keep checking."),
    ],
)
def test_the_next_step_is_the_first_clause_of_the_recommendation(recommendation, owner, action):
    from ethics_review.work import next_step

    step = next_step(recommendation)
    assert (step.owner, step.action) == (owner, action)


def test_scorecard_lists_the_order_of_work_with_owner_next_step_and_link(tmp_path):
    first = a_judged_finding(
        "consent.coverage",
        "fail",
        kind="rule",
        metric={"uncovered_sends": 210},
        recommendation="Responsable de campagne : suspendez les campagnes ; DPO : consignez.",
    )
    later = a_judged_finding(
        "bias.proxies",
        "fail",
        kind="kit default",
        metric={"failed_pairs": 1},
        recommendation="Équipe data : retirez la variable.",
    )
    record = {**a_record(later, first), "lang": "fr"}
    html = report.write_index(tmp_path, record, AREAS).read_text(encoding="utf-8")
    rows = re.findall(r'<tr class="er-finding-row" data-check-id="([^"]+)" data-verdict="([^"]+)">', html)
    assert rows == [("consent.coverage", "fail_rule"), ("bias.proxies", "fail")]
    assert '<td class="er-owner">Responsable de campagne</td>' in html
    assert '<td class="er-next-step">Suspendez les campagnes.</td>' in html
    assert 'href="consent.html#check-consent-coverage"' in html
    assert '<svg class="er-overview"' in html and "<script" not in html
    assert "2 constats" in html and "15 novembre 2026" in html


def test_a_check_without_catalogue_text_still_renders():
    finding = Finding(**{**a_finding().__dict__, "check_id": "consent.not_written_yet"})
    html = pages.finding_head_html(finding, "fr")
    assert escape("Pourquoi c'est important") not in html and 'id="check-consent-not-written-yet"' in html


def test_a_review_yaml_snippet_in_a_recommendation_reads_as_code_and_stays_escaped():
    """The snippet keeps its codes (`sms_marketing` is the key to type); as <code> it is not prose to translate."""
    assert pages.prose_html("add `notices: {a.md: {sms_marketing: 1}}` <b>") == (
        "add <code>notices: {a.md: {sms_marketing: 1}}</code> &lt;b&gt;"
    )
    assert pages.prose_html("`<script>x</script>`") == "<code>&lt;script&gt;x&lt;/script&gt;</code>"


def test_evidence_table_shows_suppressed_cells_as_given_and_no_index():
    rows = [
        {"campaign_id": "A", "sends": 1200, "coverage": 0.9},
        {"campaign_id": "B", "sends": "<10", "coverage": None},
    ]
    html = pages.evidence_html(rows, "en")
    assert re.findall(r"<th>([^<]*)</th>", html) == ["Campaign", "Sends", "Coverage"]
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", html)
    assert cells == ["A", "1,200", "90.0%", "B", "&lt;10", "—"]


def test_long_evidence_is_cut_in_the_page_and_says_so():
    rows = [{"campaign_id": str(i), "sends": i} for i in range(pages.MAX_EVIDENCE_ROWS + 5)]
    html = pages.evidence_html(rows, "en")
    assert html.count("<tr>") == pages.MAX_EVIDENCE_ROWS + 1  # the header row and the rows shown
    assert f"First {pages.MAX_EVIDENCE_ROWS} of {pages.MAX_EVIDENCE_ROWS + 5} rows" in html


def test_a_figure_is_shown_with_the_json_plotlys_mimetype_renderer_gives():
    """The report's kernels build plotly's mimetype output without plotly's renderer registry (whose import loads
    nbformat and jsonschema): the executed notebook must hold the same JSON as plotly's `plotly_mimetype`."""
    import plotly.graph_objects as go
    import plotly.io as pio

    from ethics_review import display

    figure = go.Figure(go.Bar(x=["women", "men"], y=[0.42, 0.57], name="selection rate"))
    figure.update_layout(title="Selection rate by group")
    expected = pio.renderers["plotly_mimetype"].to_mimebundle(figure.to_dict())[display.PLOTLY_MIMETYPE]
    assert display._figure_json(figure) == expected


def test_two_notebooks_run_at_once_below_a_million_input_rows_and_one_at_a_time_above():
    from ethics_review.review import InputFingerprint

    def inputs(*rows: int) -> list[InputFingerprint]:
        return [InputFingerprint(f"t{i}", f"t{i}.csv", n, "0" * 64) for i, n in enumerate(rows)]

    assert report.notebooks_at_once(inputs(20_000, 72_620, 117_704)) == 2  # the 20k demo: 210,000 rows
    assert report.notebooks_at_once(inputs(500_000, 499_999)) == 2
    assert report.notebooks_at_once(inputs(500_000, 500_000)) == 1  # the 1M demo has about 10M rows


def test_governance_waits_until_no_area_is_marked_pending(tmp_path):
    import threading
    import time

    from ethics_review import parts

    parts.pending_path(tmp_path, "consent").touch()
    parts.pending_path(tmp_path, "bias").touch()
    removed_at: list[float] = []

    def the_other_notebooks_end() -> None:
        time.sleep(0.2)
        parts.pending_path(tmp_path, "consent").unlink()
        time.sleep(0.2)
        removed_at.append(time.monotonic())
        parts.pending_path(tmp_path, "bias").unlink()

    ending = threading.Thread(target=the_other_notebooks_end)
    ending.start()
    parts.wait_for_parts(tmp_path)
    returned_at = time.monotonic()
    ending.join()
    assert removed_at and returned_at >= removed_at[0]
    assert not list(tmp_path.iterdir())


def test_a_missing_review_is_an_input_error_before_any_notebook_runs(tmp_path):
    with pytest.raises(ReviewInputError, match="does not exist"):
        report.run_report(tmp_path / "nowhere", tmp_path / "out", progress=False)
    assert not (tmp_path / "out").exists()


def a_review_folder(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "consents.csv").write_text(
        "contact_id,purpose,status,recorded_at\nC1,email_marketing,granted,2026-01-10\n", encoding="utf-8"
    )
    (folder / "sends.csv").write_text(
        "contact_id,campaign_id,channel,sent_at\nC1,SPRING,email,2026-03-01\n", encoding="utf-8"
    )
    return folder


@pytest.mark.parametrize("out", [".", "notices", "..", "../.."])
def test_the_report_never_goes_among_the_inputs(tmp_path, out):
    from ethics_review.review import open_review

    review = open_review(a_review_folder(tmp_path / "a" / "review"))
    with pytest.raises(ReviewInputError, match="among them"):
        report.check_out_dir((review.base_dir / out).resolve(), review)


def test_an_output_folder_holding_other_files_is_not_replaced(tmp_path):
    from ethics_review.review import open_review

    review = open_review(a_review_folder(tmp_path / "review"))
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.docx").write_text("precious", encoding="utf-8")
    with pytest.raises(ReviewInputError, match="holds no report of the kit"):
        report.check_out_dir(tmp_path / "mine", review)
    (tmp_path / "previous").mkdir()
    (tmp_path / "previous" / report.FINDINGS_FILE).write_text("{}", encoding="utf-8")
    report.check_out_dir(tmp_path / "previous", review)  # a previous report may be replaced
    report.check_out_dir(tmp_path / "new", review)


def test_a_finished_report_replaces_the_previous_one_whole(tmp_path):
    final = tmp_path / "report"
    final.mkdir()
    (final / "stale.html").write_text("old", encoding="utf-8")
    staging = tmp_path / ".report.partial-x"
    staging.mkdir()
    (staging / "index.html").write_text("new", encoding="utf-8")
    report.replace_folder(staging, final)
    assert sorted(p.name for p in final.iterdir()) == [report.REPORT_MARKER, "index.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]  # nothing partial or old left beside it


def test_an_area_that_crashed_becomes_error_findings_and_the_record_is_still_valid(tmp_path):
    from ethics_review.review import open_review

    review = open_review(a_review_folder(tmp_path / "review"), as_of="2026-11-15")
    failed = report.failed_part(review, "bias", "the bias notebook failed in cell 3 with ValueError", campaign=None)
    ok = {"area": "consent", **pages.findings_record(review, [a_finding()])}
    record = report.merge_parts({"consent": ok, "bias": failed}, areas=("consent", "bias"))
    report.validate_findings(record)
    errors = [f for f in record["findings"] if f["area"] == "bias"]
    assert errors and {f["status"] for f in errors} == {"error"}
    assert {f["check_id"] for f in errors} == {c.id for c in CHECKS.values() if c.area == "bias"}
    assert "failed in cell 3" in errors[0]["summary"]
    assert report.write_index(tmp_path, record, ("consent", "bias")).is_file()


def test_a_kernel_is_killed_with_the_process_that_started_it():
    """The guard is what every kernel runs first: on Linux it asks the OS for SIGKILL at the parent's death."""
    import subprocess
    import sys
    import time

    code = (
        "import os, sys, time; os.environ['JPY_PARENT_PID'] = str(os.getppid()); "
        "from ethics_review.kernel_guard import die_with_parent; die_with_parent(); print(os.getpid(), flush=True); "
        "time.sleep(120)"
    )
    launcher = (
        f"import subprocess, sys; p = subprocess.Popen([sys.executable, '-c', {code!r}], stdout=sys.stdout); p.wait()"
    )
    parent = subprocess.Popen([sys.executable, "-c", launcher], stdout=subprocess.PIPE, text=True)
    with parent.stdout:
        child = int(parent.stdout.readline())
        parent.kill()
        parent.wait()
    for _ in range(50):
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        os.kill(child, 9)
        pytest.fail("the kernel outlived the process that started it")


# --- the full report on the demo data (slow) ---------------------------------------------------------------


@pytest.fixture(scope="module")
def english(demo_report) -> report.ReportResult:
    return demo_report


@pytest.fixture(scope="module")
def french(demo_dir, tmp_path_factory) -> report.ReportResult:
    """One area is enough to show the language switch (the notebooks are the same code); it keeps the suite fast."""
    return report.run_report(
        demo_dir, tmp_path_factory.mktemp("report-fr"), lang="fr", areas=("consent",), progress=False
    )


def load_findings(result: report.ReportResult) -> dict:
    return json.loads(result.paths["findings"].read_text(encoding="utf-8"))


def page(result: report.ReportResult, name: str) -> str:
    return (result.out_dir / name).read_text(encoding="utf-8")


def expected_charts(record: dict, area: str) -> int:
    return sum(
        charts.chart_for(report.finding_from_json(f), record["lang"]) is not None
        for f in record["findings"]
        if f["area"] == area
    )


@pytest.mark.slow
def test_findings_json_validates_and_holds_every_area(english):
    record = load_findings(english)
    jsonschema.validate(record, report.findings_schema(), cls=jsonschema.Draft202012Validator)
    assert {f["check_id"] for f in record["findings"]} == set(CHECKS)
    assert {f["area"] for f in record["findings"]} == set(AREAS)
    assert record["summary"] == {s: sum(f["status"] == s for f in record["findings"]) for s in STATUSES}
    assert (record["kit_version"], record["as_of"], record["lang"]) == (__version__, "2026-11-15", "en")
    assert {i["table"] for i in record["inputs"]} >= {"contacts", "consents", "sends", "targeting", "content"}


@pytest.mark.slow
def test_result_carries_the_same_findings_as_the_json(english):
    record = load_findings(english)
    assert [f.to_json() for f in english.findings] == record["findings"]
    assert english.summary == record["summary"]
    assert english.worst == "fail"  # the demo plants failures


@pytest.mark.slow
def test_index_links_to_every_finding_anchor_and_each_anchor_exists(english):
    index = page(english, "index.html")
    for finding in english.findings:
        anchor = pages.anchor(finding.check_id)
        assert f'href="{finding.area}.html#{anchor}"' in index
        assert f'id="{anchor}"' in page(english, f"{finding.area}.html")


@pytest.mark.slow
@pytest.mark.parametrize("area", AREAS)
def test_each_page_works_offline_with_plotly_inlined_once(english, area):
    html = page(english, f"{area}.html")
    record = load_findings(english)
    assert not REMOTE_SCRIPT.search(html)
    assert not REMOTE_LINK.search(html)
    assert not REMOTE_IMPORT.search(html)  # nbconvert's mermaid loader imports from a CDN
    assert "require.js" not in html and "mathjax.js" not in html.lower()
    assert html.count(PLOTLY_JS_HEAD) == 1
    charts_expected = expected_charts(record, area)
    assert charts_expected >= 1
    trend = 1 if area == "governance" else 0  # the governance page adds the trend per area over the runs
    assert html.count(PLOT_DIV) == charts_expected + trend
    # plotly.js must be defined before the first figure calls it
    assert html.index(PLOTLY_JS_HEAD) < html.index("Plotly.newPlot(")


@pytest.mark.slow
def test_the_index_page_has_no_script_at_all(english):
    assert "<script" not in page(english, "index.html")


@pytest.mark.slow
@pytest.mark.parametrize("area", AREAS)
def test_code_and_prompts_are_hidden(english, area):
    html = page(english, f"{area}.html")
    assert not re.search(r'class="[^"]*jp-InputArea-editor', html)
    assert "open_for_notebook" not in html and "show_area" not in html
    assert not re.search(r'<div class="jp-(InputPrompt|OutputPrompt)', html)
    assert "In&nbsp;[" not in html
    assert 'class="er-finding' in html  # the outputs are there


@pytest.mark.slow
@pytest.mark.parametrize("area", AREAS)
def test_executed_notebooks_are_kept_as_the_audit_record(english, area):
    notebook = nbformat.read(english.paths[f"{area}.ipynb"], as_version=4)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    injected = next(c for c in code if "injected-parameters" in c.metadata.get("tags", []))
    assert "interactive = False" in injected.source
    assert all(c.execution_count is not None for c in code)
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    assert notebook.metadata.kernelspec.name == "python3"


@pytest.mark.slow
def test_french_run_gives_french_pages(french, english):
    consent_fr, consent_en = page(french, "consent.html"), page(english, "consent.html")
    assert '<html lang="fr"' in consent_fr
    assert '<h2 class="er-area">Consentement et vie privée</h2>' in consent_fr
    assert "Pourquoi c'est important" in consent_fr and "Que faire" in consent_fr
    assert "How to read the consent checks" not in consent_fr  # the notebook's English guide is not shown
    assert '<h2 class="er-area">Consent and privacy</h2>' in consent_en
    assert "Why it matters" in consent_en and "How to read the consent checks" in consent_en
    assert "Tableau de bord de la revue éthique" in page(french, "index.html")
    french_titles = {f.check_id: f.title for f in french.findings}
    assert french_titles["consent.coverage"] != {f.check_id: f.title for f in english.findings}["consent.coverage"]
    record = load_findings(french)
    assert record["lang"] == "fr" and record["areas"] == ["consent"]
    assert {f["area"] for f in record["findings"]} == {"consent"}


@pytest.mark.slow
def test_same_inputs_give_the_same_findings_json(english, demo_dir, tmp_path_factory, monkeypatch):
    working_folder, moves = Path.cwd(), []
    real_chdir = os.chdir
    monkeypatch.setattr(os, "chdir", lambda path: (moves.append(path), real_chdir(path)))
    again = report.run_report(demo_dir, tmp_path_factory.mktemp("report-en-again"), progress=False, jobs=2)
    # Two notebooks run at once in threads: a move of the process's working folder by either (papermill's `cwd`)
    # is a race that can leave the caller elsewhere, where its relative paths mean other files. papermill's file
    # handler "moves" to the working folder itself around each read and write: harmless, the only move allowed.
    assert {Path(p) for p in moves} <= {working_folder} and Path.cwd() == working_folder
    first, second = (p.read_text(encoding="utf-8") for p in (english.paths["findings"], again.paths["findings"]))
    assert first != "" and first.count('"generated_at"') == 1

    def without_generated_at(text: str) -> str:
        return re.sub(r'\n  "generated_at": "[^"]*",', "", text)

    assert without_generated_at(first) == without_generated_at(second)


@pytest.mark.slow
def test_governance_run_beside_the_others_counts_every_area_of_this_run(english):
    """With notebooks at once, governance starts with the others; its trend of this run counts the checks of every
    area, read from their parts, which exist only once their notebooks ended: it waited for them."""
    notebook = nbformat.read(english.out_dir / "governance.ipynb", as_version=4)
    figures = [
        output["data"]["application/vnd.plotly.v1+json"]
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if "application/vnd.plotly.v1+json" in output.get("data", {})
    ]
    trend = [f for f in figures if any(":" in str(t.get("meta", "")) for t in f["data"])]
    assert len(trend) == 1
    record = load_findings(english)
    findings_per_area = {area: sum(f["area"] == area for f in record["findings"]) for area in AREAS}
    counted = dict.fromkeys(AREAS, 0)
    for trace in trend[0]["data"]:
        counted[trace["meta"].split(":")[0]] += trace["y"][-1]  # the last bar is this run
    assert counted == findings_per_area


def failing_run_parameters(**changes) -> dict:
    return {
        "data_dir": None,
        "config": None,
        "as_of": "2026-11-15",
        "lang": "en",
        "campaign": None,
        "interactive": False,
        "output_dir": None,
        **changes,
    }


def saved_errors(notebook_file: Path) -> list:
    notebook = nbformat.read(notebook_file, as_version=4)
    return [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]


@pytest.mark.slow
def test_a_failing_notebook_is_saved_before_the_error_is_raised(tmp_path):
    parameters = failing_run_parameters(data_dir=0)  # not a path: the first call into the package raises
    with pytest.raises(report.ReportError, match=r"transparency notebook failed in cell \d+ with TypeError") as info:
        report.execute_area_notebook("transparency", tmp_path, parameters)
    saved = tmp_path / "transparency.ipynb"
    assert str(saved) in str(info.value)
    assert [e.ename for e in saved_errors(saved)] == ["TypeError"]


@pytest.mark.slow
def test_an_input_error_inside_a_notebook_stays_an_input_error(tmp_path):
    parameters = failing_run_parameters(data_dir=str(tmp_path / "no-such-review"))
    with pytest.raises(ReviewInputError, match="does not exist"):
        report.execute_area_notebook("consent", tmp_path, parameters)
    assert [e.ename for e in saved_errors(tmp_path / "consent.ipynb")] == ["ConfigError"]


# --- report.pdf: Chromium found, or one clear error --------------------------------------------------------


def test_no_chromium_on_path_is_an_input_error_naming_the_debian_package(monkeypatch, tmp_path):
    from ethics_review.pdf import find_chromium

    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH with no browser on it
    with pytest.raises(ReviewInputError) as caught:
        find_chromium()
    assert "chromium" in caught.value.message and "apt-get install chromium" in caught.value.fix


def test_a_given_chromium_that_is_not_there_is_an_input_error(tmp_path):
    from ethics_review.pdf import find_chromium

    with pytest.raises(ReviewInputError, match="no executable file"):
        find_chromium(tmp_path / "chromium")


def test_run_with_pdf_and_no_chromium_stops_before_any_notebook(demo_dir, tmp_path, capsys):
    from ethics_review import cli

    code = cli.main(
        [
            "run",
            str(demo_dir),
            "--out",
            str(tmp_path / "out"),
            "--pdf",
            "--chromium",
            str(tmp_path / "missing-chromium"),
        ]
    )
    assert code == cli.EXIT_INPUT
    assert "missing-chromium" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
