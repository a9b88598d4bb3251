"""The committed notebooks are what the text catalogue and the checks' registry say (notebooks.py), thin, and
pass nbval.

Each check's section cell is tagged `nbval-check-output` and stores one output line, `<check id>: <status>`, from
a run on the tests' demo review: nbval (`--nbval-lax`) runs every cell and compares those lines (the rich
displays are left out of the comparison by tests/nbval_status_lines.py). The report runs every notebook headless
with interactive=False (tests/test_report.py); the widget panels of interactive=True are tested in-process in
tests/test_widgets.py and in JupyterLab by tests/test_lab_browser.py."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from ethics_review import notebooks
from ethics_review.findings import AREAS
from ethics_review.paths import notebook_path, notebooks_dir

PARAMETERS = ("config", "data_dir", "as_of", "lang", "campaign", "interactive", "output_dir", "engine", "prepared")
EXTRA_PARAMETERS = {"governance": ("history_dir",)}  # the report passes the review's history folder
MAX_CODE_LINES = 3
STATUS_LINE = re.compile(r"^([a-z_]+\.[a-z_]+): (pass|warn|fail|not_applicable|error)\n$")
ROOT = Path(__file__).resolve().parents[1]


def committed(area: str) -> nbformat.NotebookNode:
    return nbformat.read(notebook_path(area), as_version=4)


def code_cells(notebook: nbformat.NotebookNode) -> list:
    return [c for c in notebook.cells if c.cell_type == "code"]


def check_cells(notebook: nbformat.NotebookNode) -> list:
    return [c for c in code_cells(notebook) if notebooks.CHECK_OUTPUT_TAG in c.metadata.get("tags", [])]


# --- the committed notebooks (fast) ------------------------------------------------------------------------


def test_the_bundled_notebooks_are_the_repository_ones():
    assert sorted(p.stem for p in notebooks_dir().glob("*.ipynb")) == sorted(AREAS)


@pytest.fixture(scope="module")
def demo_statuses(demo_dir) -> dict[str, str]:
    return notebooks.statuses_on(demo_dir)


def test_the_notebooks_in_the_repository_are_what_the_catalogue_says(demo_statuses):
    """notebooks/*.ipynb are generated (`make notebooks`): markdown from texts/*.yaml, one section per check of
    the registry, and the status lines a run on the tests' demo review prints."""
    stale = notebooks.stale(ROOT / "notebooks", notebooks.repository_notebooks(demo_statuses))
    assert not stale, f"{stale} are stale: run `make notebooks` (python -m ethics_review.notebooks)"


def test_the_staleness_check_can_fail(demo_statuses, tmp_path):
    expected = notebooks.repository_notebooks(demo_statuses)
    for name, content in expected.items():
        (tmp_path / name).write_text(content.replace(": fail\\n", ": pass\\n", 1), encoding="utf-8")
    assert notebooks.stale(tmp_path, expected) == [n for n, c in expected.items() if ": fail\\n" in c]
    assert notebooks.stale(tmp_path, expected)


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
    assert values == {
        "config": None,
        "data_dir": None,
        "as_of": None,
        "lang": None,
        "campaign": None,
        "interactive": True,
        "output_dir": None,
        "engine": None,
        "prepared": None,
        **dict.fromkeys(extra),
    }


@pytest.mark.parametrize("area", AREAS)
def test_one_section_per_check_in_catalogue_order_each_with_its_title_and_why(area):
    from ethics_review import i18n
    from ethics_review.checks import CHECKS

    notebook = committed(area)
    expected = [c.id for c in CHECKS.values() if c.area == area]
    shown = [
        re.fullmatch(r'display\.show_check\(walk, "([a-z_.]+)"\)', c.source).group(1) for c in check_cells(notebook)
    ]
    assert shown == expected
    for number, check_id in enumerate(expected, start=1):
        cell = next(i for i, c in enumerate(notebook.cells) if c.source == f'display.show_check(walk, "{check_id}")')
        heading = notebook.cells[cell - 1]
        assert heading.cell_type == "markdown"
        assert heading.source.startswith(f"## {number}. {i18n.text(check_id, 'title', 'en')}\n")
        assert i18n.text(check_id, "why_short", "en") in heading.source  # the short why; the report keeps `why`
    closing = [c.source for c in code_cells(notebook)][-2 if area != "governance" else -3]
    assert closing.startswith("findings = display.close_area(walk")
    assert code_cells(notebook)[-1].source == (
        f'display.save_findings(review, "{area}", findings, output_dir, campaign=campaign)'
    )


@pytest.mark.parametrize("area", AREAS)
def test_only_the_check_cells_store_an_output_and_it_is_one_status_line(area, demo_statuses):
    notebook = committed(area)
    assert notebook.metadata.kernelspec.name == "python3"
    for cell in code_cells(notebook):
        if cell in check_cells(notebook):
            (output,) = cell.outputs
            assert output.output_type == "stream" and output.name == "stdout"
            check_id, status = STATUS_LINE.match(output.text).groups()
            assert cell.source == f'display.show_check(walk, "{check_id}")' and status == demo_statuses[check_id]
            assert cell.execution_count is not None  # nbval compares only cells that were run
        else:
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


def test_the_thin_cell_test_can_fail():
    for source in (
        "for x in y:\n    display.show_check(walk, x)",
        "display.show_check(walk, ids[0])",
        "a = 1\nb = 2\nc = 3\nd = 4",
    ):
        with pytest.raises(AssertionError):
            cell = nbformat.v4.new_code_cell(source)
            assert len([line for line in cell.source.splitlines() if line.strip()]) <= MAX_CODE_LINES
            for statement in ast.parse(cell.source).body:
                assert isinstance(statement, (ast.Assign, ast.Expr))
                call = statement.value
                assert isinstance(call, ast.Call)
                assert all(isinstance(a, (ast.Name, ast.Constant)) for a in call.args)


@pytest.mark.parametrize("area", AREAS)
def test_markdown_explains_the_area_in_english_and_is_tagged_for_the_report(area):
    markdown = [c for c in committed(area).cells if c.cell_type == "markdown"]
    assert markdown and all("lang-en" in c.metadata.get("tags", []) for c in markdown)
    text = "\n".join(c.source for c in markdown)
    for words in ("**why it matters**", "**how to read the chart**", "**what to do**", "**rule**", "**kit default**"):
        assert words in text


@pytest.mark.parametrize("area", AREAS)
def test_the_french_build_speaks_french_from_the_same_catalogue(area):
    from ethics_review import i18n

    english, french = notebooks.build(area, "en"), notebooks.build(area, "fr")
    # the same code in both languages: only the parameters' comments are translated
    assert [ast.dump(ast.parse(c.source)) for c in code_cells(english)] == [
        ast.dump(ast.parse(c.source)) for c in code_cells(french)
    ]
    (parameters,) = [c.source for c in code_cells(french) if "parameters" in c.metadata.get("tags", [])]
    comments = [line.split("  # ", 1)[1] for line in parameters.splitlines()]
    assert comments == [i18n.text("notebook", f"parameter.{name}", "fr") for name in notebooks.parameter_names(area)]
    assert "campaign = None     # un campaign_id à examiner ; None : toutes les campagnes" in parameters
    for english_comment in ("the review folder", "set by the report", "one campaign_id to look at"):
        assert english_comment not in parameters
    markdown = [c for c in french.cells if c.cell_type == "markdown"]
    assert all(c.metadata["tags"][0] == "lang-fr" for c in markdown)
    text = "\n".join(c.source for c in markdown)
    assert text.startswith(f"# {i18n.ui(f'area.{area}', 'fr')}")
    assert "**Pourquoi c'est important.**" in text and "**règle**" in text and "**valeur par défaut du kit**" in text
    for check_id in notebooks.check_ids(area):
        assert i18n.text(check_id, "title", "fr") in text and i18n.text(check_id, "why_short", "fr") in text
    for english_words in ("Why it matters", "How to use", "Saving the findings", "Every section"):
        assert english_words not in text


@pytest.mark.parametrize("area", AREAS)
def test_every_check_of_the_area_is_explained_in_both_languages(area):
    """The per-check explanations are rendered from the text catalogue in the review's language, so every
    registered check must have them in English and French."""
    from ethics_review import i18n
    from ethics_review.checks import CHECKS

    checks = [c for c in CHECKS.values() if c.area == area]
    assert checks
    for check in checks:
        for part in ("why", "why_short", "how_to_read"):
            for lang in i18n.LANGUAGES:
                assert len(i18n.text(check.id, part, lang)) > 40, (check.id, part, lang)


# --- headless runs (slow) ----------------------------------------------------------------------------------
# interactive=False through papermill is what every report run does: test_report.py executes the notebooks that
# way and checks the executed copies. Here: nbval on the committed notebooks, comparing each check's status line.


def run_parameters(demo_dir: Path) -> dict:
    """As the stored lines were computed (notebooks.statuses_on): no `output_dir`, so governance's continuous
    evaluation does not read other areas' parts, which the parallel nbval processes write in no fixed order."""
    return {
        "data_dir": str(demo_dir),
        "config": None,
        "as_of": None,
        "lang": "en",
        "campaign": None,
        "interactive": False,
        "output_dir": None,
    }


def nbval_command(*notebook_files: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "pytest",
        "--nbval-lax",
        "--nbval-kernel-name",
        "python3",
        "-p",
        "no:cacheprovider",
        "-p",
        "tests.nbval_status_lines",
        "-q",
        *map(str, notebook_files),
    ]


def nbval_environment() -> dict[str, str]:
    """The tests' plugin importable as `tests.nbval_status_lines`, and the kit's sources first for the kernels."""
    paths = [str(ROOT), str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}


@pytest.fixture(scope="module")
def nbval_run(demo_dir, tmp_path_factory) -> tuple[list[str], Path, list[Path]]:
    """nbval on parameterised copies (papermill --prepare-only: parameters injected, stored outputs kept, nothing
    executed), in two pytest processes side by side (bias, the longest, alone); their outputs and return codes."""
    import papermill

    folder = tmp_path_factory.mktemp("nbval")
    copies = []
    for area in AREAS:
        copy = folder / f"{area}.ipynb"
        papermill.execute_notebook(
            str(notebook_path(area)),
            str(copy),
            prepare_only=True,
            kernel_name="python3",
            parameters=run_parameters(demo_dir),
        )
        copies.append(copy)
    groups = [[c for c in copies if c.stem != "bias"], [c for c in copies if c.stem == "bias"]]
    processes = [
        subprocess.Popen(
            nbval_command(*group),
            cwd=folder,
            stdout=subprocess.PIPE,
            env=nbval_environment(),
            stderr=subprocess.STDOUT,
            text=True,
        )
        for group in groups
    ]
    results = []
    for process in processes:
        output, _ = process.communicate(timeout=900)
        results.append(f"{output}\nreturn code {process.returncode}")
    return results, folder, copies


@pytest.mark.slow
def test_notebooks_pass_nbval_lax_with_every_status_line_compared(nbval_run):
    """nbval executes every cell; in --nbval-lax mode it compares the outputs of the cells tagged
    nbval-check-output: each check's `<check id>: <status>` line must be what the committed notebook stores."""
    results, _, copies = nbval_run
    for result in results:
        assert result.endswith("return code 0"), result[-4000:]
    passed = sum(int(n) for result in results for n in re.findall(r"(\d+) passed", result))
    assert passed == sum(len(code_cells(nbformat.read(p, as_version=4))) for p in copies)
    compared = [c for p in copies for c in check_cells(nbformat.read(p, as_version=4)) if c.outputs]
    assert len(compared) == len(notebooks.check_ids("consent")) + len(notebooks.check_ids("bias")) + len(
        notebooks.check_ids("transparency")
    ) + len(notebooks.check_ids("governance"))


@pytest.mark.slow
def test_nbval_fails_when_a_status_line_changes_but_not_for_a_rich_display(tmp_path):
    """The comparison can fail: a stored `fail` against a run that prints `pass`; an HTML display next to the
    line is left out of the comparison."""
    cell = nbformat.v4.new_code_cell(
        'from IPython.display import HTML, display\nprint("consent.coverage: pass")\ndisplay(HTML("<b>x</b>"))',
        metadata={"tags": [notebooks.CHECK_OUTPUT_TAG]},
        execution_count=1,
        outputs=[nbformat.v4.new_output("stream", name="stdout", text="consent.coverage: pass\n")],
    )
    good = nbformat.v4.new_notebook(
        cells=[cell], metadata={"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}}
    )
    nbformat.write(good, tmp_path / "good.ipynb")
    cell.outputs[0].text = "consent.coverage: fail\n"
    nbformat.write(good, tmp_path / "bad.ipynb")
    for name, code in (("good.ipynb", 0), ("bad.ipynb", 1)):
        run = subprocess.run(
            nbval_command(tmp_path / name),
            check=False,
            cwd=tmp_path,
            env=nbval_environment(),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert run.returncode == code, run.stdout[-3000:]
