"""The report: execute the area notebooks headless, render them to offline HTML, write the scorecard page and
findings.json.

Flow (papermill's lesson: the executed notebook is the audit record):
1. open the review once in this process, so that bad input stops the run with one clear message (exit 2), and
   write its validated tables into the staging folder (prepared.py: removed before the report is moved into place);
2. build each area notebook in the review's language (notebooks.py) and execute it with papermill (kernel
   `python3`, `interactive=False`, `output_dir` and `prepared` set), one kernel process per notebook, which reads
   the prepared tables instead of reading and validating the files again; the notebook writes
   `parts/<area>.findings.json` itself, so the pages and the JSON come from the same execution; the executed
   notebook is kept, also when it fails;
3. render each executed notebook with nbconvert through the kit's template (`templates/report/`);
4. merge the parts into `findings.json` (validated against the shipped JSON Schema) and write `index.html`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from html import escape
from pathlib import Path
from typing import Any, TypeVar

from . import history as run_history
from . import i18n, legal, notebooks, pages
from .engine import close
from .errors import ReviewInputError
from .findings import AREAS, Finding, Status, Threshold, status_counts, worst
from .kernels import (
    GOVERNANCE,
    KERNEL_ARGUMENTS,
    KERNEL_NAME,
    MAX_PARALLEL_NOTEBOOKS,
    KernelsAhead,
    StartedKernel,
    close_thread_event_loop,
    for_report,
    is_kernel_start_race,
    kernel_config,
    start_order,
)
from .parts import pending_path
from .paths import package_json, report_template_dir, templates_dir
from .pdf import find_chromium, write_pdf
from .prepared import FOLDER as PREPARED_FOLDER
from .prepared import can_prepare, open_prepared, restrict_to_country, write_prepared
from .review import InputFingerprint, Review, open_review
from .runner import enabled_checks, require_something_to_judge, validate_check_options
from .work import next_step, order_of_work

log = logging.getLogger(__name__)
T = TypeVar("T")
R = TypeVar("R")

KERNEL_START_ATTEMPTS = 3  # parallel kernels can race for ports: retry the start, never a failed cell
# By default two notebooks run at once only for a review of fewer input rows than this: each kernel's engine holds
# its own working memory (10M contacts: 5.8 GB in the consent kernel), and two at once would add up the peaks.
PARALLEL_ROWS = 1_000_000
CELL_TIMEOUT = 3600  # seconds per cell: a hung kernel becomes an error instead of a run that never ends
PARTS_DIR = "parts"
PREPARED_DIR = PREPARED_FOLDER  # the validated tables the notebooks read (personal data: removed before the move)
FINDINGS_FILE = "findings.json"
INDEX_FILE = "index.html"
HEADER_LABELS = ("review", "as_of", "campaign", "kit_version", "back_to_scorecard", "sep")


class ReportError(RuntimeError):
    """A notebook could not be executed or rendered, or its output is inconsistent: an internal error (exit 3).
    The executed notebook, when there is one, is saved before this is raised."""


@dataclass(frozen=True)
class ReportResult:
    out_dir: Path
    findings: tuple[Finding, ...]
    summary: Mapping[str, int]  # count per status, every status present
    paths: Mapping[str, Path]  # "index", "findings", and "<area>.html" / "<area>.ipynb" per area
    lang: str = "en"  # the review's language, for the command's summary

    @property
    def worst(self) -> Status:
        return worst(f.status for f in self.findings)


def run_report(
    review_path: str | Path,
    out_dir: str | Path,
    *,
    as_of: str | dt.date | None = None,
    lang: str | None = None,
    areas: Sequence[str] = AREAS,
    progress: bool | Callable[[int], Any] = True,
    campaign: str | None = None,
    country: str | None = None,
    jobs: int | None = None,
    cell_timeout: int | None = CELL_TIMEOUT,
    history: str | Path | None = None,
    pdf: bool = False,
    chromium: str | Path | None = None,
    engine: str | Mapping[str, Any] | None = None,
    kernels: KernelsAhead | None = None,
) -> ReportResult:
    """Run the review at `review_path` (a folder or a review.yaml) and write its report to `out_dir`.

    `as_of` and `lang` override the config. `campaign` restricts every check that accepts it to one campaign;
    `country` restricts the review to the contacts of one country (and their records) before the notebooks run.
    `progress` is a bool (a terminal bar) or a function that takes the number of steps and returns a tqdm-like bar.
    `pdf` also prints report.pdf with the system's Chromium (`chromium`: its path, else found on PATH).
    `jobs` (1 or 2; None: 2 below PARALLEL_ROWS input rows, else 1) is how many notebooks run at the same time;
    `cell_timeout` (seconds, None for none) bounds each cell. `history` is the review's history folder: the run
    is appended to it (aggregates only, history.py); None reads the default folder next to the review and appends
    nothing. `engine` overrides the config's engine, here and in every notebook. Raises ReviewInputError for bad
    input or config (exit 2 at the CLI) and ReportError when a notebook fails (exit 3; its executed copy, with the
    error, stays in `out_dir`). `kernels`: started by the caller (kernels.for_report with the same areas and jobs),
    who closes them; None: started and closed here.
    """
    areas = (areas,) if isinstance(areas, str) else tuple(areas)
    unknown = [a for a in areas if a not in AREAS]
    if unknown or not areas:
        raise ReviewInputError(
            f"unknown {i18n.plural(len(unknown), 'area|areas', 'en')} {unknown}" if unknown else "no area to review",
            fix=f"choose among {', '.join(AREAS)}",
        )
    if pdf:
        find_chromium(chromium)  # no Chromium: say so now (exit 2), not after the notebooks ran
    # The first kernels start now, unless the caller started them (the command does, before importing this
    # module): their start-up runs while this process opens and validates the review.
    own_kernels = kernels is None
    kernels = for_report(review_path, areas, jobs) if kernels is None else kernels
    try:
        return _run_report(
            review_path,
            out_dir,
            kernels=kernels,
            as_of=as_of,
            lang=lang,
            areas=areas,
            progress=progress,
            campaign=campaign,
            country=country,
            jobs=jobs,
            cell_timeout=cell_timeout,
            history=history,
            pdf=pdf,
            chromium=chromium,
            engine=engine,
        )
    finally:
        if own_kernels:
            kernels.close()


def _run_report(
    review_path: str | Path,
    out_dir: str | Path,
    *,
    kernels: KernelsAhead,
    as_of: str | dt.date | None,
    lang: str | None,
    areas: tuple[str, ...],
    progress: bool | Callable[[int], Any],
    campaign: str | None,
    country: str | None,
    jobs: int | None,
    cell_timeout: int | None,
    history: str | Path | None,
    pdf: bool,
    chromium: str | Path | None,
    engine: str | Mapping[str, Any] | None,
) -> ReportResult:
    from tqdm import tqdm  # noqa: PLC0415 - papermill and nbconvert: only a report run needs them, not the CLI's other commands

    review = open_review(review_path, as_of=as_of, lang=lang, engine=engine)
    if country is not None:
        review = restrict_to_country(review, country)
    validate_check_options(review)
    require_something_to_judge(review)
    final = Path(out_dir).resolve()
    check_out_dir(final, review)
    # Everything is written to a staging folder beside --out and moved into place at the end: a run that is
    # killed or fails leaves no report that looks complete, and never half of one over the previous run's.
    final.parent.mkdir(parents=True, exist_ok=True)
    out = Path(tempfile.mkdtemp(prefix=f".{final.name}.partial-", dir=final.parent))
    (out / PARTS_DIR).mkdir(parents=True, exist_ok=True)
    parameters = notebook_parameters(Path(review_path), review, campaign=campaign, output_dir=out / PARTS_DIR)
    parameters["engine"] = engine  # None: the notebooks use the config's engine, as this process did
    prepared = out / PREPARED_DIR
    history_dir = (
        run_history.check_location(Path(history), review.base_dir, (i.path for i in review.inputs))
        if history is not None
        else run_history.default_dir(review.base_dir)
    )

    total = 2 * len(areas) + 1
    steps = (
        tqdm(total=total, desc="ethics review", unit="step", disable=not progress)
        if isinstance(progress, bool)
        else progress(total)
    )
    keep_staging = False
    try:
        if can_prepare(review):
            # Open once: the notebooks read the tables validated here, not the files (prepared.py).
            steps.set_postfix_str("preparing the validated tables")
            parameters["prepared"] = str(write_prepared(review, prepared))
            if review.con.name == "duckdb":  # free the tables parsed here while the kernels run
                close(review.con)
                review = open_prepared(prepared)
        failures: dict[str, str] = {}
        rendered: dict[str, Future[Path]] = {}  # area -> its page, rendered as soon as its notebook ended
        pages_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ethics-review-pages")
        # What the pages and the merged record need, loaded while the first notebooks run rather than after them.
        pages_thread.submit(_page_exporter, review.lang)
        pages_thread.submit(schema_validator, "findings.schema.json")

        def execute(area: str) -> Path:
            steps.set_postfix_str(f"running {area}")
            # governance compares this run with the previous one: it reads the other areas' parts of this run
            extra = {"history_dir": str(history_dir)} if area == GOVERNANCE else {}
            try:
                target = execute_area_notebook(
                    area, out, {**parameters, **extra}, cell_timeout=cell_timeout, kernel=kernels.take(area)
                )
            except ReportError as exc:
                # Failure isolation: one area's crash becomes error findings (written as its part, which
                # governance reads); the other areas still run.
                log.error("%s", exc)
                failures[area] = str(exc).replace(str(out), str(final))
                pages.write_json(
                    pages.part_path(out / PARTS_DIR, area),
                    failed_part(judged, area, failures[area], campaign=campaign),
                )
                target = out / f"{area}.ipynb"
            finally:
                pending_path(out / PARTS_DIR, area).unlink(missing_ok=True)  # its part is written: governance reads it
            steps.update()
            if target.is_file() and pages.part_path(out / PARTS_DIR, area).is_file():
                # Its page now, in a thread of its own, while the next notebook starts. The page header holds only
                # what every part shares (merge_parts checks that they agree), so the part gives the same page as
                # the merged record.
                rendered[area] = pages_thread.submit(_render_now, steps, target, area, read_part(out, area))
            return target

        judged = review.with_options(as_of=review.as_of, lang=review.lang)  # as the notebooks resolved them
        first = [a for a in areas if a != GOVERNANCE]
        jobs = notebooks_at_once(review.inputs) if jobs is None else jobs
        kernels.plan(start_order(areas, jobs), ahead=max(1, min(jobs, MAX_PARALLEL_NOTEBOOKS)))
        try:
            if GOVERNANCE in areas and first and jobs > 1:
                # Governance runs beside the others from the start: its checks and its kernel's start-up fill the
                # cores while they run, and its continuous evaluation waits for their parts (parts.py).
                for area in first:
                    pending_path(out / PARTS_DIR, area).touch()
                with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ethics-review-governance") as beside:
                    governance = beside.submit(_in_worker_thread, execute, GOVERNANCE)
                    try:
                        done = dict(zip(first, map_notebooks(execute, first, jobs=jobs), strict=True))
                    finally:  # an area that never ran leaves no mark for governance to wait on
                        for area in first:
                            pending_path(out / PARTS_DIR, area).unlink(missing_ok=True)
                    done[GOVERNANCE] = governance.result()
            else:
                done = dict(zip(first, map_notebooks(execute, first, jobs=jobs), strict=True))
                if GOVERNANCE in areas:  # last: its continuous evaluation reads the parts the others wrote
                    done[GOVERNANCE] = execute(GOVERNANCE)
            pages_thread.shutdown(wait=True)
            pages_done = {area: page.result() for area, page in rendered.items()}
        finally:
            pages_thread.shutdown(wait=True, cancel_futures=True)
        executed = [done[a] for a in areas]
        parts = {area: read_part(out, area) for area in areas}
        record = merge_parts(parts, areas=areas)
        record["legal"] = legal.legal_block(review, review.lang)  # the dates used and the dated notice
        validate_findings(record)
        paths: dict[str, Path] = {}
        for area, notebook in zip(areas, executed, strict=True):
            if area in pages_done:
                paths[f"{area}.ipynb"] = final / notebook.name
                paths[f"{area}.html"] = final / pages_done[area].name
                continue
            steps.set_postfix_str(f"rendering {area}")
            if notebook.is_file():
                paths[f"{area}.ipynb"] = final / notebook.name
                paths[f"{area}.html"] = final / render_area_page(notebook, area, record).name
            steps.update()
        paths["findings"] = final / write_findings(out, record).name
        paths["index"] = final / write_index(out, record, areas).name
        if history is not None:
            paths["history"] = run_history.append(history_dir, record)
        if pdf:
            steps.set_postfix_str("printing report.pdf")
            printed = write_pdf(out, [out / INDEX_FILE, *(out / f"{a}.html" for a in areas)], chromium=chromium)
            paths["pdf"] = final / printed.name  # printed from the staging folder, moved with it
        steps.update()
        _remove_tree(prepared)  # personal data: never part of the report
        replace_folder(out, final)
    except ReportError:
        keep_staging = True  # the executed notebooks are the record of what failed
        raise
    finally:
        steps.close()
        _remove_tree(prepared)  # also when the run failed and its staging folder is kept
        close(review.con)
        if not keep_staging and out.exists():
            _remove_tree(out)
    findings = tuple(finding_from_json(f) for f in record["findings"])
    return ReportResult(
        out_dir=final, findings=findings, summary=dict(record["summary"]), paths=paths, lang=record["lang"]
    )


REPORT_MARKER = ".ethics-review-report"  # marks a folder as a report the kit wrote (and may replace)


def check_out_dir(out: Path, review: Review) -> None:
    """The report never goes among the inputs: --out may not be the review folder, be inside it or contain it
    (nor contain any input file), and an existing --out must be empty or a report the kit wrote."""
    base = review.base_dir.resolve()
    inputs = [Path(item.path).resolve() for item in review.inputs if item.sha256 is not None]
    clash = (
        out == base
        or out.is_relative_to(base)
        or base.is_relative_to(out)
        or any(path.is_relative_to(out) for path in inputs)
    )
    if clash:
        raise ReviewInputError(
            f"the output folder {out} is, is inside, or contains the review's inputs ({base}): "
            "the report would be written among them",
            fix="choose an output folder outside the "
            "review folder, e.g. --out " + str(base.parent / f"{base.name}-report"),
        )
    if out.exists() and not out.is_dir():
        raise ReviewInputError(f"the output path {out} is a file", fix="choose a folder for --out")
    if (
        out.is_dir()
        and any(out.iterdir())
        and not any((out / name).exists() for name in (REPORT_MARKER, FINDINGS_FILE, INDEX_FILE))
    ):
        raise ReviewInputError(
            f"the output folder {out} is not empty and holds no report of the kit: a run replaces "
            "its output folder as a whole",
            fix="choose a new or empty folder for --out",
        )


def replace_folder(staging: Path, final: Path) -> None:
    """Move the finished report into place: the previous report is moved aside first, then removed."""
    (staging / REPORT_MARKER).write_text("written by ethics-review; a rerun replaces this folder\n", encoding="utf-8")
    previous = None
    if final.exists():
        previous = Path(tempfile.mkdtemp(prefix=f".{final.name}.old-", dir=final.parent))
        final.rename(previous / "report")
    staging.rename(final)
    if previous is not None:
        _remove_tree(previous)


def _remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def failed_part(review: Review, area: str, message: str, *, campaign: str | None) -> dict[str, Any]:
    """An area whose notebook failed: one `error` finding per check of the area, with the failure."""
    lang = review.lang
    findings = [
        Finding(
            check_id=check.id,
            area=area,
            status="error",
            title=i18n.text(check.id, "title", lang),
            summary=i18n.ui("error_summary", lang, error=message),
            recommendation=i18n.ui("error_recommendation", lang),
            references=i18n.references(check.id),
        )
        for check in enabled_checks(review, area=area)
    ]
    return {"area": area, **pages.findings_record(review, findings, campaign=campaign)}


def _render_now(steps: Any, notebook: Path, area: str, record: Mapping[str, Any]) -> Path:
    steps.set_postfix_str(f"rendering {area}")
    page = render_area_page(notebook, area, record)
    steps.update()
    return page


def notebooks_at_once(inputs: Iterable[InputFingerprint]) -> int:
    """How many notebooks run at the same time by default: two for a review of fewer than PARALLEL_ROWS input rows,
    one for a larger one (each kernel's engine then holds GBs: two at once would add up the peaks)."""
    return MAX_PARALLEL_NOTEBOOKS if sum(item.rows for item in inputs) < PARALLEL_ROWS else 1


def map_notebooks(function: Callable[[T], R], items: Sequence[T], *, jobs: int) -> list[R]:
    """`function` over `items`, in order, with at most MAX_PARALLEL_NOTEBOOKS running at once (threads: each
    kernel is its own process, the threads only wait for it)."""
    workers = max(1, min(jobs, MAX_PARALLEL_NOTEBOOKS, len(items)))
    if workers == 1:
        return [function(item) for item in items]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda item: _in_worker_thread(function, item), items))


