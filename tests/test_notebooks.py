"""The committed notebooks are thin and clean, run headless through papermill, and pass nbval.

nbval only compares outputs that are stored in a notebook; the committed notebooks store none, so
`--nbval-lax` checks that every cell runs without error (no cell is marked for output comparison).
The report runs every notebook headless with interactive=False (tests/test_report.py). The widget panels of
interactive=True are tested in-process in tests/test_widgets.py: executing widgets through a headless kernel
can stall on an open nbclient race (jupyter/nbclient#312), which is no fault of the kit's and would make CI flaky."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from ethics_review.findings import AREAS
from ethics_review.paths import notebook_path, notebooks_dir

PARAMETERS = ("config", "data_dir", "as_of", "lang", "campaign", "interactive", "output_dir", "engine", "prepared")
EXTRA_PARAMETERS = {"governance": ("history_dir",)}  # the report passes the review's history folder
MAX_CODE_LINES = 6


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
    extra = EXTRA_PARAMETERS.get(area, ())
    assert tuple(s.targets[0].id for s in statements) == PARAMETERS + extra
    values = {s.targets[0].id: ast.literal_eval(s.value) for s in statements}
    assert all(json.loads(json.dumps(v)) == v for v in values.values())  # JSON-style values only
    assert values == {"config": None, "data_dir": None, "as_of": None, "lang": "en", "campaign": None,
                      "interactive": True, "output_dir": None, "engine": None, "prepared": None,
                      **dict.fromkeys(extra)}


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
