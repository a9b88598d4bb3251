"""`ethics-review lab`: the notebooks it writes (the review's language, the review filled in, a user's edits
kept), the JupyterLab command (as root, options passed on), and what a notebook shows when the review cannot be
judged: one banner, not a run of not-applicable findings. JupyterLab itself runs in tests/test_lab_browser.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from ethics_review import cli, display, lab, notebooks
from ethics_review.findings import AREAS
from ethics_review.paths import templates_dir


@pytest.fixture
def french_review(tmp_path) -> Path:
    """The kit's example review folder with `lang: fr` in its review.yaml."""
    folder = tmp_path / "ma-revue"
    shutil.copytree(templates_dir() / "review", folder)
    config = folder / "review.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("lang: en ", "lang: fr "), encoding="utf-8")
    assert "lang: fr" in config.read_text(encoding="utf-8")
    return folder


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def parameters_of(notebook: nbformat.NotebookNode) -> str:
    return next(c.source for c in notebook.cells if "parameters" in c.metadata.get("tags", []))


def test_lab_writes_every_area_notebook_in_the_review_s_language_with_the_review_filled_in(french_review, capsys):
    assert cli.main(["lab", str(french_review), "--no-start"]) == 0
    folder = french_review / "notebooks"
    assert sorted(p.name for p in folder.glob("*.ipynb")) == sorted(f"{a}.ipynb" for a in AREAS)
    consent = read(folder / "consent.ipynb")
    assert f'data_dir = "{french_review.resolve()}"' in parameters_of(consent)
    assert "lang = None" in parameters_of(consent)  # the review's language, read when the notebook runs
    markdown = [c for c in consent.cells if c.cell_type == "markdown"]
    assert all("lang-fr" in c.metadata["tags"] for c in markdown)
    assert markdown[0].source.startswith("# Consentement et vie privée")
    assert "## 1. Chaque envoi était permis pour son canal et sa finalité" in "\n".join(c.source for c in markdown)
    assert "Ceci est la démo" not in markdown[0].source  # a user's review is no demo
    out = capsys.readouterr().out
    assert "consent.ipynb        written" in out and "--no-start" in out


def test_a_review_yaml_is_passed_as_config(french_review):
    review = lab.locate_review(french_review / "review.yaml")
    assert review.values == {"data_dir": None, "config": str((french_review / "review.yaml").resolve())}
    assert review.lang == "fr" and review.folder == french_review.resolve()


def test_a_second_run_leaves_the_kit_s_notebooks_and_their_saved_outputs_alone(french_review):
    review = lab.locate_review(french_review)
    folder = french_review / "notebooks"
    lab.write_notebooks(review, folder)
    notebook = read(folder / "consent.ipynb")
    cell = next(c for c in notebook.cells if c.cell_type == "code" and "show_check" in c.source)
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="consent.coverage: pass\n")]
    nbformat.write(notebook, folder / "consent.ipynb")  # the user ran it and saved: not an edit
    again = lab.write_notebooks(review, folder)
    assert again.unchanged == tuple(f"{a}.ipynb" for a in AREAS) and not again.written and not again.kept
    assert "consent.coverage: pass" in (folder / "consent.ipynb").read_text(encoding="utf-8")


def test_an_edited_notebook_is_kept_unless_forced_and_the_message_says_how(french_review):
    review = lab.locate_review(french_review)
    folder = french_review / "notebooks"
    lab.write_notebooks(review, folder)
    notebook = read(folder / "bias.ipynb")
    notebook.cells.append(nbformat.v4.new_code_cell("my_analysis = 1"))
    nbformat.write(notebook, folder / "bias.ipynb")
    kept = lab.write_notebooks(review, folder)
    assert kept.kept == ("bias.ipynb",)
    assert "my_analysis" in (folder / "bias.ipynb").read_text(encoding="utf-8")
    message = "\n".join(lab.report_lines(kept, review, french_review))
    assert "bias.ipynb           kept: you edited it" in message
    assert f"ethics-review lab {french_review} --force" in message
    forced = lab.write_notebooks(review, folder, force=True)
    assert "bias.ipynb" in forced.written
    assert "my_analysis" not in (folder / "bias.ipynb").read_text(encoding="utf-8")


def test_a_file_that_is_no_notebook_any_more_is_kept(french_review):
    folder = french_review / "notebooks"
    folder.mkdir()
    (folder / "consent.ipynb").write_text("my notes", encoding="utf-8")
    assert lab.write_notebooks(lab.locate_review(french_review), folder).kept == ("consent.ipynb",)
    assert (folder / "consent.ipynb").read_text(encoding="utf-8") == "my notes"


def test_the_kit_s_notebook_of_an_older_version_is_replaced(french_review):
    """A notebook the kit wrote and nobody edited, whose cells the kit now writes differently (here: English,
    before review.yaml said fr), is replaced."""
    folder = french_review / "notebooks"
    folder.mkdir()
    (folder / "consent.ipynb").write_text(notebooks.text(notebooks.build("consent", "en")), encoding="utf-8")
    assert "consent.ipynb" in lab.write_notebooks(lab.locate_review(french_review), folder).written
    assert "lang-fr" in (folder / "consent.ipynb").read_text(encoding="utf-8")


def test_as_root_the_command_adds_allow_root_once_and_says_so(french_review, capsys):
    command, added = lab.jupyter_command(Path("/x"), port=8899, no_browser=True, as_root=True)
    assert added and command[-1] == "--allow-root"
    assert "--ServerApp.port=8899" in command and "--no-browser" in command and "--ServerApp.root_dir=/x" in command
    command, added = lab.jupyter_command(Path("/x"), extra=["--allow-root"], as_root=True)
    assert not added and command.count("--allow-root") == 1
    command, added = lab.jupyter_command(Path("/x"), as_root=False)
    assert not added and "--allow-root" not in command


