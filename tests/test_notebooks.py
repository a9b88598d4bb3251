"""The committed notebooks are thin and clean, run headless through papermill in both modes, and pass nbval.

nbval only compares outputs that are stored in a notebook; the committed notebooks store none, so
`--nbval-lax` checks that every cell runs without error (no cell is marked for output comparison)."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import ipywidgets
import nbformat
import pandas as pd
import pytest

from ethics_review import display, report, widgets
from ethics_review.errors import ReviewInputError
from ethics_review.findings import AREAS
from ethics_review.paths import notebook_path, notebooks_dir
from ethics_review.review import open_review

PARAMETERS = ("config", "data_dir", "as_of", "lang", "campaign", "interactive", "output_dir")
MAX_CODE_LINES = 6
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
CELL_TIMEOUT = 300  # a hung kernel (nbclient can stall on widget messages) fails the test instead of the suite


def committed(area: str) -> nbformat.NotebookNode:
    return nbformat.read(notebook_path(area), as_version=4)


def code_cells(notebook: nbformat.NotebookNode) -> list:
    return [c for c in notebook.cells if c.cell_type == "code"]


# --- the committed notebooks (fast) ------------------------------------------------------------------------

def test_the_bundled_notebooks_are_the_repository_ones():
    assert sorted(p.stem for p in notebooks_dir().glob("*.ipynb")) == sorted(AREAS)


@pytest.mark.parametrize("area", AREAS)
def test_one_parameters_cell_with_exactly_the_documented_json_style_names(area):
    tagged = [c for c in code_cells(committed(area)) if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    statements = ast.parse(tagged[0].source).body
    assert all(isinstance(s, ast.Assign) and len(s.targets) == 1 for s in statements)
    assert tuple(s.targets[0].id for s in statements) == PARAMETERS
    values = {s.targets[0].id: ast.literal_eval(s.value) for s in statements}
    assert all(json.loads(json.dumps(v)) == v for v in values.values())  # JSON-style values only
    assert values == {"config": None, "data_dir": None, "as_of": None, "lang": "en", "campaign": None,
                      "interactive": True, "output_dir": None}


@pytest.mark.parametrize("area", AREAS)
def test_no_stored_outputs_and_the_python3_kernel(area):
    notebook = committed(area)
    assert notebook.metadata.kernelspec.name == "python3"
    for cell in code_cells(notebook):
        assert cell.outputs == [] and cell.execution_count is None, cell.source


@pytest.mark.parametrize("area", AREAS)
def test_code_cells_are_short_calls_into_the_package(area):
    """Thin notebooks: besides the parameters, only `from ethics_review import ...` and calls of the package's
    functions (bound to a name or not); no loop, branch, definition or arithmetic."""
    for cell in code_cells(committed(area)):
        if "parameters" in cell.metadata.get("tags", []):
            continue
        assert len([line for line in cell.source.splitlines() if line.strip()]) <= MAX_CODE_LINES, cell.source
        for statement in ast.parse(cell.source).body:
            if isinstance(statement, ast.ImportFrom):
                assert statement.module == "ethics_review", cell.source
                continue
            assert isinstance(statement, (ast.Assign, ast.Expr)), cell.source
            call = statement.value
            assert isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute), cell.source
            assert isinstance(call.func.value, ast.Name) and call.func.value.id == "display", cell.source
            assert all(isinstance(a, (ast.Name, ast.Constant)) for a in [*call.args, *(k.value for k in call.keywords)])


@pytest.mark.parametrize("area", AREAS)
def test_markdown_explains_the_area_in_english_and_is_tagged_for_the_report(area):
    markdown = [c for c in committed(area).cells if c.cell_type == "markdown"]
    assert markdown and all("lang-en" in c.metadata.get("tags", []) for c in markdown)
    text = "\n".join(c.source for c in markdown)
    for words in ("**why it matters**", "**how to read the chart**", "**what to do**", "**rule**", "**kit default**"):
        assert words in text


@pytest.mark.parametrize("area", AREAS)
def test_every_check_of_the_area_is_explained_in_both_languages(area):
    """The per-check explanations are rendered from the text catalogue in the review's language, so every
    registered check must have them in English and French."""
    from ethics_review import i18n
    from ethics_review.checks import CHECKS

    checks = [c for c in CHECKS.values() if c.area == area]
    assert checks
    for check in checks:
        for part in ("why", "how_to_read"):
            for lang in i18n.LANGUAGES:
                assert len(i18n.text(check.id, part, lang)) > 40, (check.id, part, lang)


# --- headless runs (slow) ----------------------------------------------------------------------------------
# interactive=False through papermill is what every report run does: test_report.py executes the three
# notebooks that way and checks the executed copies. Here: interactive=True through papermill, and nbval.

def run_parameters(demo_dir: Path, *, interactive: bool, output_dir: Path) -> dict:
    return {"data_dir": str(demo_dir), "config": None, "as_of": None, "lang": "en", "campaign": None,
            "interactive": interactive, "output_dir": str(output_dir)}


@pytest.fixture(scope="module")
def interactive_runs(demo_dir, tmp_path_factory) -> dict[str, Path]:
    """Each notebook executed by papermill with interactive=True (widget panels), two at a time."""
    out = tmp_path_factory.mktemp("interactive")
    (out / "parts").mkdir()

    def run(area: str) -> Path:
        parameters = run_parameters(demo_dir, interactive=True, output_dir=out / "parts")
        return report.execute_area_notebook(area, out, parameters, cell_timeout=CELL_TIMEOUT)

    return dict(zip(AREAS, report.map_notebooks(run, AREAS, jobs=2), strict=True))


def outputs(path: Path) -> list:
    return [o for c in code_cells(nbformat.read(path, as_version=4)) for o in c.outputs]


@pytest.mark.slow
@pytest.mark.parametrize("area", AREAS)
def test_notebook_runs_headless_with_widgets_without_error(interactive_runs, area):
    produced = outputs(interactive_runs[area])
    assert not [o for o in produced if o.output_type == "error"]
    assert any('class="er er-scorecard"' in o.data["text/html"] for o in produced if "text/html" in o.get("data", {}))
    assert [o for o in produced if WIDGET_VIEW in o.get("data", {})]  # each check with options gets a panel
    assert "widgets" in nbformat.read(interactive_runs[area], as_version=4).metadata  # their state is stored


@pytest.fixture(scope="module")
def nbval_run(demo_dir, tmp_path_factory) -> tuple[list[str], Path, list[Path]]:
    """nbval on parameterised copies (papermill --prepare-only: parameters injected, nothing executed), in two
    pytest processes side by side (bias, the longest, alone); returns their outputs and return codes."""
    import papermill

    folder = tmp_path_factory.mktemp("nbval")
    copies = []
    for area in AREAS:
        copy = folder / f"{area}.ipynb"
        papermill.execute_notebook(str(notebook_path(area)), str(copy), prepare_only=True, kernel_name="python3",
                                   parameters=run_parameters(demo_dir, interactive=False, output_dir=folder / "parts"))
        copies.append(copy)
    command = [sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-kernel-name", "python3",
               "-p", "no:cacheprovider", "-q"]
    groups = [[c for c in copies if c.stem != "bias"], [c for c in copies if c.stem == "bias"]]
    processes = [subprocess.Popen([*command, *map(str, group)], cwd=folder, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True) for group in groups]
    results = []
    for process in processes:
        output, _ = process.communicate(timeout=900)
        results.append(f"{output}\nreturn code {process.returncode}")
    return results, folder, copies


@pytest.mark.slow
def test_notebooks_pass_nbval_lax(nbval_run):
    """nbval executes every cell; with no output marked for comparison, --nbval-lax fails only when a cell
    raises."""
    results, _, copies = nbval_run
    for result in results:
        assert result.endswith("return code 0"), result[-4000:]
    passed = sum(int(n) for result in results for n in re.findall(r"(\d+) passed", result))
    assert passed == sum(len(code_cells(nbformat.read(p, as_version=4))) for p in copies)


@pytest.mark.slow
@pytest.mark.parametrize("area", AREAS)
def test_widgets_do_not_change_the_findings(interactive_runs, nbval_run, area):
    """The part a notebook writes for the report is the same with and without widgets (two executions)."""
    _, folder, _ = nbval_run

    def findings(parts: Path) -> list:
        return json.loads((parts / f"{area}.findings.json").read_text(encoding="utf-8"))["findings"]

    static = findings(folder / "parts")
    assert static and {f["area"] for f in static} == {area}
    assert findings(interactive_runs[area].parent / "parts") == static


# --- the widget panels -------------------------------------------------------------------------------------

def widget_models(path: Path) -> list[dict]:
    state = nbformat.read(path, as_version=4).metadata["widgets"]["application/vnd.jupyter.widget-state+json"]
    return [model for model in state["state"].values()]


def control(models: list[dict], model_name: str, description: str) -> dict:
    return next(m["state"] for m in models if m["model_name"] == model_name
                and m["state"].get("description") == description)


def test_parity_options_turn_control_values_into_check_options():
    spec = widgets.PANELS["bias.selection_parity"]
    controls = {"campaign": ipywidgets.Dropdown(options=[("All", widgets.ALL), ("A", "A")], value=widgets.ALL),
                "attributes": ipywidgets.Dropdown(options=[("All", widgets.ALL), ("gender", "gender")],
                                                  value="gender"),
                "reference": ipywidgets.Dropdown(options=[("highest", "highest"), ("gender = F", ("gender", "F"))],
                                                 value=("gender", "F"))}
    assert widgets.check_options(spec, controls) == {"campaign": None, "attributes": ["gender"],
                                                     "reference": {"gender": "F"}}


@pytest.mark.slow
def test_panels_offer_the_campaigns_and_attributes_of_the_review(interactive_runs, demo_dir):
    sends = pd.read_csv(demo_dir / "sends.csv", usecols=["campaign_id"])
    consent = control(widget_models(interactive_runs["consent"]), "DropdownModel", "Campaign")
    assert consent["_options_labels"] == ["All campaigns", *sorted(sends.campaign_id.unique())]
    assert consent["index"] == 0  # "All campaigns" is selected, not an empty dropdown
    bias = widget_models(interactive_runs["bias"])
    attribute = control(bias, "DropdownModel", "Attribute")
    assert attribute["index"] == 0 and set(attribute["_options_labels"]) == {"All attributes", "gender", "age_band",
                                                                             "region"}
    assert control(bias, "FloatSliderModel", "Fail below")["value"] == 0.8
    assert control(bias, "FloatSliderModel", "Warn below")["value"] == 0.9


@pytest.fixture(scope="module")
def demo_review(demo_dir):
    return open_review(demo_dir)


@pytest.mark.slow
def test_campaign_choices_are_the_distinct_campaigns_of_the_table(demo_review, demo_dir):
    targeting = pd.read_csv(demo_dir / "targeting.csv", usecols=["campaign_id"])
    assert widgets.campaign_choices(demo_review, "targeting") == sorted(targeting.campaign_id.unique())
    assert widgets.campaign_choices(demo_review, "requests") == []  # no campaign_id column: no dropdown


@pytest.mark.slow
def test_rerun_applies_the_panel_options(demo_review):
    campaign = widgets.campaign_choices(demo_review, "targeting")[0]
    finding = display.rerun(demo_review, "bias.selection_parity", campaign=campaign, attributes=["gender"])
    assert finding.evidence and {(r["campaign_id"], r["attribute"]) for r in finding.evidence} == {(campaign, "gender")}
    with pytest.raises(ReviewInputError, match="fail_below"):
        display.rerun(demo_review, "bias.selection_parity", fail_below=0.95, warn_below=0.9)


@pytest.mark.slow
def test_the_campaign_parameter_restricts_every_check_that_accepts_it(demo_review):
    campaign = widgets.campaign_choices(demo_review, "sends")[0]
    coverage = next(f for f in display.run_area(demo_review, "consent", campaign=campaign)
                    if f.check_id == "consent.coverage")
    assert coverage.evidence and {r["campaign_id"] for r in coverage.evidence} == {campaign}