def _in_worker_thread(function: Callable[[T], R], item: T) -> R:
    """Run one item, then close the event loop that the notebook client opened for this thread (left open it
    leaks a loop and its sockets per thread: ResourceWarnings)."""
    try:
        return function(item)
    finally:
        close_thread_event_loop()


def notebook_parameters(review_path: Path, review: Review, *, campaign: str | None, output_dir: Path) -> dict[str, Any]:
    """The notebooks' parameters: the review's location, and `as_of`/`lang` as resolved here, so that every
    notebook judges at the same date in the same language (even across midnight)."""
    path = review_path.expanduser().resolve()
    return {
        "data_dir": str(path) if path.is_dir() else None,
        "config": None if path.is_dir() else str(path),
        "as_of": review.as_of.isoformat(),
        "lang": review.lang,
        "campaign": campaign,
        "interactive": False,
        "output_dir": str(output_dir),
        "prepared": None,  # set by run_report when the engine's tables can be prepared (prepared.py)
    }


def execute_area_notebook(
    area: str,
    out: Path,
    parameters: Mapping[str, Any],
    *,
    cell_timeout: int | None = CELL_TIMEOUT,
    kernel: StartedKernel | None = None,
) -> Path:
    """Execute `<area>.ipynb` into `out`; the executed notebook is written even when a cell fails. `kernel` (one
    started ahead, KernelsAhead) runs it; without one, or when it did not start, a kernel is started here."""
    import papermill  # noqa: PLC0415 - papermill and nbconvert: only a report run needs them, not the CLI's other commands
    from papermill.exceptions import PapermillExecutionError  # noqa: PLC0415 - papermill and nbconvert: only a report run needs them, not the CLI's other commands

    target = out / f"{area}.ipynb"
    pages.part_path(out / PARTS_DIR, area).unlink(missing_ok=True)  # never merge a stale part
    # The notebook as the kit builds it in the review's language (its markdown is part of the page).
    source = notebooks.text(notebooks.build(area, str(parameters.get("lang") or "en")))
    for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
        started, kernel = kernel, None  # a kernel started ahead serves the first attempt only
        try:
            # A short socket path: unix socket paths are limited to about 100 characters.
            with tempfile.TemporaryDirectory(prefix="er-") as sockets:
                built = Path(sockets) / f"{area}.ipynb"
                built.write_text(source, encoding="utf-8")
                papermill.execute_notebook(
                    str(built),
                    str(target),
                    engine_name=_save_once_engine(),
                    parameters=dict(parameters),
                    kernel_name=KERNEL_NAME,
                    language="python",
                    progress_bar=False,
                    log_output=False,
                    # No `cwd`: papermill would chdir the whole process, and two notebooks run in threads at once
                    # left it in the output folder. The notebooks read and write absolute paths only.
                    execution_timeout=cell_timeout,
                    config=kernel_config(sockets),
                    extra_arguments=list(KERNEL_ARGUMENTS),
                    **({} if started is None else {"km": started.manager}),
                )
            return target
        except PapermillExecutionError as exc:
            raise _cell_error(area, target, exc) from None
        except Exception as exc:
            if not is_kernel_start_race(exc) or attempt == KERNEL_START_ATTEMPTS:
                raise ReportError(
                    f"the {area} notebook could not be executed: {type(exc).__name__}: {exc} "
                    f"(attempt {attempt}; notebook saved at {target})"
                ) from exc
            log.warning(
                "kernel for %s failed to start (%s); retrying (%d/%d)", area, exc, attempt, KERNEL_START_ATTEMPTS
            )
    raise AssertionError("unreachable")


