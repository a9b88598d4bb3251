"""A guard each report kernel sets at start-up: be killed with the process that started it.

Its own module, with the standard library only, so that a kernel's start-up does not import the report (papermill,
nbconvert, the notebook builder).
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys


def die_with_parent() -> None:
    """In a kernel: be killed with the process that started it (Linux prctl PR_SET_PDEATHSIG; elsewhere a no-op,
    and ipykernel's parent poller remains)."""
    if not sys.platform.startswith("linux"):
        return
    parent = os.environ.get("JPY_PARENT_PID")
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if parent and os.getppid() != int(parent):  # the parent died before the guard was set
        os._exit(1)
