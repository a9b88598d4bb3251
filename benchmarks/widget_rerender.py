"""How long a widget panel takes to show a new finding after a control changes, on the demo review, before and after
the panels reused the opened review's aggregates.

In-process, with the real panels: each side opens the demo review as a notebook does (display.open_for_notebook),
runs every area's checks, builds every check's panel (widgets.panel), then, for each control of each panel, sets a
new value and times until the panel's Output holds the new finding (observers run synchronously), then sets it
back and times again. An IPython shell with a capturing display publisher stands in for the kernel, and plotly
renders to its JSON mimetype, so that the former panel's `with output: display(...)` formats its outputs as in
JupyterLab (only the browser's drawing is left out). Controls are grouped by kind: campaign, purpose, channel,
attribute, reference, threshold.

"before" is the kit at --baseline (default: the commit before the change, whose `src/` is extracted with
`git archive`), "after" is this checkout's `src/`. Each side runs in its own process. Reported: per kind, the
median and the slowest first change (a value not tried before) and the median change back (a value tried before),
and the ratio after / before of the medians (< 1: faster).

    PYTHONPATH=src .venv/bin/python benchmarks/widget_rerender.py [--contacts 20000] [--baseline fbca581]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
BASELINE = "fbca581"  # main before the panels reused aggregates (issue #13, widgets)
TARGET_S = 2.0  # issue #13: a change re-renders within 2 s on the demo
KINDS = ("campaign", "purpose", "channel", "attribute", "reference")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--contacts", type=int, default=20_000, help="demo size (the CLI's default: 20000)")
    parser.add_argument("--baseline", default=BASELINE, help="git ref of the 'before' side")
    parser.add_argument("--workdir", type=Path, default=REPO / "benchmarks" / ".data")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "widget_rerender.json")
    parser.add_argument(
        "--rounds",
        type=int,
        default=2,
        help="runs of each side, alternated (before, after, before...); each change keeps its fastest",
    )
    parser.add_argument("--child", nargs=2, metavar=("SRC", "REVIEW"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure_panels(Path(args.child[1]))))
        return
    review = demo_review(args.workdir, args.contacts)
    with tempfile.TemporaryDirectory() as folder:
        sources = {"before": extract_src(args.baseline, Path(folder)), "after": REPO / "src"}
        # The machine is shared: alternating the sides and keeping each change's fastest run evens out the load.
        runs = {side: [] for side in sources}
        for _ in range(args.rounds):
            for side, src in sources.items():
                runs[side].append(run_side(src, review))
    sides = {side: fastest(found) for side, found in runs.items()}
    summary = summarise(sides)
    record = {
        "review": str(review),
        "contacts": args.contacts,
        "baseline": args.baseline,
        "target_s": TARGET_S,
        "rounds": args.rounds,
        "summary": summary,
        "sides": sides,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print_summary(summary)
    print(f"written: {args.out}")


def demo_review(workdir: Path, contacts: int) -> Path:
    """The French demo review folder (generated once per size)."""
    folder = workdir / f"widgets-demo-{contacts}"
    if not (folder / "planted.json").exists():
        from ethics_review.demo import generate  # noqa: PLC0415 - only when the demo is not there yet

        print(f"generating the demo ({contacts:,} contacts) in {folder} ...", flush=True)
        generate(folder, contacts=contacts, lang="fr")
    return folder


def extract_src(ref: str, folder: Path) -> Path:
    archive = folder / "src.tar"
    subprocess.run(["git", "-C", str(REPO), "archive", "--format=tar", "-o", str(archive), ref, "src"], check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(folder, filter="data")
    return folder / "src"


def fastest(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One side's runs as one: each change (same check, kind and rank) at its fastest."""
    merged = {"open_and_run_s": min(run["open_and_run_s"] for run in runs), "changes": []}
    for index, change in enumerate(runs[0]["changes"]):
        same = [run["changes"][index] for run in runs]
        best = dict(change)
        for key in ("first_s", "back_s"):
            if change[key] is not None:
                best[key] = min(c[key] for c in same)
        best["updated"] = all(c["updated"] for c in same)
        merged["changes"].append(best)
    return merged


def run_side(src: Path, review: Path) -> dict[str, Any]:
    environment = {**os.environ, "PYTHONPATH": str(src)}
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(src), str(review)],
        check=True,
        capture_output=True,
        text=True,
        env=environment,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- in the child: one side ------------------------------------------------------------------------------------------


