"""Many reviews in one command: a list of review folders (or review.yaml files), or one review split by campaign
or by country. Each review runs in its own process (`jobs` at a time) with its own progress bar and an overall
one; one review that fails becomes an `error` row and the others finish. The batch writes, in its output folder,
one report folder per review, `index.html` (a table of every review: status counts, most urgent finding, link)
and `summary.json` (validated against `schema/batch-summary.schema.json`).

The split reviews read the review once per part: `--by campaign` runs the report restricted to one campaign (the
checks that accept it), `--by country` restricts the contacts, and the records of those contacts, to one country
(prepared.restrict_to_country). The small-cell rule applies within each part, as in any report.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import multiprocessing
import queue
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from . import __version__
from .engine import close, fetch
from .errors import DataError, ReviewInputError
from .findings import STATUSES, Status, status_counts, worst
from .report import finding_link, package_schema, run_report, validate_record, write_batch_index
from .review import open_review
from .work import order_of_work

INDEX_FILE = "index.html"
SUMMARY_FILE = "summary.json"
SPLITS = ("campaign", "country")
MAX_ERROR_CHARS = 300  # an error row's text: enough to act on, never a dump
POLL_SECONDS = 0.2


@dataclass(frozen=True)
class BatchItem:
    """One review of the batch: where it is, the part of it (a campaign or a country) and its report folder."""

    name: str
    path: Path
    slug: str  # the report's folder under the batch's output folder
    campaign: str | None = None
    country: str | None = None


@dataclass(frozen=True)
class BatchRow:
    """What one review gave: its counts and most urgent finding, or the error that stopped it."""

    name: str
    path: str
    slug: str
    state: str  # "done" (a report was written) or "error" (no report)
    status: Status  # the worst status of the review's findings; "error" when the review could not run
    campaign: str | None = None
    country: str | None = None
    lang: str | None = None
    counts: Mapping[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    top_finding: Mapping[str, Any] | None = None  # check_id, title, status, verdict, href
    report: str | None = None  # the report's index, relative to the batch's index
    error: str | None = None
    seconds: float = 0.0


@dataclass(frozen=True)
class BatchResult:
    out_dir: Path
    rows: tuple[BatchRow, ...]
    paths: Mapping[str, Path]

    @property
    def worst(self) -> str:
        return worst(row.status for row in self.rows)


def plan(paths: Sequence[str | Path], *, by: str | None = None, engine: Any = None) -> list[BatchItem]:
    """The reviews to run: one per path, or the parts of one review split `by` campaign or country."""
    folders = [Path(p) for p in paths]
    if not folders:
        raise ReviewInputError("no review to run", fix="name one or more review folders or review.yaml files")
    if by is None:
        slugs = unique_slugs([_review_name(p) for p in folders])
        return [BatchItem(name=_review_name(p), path=p, slug=slug) for p, slug in zip(folders, slugs, strict=True)]
    if by not in SPLITS:
        raise ReviewInputError(f"cannot split a review by '{by}'", fix=f"use --by {' or --by '.join(SPLITS)}")
    if len(folders) != 1:
        raise ReviewInputError(
            f"--by {by} splits one review, and {len(folders)} were given",
            fix=f"name a single review with --by {by}, or drop --by to run several reviews",
        )
    values = split_values(folders[0], by, engine=engine)
    if not values:
        raise ReviewInputError(
            f"the review has no {by} to split by",
            fix=f"check the {'campaign_id of sends' if by == 'campaign' else 'country of contacts'}",
        )
    base = _review_name(folders[0])
    slugs = unique_slugs([f"{by}-{value}" for value in values])
    return [
        BatchItem(name=f"{base} · {value}", path=folders[0], slug=slug, **{by: value})
        for value, slug in zip(values, slugs, strict=True)
    ]


def split_values(path: Path, by: str, *, engine: Any = None) -> list[str]:
    """The campaigns (of sends, else targeting) or the countries (of contacts) of a review, sorted."""

    review = open_review(path, engine=engine)
    try:
        table, column = (
            ("contacts", "country")
            if by == "country"
            else next(
                ((t, "campaign_id") for t in ("sends", "targeting") if review.has(t, "campaign_id")),
                ("sends", "campaign_id"),
            )
        )
        if not review.has(table, column):
            return []
        expr = review.table(table)
        values = fetch(expr.filter(expr[column].notnull()).select(column).distinct())
        return sorted(str(v) for v in values[column])
    finally:
        close(review.con)


def _review_name(path: Path) -> str:
    path = path.expanduser()
    return path.name if path.is_dir() or path.suffix.lower() not in {".yaml", ".yml"} else path.resolve().parent.name


def unique_slugs(names: Sequence[str]) -> list[str]:
    """Folder names for the reports: letters, digits, dot, dash and underscore only; a number added to repeats."""
    seen: dict[str, int] = {}
    slugs = []
    for name in names:
        slug = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip(".-") or "review"
        seen[slug] = seen.get(slug, 0) + 1
        slugs.append(slug if seen[slug] == 1 else f"{slug}-{seen[slug]}")
    return slugs


# --- running ------------------------------------------------------------------------------------------------------


def run_batch(
    paths: Sequence[str | Path],
    out_dir: str | Path,
    *,
    by: str | None = None,
    jobs: int = 1,
    as_of: str | dt.date | None = None,
    lang: str | None = None,
    engine: Any = None,
    progress: bool = True,
) -> BatchResult:
    """Run every review of the batch into `out_dir/<slug>/` and write `out_dir/index.html` and `summary.json`."""

    out = Path(out_dir).resolve()
    items = plan(paths, by=by, engine=engine)
    out.mkdir(parents=True, exist_ok=True)
    options = {"as_of": None if as_of is None else str(as_of), "lang": lang, "engine": engine}
    # spawn: a fresh interpreter per review, never a fork of this process's engine connections and threads
    context = multiprocessing.get_context("spawn")
    events: Any = context.Queue()
    overall = tqdm(total=len(items), desc="reviews", unit="review", position=0, disable=not progress)
    bars: dict[int, Any] = {}
    rows: dict[int, BatchRow] = {}
    running: dict[int, tuple[Any, float]] = {}
    waiting = list(range(len(items)))
    try:
        while waiting or running:
            while waiting and len(running) < max(1, jobs):
                index = waiting.pop(0)
                process = context.Process(
                    target=_run_one, args=(index, items[index], out, options, events), daemon=False
                )
                process.start()
                running[index] = (process, time.perf_counter())
            _drain(events, items, bars, rows, progress)
            for index, (process, started) in list(running.items()):
                if process.is_alive():
                    continue
                process.join()
                _drain(events, items, bars, rows, progress)
                if index not in rows:  # the process died without a word (killed, out of memory)
                    rows[index] = _error_row(
                        items[index],
                        f"the review's process ended with exit code {process.exitcode} before it reported",
                        time.perf_counter() - started,
                    )
                del running[index]
                if index in bars:
                    bars.pop(index).close()
                overall.update()
            time.sleep(POLL_SECONDS)
    finally:
        for process, _ in running.values():  # Ctrl+C: the reviews stop with the batch
            process.terminate()
            process.join()
        for bar in bars.values():
            bar.close()
        overall.close()
    ordered = tuple(rows[i] for i in range(len(items)))
    summary = summary_record(ordered, by=by, lang=_page_lang(ordered, lang))
    validate_summary(summary)
    paths_written = {"summary": write_summary(out, summary), "index": write_index(out, summary)}
    return BatchResult(out_dir=out, rows=ordered, paths=paths_written)


def _drain(
    events: Any, items: Sequence[BatchItem], bars: dict[int, Any], rows: dict[int, BatchRow], progress: bool
) -> None:
    """Apply every message the reviews' processes sent: a bar's size, a step done, the final row."""

    while True:
        try:
            index, kind, value = events.get_nowait()
        except queue.Empty:
            return
        if kind == "total":
            taken = {bar.er_line for bar in bars.values()}
            line = min(set(range(1, len(bars) + 2)) - taken)  # a line of its own, under the overall bar
            bars[index] = tqdm(
                total=value, desc=items[index].slug[:30], unit="step", position=line, leave=False, disable=not progress
            )
            bars[index].er_line = line
        elif kind == "step" and index in bars:
            bars[index].update(value)
        elif kind == "postfix" and index in bars:
            bars[index].set_postfix_str(value)
        elif kind == "row":
            rows[index] = BatchRow(**value)


class _StepsToParent:
    """The report's progress bar, in a review's process: each step is sent to the batch's process."""

    def __init__(self, index: int, events: Any, total: int) -> None:
        self.index, self.events = index, events
        events.put((index, "total", total))

    def update(self, n: int = 1) -> None:
        self.events.put((self.index, "step", n))

    def set_postfix_str(self, text: str) -> None:
        self.events.put((self.index, "postfix", text))

    def close(self) -> None:
        return None