SAVE_ONCE_ENGINE = "ethics_review_save_once"


@cache
def _save_once_engine() -> str:
    """A papermill engine that writes the executed notebook once, when it ends (also when a cell fails, times out
    or the kernel dies), instead of at the start and the end of every cell: a page's notebook holds plotly.js
    (about 5 MB), and papermill's pure-Python JSON writes of it were about 9 s of CPU on the 20k demo review
    (212 writes), more than any check. It also shuts down a kernel started ahead (KernelsAhead) once its notebook
    ran. Registered once, under its own name."""
    from papermill.clientwrap import PapermillNotebookClient  # noqa: PLC0415 - papermill and nbconvert: only a report run needs them, not the CLI's other commands
    from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines  # noqa: PLC0415 - papermill and nbconvert: only a report run needs them, not the CLI's other commands
    from papermill.log import logger  # noqa: PLC0415 - papermill and nbconvert: only a report run needs them, not the CLI's other commands
    from papermill.utils import merge_kwargs, remove_args  # noqa: PLC0415 - papermill and nbconvert: only a report run needs them, not the CLI's other commands

    class SaveAtEnd(NotebookExecutionManager):  # type: ignore[misc]  # papermill publishes no annotations
        def save(self, **kwargs: Any) -> None:
            if self.end_time is not None:  # set by notebook_complete (papermill's `finally`) before its last save
                super().save(**kwargs)

    class SaveOnceEngine(NBClientEngine):  # type: ignore[misc]  # papermill publishes no annotations
        @classmethod
        def execute_notebook(
            cls,
            nb: Any,
            kernel_name: str,
            output_path: str | None = None,
            progress_bar: bool = True,
            log_output: bool = False,
            autosave_cell_every: int = 30,
            **kwargs: Any,
        ) -> Any:
            # papermill's Engine.execute_notebook with SaveAtEnd as the execution manager
            manager = SaveAtEnd(
                nb,
                output_path=output_path,
                progress_bar=progress_bar,
                log_output=log_output,
                autosave_cell_every=autosave_cell_every,
            )
            manager.notebook_start()
            try:
                cls.execute_managed_notebook(manager, kernel_name, log_output=log_output, **kwargs)
            finally:
                manager.cleanup_pbar()
                manager.notebook_complete()
            return manager.nb

        @classmethod
        def execute_managed_notebook(
            cls,
            nb_man: Any,
            kernel_name: str,
            log_output: bool = False,
            stdout_file: Any = None,
            stderr_file: Any = None,
            start_timeout: int = 60,
            execution_timeout: int | None = None,
            **kwargs: Any,
        ) -> Any:
            # papermill's NBClientEngine.execute_managed_notebook, with one change: the client shuts down and
            # cleans up a kernel it was given (`km`, started ahead) as it does one it starts itself.
            kwargs = remove_args(["input_path"], **kwargs)
            safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
            final_kwargs = merge_kwargs(
                safe_kwargs,
                timeout=execution_timeout if execution_timeout else kwargs.get("timeout"),
                startup_timeout=start_timeout,
                kernel_name=kernel_name,
                log=logger,
                log_output=log_output,
                stdout_file=stdout_file,
                stderr_file=stderr_file,
                # Every output has arrived when the last cell ends, and the part is written: a graceful shutdown
                # only waited about 1 s per notebook for the kernel's exit handlers.
                shutdown_kernel="immediate",
            )
            return PapermillNotebookClient(nb_man, **final_kwargs).execute(cleanup_kc=True)

    papermill_engines.register(SAVE_ONCE_ENGINE, SaveOnceEngine)
    return SAVE_ONCE_ENGINE