def measure_panels(review_dir: Path) -> dict[str, Any]:
    # In the child only: the kit comes from the side's own src/ (PYTHONPATH), and the parent needs none of this.
    import ipywidgets as w  # noqa: PLC0415 - in the child only, which runs the side's own kit
    import plotly.io as pio  # noqa: PLC0415 - in the child only, which runs the side's own kit
    from IPython.core.displaypub import CapturingDisplayPublisher  # noqa: PLC0415 - in the child only, which runs the side's own kit
    from IPython.core.interactiveshell import InteractiveShell  # noqa: PLC0415 - in the child only, which runs the side's own kit

    from ethics_review import display, pages, reruns, widgets  # noqa: PLC0415 - in the child only, which runs the side's own kit
    from ethics_review.findings import AREAS  # noqa: PLC0415 - in the child only, which runs the side's own kit
    from ethics_review.runner import run_checks  # noqa: PLC0415 - in the child only, which runs the side's own kit

    class Counting(CapturingDisplayPublisher):  # clear_output empties `outputs`: count what was published
        published = 0

        def publish(self, *args: Any, **kwargs: Any) -> None:
            Counting.published += 1
            super().publish(*args, **kwargs)

    shell = InteractiveShell.instance()
    shell.display_pub = Counting()
    # Outside a kernel plotly has no renderer and displays a figure as its repr: render it as JupyterLab gets it.
    pio.renderers.default = "plotly_mimetype"
    started = time.perf_counter()
    review = display.open_for_notebook(data_dir=str(review_dir))
    # Governance's panel is human_contact's; its continuous evaluation reads the run history, which takes long
    # and has no panel.
    findings = [f for area in AREAS if area != "governance" for f in reruns.run_area(review, area)]
    findings += run_checks(review, ids=["governance.human_contact"])
    opened_s = time.perf_counter() - started
    lang = review.lang
    kinds = {pages.label(f"widgets.{kind}", lang): kind for kind in KINDS}
    changes: list[dict[str, Any]] = []
    campaigns: dict[str, list[str]] = {}
    for finding in findings:
        if finding.status in ("not_applicable", "error"):
            continue
        box = widgets.panel(review, finding, campaigns=campaigns)
        if box is None:
            continue
        controls, output, reset = _parts(box, w)
        ranks: dict[str, int] = {}
        for control in controls:
            kind = kinds.get(control.description, "threshold")
            ranks[kind] = ranks.get(kind, 0) + 1
            original = control.value
            new = _new_value(control, kind, widgets.ALL)
            if new is None:
                continue
            first = _timed_change(control, new, output, Counting)
            back = _timed_change(control, original, output, Counting)
            changes.append(
                {
                    "check": finding.check_id,
                    "kind": kind,
                    "rank": ranks[kind],
                    "first_s": first[0],
                    "back_s": back[0],
                    "updated": first[1] and back[1],
                }
            )
        if reset is not None and controls:
            control = controls[0]
            new = _new_value(control, kinds.get(control.description, "threshold"), widgets.ALL)
            if new is not None:
                control.value = new
                timed = _timed_click(reset, output, Counting)
                changes.append(
                    {
                        "check": finding.check_id,
                        "kind": "reset",
                        "rank": 1,
                        "first_s": timed[0],
                        "back_s": None,
                        "updated": timed[1],
                    }
                )
    return {"open_and_run_s": round(opened_s, 2), "changes": changes}


def _parts(box: Any, w: Any) -> tuple[list[Any], Any, Any]:
    """The panel's controls (dropdowns and sliders, in order), its Output and its reset button (None before)."""
    controls, output, reset = [], None, None
    stack = [box]
    while stack:
        widget = stack.pop(0)
        if isinstance(widget, (w.Dropdown, w.FloatSlider, w.SelectionSlider)):
            controls.append(widget)
        elif isinstance(widget, w.Output):
            output = widget
        elif isinstance(widget, w.Button) and reset is None:
            reset = widget
        stack.extend(getattr(widget, "children", ()))
    return controls, output, reset


