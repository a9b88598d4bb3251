"""Kernels for the report's notebooks, started before the notebooks need them.

A kernel's start-up (the process, ipykernel, the kit's imports: about 2 s of CPU on this machine) runs while the
command still imports and validates the review, or while the notebooks before it run, instead of in front of its
own notebook. This module imports nothing heavy, so that the command can start the first kernels before it loads
the report's own modules (cli.py); jupyter_client is imported in the thread that starts them."""

from __future__ import annotations

import asyncio
import logging
import os
import tempfile
import threading
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

KERNEL_NAME = "python3"
KERNEL_START_RACES = ("Address already in use", "Kernel died before replying to kernel_info")
MAX_PARALLEL_NOTEBOOKS = 2  # each notebook is one kernel process; the kit targets small machines
GOVERNANCE = "governance"  # runs beside the others, or last (report.py)


def for_report(review_path: str | Path, areas: Sequence[str], jobs: int | None) -> KernelsAhead:
    """The kernels of a report of `areas` with `jobs` notebooks at once (None: the default, two below a million
    input rows): as many start now as run at once; none when the review does not exist (the report says so)."""
    at_once = MAX_PARALLEL_NOTEBOOKS if jobs is None else jobs
    ahead = max(1, min(at_once, MAX_PARALLEL_NOTEBOOKS, len(areas))) if Path(review_path).expanduser().exists() else 0
    return KernelsAhead(areas=start_order(areas, at_once) if ahead else (), ahead=ahead)


def start_order(areas: Sequence[str], at_once: int) -> list[str]:
    """The order in which the areas' notebooks take their kernels: governance third when notebooks run at once
    (it runs beside the first two, _run_report), last when they run one at a time."""
    first = [a for a in areas if a != GOVERNANCE]
    if GOVERNANCE not in areas:
        return first
    if at_once > 1:
        return [*first[:at_once], GOVERNANCE, *first[at_once:]]
    return [*first, GOVERNANCE]


# Each kernel asks the OS to kill it when the process that started it dies (SIGKILL, a crash): a busy kernel
# must not outlive the run (ipykernel's own parent poller needs the GIL, which a long computation may hold).
KERNEL_GUARD = "--IPKernelApp.exec_lines=from ethics_review.kernel_guard import die_with_parent; die_with_parent()"
KERNEL_ARGUMENTS = (
    # The kernel's own log (e.g. "KeyboardInterrupt caught" at every shutdown) is noise in a terminal; what a cell
    # raises is kept in the executed notebook and in the error we raise.
    "--IPKernelApp.log_level=CRITICAL",
    KERNEL_GUARD,
)


# A kernel started ahead for an area also imports the notebooks' package and what that area's checks import on
# first use (display.warm_up) while it waits, and keeps no history file, as nbclient's own kernels do.
def kernel_ahead_arguments(area: str) -> tuple[str, ...]:
    return (
        "--IPKernelApp.log_level=CRITICAL",
        f"{KERNEL_GUARD}; import ethics_review.display; ethics_review.display.warm_up({area!r})",
        "--HistoryManager.hist_file=:memory:",
    )


@dataclass(frozen=True)
class StartedKernel:
    """A report kernel started ahead of its notebook, in a folder of its own: its IPC sockets, and its working
    folder (the notebooks name every path they read or write)."""

    manager: Any  # a jupyter_client KernelManager whose kernel is starting or started
    folder: tempfile.TemporaryDirectory[str]