def _cell_error(area: str, target: Path, exc: Any) -> Exception:
    """A failed cell: a user's input error stays an input error (exit 2); anything else is a ReportError."""
    if exc.ename in {"ReviewInputError", "ConfigError", "DataError"}:
        message, _, fix = str(exc.evalue).partition("\nFix: ")
        return ReviewInputError(message, fix=fix or f"see the executed notebook {target}")
    return ReportError(
        f"the {area} notebook failed in cell {exc.cell_index + 1} with {exc.ename}: {exc.evalue}. "
        f"The executed notebook, with the full traceback, is saved at {target}"
    )


def read_part(out: Path, area: str) -> dict[str, Any]:
    path = pages.part_path(out / PARTS_DIR, area)
    if not path.is_file():
        raise ReportError(
            f"the {area} notebook ran but wrote no findings ({path} is missing): its last cell must "
            "call display.save_findings(review, area, findings, output_dir)"
        )
    part: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return part


def merge_parts(parts: Mapping[str, Mapping[str, Any]], *, areas: Sequence[str]) -> dict[str, Any]:
    """One record from the areas' parts. They must describe the same review on the same inputs: a file that
    changed while the notebooks ran would make the report inconsistent."""
    first = parts[areas[0]]
    shared = ("kit_version", "review", "as_of", "lang", "campaign", "inputs", "config")
    for area in areas[1:]:
        differing = [key for key in shared if parts[area].get(key) != first.get(key)]
        if differing:
            raise ReportError(
                f"the {areas[0]} and {area} notebooks saw different {', '.join(differing)}; an input "
                "probably changed during the run: run the report again"
            )
    findings = [finding for area in areas for finding in parts[area]["findings"]]
    return {
        **{key: first.get(key) for key in shared},
        "areas": list(areas),
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "summary": status_counts(finding["status"] for finding in findings),
        "findings": findings,
    }


