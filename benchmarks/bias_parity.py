"""bias.selection_parity (and bias.intersectional) at scale: the kit against Fairlearn's MetricFrame, same numbers.

The table: one targeting table of N rows (one campaign), built directly with numpy and written as Parquet (not
through the demo generator): contact_id, campaign_id, selected, and three sensitive attributes as text columns,
gender, age_band and region, plus the intersection gender x age_band. Selection is at 30%, except people aged 65+
(20%), so the comparison has a failing group to find.

Kit: `open_review(folder)` (reads the Parquet file through DuckDB) then `selection_parity` and `intersectional`.
Baseline ("fairlearn MetricFrame"): `pandas.read_parquet` of the columns it needs, then one `MetricFrame`
(metrics selection_rate and count, y_true = y_pred = selected) per attribute and one with two sensitive features
for the intersection. Both sides give, per attribute and group, n, number selected and rate, and the lowest impact
ratio (rate / highest rate) per attribute; the numbers are asserted equal. Each side runs in its own process: its
wall time (interpreter start and imports included) and peak resident memory (ru_maxrss, DuckDB's native memory
included) are its own; each child also reports its phases (imports, reading, computing).

    .venv/bin/python benchmarks/bias_parity.py --rows 1000000 10000000
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ethics_review.checks.bias import intersectional, selection_parity
from ethics_review.review import open_review

sys.path.insert(0, str(Path(__file__).parent))
import harness

ATTRIBUTES = ("gender", "age_band", "region")
INTERSECTION = ("gender", "age_band")
GENDERS, GENDER_WEIGHTS = ("F", "M", "X"), (0.55, 0.44, 0.01)
BANDS, BAND_WEIGHTS = ("18-24", "25-34", "35-44", "45-54", "55-64", "65+"), (0.10, 0.17, 0.19, 0.19, 0.16, 0.19)
REGIONS = (
    "Île-de-France",
    "Auvergne-Rhône-Alpes",
    "Occitanie",
    "Nouvelle-Aquitaine",
    "Grand Est",
    "Provence-Alpes-Côte d'Azur",
    "Hauts-de-France",
    "Bretagne",
    "Normandie",
    "Pays de la Loire",
    "Bourgogne-Franche-Comté",
    "Centre-Val de Loire",
    "Corse",
)
REVIEW_YAML = """name: bias parity benchmark
as_of: 2026-11-15
bias:
  sensitive: [gender, age_band, region]
  intersections: [[gender, age_band]]
"""


def prepare(workdir: Path, rows: int) -> Path:
    """A review folder holding targeting.parquet of `rows` rows and its review.yaml (built once, then reused)."""
    folder = workdir / f"bias-{rows}"
    if (folder / "targeting.parquet").exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(20261115)

    def text(words: tuple[str, ...], weights: tuple[float, ...]) -> tuple[np.ndarray, pa.Array]:
        codes = rng.choice(len(words), size=rows, p=np.asarray(weights) / sum(weights))
        column = pa.DictionaryArray.from_arrays(pa.array(codes.astype(np.int32)), pa.array(words))
        return codes, column.cast(pa.string())

    _, gender = text(GENDERS, GENDER_WEIGHTS)
    band_codes, band = text(BANDS, BAND_WEIGHTS)
    _, region = text(REGIONS, (18, 12, 9, 9, 9, 8, 8, 5, 5, 5, 4, 4, 1))
    rate = np.where(band_codes == BANDS.index("65+"), 0.20, 0.30)
    ids = pc.binary_join_element_wise("C", pc.utf8_lpad(pa.array(np.arange(1, rows + 1)).cast(pa.string()), 9, "0"), "")
    table = pa.table(
        {
            "contact_id": ids,
            "campaign_id": pa.array(["BENCH-1"] * rows),
            "selected": pa.array(rng.random(rows) < rate),
            "gender": gender,
            "age_band": band,
            "region": region,
        }
    )
    pq.write_table(table, folder / "targeting.parquet")
    (folder / "review.yaml").write_text(REVIEW_YAML, encoding="utf-8")
    return folder


def _numbers(rows: list[tuple[str, str, int, int]]) -> dict:
    """{attribute: {"groups": {group: [n, selected]}, "min_impact_ratio": r}} from (attribute, group, n, selected);
    rates are compared through their exact counts, the ratio to 12 significant digits."""
    result: dict = {}
    for attribute, group, n, selected in rows:
        result.setdefault(attribute, {"groups": {}})["groups"][group] = [int(n), int(selected)]
    for entry in result.values():
        rates = [s / n for n, s in entry["groups"].values()]
        entry["min_impact_ratio"] = float(f"{min(rates) / max(rates):.12g}")
    return result


def _report(numbers: dict, started: float, imported: float, opened: float, computed: float) -> dict:
    """A side's numbers and its phases (imports, reading, computing), in seconds to two decimals."""
    phases = {"import_s": imported - started, "open_s": opened - imported, "compute_s": computed - opened}
    return {"numbers": numbers, "phases": {k: round(v, 2) for k, v in phases.items()}}