class KernelsAhead:
    """Kernels started before their notebooks need them, so that a kernel's start-up (the process, ipykernel and
    the kit's imports: about 2 s of CPU on this machine) runs while this process still opens and validates the
    review, or while the notebooks before it run, instead of in front of its own notebook.

    One kernel per area of `areas`, started in that order, each warmed up for its area: `ahead` start at once, and
    taking one starts the next not yet started when fewer than `ahead` are left waiting, so that at most `ahead`
    kernels wait unused beside those at work. Every kernel is started, and the unused ones are shut down, by one
    thread of its own: a kernel dies with the thread that started it (kernel_guard), and this thread lives until
    `close`."""

    def __init__(self, *, areas: Sequence[str], ahead: int) -> None:
        self._starter = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ethics-review-kernels")
        self._lock = threading.Lock()
        self._to_start: deque[str] = deque(areas)
        self._waiting: dict[str, Future[StartedKernel]] = {}
        self._started: list[Future[StartedKernel]] = []
        self._ahead = ahead
        with self._lock:
            while self._to_start and len(self._waiting) < ahead:
                self._start(self._to_start.popleft())

    def _start(self, area: str) -> Future[StartedKernel]:
        future = self._starter.submit(start_kernel, area)
        self._waiting[area] = future
        self._started.append(future)
        return future

    def plan(self, areas: Sequence[str], *, ahead: int) -> None:
        """The order in which the notebooks will take their kernels, and how many may wait unused, once the report
        knows them (how many notebooks run at once depends on the review's size): the kernels not started yet start
        in that order, and a review whose notebooks run one at a time keeps one kernel waiting, not two (each holds
        the kit's imports: about 250 MB)."""
        with self._lock:
            waiting = set(self._to_start)
            self._to_start = deque(area for area in areas if area in waiting)
            self._ahead = ahead

    def not_started(self) -> tuple[str, ...]:
        """The areas whose kernel has not started yet, in the order they will."""
        with self._lock:
            return tuple(self._to_start)

    def take(self, area: str) -> StartedKernel | None:
        """The kernel started for `area` (started now if its turn had not come), or None (no kernel was meant for
        it, or it failed to start: the notebook starts its own)."""
        with self._lock:
            future = self._waiting.pop(area, None)
            if future is None and area in self._to_start:
                self._to_start.remove(area)
                future = self._start(area)
                del self._waiting[area]
            while self._to_start and len(self._waiting) < self._ahead:
                self._start(self._to_start.popleft())
        if future is None:
            return None
        try:
            return future.result()
        except Exception as exc:  # noqa: BLE001 - the notebook then starts a kernel of its own, and says why if that fails too
            log.warning("a kernel started ahead failed to start (%s); the notebook starts its own", exc)
            return None

    def close(self) -> None:
        """Shut down every kernel that is still running (those no notebook took) and remove their folders."""
        with self._lock:
            self._to_start.clear()
            started = list(self._started)
        self._starter.submit(stop_kernels, started).result()
        self._starter.shutdown(wait=True)


def start_kernel(area: str) -> StartedKernel:
    from jupyter_client.manager import KernelManager  # noqa: PLC0415 - papermill and nbconvert: only a report run needs them, not the CLI's other commands

    folder = tempfile.TemporaryDirectory(prefix="er-")  # short: unix socket paths are limited to about 100 characters
    try:
        manager = KernelManager(
            kernel_name=KERNEL_NAME,
            config=kernel_config(folder.name),
            client_class="jupyter_client.asynchronous.AsyncKernelClient",  # nbclient's client is asynchronous
        )
        manager.start_kernel(extra_arguments=list(kernel_ahead_arguments(area)), cwd=folder.name)
    except BaseException:
        folder.cleanup()
        raise
    return StartedKernel(manager, folder)


def stop_kernels(started: Sequence[Future[StartedKernel]]) -> None:
    """In the starter thread: shut down what still runs (a notebook's client already shut down its own kernel),
    remove the folders, then close the event loop jupyter_client opened for this thread."""
    try:
        for future in started:
            try:
                kernel = future.result()
            except Exception:  # noqa: BLE001 - a kernel that failed to start has nothing to stop
                continue
            try:
                if kernel.manager.has_kernel:
                    kernel.manager.shutdown_kernel(now=True)
            except Exception as exc:  # noqa: BLE001 - a kernel already gone: nothing more to do than clean up
                log.debug("kernel shut down with %s", exc)
            finally:
                kernel.folder.cleanup()
    finally:
        close_thread_event_loop()


def kernel_config(socket_dir: str) -> Any:
    """Kernels talk over IPC sockets where the OS has them: no TCP port to race for (and no warning about
    unencrypted TCP). Each kernel gets its own socket folder (the default socket names are relative and would
    collide between two kernels). Windows has no IPC transport for zmq: it keeps TCP and relies on the retry."""
    from traitlets.config import Config  # noqa: PLC0415 - papermill and nbconvert: only a report run needs them, not the CLI's other commands

    if os.name != "posix":
        return Config()
    return Config({"KernelManager": {"transport": "ipc", "ip": os.path.join(socket_dir, "kernel")}})


def is_kernel_start_race(exc: BaseException) -> bool:
    """Only a kernel that lost a port race at start-up is retried (zmq 'Address already in use', or a kernel
    that died before answering kernel_info); a failing cell is a real error."""
    import zmq  # noqa: PLC0415 - papermill and nbconvert: only a report run needs them, not the CLI's other commands

    return isinstance(exc, (RuntimeError, zmq.ZMQError)) and any(m in str(exc) for m in KERNEL_START_RACES)


def close_thread_event_loop() -> None:
    try:
        loop = asyncio.get_event_loop()  # in a worker thread: the loop set for it, if any
    except RuntimeError:
        loop = None
    if loop is not None and not loop.is_running():
        loop.close()
        asyncio.set_event_loop(None)