@cache
def package_schema(name: str) -> dict[str, Any]:
    """A JSON schema shipped with the kit (`schema/<name>`), read once."""
    schema: dict[str, Any] = package_json("schema", name)
    return schema


def findings_schema() -> dict[str, Any]:
    return package_schema("findings.schema.json")


@cache
def schema_validator(schema: str) -> Any:
    """The validator of a schema shipped with the kit, built once (the report builds it while the notebooks run)."""
    from jsonschema import Draft202012Validator  # noqa: PLC0415 - papermill and nbconvert: only a report run needs them, not the CLI's other commands

    return Draft202012Validator(package_schema(schema))


def validate_record(record: Mapping[str, Any], schema: str, file_name: str) -> None:
    """A record must match the schema shipped with the kit (`schema`) before it is written as `file_name`."""
    errors = sorted(schema_validator(schema).iter_errors(record), key=lambda e: list(e.path))
    if errors:
        lines = [f"  at /{'/'.join(str(p) for p in e.path)}: {e.message[:300]}" for e in errors[:10]]
        raise ReportError(f"{file_name} does not match its schema; problems found: {len(errors)}\n" + "\n".join(lines))


def validate_findings(record: Mapping[str, Any]) -> None:
    validate_record(record, "findings.schema.json", FINDINGS_FILE)


