"""The area notebooks, built from the text catalogue: one source for every language.

Each notebook walks one area: an introduction, the parameters, then one section per check in the order of the
registry (`checks.CHECKS`): a heading with the check's title, why it matters in two or three sentences (`title` and
`why_short` from texts/*.yaml; the report keeps the full `why`) and one thin code cell,
`display.show_check(walk, "<check id>")`; then the area's scorecard and what to do first, and the cell that saves
the findings for the report. Markdown (and the parameters' comments) come from texts/notebooks.yaml and each
check's own texts, in the language asked for; the code cells only call into the package.

- `ethics-review lab` writes them in the review's language, with `data_dir`/`config` filled in (lab.py);
- the report builds them in the review's language and executes them headless (report.py);
- notebooks/*.ipynb in the repository are the English build, with one stored output line per check
  (`consent.coverage: fail`) from the demo review of the tests, which nbval compares (tests/test_notebooks.py).
  `python -m ethics_review.notebooks [--check]` (`make notebooks`) writes them or says which are stale.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import nbformat
from nbformat import NotebookNode
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from . import i18n
from .checks import CHECKS
from .engine import close
from .errors import ReviewInputError
from .findings import AREAS
from .history import default_dir as history_dir
from .paths import REPO_ROOT
from .review import open_review
from .runner import run_checks

# name, default: the report and papermill set them; each one's comment is texts/notebooks.yaml
# `notebook.parameter.<name>`, in the notebook's language
PARAMETERS: tuple[tuple[str, Any], ...] = (
    ("config", None),
    ("data_dir", None),
    ("as_of", None),
    ("lang", None),
    ("campaign", None),
    ("interactive", True),
    ("output_dir", None),
    ("engine", None),
    ("prepared", None),
)
EXTRA_PARAMETERS: Mapping[str, tuple[tuple[str, Any], ...]] = {"governance": (("history_dir", None),)}
CHECK_OUTPUT_TAG = "nbval-check-output"  # nbval --nbval-lax compares the stored outputs of these cells only
METADATA_KEY = "ethics_review"
DEMO_CONTACTS = 5000  # the demo review the stored status lines come from: tests/conftest.py DEMO_TEST_CONTACTS


def parameter_names(area: str) -> tuple[str, ...]:
    return tuple(name for name, _ in (*PARAMETERS, *EXTRA_PARAMETERS.get(area, ())))


def check_ids(area: str) -> list[str]:
    """The area's checks in catalogue (registry) order: the notebook's sections."""
    return [check.id for check in CHECKS.values() if check.area == area]


def build(
    area: str,
    lang: str,
    *,
    values: Mapping[str, Any] | None = None,
    demo: bool = False,
    statuses: Mapping[str, str] | None = None,
) -> NotebookNode:
    """The notebook of `area` with its markdown in `lang` (English when the catalogue does not speak it).

    `values` fill parameters in (lab.py: `data_dir`, `config`); `demo` adds the banner saying the notebook reads
    the demo; `statuses` (check id -> status) are stored as each check cell's output line, for nbval."""
    lang = lang if lang in i18n.LANGUAGES else "en"
    values = dict(values or {})
    unknown = set(values) - set(parameter_names(area))
    if unknown:
        raise ValueError(
            f"unknown notebook {i18n.plural(len(unknown), 'parameter|parameters', 'en')} {sorted(unknown)}"
        )
    cells: list[NotebookNode] = []

    def markdown(source: str, *, hide_in_report: bool = False) -> None:
        tags = [f"lang-{lang}", *(["report-hide"] if hide_in_report else [])]
        cells.append(new_markdown_cell(source, metadata={"tags": tags}))

    def code(source: str, *, tags: Sequence[str] = ()) -> NotebookNode:
        cell: NotebookNode = new_code_cell(source, metadata={"tags": list(tags)} if tags else {})
        cells.append(cell)
        return cell

    def words(part: str) -> str:
        return i18n.text("notebook", part, lang)

    if demo:
        markdown(f"> {words('demo')}", hide_in_report=True)
    markdown(f"# {i18n.ui(f'area.{area}', lang)}\n\n{words(f'intro.{area}')}\n\n{words('privacy')}")
    markdown(f"## {words('how_to_use.heading')}\n\n{words('how_to_use')}", hide_in_report=True)
    code(parameters_source(area, values, lang), tags=["parameters"])
    start = (
        f'walk = display.start_area(review, "{area}", interactive=interactive, campaign=campaign, '
        "history_dir=history_dir, output_dir=output_dir)"
        if area == "governance"
        else f'walk = display.start_area(review, "{area}", interactive=interactive, campaign=campaign)'
    )
    code(
        "from ethics_review import display\n\n"
        "review = display.open_for_notebook(config, data_dir, as_of, lang, interactive=interactive, engine=engine, "
        "prepared=prepared)\n" + start
    )
    markdown(f"## {words(f'how_to_read.{area}.heading')}\n\n{words('how_to_read')}")
    for number, check_id in enumerate(check_ids(area), start=1):
        why = i18n.text(check_id, "why_short", lang)  # two or three sentences; the report shows the full `why`
        markdown(f"## {number}. {i18n.text(check_id, 'title', lang)}\n\n**{i18n.text('report', 'why', lang)}.** {why}")
        cell = code(f'display.show_check(walk, "{check_id}")', tags=[CHECK_OUTPUT_TAG])
        if statuses is not None:
            cell.execution_count = number
            cell.outputs = [new_output("stream", name="stdout", text=f"{check_id}: {statuses[check_id]}\n")]
    closing = words("closing") + (f" {words('trend')}" if area == "governance" else "")
    markdown(f"## {words('closing.heading')}\n\n{closing}")
    code(
        "findings = display.close_area(walk, history_dir=history_dir, output_dir=output_dir)"
        if area == "governance"
        else "findings = display.close_area(walk)"
    )
    if area == "governance":
        markdown(f"## {words('assessment.heading')}\n\n{words('assessment')}")
        code("display.show_assessment_panel(review, interactive=interactive)")
    markdown(f"## {words('saving.heading')}\n\n{words('saving')}", hide_in_report=True)
    code(f'display.save_findings(review, "{area}", findings, output_dir, campaign=campaign)')
    for index, cell in enumerate(cells):  # stable ids: the same catalogue always writes the same file
        cell["id"] = f"{area}-{index:02d}"
    notebook: NotebookNode = new_notebook(
        cells=cells,
        metadata={
            "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
    )
    notebook.metadata[METADATA_KEY] = {"area": area, "lang": lang, "sources_sha256": sources_digest(notebook)}
    return notebook


def parameters_source(area: str, values: Mapping[str, Any], lang: str = "en") -> str:
    """The parameters cell: one `name = value  # comment` per parameter, JSON-style values (papermill's rule); the
    comments in `lang`, the names and values the same in every language."""
    parameters = (*PARAMETERS, *EXTRA_PARAMETERS.get(area, ()))
    assignments = [(f"{name} = {_literal(values.get(name, default))}", name) for name, default in parameters]
    width = max(len(assignment) for assignment, _ in assignments)
    return "\n".join(
        f"{assignment:<{width}}  # {i18n.text('notebook', f'parameter.{name}', lang)}"
        for assignment, name in assignments
    )


def _literal(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return repr(value)
    return json.dumps(value, ensure_ascii=False)  # a str or a number; also a valid Python literal


def sources_digest(notebook: NotebookNode) -> str:
    """A digest of the cells' sources and types (not their outputs): what a user edits, not what a run adds."""
    text = json.dumps([(cell.cell_type, cell.source) for cell in notebook.cells], ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def is_edited(notebook: NotebookNode) -> bool:
    """True when a notebook's cells are no longer those the kit wrote (a user's edit); running it and saving the
    outputs is not an edit. A notebook without the kit's digest counts as edited."""
    written = notebook.metadata.get(METADATA_KEY, {}).get("sources_sha256")
    return bool(written != sources_digest(notebook))


def text(notebook: NotebookNode) -> str:
    return str(nbformat.writes(notebook)) + "\n"


# --- the repository's notebooks ------------------------------------------------------------------------------


def demo_statuses() -> dict[str, str]:
    """Each check's status as its notebook section computes it on the tests' demo review (English, as nbval runs
    it: the default history next to the review, no parts of other areas)."""
    from .demo import generate  # noqa: PLC0415 - the demo generator: only regenerating the notebooks needs it

    with tempfile.TemporaryDirectory(prefix="er-notebooks-") as folder:
        data = Path(folder) / "data"
        generate(data, contacts=DEMO_CONTACTS, lang="en")
        return statuses_on(data)


CONTINUOUS = "governance.continuous_evaluation"


def statuses_on(review_dir: Path) -> dict[str, str]:
    """The status of every check as the notebooks' sections compute it (display.start_area and check_finding):
    the continuous evaluation reads the history next to the review; no campaign. nbval checks that the two
    agree, on every stored line."""
    review = open_review(review_dir)
    try:
        checks = dict(review.config.checks)
        checks[CONTINUOUS] = {**checks.get(CONTINUOUS, {}), "history": str(history_dir(review.base_dir))}
        return {finding.check_id: finding.status for finding in run_checks(review.with_options(checks=checks))}
    finally:
        close(review.con)


def repository_notebooks(statuses: Mapping[str, str]) -> dict[str, str]:
    """The text of notebooks/<area>.ipynb: the English build with the demo's status line stored per check."""
    return {f"{area}.ipynb": text(build(area, "en", statuses=statuses)) for area in AREAS}


def default_dir() -> Path:
    if not (REPO_ROOT / "pyproject.toml").is_file():
        raise ReviewInputError(
            "this kit is installed, not a clone: there is no repository notebooks/ folder",
            fix="give a folder with --out",
        )
    return REPO_ROOT / "notebooks"


def stale(folder: Path, expected: Mapping[str, str]) -> list[str]:
    return [
        name
        for name, content in expected.items()
        if not (folder / name).is_file() or (folder / name).read_text(encoding="utf-8") != content
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ethics_review.notebooks", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=None, help="folder to write into (default: the repo's notebooks/)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 when a notebook is stale")
    args = parser.parse_args(argv)
    folder = args.out or default_dir()
    expected = repository_notebooks(demo_statuses())
    if args.check:
        outdated = stale(folder, expected)
        for name in outdated:
            print(
                f"{folder / name} is stale: run `make notebooks` (python -m ethics_review.notebooks)", file=sys.stderr
            )
        return 1 if outdated else 0
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in expected.items():
        (folder / name).write_text(content, encoding="utf-8")
        print(f"wrote {folder / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
