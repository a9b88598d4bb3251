"""The report's kernels (kernels.py): started ahead for their area, taken by its notebook, retried only on a
start-up race."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest
import zmq

from ethics_review import kernels


def test_only_a_kernel_start_race_is_retried():
    assert kernels.is_kernel_start_race(RuntimeError("Kernel died before replying to kernel_info"))
    assert kernels.is_kernel_start_race(zmq.ZMQError(errno.EADDRINUSE))
    assert not kernels.is_kernel_start_race(RuntimeError("Kernel didn't respond in 60 seconds"))
    assert not kernels.is_kernel_start_race(ValueError("Address already in use"))


@pytest.mark.slow
def test_a_kernel_taken_starts_the_next_and_close_stops_every_kernel_and_removes_its_folder():
    ahead = kernels.KernelsAhead(areas=["consent", "bias", "transparency"], ahead=1)
    try:
        first = ahead.take("consent")  # started ahead; taking it starts bias's
        third = ahead.take("transparency")  # out of turn: started now, and bias's still waits
        second = ahead.take("bias")
        assert ahead.take("governance") is None  # no kernel was meant for it: the notebook starts its own
    finally:
        ahead.close()
    assert first is not None and second is not None and third is not None
    for kernel in (first, second, third):
        assert not Path(kernel.folder.name).exists()
        assert not kernel.manager.has_kernel  # shut down, its resources cleaned up


def test_governance_takes_its_kernel_third_when_notebooks_run_at_once_and_last_one_at_a_time():
    areas = ("consent", "bias", "transparency", "governance")
    assert kernels.start_order(areas, 2) == ["consent", "bias", "governance", "transparency"]
    assert kernels.start_order(areas, 1) == ["consent", "bias", "transparency", "governance"]
    assert kernels.start_order(("governance", "consent"), 2) == ["consent", "governance"]


def test_a_kernel_ahead_imports_what_its_area_defers_and_nothing_another_area_needs():
    """The command and a consent kernel never import scipy or textstat (seconds of CPU each); a kernel started
    ahead for bias imports scipy.stats while it waits, one for transparency textstat."""
    import subprocess
    import sys

    probe = (
        "import sys, ethics_review.display as d; before = {m for m in ('scipy.stats', 'textstat.textstat') "
        "if m in sys.modules}; d.warm_up(sys.argv[1]); "
        "print(sorted(before), sorted(m for m in ('scipy.stats', 'textstat.textstat') if m in sys.modules))"
    )

    def imported(area: str) -> str:
        return subprocess.run(
            [sys.executable, "-c", probe, area], capture_output=True, text=True, check=True
        ).stdout.strip()

    assert imported("consent") == "[] []"
    assert imported("bias") == "[] ['scipy.stats']"
    assert imported("transparency").endswith("'textstat.textstat']")  # textstat brings scipy.stats with it
    assert "ethics_review.display.warm_up('bias')" in " ".join(kernels.kernel_ahead_arguments("bias"))


@pytest.mark.slow
def test_a_plan_known_later_orders_the_kernels_not_started_yet():
    """The command starts kernels before it knows the review's size; a large one runs its notebooks one at a time,
    governance last, so governance's kernel must not start (and wait, holding memory) before transparency's."""
    areas = ("consent", "bias", "transparency", "governance")
    ahead = kernels.KernelsAhead(areas=kernels.start_order(areas, 2), ahead=1)
    try:
        assert ahead.not_started() == ("bias", "governance", "transparency")
        ahead.plan(kernels.start_order(areas, 1), ahead=1)
        assert ahead.not_started() == ("bias", "transparency", "governance")
        assert ahead.take("consent") is not None  # taking it starts the next in the plan: bias's
        assert ahead.not_started() == ("transparency", "governance")
    finally:
        ahead.close()