def write_findings(out: Path, record: Mapping[str, Any]) -> Path:
    """Deterministic: sorted keys, fixed indentation; `generated_at` is the only value that changes run to run."""
    path = out / FINDINGS_FILE
    pages.write_json(path, record)
    return path


def finding_from_json(record: Mapping[str, Any]) -> Finding:
    """A Finding back from its JSON form (findings.json, a notebook's part)."""
    return Finding(
        check_id=record["check_id"],
        area=record["area"],
        status=record["status"],
        title=record["title"],
        summary=record["summary"],
        recommendation=record["recommendation"],
        metric=dict(record["metric"]),
        thresholds=tuple(Threshold(**t) for t in record["thresholds"]),
        references=tuple(record["references"]),
        evidence=tuple(dict(row) for row in record["evidence"]),
        notes=tuple(record["notes"]),
    )


def page_context(record: Mapping[str, Any], *, title: str) -> dict[str, Any]:
    """What the page header shows, in the review's language."""
    lang = record["lang"]
    return {
        "title": title,
        "review": record["review"],
        "as_of": i18n.format_day(record["as_of"], lang),
        "campaign": record.get("campaign"),
        "kit_version": record["kit_version"],
        "lang": lang,
        "index_href": INDEX_FILE,
        "labels": {key: pages.label(key, lang) for key in HEADER_LABELS},
    }


def render_area_page(notebook: Path, area: str, record: Mapping[str, Any]) -> Path:
    """The executed notebook as offline HTML through the kit's template: code and prompts hidden."""
    import nbformat  # noqa: PLC0415 - papermill and nbconvert: only a report run needs them, not the CLI's other commands

    lang = record["lang"]
    title = pages.area_title(area, lang)
    report_template_dir()  # a clear error when the template is missing
    nb = nbformat.read(notebook, as_version=4)
    with _EXPORTING:  # one exporter per language, its templates compiled once; it keeps state while it renders
        body, _ = _page_exporter(lang).from_notebook_node(
            nb, resources={"metadata": {"name": title}, "ethics_review": page_context(record, title=title)}
        )
    page = notebook.with_suffix(".html")
    page.write_text(body, encoding="utf-8")
    return page


_EXPORTING = threading.Lock()