def _run_one(index: int, item: BatchItem, out: Path, options: Mapping[str, Any], events: Any) -> None:
    """In a review's own process: run its report, then send its row (an error row when it could not run)."""

    logging.basicConfig(level=logging.CRITICAL)  # the row says what failed; the terminal shows the bars
    started = time.perf_counter()
    try:
        result = run_report(
            item.path,
            out / item.slug,
            as_of=options["as_of"],
            lang=options["lang"],
            campaign=item.campaign,
            country=item.country,
            history=None,
            engine=options["engine"],
            jobs=1,  # the batch runs reviews side by side (--jobs): one notebook at a time in each
            progress=lambda total: _StepsToParent(index, events, total),
        )
        row = _done_row(item, result, time.perf_counter() - started)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001 - failure isolation: any failure of one review is its row
        row = _error_row(item, error_text(exc), time.perf_counter() - started)
    events.put((index, "row", asdict(row)))


def _done_row(item: BatchItem, result: Any, seconds: float) -> BatchRow:

    findings = [f.to_json() for f in result.findings]
    ranked = order_of_work(findings)
    top = None
    if ranked and ranked[0]["status"] not in {"pass", "not_applicable"}:
        first = ranked[0]
        top = {
            "check_id": first["check_id"],
            "title": first["title"],
            "status": first["status"],
            **finding_link(first, prefix=f"{item.slug}/"),
        }
    return BatchRow(
        name=item.name,
        path=str(item.path),
        slug=item.slug,
        state="done",
        status=result.worst,
        campaign=item.campaign,
        country=item.country,
        lang=result.lang,
        counts=status_counts(f["status"] for f in findings),
        top_finding=top,
        report=f"{item.slug}/index.html",
        seconds=round(seconds, 2),
    )


