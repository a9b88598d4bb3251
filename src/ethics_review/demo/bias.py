"""Lead-score targeting and the planted selection disparity (check `bias.selection_parity`).

A lead-score campaign considers everyone with a basis for its channel, scores them (the score depends on
segment and recency, never on gender, age or region) and selects the top scorers. Selection quotas are set per
cell of gender x region x age band by cumulative rounding in cell order, so every gender, every region and
every age band is selected at the campaign's rate to within a person or two: the data is fair by construction
except where a problem is planted.

Planted: in NOEL26-EMAIL a "digital-first" audience rule kept only the top of the 65+ band, so people aged 65+
are selected at less than half the rate of the other bands, in groups of hundreds (a significant disparity).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from .campaigns import Campaign
from .common import pick
from .population import AGE_BAND_LABELS, GENDERS, REGIONS, SEGMENTS, Population, day_number

AGE_SKEW = {"campaign": "NOEL26-EMAIL", "attribute": "age_band", "group": "65+", "rate": 0.11}
AGE_SKEW_STORY = ("NOEL26-EMAIL's audience rule ('digital-first') kept only the top of the 65+ band: people aged "
                  "65 and over were selected at less than half the rate of every other age band.")
SENSITIVE = ("gender", "age_band", "region")
OFFER_BY_SEGMENT = {"fidèle": 20.0, "occasionnel": 15.0, "nouveau": 10.0, "prospect": 10.0}
MIN_GROUP_SIZE, MIN_FLAG_SIZE, FAIL_BELOW, WARN_BELOW, ALPHA = 30, 100, 0.8, 0.9, 0.05


@dataclass(frozen=True)
class Targeting:
    campaign: Campaign
    person: np.ndarray
    selected: np.ndarray
    score: np.ndarray
    outcome: np.ndarray
    offer_value: np.ndarray  # NaN where nothing was offered (not selected)


def build_targeting(rng: np.random.Generator, population: Population, campaign: Campaign,
                    considered: np.ndarray) -> Targeting:
    """Score the considered people, select by quota per cell, draw conversions and offers."""
    people = population.people.iloc[considered]
    score = _lead_score(rng, people, population)
    rate = np.full(len(considered), campaign.selection_rate)
    if campaign.id == AGE_SKEW["campaign"]:
        rate[people["age_band"].to_numpy() == AGE_BAND_LABELS.index(AGE_SKEW["group"])] = AGE_SKEW["rate"]
    selected = _select_by_cell_quota(rng, people, score, rate)
    # Purchases in the campaign period (organic ones included): frequent enough that true-positive rates per
    # group are not mere noise.
    converted = rng.random(len(considered)) < 0.04 + 0.25 * score + 0.05 * selected
    segment = people["segment"].to_numpy()
    offer = np.array([OFFER_BY_SEGMENT[s] for s in SEGMENTS])[segment] + np.where(score >= 0.8, 5.0, 0.0)
    return Targeting(campaign=campaign, person=considered, selected=selected, score=score, outcome=converted,
                     offer_value=np.where(selected, offer, np.nan))


def _lead_score(rng: np.random.Generator, people: pd.DataFrame, population: Population) -> np.ndarray:
    """Propensity to buy: loyal and recently active people score higher. No demographic enters the score."""
    segment_lift = np.array([1.0, 0.4, 0.6, -0.6])[people["segment"].to_numpy()]
    days_idle = day_number(population.as_of) - people["last_activity"].to_numpy()
    logit = -0.3 + segment_lift - days_idle / 300.0 + rng.normal(0.0, 0.9, len(people))
    return np.round(1.0 / (1.0 + np.exp(-logit)), 4)


def _select_by_cell_quota(rng: np.random.Generator, people: pd.DataFrame, score: np.ndarray,
                          rate: np.ndarray) -> np.ndarray:
    """Top scorers of each gender x region x age band cell. Quotas come from cumulative rounding of the expected
    counts in cell order, so any run of consecutive cells (a gender, a gender x region) gets its expected count
    to within one person: small regions are not left to rounding luck. Age bands are large enough not to need
    it."""
    cell = ((people["gender"].to_numpy().astype(np.int64) + 1) * len(REGIONS)
            + people["region"].to_numpy()) * (len(AGE_BAND_LABELS) + 1) + people["age_band"].to_numpy() + 1
    order = np.lexsort((-score, cell))
    sorted_cell = cell[order]
    _, first_index, cell_size = np.unique(sorted_cell, return_index=True, return_counts=True)
    expected = np.add.reduceat(rate[order], first_index)
    cumulative = np.floor(np.cumsum(expected) + rng.random())
    quota = np.diff(np.r_[0.0, cumulative]).astype(np.int64)
    rank_in_cell = np.arange(len(order)) - np.repeat(first_index, cell_size)
    selected = np.zeros(len(order), dtype=bool)
    selected[order] = rank_in_cell < np.repeat(quota, cell_size)
    return selected


def targeting_table(targeting: list[Targeting], keep: np.ndarray, contact_ids: pa.Array) -> pa.Table:
    person = np.concatenate([t.person for t in targeting])
    kept = keep[person]
    campaign = np.concatenate([np.full(len(t.person), i) for i, t in enumerate(targeting)])
    offer = np.concatenate([t.offer_value for t in targeting])[kept]
    return pa.table({
        "contact_id": contact_ids.take(pa.array(person[kept])),
        "campaign_id": pick([t.campaign.id for t in targeting], campaign[kept]),
        "selected": pa.array(np.concatenate([t.selected for t in targeting])[kept]),
        "score": pa.array(np.concatenate([t.score for t in targeting])[kept]),
        "outcome": pa.array(np.concatenate([t.outcome for t in targeting])[kept]),
        "offer_value": pa.array(offer, mask=np.isnan(offer)),
    })


# --- What bias.selection_parity must find --------------------------------------------------------------------------

def selection_parity(frame: pd.DataFrame, *, attributes: tuple[str, ...] = SENSITIVE) -> pd.DataFrame:
    """Every (campaign, attribute, group) compared with the attribute's highest-rate group, judged as the
    catalogue says: rates for groups of at least MIN_GROUP_SIZE; the reference and every flagged group have at
    least MIN_FLAG_SIZE (smaller groups are "insufficient data"); significance by Fisher's exact test (small
    expected counts) or a two-proportion z-test, Benjamini-Hochberg across all comparisons. `frame` has
    campaign_id, selected and the attributes."""
    rows = []
    for (campaign, attribute), groups in _group_rates(frame, attributes).groupby(["campaign_id", "attribute"]):
        rated = groups[groups["n"] >= MIN_GROUP_SIZE]
        large = rated[rated["n"] >= MIN_FLAG_SIZE]
        if large.empty:
            continue
        # Ties go to the larger group, then to the name: the choice never depends on row order.
        reference = large.sort_values(["rate", "n", "group"], ascending=[False, False, True]).iloc[0]
        for _, group in rated.iterrows():
            comparable = group["n"] >= MIN_FLAG_SIZE
            rows.append({
                "campaign_id": campaign, "attribute": attribute, "group": group["group"], "n": int(group["n"]),
                "rate": group["rate"], "reference": reference["group"], "reference_rate": reference["rate"],
                "ratio": group["rate"] / reference["rate"] if reference["rate"] > 0 else math.nan,
                "comparable": comparable,
                "p_value": _p_value(int(group["selected"]), int(group["n"]), int(reference["selected"]),
                                    int(reference["n"])) if comparable and group["group"] != reference["group"]
                else math.nan,
            })
    result = pd.DataFrame(rows)
    tested = result["p_value"].notna()
    result["p_adjusted"] = math.nan
    result.loc[tested, "p_adjusted"] = _benjamini_hochberg(result.loc[tested, "p_value"].to_numpy())
    significant = result["p_adjusted"] < ALPHA
    result["verdict"] = np.select(
        [~result["comparable"], (result["ratio"] < FAIL_BELOW) & significant, result["ratio"] < FAIL_BELOW,
         (result["ratio"] < WARN_BELOW) & significant],
        ["insufficient data", "fail", "warn", "warn"], "pass")
    return result


def _group_rates(frame: pd.DataFrame, attributes: tuple[str, ...]) -> pd.DataFrame:
    parts = []
    for attribute in attributes:
        counts = (frame.dropna(subset=[attribute]).groupby(["campaign_id", attribute], observed=True)["selected"]
                  .agg(["size", "sum"]).reset_index())
        parts.append(pd.DataFrame({"campaign_id": counts["campaign_id"], "attribute": attribute,
                                   "group": counts[attribute].astype(str), "n": counts["size"],
                                   "selected": counts["sum"], "rate": counts["sum"] / counts["size"]}))
    return pd.concat(parts, ignore_index=True)


def _p_value(selected_a: int, n_a: int, selected_b: int, n_b: int) -> float:
    pooled = (selected_a + selected_b) / (n_a + n_b)
    expected_smallest = min(n_a, n_b) * min(pooled, 1 - pooled)
    if expected_smallest < 5:
        from scipy import stats  # noqa: PLC0415 - rarely needed; scipy is slow to import

        return float(stats.fisher_exact([[selected_a, n_a - selected_a], [selected_b, n_b - selected_b]]).pvalue)
    z = (selected_a / n_a - selected_b / n_b) / math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    return math.erfc(abs(z) / math.sqrt(2))


def _benjamini_hochberg(p_values: np.ndarray) -> np.ndarray:
    order = np.argsort(p_values)
    ranked = p_values[order] * len(p_values) / np.arange(1, len(p_values) + 1)
    adjusted = np.minimum.accumulate(ranked[::-1])[::-1].clip(max=1.0)
    result = np.empty_like(adjusted)
    result[order] = adjusted
    return result


def parity_summary(parity: pd.DataFrame, small_group: dict[str, object]) -> dict[str, object]:
    """The planted.json entry of bias.selection_parity."""
    failed = parity[parity["verdict"] == "fail"]
    warned = parity[parity["verdict"] == "warn"]
    planted = parity[(parity["campaign_id"] == AGE_SKEW["campaign"]) & (parity["attribute"] == "age_band")]
    target = planted[planted["group"] == AGE_SKEW["group"]].iloc[0]
    fair = [a for a in SENSITIVE if a != AGE_SKEW["attribute"]
            and not parity[(parity["attribute"] == a) & parity["verdict"].isin(["fail", "warn"])].shape[0]]
    return {
        "status": "fail" if len(failed) else ("warn" if len(warned) else "pass"),
        "counts": {"failed_comparisons": len(failed), "warned_comparisons": len(warned)},
        "campaign": AGE_SKEW["campaign"],
        "attribute": AGE_SKEW["attribute"],
        "group": AGE_SKEW["group"],
        "reference_group": str(target["reference"]),
        "selection_rate": round(float(target["rate"]), 4),
        "reference_rate": round(float(target["reference_rate"]), 4),
        "impact_ratio": round(float(target["ratio"]), 4),
        "group_size": int(target["n"]),
        "fair": fair,
        "insufficient_data": small_group,
        "story": AGE_SKEW_STORY,
    }


def small_group_entry(frame: pd.DataFrame) -> dict[str, object]:
    """The deliberately small group (gender X) of the targeting `frame` (campaign_id, gender): too small for a
    flag in every campaign at the default size, so reported as "insufficient data"."""
    in_group = frame["gender"] == GENDERS[2]
    largest = int(frame.loc[in_group, "campaign_id"].value_counts().max()) if in_group.any() else 0
    return {"attribute": "gender", "group": GENDERS[2], "largest_campaign_group": largest,
            "insufficient_data": largest < MIN_FLAG_SIZE}