@cache
def _page_exporter(lang: str) -> Any:
    return _page_exporter_class()(
        template_name="report",
        extra_template_basedirs=[str(templates_dir())],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        language_code=lang,
        theme="light",
    )


OUTPUT_DIV = re.compile(r'<div class="([^"<>]*\bjp-OutputArea-output\b[^"<>]*)"')


@cache
def _page_exporter_class() -> Any:
    """nbconvert's HTMLExporter without its last pass: it parses the whole page with BeautifulSoup to give images
    an alt text and make outputs focusable (about 1 s of CPU for the bias page of the 20k demo, more than rendering
    it). The kit's pages hold no image (their charts are plotly); the outputs are made focusable here, on the start
    tags the template writes (every value inside them is escaped HTML)."""
    from nbconvert import HTMLExporter  # noqa: PLC0415 - papermill and nbconvert: only a report run needs them, not the CLI's other commands
    from nbconvert.exporters.templateexporter import TemplateExporter  # noqa: PLC0415 - as above
    from nbconvert.filters.highlight import Highlight2HTML  # noqa: PLC0415 - as above
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter  # noqa: PLC0415 - as above

    highlight: Any = Highlight2HTML  # nbconvert publishes no annotations: its callables are Any here
    data_types: Any = WidgetsDataTypeFilter
    render_template: Any = TemplateExporter.from_notebook_node

    class PageExporter(HTMLExporter):
        def from_notebook_node(self, nb: Any, resources: Any = None, **kw: Any) -> Any:
            # HTMLExporter.from_notebook_node up to its BeautifulSoup pass
            this: Any = self
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            this.register_filter(
                "highlight_code", this.filters.get("highlight_code", highlight(pygments_lexer=lexer, parent=this))
            )
            resources = this._init_resources(resources)
            this.register_filter(
                "filter_data_type", data_types(notebook_metadata=this._nb_metadata, parent=this, resources=resources)
            )
            body, resources = render_template(this, nb, resources, **kw)
            return OUTPUT_DIV.sub(r'<div tabindex="0" class="\1"', body), resources

    return PageExporter


VERDICT_COLOURS = {
    "error": "#6a1b9a",
    "fail_rule": "#8e0000",
    "fail": "#c62828",
    "warn": "#ef8f00",
    "pass": "#2e7d32",
    "not_applicable": "#9e9e9e",
}


def _legal_context(block: Mapping[str, Any] | None, lang: str) -> dict[str, Any] | None:
    """The scorecard's legal block: the dates used, dates written out, and the notice (legal.py)."""
    if block is None:
        return None
    return {
        "notice": block["notice"],
        "heading": i18n.text("legal", "heading", lang),
        "columns": {
            key: i18n.text("legal", f"columns.{key}", lang)
            for key in ("rule", "applies_from", "status", "source", "override")
        },
        "dates": [
            {
                **entry,
                "source": i18n.reference(entry["source"], lang)[0] if entry.get("source") else "",
                "applies_from_text": (
                    i18n.format_day(entry["applies_from"], lang)
                    if entry["applies_from"]
                    else i18n.text("legal", "no_date", lang)
                ),
            }
            for entry in block["dates"]
        ],
    }


def write_index(out: Path, record: Mapping[str, Any], areas: Iterable[str]) -> Path:
    """index.html: the scorecard. Counts per verdict and per area (with a small figure), then the order of work:
    one line per finding, most urgent first, with its owner, its next step and a link to its section."""
    import jinja2  # noqa: PLC0415 - papermill and nbconvert: only a report run needs them, not the CLI's other commands
    from markupsafe import Markup  # noqa: PLC0415 - papermill and nbconvert: only a report run needs them, not the CLI's other commands

    lang = record["lang"]
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(report_template_dir()), autoescape=True, undefined=jinja2.StrictUndefined
    )
    areas = list(areas)
    by_area = {area: pages.verdict_counts(f for f in record["findings"] if f["area"] == area) for area in areas}
    totals = pages.verdict_counts(record["findings"])
    label = pages.label
    steps = [(f, next_step(f["recommendation"])) for f in order_of_work(record["findings"])]
    page = environment.get_template("scorecard.html.j2").render(
        lang=lang,
        css=Markup(pages.style_html()),
        header=page_context(record, title=label("scorecard_title", lang)) | {"index_href": None},
        words={
            key: label(key, lang)
            for key in (
                "by_status",
                "by_area",
                "all_findings",
                "area",
                "check",
                "status",
                "summary",
                "total",
                "inputs",
                "table",
                "path",
                "rows",
                "files",
                "machine_record",
                "generated_at",
                "sep",
                "order_of_work",
                "order_note",
                "owner",
                "next_step",
                "overview_title",
            )
        },
        statuses=[{"id": v, "label": pages.status_label(v, lang), "count": totals[v]} for v in pages.VERDICTS],
        overview=Markup(status_overview_svg(by_area, lang)),  # built from escaped words only
        areas=[
            {
                "id": a,
                "title": pages.area_title(a, lang),
                "href": f"{a}.html",
                "counts": by_area[a],
                "total": sum(by_area[a].values()),
                "notebook_href": f"{a}.ipynb",
                "page_label": label("area_page", lang, area=pages.area_title(a, lang)),
                "notebook_label": label("executed_notebook", lang, area=pages.area_title(a, lang)),
            }
            for a in areas
        ],
        findings=[
            {
                **f,
                "rank": rank,
                "verdict": pages.verdict(f),
                "status_label": pages.status_label(pages.verdict(f), lang),
                "area_title": pages.area_title(f["area"], lang),
                "owner": step.owner or "—",
                "next_step": step.action,
                "href": f"{f['area']}.html#{pages.anchor(f['check_id'])}",
            }
            for rank, (f, step) in enumerate(steps, start=1)
        ],
        inputs=[{**item, "rows_text": i18n.format_number(item["rows"], "int", lang)} for item in record["inputs"]],
        total=len(record["findings"]),
        total_text=label("findings_count", lang, n=len(record["findings"])),
        generated_at=i18n.format_day(record["generated_at"], lang),
        findings_href=FINDINGS_FILE,
        legal=_legal_context(record.get("legal"), lang),
    )
    path = out / INDEX_FILE
    path.write_text(page, encoding="utf-8")
    return path


