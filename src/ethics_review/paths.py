"""Where the kit's bundled resources live: the notebooks and the nbconvert/report templates.

In a wheel they are shipped inside the package (pyproject force-includes the repo's `notebooks/` and
`templates/` as `ethics_review/_bundled/...`); in an editable install they are read from the repository root.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

PACKAGE_DIR = Path(__file__).resolve().parent
BUNDLED_DIR = PACKAGE_DIR / "_bundled"
REPO_ROOT = PACKAGE_DIR.parents[1]  # src/ethics_review -> repository root in an editable install


class ResourceNotFoundError(FileNotFoundError):
    """The kit's own files are missing: a broken install, not a user mistake."""


def _resource_dir(name: str) -> Path:
    candidates = (BUNDLED_DIR / name, REPO_ROOT / name)
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    looked = " and ".join(str(c) for c in candidates)
    raise ResourceNotFoundError(
        f"the kit's '{name}' folder was not found: looked in {looked}. "
        "Fix: reinstall the kit (`pip install --force-reinstall ethics-review`) or, in a clone of the "
        "repository, install it with `pip install -e .` so that the repository's folders are used."
    )


def notebooks_dir() -> Path:
    """The folder holding consent.ipynb, bias.ipynb and transparency.ipynb."""
    return _resource_dir("notebooks")


def templates_dir() -> Path:
    """The folder holding `report/` (the nbconvert template and the scorecard page) and `review/`."""
    return _resource_dir("templates")


def notebook_path(area: str) -> Path:
    path = notebooks_dir() / f"{area}.ipynb"
    if not path.is_file():
        available = sorted(p.stem for p in notebooks_dir().glob("*.ipynb"))
        raise ResourceNotFoundError(f"no notebook for area '{area}' at {path}; notebooks found: {available}")
    return path


def report_template_dir() -> Path:
    """The nbconvert template folder `templates/report/` (conf.json, index.html.j2, scorecard.html.j2)."""
    path = templates_dir() / "report"
    if not (path / "conf.json").is_file():
        raise ResourceNotFoundError(f"the report template is missing: {path / 'conf.json'} does not exist")
    return path


def package_yaml(*parts: str) -> Any:
    """A YAML data file shipped inside the package (texts, lexicons, legal dates), parsed with libyaml when
    PyYAML has it: every finding reads texts, and the pure-Python parser is much slower."""
    text = resources.files("ethics_review").joinpath(*parts).read_text(encoding="utf-8")
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def package_json(*parts: str) -> Any:
    """A JSON file shipped inside the package (the findings.json schema)."""
    return json.loads(resources.files("ethics_review").joinpath(*parts).read_text(encoding="utf-8"))
