"""`ethics-review lab [REVIEW]`: the area notebooks in a working folder, then JupyterLab on them.

The notebooks are built in the review's language (notebooks.py) with `data_dir`/`config` filled in, into
`REVIEW/notebooks/` by default. A copy the user edited is never replaced without `--force`: the kit stores a
digest of the cells it wrote in each notebook's metadata, so running a notebook and saving its outputs is not an
edit, but changing a cell is. Without REVIEW the demo review is used (generated in `demo-review/data` when it is
not there yet, as `ethics-review demo` would), and every notebook opens with a banner saying it is the demo.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import nbformat

from . import notebooks
from .config import CONFIG_FILE_NAME, ReviewConfig, load_config
from .errors import ReviewInputError
from .findings import AREAS

NOTEBOOKS_FOLDER = "notebooks"
DEMO_FOLDER = Path("demo-review") / "data"  # where `ethics-review demo` (default --out) puts the demo's data
FIRST_NOTEBOOK = "consent.ipynb"


@dataclass(frozen=True)
class Written:
    """What `write_notebooks` did with each notebook: written (new or replacing the kit's own copy), unchanged,
    or kept (a user's edited copy)."""

    folder: Path
    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    kept: tuple[str, ...]


@dataclass(frozen=True)
class LabReview:
    """The review `lab` opens: its notebook parameters, language and whether it is the demo."""

    path: Path  # the review folder or its review.yaml
    values: dict[str, str | None]
    lang: str
    demo: bool = False

    @property
    def folder(self) -> Path:
        return self.path if self.path.is_dir() else self.path.parent


def locate_review(review: Path | None, *, demo_dir: Path = DEMO_FOLDER, demo_contacts: int | None = None) -> LabReview:
    """The review given (a folder or a review.yaml, whose config must parse), or the demo, generated if absent."""
    demo = review is None
    if review is None:
        review = demo_dir
        if not (review / CONFIG_FILE_NAME).is_file():
            from .demo import DEFAULT_CONTACTS, generate  # noqa: PLC0415 - only a first `lab` without REVIEW

            contacts = demo_contacts or DEFAULT_CONTACTS
            print(f"No review given: generating the demo review ({contacts:,} contacts) in {review} ...")
            generate(review, contacts=contacts)
    path = review.expanduser().resolve()
    if not path.exists():
        raise ReviewInputError(
            f"{review} does not exist",
            fix="pass an existing review folder or review.yaml "
            "(`ethics-review init DIR` creates one), or no argument to open the demo",
        )
    if path.is_file() and path.suffix.lower() not in {".yaml", ".yml"}:
        raise ReviewInputError(
            f"{review} is neither a review folder nor a review.yaml", fix="pass the review folder or its review.yaml"
        )
    yaml_path = path if path.is_file() else path / CONFIG_FILE_NAME
    config = load_config(yaml_path) if yaml_path.is_file() else ReviewConfig()  # a bad review.yaml stops here
    values = {"data_dir": str(path), "config": None} if path.is_dir() else {"data_dir": None, "config": str(path)}
    return LabReview(path=path, values=values, lang=config.lang, demo=demo)


def write_notebooks(review: LabReview, folder: Path, *, force: bool = False) -> Written:
    """Each area's notebook in `folder`, in the review's language. An existing copy is replaced only when it is
    the kit's own (its cells as the kit wrote them) or with `force`; an edited copy is kept."""
    folder.mkdir(parents=True, exist_ok=True)
    written, unchanged, kept = [], [], []
    for area in AREAS:
        name = f"{area}.ipynb"
        notebook = notebooks.build(area, review.lang, values=review.values, demo=review.demo)
        target = folder / name
        if target.is_file() and not force:
            current = _read(target)
            if current is not None and notebooks.sources_digest(current) == notebooks.sources_digest(notebook):
                unchanged.append(name)  # the kit's cells as they would be written now; its saved outputs stay
                continue
            if current is None or notebooks.is_edited(current):
                kept.append(name)
                continue
        target.write_text(notebooks.text(notebook), encoding="utf-8")
        written.append(name)
    return Written(folder, tuple(written), tuple(unchanged), tuple(kept))


def _read(path: Path) -> nbformat.NotebookNode | None:
    """The notebook in `path`; None when it is not one any more (then it is the user's file: kept)."""
    try:
        notebook: nbformat.NotebookNode = nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)
        return notebook
    except Exception:  # noqa: BLE001 - any unreadable file is kept, never overwritten
        return None


def jupyter_command(
    folder: Path,
    *,
    port: int | None = None,
    no_browser: bool = False,
    extra: Sequence[str] = (),
    as_root: bool | None = None,
) -> tuple[list[str], bool]:
    """The command that starts the installed JupyterLab on `folder`, and whether --allow-root was added.

    As root, Jupyter refuses to start without --allow-root; the kit adds it (a container's usual user is root,
    and the user asked for the lab), and says so."""
    command = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={folder}"]
    if port is not None:
        command.append(f"--ServerApp.port={port}")
    if no_browser:
        command.append("--no-browser")
    command += list(extra)
    root = (os.geteuid() == 0) if as_root is None and hasattr(os, "geteuid") else bool(as_root)
    added = root and not any(arg.startswith(("--allow-root", "--ServerApp.allow_root")) for arg in extra)
    if added:
        command.append("--allow-root")
    return command, added


def report_lines(written: Written, review: LabReview, review_arg: Path | None) -> list[str]:
    """What `lab` tells the user about the notebooks: where, and how to replace an edited copy."""
    lines = [
        f"Notebooks for {review.path} in {written.folder}"
        + (" (the demo review)" if review.demo else "")
        + f", in {review.lang}:"
    ]
    for name in AREAS:
        file = f"{name}.ipynb"
        state = (
            "written"
            if file in written.written
            else "unchanged"
            if file in written.unchanged
            else "kept: you edited it"
        )
        lines.append(f"  {file:<20} {state}")
    if written.kept:
        again = f"ethics-review lab {review_arg if review_arg is not None else ''} --force".replace("  ", " ")
        lines.append(
            f"Your edited notebooks were kept. To replace them with the kit's version (your edits are "
            f"lost), run: {again}; or keep them and open the kit's version elsewhere with --folder DIR."
        )
    return lines


def run(
    review_arg: Path | None,
    *,
    folder: Path | None = None,
    force: bool = False,
    port: int | None = None,
    no_browser: bool = False,
    start: bool = True,
    extra: Sequence[str] = (),
    demo_contacts: int | None = None,
) -> int:
    """Write the notebooks, then run JupyterLab on them until it stops (its exit code); `start=False` only
    writes them and prints the command."""
    review = locate_review(review_arg, demo_contacts=demo_contacts)
    target = (folder if folder is not None else review.folder / NOTEBOOKS_FOLDER).expanduser().resolve()
    written = write_notebooks(review, target, force=force)
    print("\n".join(report_lines(written, review, review_arg)))
    command, added_root = jupyter_command(target, port=port, no_browser=no_browser, extra=extra)
    if added_root:
        print("Running as root: the kit passes --allow-root to JupyterLab.")
    if not start:
        print("JupyterLab not started (--no-start). To start it: " + " ".join(command))
        return 0
    print(f"Starting JupyterLab on {target} (open {FIRST_NOTEBOOK} first; Ctrl+C to stop)", flush=True)
    return serve(command)


STOP_TIMEOUT = 30  # seconds JupyterLab gets to shut its kernels down before it is killed


def serve(command: Sequence[str]) -> int:
    """Run JupyterLab until it exits. Ctrl+C or SIGTERM (the cli turns it into KeyboardInterrupt) stops it with
    SIGTERM, which lets it shut its kernels down, instead of leaving it running without its parent."""
    process = subprocess.Popen(list(command))
    try:
        return process.wait()
    except KeyboardInterrupt:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        print("JupyterLab stopped.")
        return 0
