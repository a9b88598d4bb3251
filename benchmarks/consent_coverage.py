"""consent.coverage at scale: the kit (Ibis on DuckDB) against a plain pandas baseline, same numbers asserted.

Baseline (named "pandas merge_asof"): read the same Parquet files with pandas, find the consent state of each send
with `merge_asof` per contact and purpose, apply the same exemptions, count. Each side runs in its own process,
so wall time and peak memory (ru_maxrss of that process, which includes DuckDB's native memory) are its own.
Reported as ratios baseline / kit: > 1 means the kit is faster or lighter.

    .venv/bin/python benchmarks/consent_coverage.py --sends 1000000 10000000
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd

from ethics_review.checks.consent import coverage
from ethics_review.config import load_config
from ethics_review.contract import PURPOSE_BY_CHANNEL
from ethics_review.demo import generate
from ethics_review.legal import applies_from
from ethics_review.review import open_review

sys.path.insert(0, str(Path(__file__).parent))
import harness

SENDS_PER_CONTACT = 3.66  # the demo generator's ratio at its default settings
TABLES = ("contacts", "consents", "sends")
NEEDED = {  # only the columns consent.coverage reads, for both sides
    "contacts": ["contact_id", "is_customer", "customer_since", "recipient_type", "country"],
    "consents": ["contact_id", "purpose", "status", "recorded_at"],
    "sends": ["contact_id", "campaign_id", "channel", "sent_at", "purpose"],
}


def prepare(workdir: Path, sends: int) -> Path:
    """The demo data at about `sends` sends, as Parquet, in a folder holding only the tables coverage reads."""
    contacts = int(sends / SENDS_PER_CONTACT)
    full = workdir / f"demo-{contacts}"
    if not (full / "planted.json").exists():
        print(f"generating {contacts:,} contacts ...", flush=True)
        generate(full, contacts=contacts, file_format="parquet")
    folder = workdir / f"coverage-{contacts}"
    folder.mkdir(exist_ok=True)
    for name in TABLES:
        link = folder / f"{name}.parquet"
        if not link.exists():
            link.symlink_to((full / f"{name}.parquet").resolve())
    (folder / "review.yaml").write_text((full / "review.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    return folder


def run_kit(folder: Path) -> dict:
    finding = coverage(open_review(folder))
    # Counts only: `attested_exceptions` names the exceptions used, which the baseline does not word.
    return {"numbers": {k: v for k, v in finding.metric.items() if k not in ("coverage", "attested_exceptions")}}


def run_baseline(folder: Path) -> dict:
    config = load_config(folder / "review.yaml")
    contacts = pd.read_parquet(folder / "contacts.parquet", columns=NEEDED["contacts"])
    consents = pd.read_parquet(folder / "consents.parquet", columns=NEEDED["consents"])
    sends = pd.read_parquet(folder / "sends.parquet", columns=NEEDED["sends"])
    for frame in (contacts, consents, sends):
        for column in frame.columns:
            if isinstance(frame[column].dtype, pd.CategoricalDtype):
                frame[column] = frame[column].astype(str).where(frame[column].notna(), None)
    sends["purpose"] = sends["purpose"].fillna(sends["channel"].map(PURPOSE_BY_CHANNEL))
    # At equal timestamps a withdrawal or refusal sorts after a grant (the conservative reading, as the kit).
    consents["order"] = (consents["status"] != "granted").astype("int8")
    consents = consents.sort_values(["recorded_at", "order"], kind="stable")
    sends = sends.sort_values("sent_at", kind="stable")
    state = pd.merge_asof(
        sends,
        consents[["contact_id", "purpose", "status", "recorded_at"]],
        left_on="sent_at",
        right_on="recorded_at",
        by=["contact_id", "purpose"],
        direction="backward",
        allow_exact_matches=True,
    )
    state = state.merge(contacts, on="contact_id", how="left")
    no_objection = ~state["status"].isin(["withdrawn", "refused"])
    customer = state["is_customer"].fillna(False).astype(bool) & (
        state["customer_since"].isna() | (pd.to_datetime(state["customer_since"]) <= state["sent_at"].dt.normalize())
    )
    business = state["recipient_type"].isin(["professional", "generic"])
    country = state["country"].fillna(config.default_country)
    # Code de la consommation L.223-1: French consumers' consent before phone canvassing from the legal date.
    phone_needs_consent = (
        (state["channel"] == "phone")
        & (country == "FR")
        & ~business
        & (state["sent_at"].dt.date >= applies_from("fr_phone_canvassing_consent"))
    )
    basis = pd.Series("none", index=state.index)
    rules = [(state["status"] == "granted", "consent")]
    for purpose, exemption in sorted(config.exemptions.items()):
        same = (state["purpose"] == purpose) & no_objection
        if exemption.soft_opt_in:  # email and SMS only
            rules.append((same & customer & state["channel"].isin(["email", "sms"]), "soft_opt_in"))
        if exemption.b2b:
            rules.append((same & business & (state["channel"] == "email"), "b2b"))
        if exemption.legitimate_interest:  # opt-out regimes: never email, SMS or push
            rules.append(
                (same & ~state["channel"].isin(["email", "sms", "push"]) & ~phone_needs_consent, "legitimate_interest")
            )
        if exemption.existing_contract:  # French phone calls about a contract in progress
            rules.append((same & customer & (state["channel"] == "phone") & (country == "FR"), "existing_contract"))
    for condition, name in reversed(rules):  # the first matching rule wins, as in the kit's CASE
        basis = basis.mask(condition.fillna(False), name)
    counts = basis.value_counts()
    total = len(state)
    uncovered = int(counts.get("none", 0))
    return {
        "numbers": {
            "sends": total,
            "covered_sends": total - uncovered,
            "uncovered_sends": uncovered,
            **{
                f"covered_by_{b}": int(counts.get(b, 0))
                for b in ("consent", "soft_opt_in", "b2b", "legitimate_interest", "existing_contract")
            },
        }
    }


def main() -> None:
    args = harness.arguments(__doc__, "--sends", "benchmarks/results/consent_coverage.json")
    if harness.run_child(args, {"kit": run_kit, "baseline": run_baseline}):
        return
    args.workdir.mkdir(parents=True, exist_ok=True)
    rows = []
    for target in args.sends:
        folder = prepare(args.workdir, target)
        kit, baseline = harness.measure(__file__, "kit", folder), harness.measure(__file__, "baseline", folder)
        assert kit["numbers"] == baseline["numbers"], (kit["numbers"], baseline["numbers"])
        rows.append(
            {
                "sends": kit["numbers"]["sends"],
                "uncovered_sends": kit["numbers"]["uncovered_sends"],
                "kit": {k: kit[k] for k in ("wall_s", "peak_mb")},
                "baseline_pandas_merge_asof": {k: baseline[k] for k in ("wall_s", "peak_mb")},
                "speedup": round(baseline["wall_s"] / kit["wall_s"], 2),
                "memory_ratio": round(baseline["peak_mb"] / kit["peak_mb"], 2),
            }
        )
        print(json.dumps(rows[-1]), flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                "benchmark": "consent.coverage",
                "baseline": "pandas merge_asof",
                "machine": "2 cores, 24 GiB",
                "rows": rows,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print("\n| sends | kit wall s | kit peak MB | pandas wall s | pandas peak MB | speed-up | memory ratio |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['sends']:,} | {r['kit']['wall_s']} | {r['kit']['peak_mb']} | "
            f"{r['baseline_pandas_merge_asof']['wall_s']} | {r['baseline_pandas_merge_asof']['peak_mb']} | "
            f"{r['speedup']}x | {r['memory_ratio']}x |"
        )


if __name__ == "__main__":
    main()