def status_overview_svg(by_area: Mapping[str, Mapping[str, int]], lang: str) -> str:
    """A small figure without script: one bar per area, one segment per verdict, its count written inside."""
    width, label_width, bar_height, gap = 720, 300, 22, 8
    rows = []
    for index, (area, counts) in enumerate(by_area.items()):
        y = index * (bar_height + gap)
        total = sum(counts.values()) or 1
        x = float(label_width)
        rows.append(
            f'<text x="{label_width - 8}" y="{y + bar_height * 0.72:.1f}" text-anchor="end">'
            f"{escape(pages.area_title(area, lang))}</text>"
        )
        for verdict in pages.VERDICTS:
            count = counts.get(verdict, 0)
            if not count:
                continue
            share = (width - label_width) * count / total
            title = escape(f"{pages.status_label(verdict, lang)}: {count}")
            rows.append(
                f'<g class="er-overview-{verdict}"><title>{title}</title>'
                f'<rect x="{x:.1f}" y="{y}" width="{share:.1f}" height="{bar_height}" '
                f'fill="{VERDICT_COLOURS[verdict]}"></rect>'
                f'<text x="{x + share / 2:.1f}" y="{y + bar_height * 0.72:.1f}" text-anchor="middle" '
                f'fill="#fff">{count}</text></g>'
            )
            x += share
    height = len(by_area) * (bar_height + gap)
    return (
        f'<svg class="er-overview" role="img" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" font-size="13" '
        f'font-family="system-ui, sans-serif">{"".join(rows)}</svg>'
    )


def finding_link(finding: Mapping[str, Any], *, prefix: str = "") -> dict[str, str]:
    """A finding's verdict and the link to its section in its area's page (`prefix`: the report's folder)."""
    return {
        "verdict": pages.verdict(finding),
        "href": f"{prefix}{finding['area']}.html#{pages.anchor(finding['check_id'])}",
    }


def write_batch_index(record: Mapping[str, Any]) -> str:
    """The index.html of a batch (batch.py): one row per review, with the report's stylesheet and words
    (autoescaped: names, titles and errors are text)."""
    import jinja2  # noqa: PLC0415 - papermill and nbconvert: only a report run needs them, not the CLI's other commands
    from markupsafe import Markup  # noqa: PLC0415 - papermill and nbconvert: only a report run needs them, not the CLI's other commands

    lang = record["lang"]
    label = pages.label
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(report_template_dir()), autoescape=True, undefined=jinja2.StrictUndefined
    )
    statuses = [s for s in pages.VERDICTS if s != "fail_rule"]  # a review's counts are of statuses
    page = environment.get_template("batch.html.j2").render(
        lang=lang,
        css=Markup(pages.style_html()),  # the kit's own stylesheet
        words={
            key: label(key, lang)
            for key in (
                "batch_title",
                "review",
                "campaign",
                "country",
                "status",
                "worst_finding",
                "generated_at",
                "kit_version",
                "sep",
                "machine_summary",
                "batch_error",
                "none_to_fix",
            )
        },
        reviews_text=label("reviews_count", lang, n=len(record["reviews"])),
        statuses=[{"id": s, "label": pages.status_label(s, lang), "count": record["totals"][s]} for s in statuses],
        rows=[
            {
                **row,
                "status_label": pages.status_label(row["status"], lang),
                "top": None
                if row["top_finding"] is None
                else {**row["top_finding"], "status_label": pages.status_label(row["top_finding"]["verdict"], lang)},
                "counts_list": [{"id": s, "count": row["counts"][s]} for s in statuses],
            }
            for row in record["reviews"]
        ],
        status_columns=[{"id": s, "label": pages.status_label(s, lang)} for s in statuses],
        generated_at=i18n.format_day(record["generated_at"], lang),
        kit_version=record["kit_version"],
        summary_href="summary.json",
    )
    return page