def _error_row(item: BatchItem, message: str, seconds: float) -> BatchRow:
    return BatchRow(
        name=item.name,
        path=str(item.path),
        slug=item.slug,
        state="error",
        status="error",
        campaign=item.campaign,
        country=item.country,
        error=message,
        seconds=round(seconds, 2),
    )


def error_text(exc: BaseException) -> str:
    """What an error row says. An input error names its file, column and row and the fix, never the value it
    quotes (it may be a person's data): `ethics-review validate` on that review prints the full message."""

    if isinstance(exc, DataError):
        where = ", ".join(
            part
            for part in (
                f"file {exc.file}",
                exc.column and f"column '{exc.column}'",
                exc.row is not None and f"{exc.row_label} {exc.row}",
            )
            if part
        )
        text = f"input error in {where}; run `ethics-review validate` on this review for the details"
    elif isinstance(exc, ReviewInputError):
        text = f"input error: {exc.message}" + (f" Fix: {exc.fix}" if exc.fix else "")
    else:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        text = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
    return text if len(text) <= MAX_ERROR_CHARS else text[: MAX_ERROR_CHARS - 1] + "…"


# --- the summary ---------------------------------------------------------------------------------------------------


def _page_lang(rows: Sequence[BatchRow], lang: str | None) -> str:
    """--lang, else the reviews' language when they share one, else English."""
    if lang is not None:
        return lang
    langs = {row.lang for row in rows if row.lang}
    return langs.pop() if len(langs) == 1 else "en"


def summary_record(rows: Sequence[BatchRow], *, by: str | None, lang: str) -> dict[str, Any]:
    return {
        "kit_version": __version__,
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "lang": lang,
        "split_by": by,
        "worst": worst(row.status for row in rows),
        "totals": status_counts(row.status for row in rows),
        "reviews": [{**asdict(row), "counts": dict(row.counts)} for row in rows],
    }


def summary_schema() -> dict[str, Any]:
    return package_schema("batch-summary.schema.json")


def validate_summary(record: Mapping[str, Any]) -> None:
    """summary.json must match the schema shipped with the kit before it is written."""
    validate_record(record, "batch-summary.schema.json", SUMMARY_FILE)


def write_summary(out: Path, record: Mapping[str, Any]) -> Path:
    path = out / SUMMARY_FILE
    # As findings.json: sorted keys, fixed indentation, UTF-8 as is, no NaN, a final newline.
    text = json.dumps(record, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    path.write_text(text, encoding="utf-8")
    return path


def write_index(out: Path, record: Mapping[str, Any]) -> Path:
    """index.html: one row per review (drawn by the report module, with the report's stylesheet and words)."""
    path = out / INDEX_FILE
    path.write_text(write_batch_index(record), encoding="utf-8")
    return path