def test_options_after_a_double_dash_go_to_jupyter(french_review, capsys):
    assert (
        cli.main(
            [
                "lab",
                str(french_review),
                "--no-start",
                "--port",
                "8123",
                "--",
                "--IdentityProvider.token=",
                "--ServerApp.ip=127.0.0.1",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    start = next(line for line in out.splitlines() if "JupyterLab not started" in line)
    assert "-m jupyterlab" in start and "--ServerApp.port=8123" in start
    assert "--IdentityProvider.token= --ServerApp.ip=127.0.0.1" in start


def test_a_double_dash_is_only_for_lab(french_review, capsys):
    with pytest.raises(SystemExit):
        cli.main(["validate", str(french_review), "--", "--x"])


def test_a_missing_review_is_one_input_error(tmp_path, capsys):
    assert cli.main(["lab", str(tmp_path / "nowhere"), "--no-start"]) == cli.EXIT_INPUT
    assert "does not exist" in capsys.readouterr().err
    assert not (tmp_path / "nowhere").exists()


def test_without_a_review_lab_generates_the_demo_once_and_says_it_is_the_demo(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert lab.run(None, start=False, demo_contacts=1000) == 0
    folder = tmp_path / "demo-review" / "data" / "notebooks"
    first = read(folder / "consent.ipynb").cells[0]
    assert "report-hide" in first.metadata["tags"]
    assert "Ceci est la démo" in first.source  # the demo's review.yaml says lang: fr
    assert (tmp_path / "demo-review" / "data" / "planted.json").is_file()
    assert "generating the demo" in capsys.readouterr().out
    assert lab.run(None, start=False) == 0  # found, not generated again
    assert "generating the demo" not in capsys.readouterr().out


# --- what the notebook shows when the review cannot be judged ----------------------------------------------


def test_lang_none_is_the_review_s_language(french_review):
    review = display.open_for_notebook(None, str(french_review), None, None, interactive=False)
    assert review.lang == "fr"
    assert display.open_for_notebook(None, str(french_review), None, "en", interactive=False).lang == "en"


def test_an_unreadable_review_is_one_banner_and_silent_sections(tmp_path, capsys):
    review = display.open_for_notebook(None, str(tmp_path / "nowhere"), None, None, interactive=True)
    assert isinstance(review, display.Unopened) and "does not exist" in review.banner()
    walk = display.start_area(review, "consent")
    assert walk.blocked
    shown = capsys.readouterr().out
    assert shown.count("HTML object") == 1  # the banner, once
    assert display.show_check(walk, "consent.coverage") is None
    assert display.close_area(walk) == []
    display.save_findings(review, "consent", [], None)
    display.show_assessment_panel(review)
    assert capsys.readouterr().out == ""


def test_headless_an_unreadable_review_is_still_an_error(tmp_path):
    from ethics_review.errors import ReviewInputError

    with pytest.raises(ReviewInputError, match="does not exist"):
        display.open_for_notebook(None, str(tmp_path / "nowhere"), None, None, interactive=False)


def test_a_review_with_nothing_to_judge_is_one_banner_in_its_language(tmp_path, capsys):
    folder = tmp_path / "vide"
    folder.mkdir()
    (folder / "review.yaml").write_text("name: Vide\nlang: fr\n", encoding="utf-8")
    review = display.open_for_notebook(None, str(folder), None, None, interactive=True)
    assert review.lang == "fr"
    capsys.readouterr()
    walk = display.start_area(review, "consent")
    assert walk.blocked and capsys.readouterr().out.count("HTML object") == 1
    assert display.show_check(walk, "consent.coverage") is None and capsys.readouterr().out == ""
    banner = display.Unopened("m", None, "fr").banner()
    assert banner.startswith("La revue n'a pas pu être ouverte")


def test_headless_a_check_section_prints_its_status_line_then_the_finding(demo_dir, capsys):
    review = display.open_for_notebook(None, str(demo_dir), None, None, interactive=False)
    walk = display.start_area(review, "consent", interactive=False)
    capsys.readouterr()
    assert display.show_check(walk, "consent.coverage") is None  # no repr under the cell
    finding = walk.findings["consent.coverage"]
    out = capsys.readouterr().out
    assert out.splitlines()[0] == f"consent.coverage: {finding.status}" and finding.status == "fail"
    findings = display.close_area(walk)
    assert [f.check_id for f in findings] == notebooks.check_ids("consent")
    assert findings[0] is finding  # the section's finding, not computed again


def test_stopping_the_lab_command_stops_jupyter_too(tmp_path):
    """SIGTERM to `lab` (a CI runner cancelling, `kill PID`) is passed on to the server it started, which may
    shut its kernels down: nothing keeps running without its parent. The server here is a stand-in process."""
    import os
    import signal
    import subprocess
    import sys
    import time

    import psutil

    code = (
        "import sys; from ethics_review import cli, lab; cli._stop_on_sigterm(); "
        "sys.exit(lab.serve([sys.executable, '-c', 'import time; time.sleep(120)']))"
    )
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while not psutil.Process(parent.pid).children() and time.monotonic() < deadline:
        time.sleep(0.1)
    (child,) = psutil.Process(parent.pid).children()
    os.kill(parent.pid, signal.SIGTERM)
    out, _ = parent.communicate(timeout=60)
    assert parent.returncode == 0 and "JupyterLab stopped." in out
    assert not child.is_running() or child.status() == psutil.STATUS_ZOMBIE