def _new_value(control: Any, kind: str, everything: Any) -> Any:
    """A value not shown yet: another campaign (or purpose...), or the threshold one step further from pass."""
    if kind != "threshold":
        return next((v for _, v in control.options if v not in (control.value, everything, "highest")), None)
    step = -0.05 if control.description.split()[-1] in {"below", "sous"} else 0.05
    target = round(control.value + step, 2)
    if hasattr(control, "options"):  # a SelectionSlider: one of its values
        values = [v for _, v in control.options]
        return target if target in values else None
    return target


def _timed_change(control: Any, value: Any, output: Any, counter: Any) -> tuple[float, bool]:
    return _timed(lambda: setattr(control, "value", value), output, counter)  # observers run synchronously


def _timed_click(button: Any, output: Any, counter: Any) -> tuple[float, bool]:
    return _timed(button.click, output, counter)


def _timed(act: Any, output: Any, counter: Any) -> tuple[float, bool]:
    """Seconds `act` takes, and whether the Output was written: displayed into (before) or given new outputs."""
    outputs, published = output.outputs, counter.published
    started = time.perf_counter()
    act()
    elapsed = time.perf_counter() - started
    return round(elapsed, 3), output.outputs is not outputs or counter.published != published


# --- in the parent: the comparison -----------------------------------------------------------------------------------


def summarise(sides: dict[str, dict[str, Any]]) -> dict[str, Any]:
    summary: dict[str, Any] = {"open_and_run_s": {side: data["open_and_run_s"] for side, data in sides.items()}}
    for kind in (*KINDS, "threshold", "reset"):
        row: dict[str, Any] = {}
        for side, data in sides.items():
            mine = [c for c in data["changes"] if c["kind"] == kind]
            if not mine:
                continue
            firsts = [c["first_s"] for c in mine]
            backs = [c["back_s"] for c in mine if c["back_s"] is not None]
            slowest = max(mine, key=lambda c: c["first_s"])
            row[side] = {
                "changes": len(mine),
                "median_first_s": round(statistics.median(firsts), 3),
                "max_first_s": slowest["first_s"],
                "slowest_check": slowest["check"],
                "median_back_s": round(statistics.median(backs), 3) if backs else None,
                "all_updated": all(c["updated"] for c in mine),
            }
        pairs = _matched(sides, kind)
        if pairs:  # the same control of the same check on both sides (the new thresholds have no "before")
            for key in ("first_s", "back_s"):
                ratios = [a[key] / b[key] for b, a in pairs if a[key] is not None and b[key]]
                if ratios:
                    row[f"ratio_after_before_{key[:-2]}_median"] = round(statistics.median(ratios), 2)
            row["matched"] = len(pairs)
        if row:
            summary[kind] = row
    after = [c["first_s"] for c in sides["after"]["changes"]]
    summary["after_within_target"] = sum(t <= TARGET_S for t in after), len(after)
    return summary


def _matched(sides: dict[str, dict[str, Any]], kind: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    after = {(c["check"], c["rank"]): c for c in sides["after"]["changes"] if c["kind"] == kind}
    return [
        (c, after[(c["check"], c["rank"])])
        for c in sides["before"]["changes"]
        if c["kind"] == kind and (c["check"], c["rank"]) in after
    ]


def print_summary(summary: dict[str, Any]) -> None:
    print(f"open + run every area: {summary['open_and_run_s']}")
    print(f"{'kind':10} {'side':7} {'n':>3} {'median':>8} {'max':>7} {'back':>7}  slowest")
    for kind in (*KINDS, "threshold", "reset"):
        row = summary.get(kind)
        if not row:
            continue
        for side in ("before", "after"):
            if side in row:
                r = row[side]
                back = "" if r["median_back_s"] is None else f"{r['median_back_s']:.3f}"
                print(
                    f"{kind:10} {side:7} {r['changes']:>3} {r['median_first_s']:>8.3f} {r['max_first_s']:>7.3f} "
                    f"{back:>7}  {r['slowest_check']}{'' if r['all_updated'] else '  (Output NOT updated)'}"
                )
        if "matched" in row:
            print(
                f"{'':10} after/before, per matched control ({row['matched']}): median "
                f"{row.get('ratio_after_before_first_median')} first change, "
                f"{row.get('ratio_after_before_back_median')} change back"
            )
    within, total = summary["after_within_target"]
    print(f"after: {within} of {total} changes within {TARGET_S} s")


if __name__ == "__main__":
    main()