def run_kit(folder: Path) -> dict:
    started = time.perf_counter()

    imported = time.perf_counter()
    review = open_review(folder)
    opened = time.perf_counter()
    findings = [selection_parity(review), intersectional(review)]
    computed = time.perf_counter()
    rows = [(r["attribute"], r["group"], r["n"], r["selected"]) for f in findings for r in f.evidence]
    numbers = _numbers(rows)
    for attribute, entry in numbers.items():  # the kit's own minimum, which must equal the recomputed one
        finding = findings[1] if "×" in attribute else findings[0]
        ratios = [r["impact_ratio"] for r in finding.evidence if r["attribute"] == attribute and r["impact_ratio"]]
        assert abs(min(ratios) - entry["min_impact_ratio"]) < 1e-9, (attribute, min(ratios))
    return _report(numbers, started, imported, opened, computed)


def run_baseline(folder: Path) -> dict:
    started = time.perf_counter()
    from fairlearn.metrics import MetricFrame, count, selection_rate  # noqa: PLC0415 - fairlearn is a test extra: only the comparison with the reference implementation needs it

    imported = time.perf_counter()
    frame = pd.read_parquet(folder / "targeting.parquet", columns=["selected", *ATTRIBUTES])
    opened = time.perf_counter()
    y = frame["selected"].astype(int)
    rows = []
    for features in [*([a] for a in ATTRIBUTES), list(INTERSECTION)]:
        mf = MetricFrame(
            metrics={"rate": selection_rate, "n": count}, y_true=y, y_pred=y, sensitive_features=frame[features]
        )
        for key, values in mf.by_group.iterrows():
            group = " × ".join(key) if isinstance(key, tuple) else key
            n = int(values["n"])
            rows.append((" × ".join(features), group, n, round(values["rate"] * n)))
    computed = time.perf_counter()
    return _report(_numbers(rows), started, imported, opened, computed)


def main() -> None:
    args = harness.arguments(__doc__, "--rows", "benchmarks/results/bias_parity.json")
    if harness.run_child(args, {"kit": run_kit, "baseline": run_baseline}):
        return
    results = []
    for rows in args.rows:
        folder = prepare(args.workdir, rows)
        kit, baseline = harness.measure(__file__, "kit", folder), harness.measure(__file__, "baseline", folder)
        assert kit["numbers"] == baseline["numbers"], (kit["numbers"], baseline["numbers"])
        results.append(
            {
                "rows": rows,
                "groups": sum(len(e["groups"]) for e in kit["numbers"].values()),
                "kit": {k: kit[k] for k in ("wall_s", "peak_mb", "phases")},
                "baseline_fairlearn_metricframe": {k: baseline[k] for k in ("wall_s", "peak_mb", "phases")},
                "speedup": round(baseline["wall_s"] / kit["wall_s"], 2),
                "compute_speedup": round(
                    (baseline["phases"]["open_s"] + baseline["phases"]["compute_s"])
                    / (kit["phases"]["open_s"] + kit["phases"]["compute_s"]),
                    2,
                ),
                "memory_ratio": round(baseline["peak_mb"] / kit["peak_mb"], 2),
            }
        )
        print(json.dumps(results[-1]), flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                "benchmark": "bias.selection_parity + bias.intersectional",
                "baseline": "fairlearn MetricFrame (selection_rate, count)",
                "machine": "2 cores",
                "rows": results,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(
        "\n| rows | kit wall s | kit peak MB | Fairlearn wall s | Fairlearn peak MB | speed-up | speed-up "
        "excl. imports | memory ratio |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        b = r["baseline_fairlearn_metricframe"]
        print(
            f"| {r['rows']:,} | {r['kit']['wall_s']} | {r['kit']['peak_mb']} | {b['wall_s']} | {b['peak_mb']} | "
            f"{r['speedup']}x | {r['compute_speedup']}x | {r['memory_ratio']}x |"
        )


if __name__ == "__main__":
    main()
