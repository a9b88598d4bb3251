"""Lead-score targeting and the planted selection disparity (check `bias.selection_parity`).

A lead-score campaign considers everyone with a basis for its channel, scores them (the score depends on
segment and recency, never on gender, age or region) and selects the top scorers. Selection quotas are set per
cell of gender x region x age band by cumulative rounding in cell order, so every gender, every region and
every age band is selected at the campaign's rate to within a person or two: the data is fair by construction
except where a problem is planted.

Planted, each in one campaign and group, each recorded in planted.json with counts computed here in plain pandas
and scipy (independently of the kit's checks):
- selection (bias.selection_parity): in NOEL26-EMAIL a "digital-first" audience rule kept only the top of the 65+
  band, so people aged 65+ are selected at less than half the rate of the other bands;
- intersection (bias.intersectional): in SPRING26-EMAIL men aged 25-34 are selected at half the campaign's rate,
  and the quota rule made up for it with women of 25-34 and men of other ages, so gender alone and age alone
  stay fair;
- outcome (bias.outcome_parity): in NOEL26-ADS the lead score does not predict men's purchases (the men who
  bought were mostly low scorers), so the campaign selected far fewer of the men who would buy;
- score (bias.score_distribution): in NOEL26-ADS a vendor update lowered the scores of people aged 55-64 by 0.2;
  selection is by quota per cell, so their selection rate is unchanged, but the score itself is shifted;
- offer (bias.offer_parity): in SPRING26-EMAIL people aged 55-64 were offered 30% smaller discounts;
- proxy (bias.proxies): the feature `postcode` determines `region` (a French postcode starts with its
  département) and the review config lists it as a targeting feature: a feature derived from the attribute,
  reported as such (a warning: targeting on it is targeting on region), not as a hidden proxy; `segment` is
  independent of every sensitive attribute;
- delivery (bias.delivery_skew): the RENTREE-ADS platform delivered the ad to only half of the men selected
  (`skew_delivery`, applied to the campaign sends before the consent plants are added);
- a fair attribute (gender, in bias.selection_parity) and a small group (gender X: "insufficient data").
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from .campaigns import CAMPAIGN_INDEX, Campaign
from .common import pick, status
from .population import AGE_BAND_LABELS, GENDERS, REGIONS, SEGMENTS, Population, day_number

AGE_SKEW: dict[str, Any] = {"campaign": "NOEL26-EMAIL", "attribute": "age_band", "group": "65+", "rate": 0.11}
INTERSECTION_SKEW: dict[str, Any] = {"campaign": "SPRING26-EMAIL", "gender": "M", "age_band": "25-34", "factor": 0.5}
OUTCOME_GAP: dict[str, Any] = {"campaign": "NOEL26-ADS", "attribute": "gender", "group": "M"}
SCORE_SHIFT: dict[str, Any] = {"campaign": "NOEL26-ADS", "attribute": "age_band", "group": "55-64", "shift": -0.2}
OFFER_GAP: dict[str, Any] = {"campaign": "SPRING26-EMAIL", "attribute": "age_band", "group": "55-64", "factor": 0.7}
DELIVERY_SKEW: dict[str, Any] = {"campaign": "RENTREE-ADS", "attribute": "gender", "group": "M", "share_delivered": 0.5}
PROXY: dict[str, Any] = {"feature": "postcode", "attribute": "region"}
FEATURES = ("postcode", "segment")
STORIES = {
    "bias.intersectional": "SPRING26-EMAIL selected men aged 25-34 at half the campaign's rate; the quota rule made "
    "up for it with women of 25-34 and men of other ages, so gender alone and age alone look "
    "fair while this combination is left out.",
    "bias.outcome_parity": "In NOEL26-ADS the lead score does not predict men's purchases: the men who bought were "
    "mostly low scorers, so far fewer of them had been selected than of the women who bought.",
    "bias.score_distribution": "A vendor update lowered the NOEL26-ADS lead score of people aged 55-64 by 0.2; the "
    "quota per cell kept their selection rate, but the score itself is shifted.",
    "bias.offer_parity": "SPRING26-EMAIL offered people aged 55-64 discounts 30% smaller than everyone else's.",
    "bias.proxies": "The targeting feature postcode determines region (a French postcode starts with its "
    "département): derived from the attribute, so targeting on it is targeting on region. segment "
    "is independent of every sensitive attribute.",
    "bias.delivery_skew": "The RENTREE-ADS platform delivered the ad to only half of the men selected: men are "
    "under-represented among the people reached, women over-represented.",
}
GAP_FAIL_ABOVE, GAP_WARN_ABOVE, KS_FAIL_ABOVE, KS_WARN_ABOVE = 0.2, 0.1, 0.3, 0.2
DELIVERY_LOW, DELIVERY_HIGH, CRAMER_WARN, CRAMER_FAIL = 0.8, 1.25, 0.3, 0.5
AGE_SKEW_STORY = (
    "NOEL26-EMAIL's audience rule ('digital-first') kept only the top of the 65+ band: people aged "
    "65 and over were selected at less than half the rate of every other age band."
)
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


def build_targeting(
    rng: np.random.Generator, population: Population, campaign: Campaign, considered: np.ndarray
) -> Targeting:
    """Score the considered people, select by quota per cell, draw conversions and offers."""
    people = population.people.iloc[considered]
    score = _lead_score(rng, people, population)
    age = people["age_band"].to_numpy()
    if campaign.id == SCORE_SHIFT["campaign"]:
        shifted = age == AGE_BAND_LABELS.index(SCORE_SHIFT["group"])
        score = np.where(shifted, np.round(np.clip(score + SCORE_SHIFT["shift"], 0.0, 1.0), 4), score)
    rate = np.full(len(considered), campaign.selection_rate)
    if campaign.id == AGE_SKEW["campaign"]:
        rate[age == AGE_BAND_LABELS.index(AGE_SKEW["group"])] = AGE_SKEW["rate"]
    if campaign.id == INTERSECTION_SKEW["campaign"]:
        rate = _intersection_rates(people, rate)
    selected = _select_by_cell_quota(rng, people, score, rate)
    # Purchases in the campaign period (organic ones included): frequent enough that true-positive rates per
    # group are not mere noise. Where the outcome gap is planted, the score predicts the opposite.
    predictor = score
    if campaign.id == OUTCOME_GAP["campaign"]:
        predictor = np.where(people["gender"].to_numpy() == GENDERS.index(OUTCOME_GAP["group"]), 1.0 - score, score)
    converted = rng.random(len(considered)) < 0.10 + 0.45 * predictor + 0.05 * selected
    segment = people["segment"].to_numpy()
    offer = np.array([OFFER_BY_SEGMENT[s] for s in SEGMENTS])[segment] + np.where(score >= 0.8, 5.0, 0.0)
    if campaign.id == OFFER_GAP["campaign"]:
        offer = np.where(age == AGE_BAND_LABELS.index(OFFER_GAP["group"]), offer * OFFER_GAP["factor"], offer)
    return Targeting(
        campaign=campaign,
        person=considered,
        selected=selected,
        score=score,
        outcome=converted,
        offer_value=np.where(selected, offer, np.nan),
    )


def _intersection_rates(people: pd.DataFrame, rate: np.ndarray) -> np.ndarray:
    """Selection rates that leave one gender x age cell out while every gender and every age band keeps the
    campaign's rate: the cell loses `factor` of its rate, the other gender of the same band gains what it lost,
    and the two genders swap the same number of selections across the other bands."""
    gender, age = people["gender"].to_numpy(), people["age_band"].to_numpy()
    target_gender, other_gender = GENDERS.index(INTERSECTION_SKEW["gender"]), GENDERS.index("F")
    in_band = age == AGE_BAND_LABELS.index(INTERSECTION_SKEW["age_band"])
    adult = age >= 0
    cells = {
        "cell": in_band & (gender == target_gender),
        "partner": in_band & (gender == other_gender),
        "target_elsewhere": ~in_band & adult & (gender == target_gender),
        "other_elsewhere": ~in_band & adult & (gender == other_gender),
    }
    size = {name: int(mask.sum()) for name, mask in cells.items()}
    lost = rate[cells["cell"]].sum() * INTERSECTION_SKEW["factor"]  # expected selections taken from the cell
    result = rate.copy()
    result[cells["cell"]] *= 1 - INTERSECTION_SKEW["factor"]
    result[cells["partner"]] += lost / size["partner"]
    result[cells["target_elsewhere"]] += lost / size["target_elsewhere"]
    result[cells["other_elsewhere"]] -= lost / size["other_elsewhere"]
    clipped: np.ndarray = np.clip(result, 0.0, 1.0)
    return clipped


def skew_delivery(rng: np.random.Generator, sends: pd.DataFrame, population: Population) -> pd.DataFrame:
    """The planted delivery skew: of the RENTREE-ADS sends (person, campaign, sent_at) to the skewed group, only
    `share_delivered` are kept (the platform showed the ad to the others)."""
    in_campaign = sends["campaign"].to_numpy() == CAMPAIGN_INDEX[DELIVERY_SKEW["campaign"]]
    gender = population.people["gender"].to_numpy()[sends["person"].to_numpy()]
    in_group = in_campaign & (gender == GENDERS.index(DELIVERY_SKEW["group"]))
    dropped = in_group & (rng.random(len(sends)) >= DELIVERY_SKEW["share_delivered"])
    kept: pd.DataFrame = sends[~dropped].reset_index(drop=True)
    return kept


def _lead_score(rng: np.random.Generator, people: pd.DataFrame, population: Population) -> np.ndarray:
    """Propensity to buy: loyal and recently active people score higher. No demographic enters the score."""
    segment_lift = np.array([1.0, 0.4, 0.6, -0.6])[people["segment"].to_numpy()]
    days_idle = day_number(population.as_of) - people["last_activity"].to_numpy()
    logit = -0.3 + segment_lift - days_idle / 300.0 + rng.normal(0.0, 0.9, len(people))
    score: np.ndarray = np.round(1.0 / (1.0 + np.exp(-logit)), 4)
    return score


def _select_by_cell_quota(
    rng: np.random.Generator, people: pd.DataFrame, score: np.ndarray, rate: np.ndarray
) -> np.ndarray:
    """Top scorers of each gender x region x age band cell. Quotas come from cumulative rounding of the expected
    counts in cell order, so any run of consecutive cells (a gender, a gender x region) gets its expected count
    to within one person: small regions are not left to rounding luck. Age bands are large enough not to need
    it."""
    cell = (
        ((people["gender"].to_numpy().astype(np.int64) + 1) * len(REGIONS) + people["region"].to_numpy())
        * (len(AGE_BAND_LABELS) + 1)
        + people["age_band"].to_numpy()
        + 1
    )
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
    return pa.table(
        {
            "contact_id": contact_ids.take(pa.array(person[kept])),
            "campaign_id": pick([t.campaign.id for t in targeting], campaign[kept]),
            "selected": pa.array(np.concatenate([t.selected for t in targeting])[kept]),
            "score": pa.array(np.concatenate([t.score for t in targeting])[kept]),
            "outcome": pa.array(np.concatenate([t.outcome for t in targeting])[kept]),
            "offer_value": pa.array(offer, mask=np.isnan(offer)),
        }
    )


# --- What bias.selection_parity must find --------------------------------------------------------------------------


def selection_parity(frame: pd.DataFrame, *, attributes: tuple[str, ...] = SENSITIVE) -> pd.DataFrame:
    """Every (campaign, attribute, group) compared with the attribute's highest-rate group, judged as the
    catalogue says: rates for groups of at least MIN_GROUP_SIZE; the reference and every flagged group have at
    least MIN_FLAG_SIZE (smaller groups are "insufficient data"); significance by Fisher's exact test (small
    expected counts) or a two-proportion z-test, Benjamini-Hochberg across all comparisons. `frame` has
    campaign_id, selected and the attributes."""
    rows = []
    for (campaign, attribute), groups in _group_rates(frame, attributes).groupby(
        ["campaign_id", "attribute"], observed=True
    ):
        rated = groups[groups["n"] >= MIN_GROUP_SIZE]
        large = rated[rated["n"] >= MIN_FLAG_SIZE]
        if large.empty:
            continue
        # Ties go to the larger group, then to the name: the choice never depends on row order.
        reference = large.sort_values(["rate", "n", "group"], ascending=[False, False, True]).iloc[0]
        for _, group in rated.iterrows():
            comparable = group["n"] >= MIN_FLAG_SIZE
            rows.append(
                {
                    "campaign_id": campaign,
                    "attribute": attribute,
                    "group": group["group"],
                    "n": int(group["n"]),
                    "rate": group["rate"],
                    "reference": reference["group"],
                    "reference_rate": reference["rate"],
                    "ratio": group["rate"] / reference["rate"] if reference["rate"] > 0 else math.nan,
                    "comparable": comparable,
                    "p_value": _p_value(
                        int(group["selected"]), int(group["n"]), int(reference["selected"]), int(reference["n"])
                    )
                    if comparable and group["group"] != reference["group"]
                    else math.nan,
                }
            )
    result = pd.DataFrame(
        rows,
        columns=[
            "campaign_id",
            "attribute",
            "group",
            "n",
            "rate",
            "reference",
            "reference_rate",
            "ratio",
            "comparable",
            "p_value",
        ],
    ).astype({"comparable": bool, "ratio": float, "p_value": float})
    tested = result["p_value"].notna()
    result["p_adjusted"] = math.nan
    result.loc[tested, "p_adjusted"] = _benjamini_hochberg(result.loc[tested, "p_value"].to_numpy(dtype=float))
    significant = result["p_adjusted"] < ALPHA
    result["verdict"] = np.select(
        [
            ~result["comparable"],
            (result["ratio"] < FAIL_BELOW) & significant,
            result["ratio"] < FAIL_BELOW,
            (result["ratio"] < WARN_BELOW) & significant,
        ],
        ["insufficient data", "fail", "warn", "warn"],
        "pass",
    )
    return result


def _group_rates(frame: pd.DataFrame, attributes: tuple[str, ...]) -> pd.DataFrame:
    parts = []
    for attribute in attributes:
        counts = (
            frame.dropna(subset=[attribute])
            .groupby(["campaign_id", attribute], observed=True)["selected"]
            .agg(["size", "sum"])
            .reset_index()
        )
        parts.append(
            pd.DataFrame(
                {
                    "campaign_id": counts["campaign_id"],
                    "attribute": attribute,
                    "group": counts[attribute].astype(str),
                    "n": counts["size"],
                    "selected": counts["sum"],
                    "rate": counts["sum"] / counts["size"],
                }
            )
        )
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


def parity_summary(parity: pd.DataFrame, small_group: dict[str, Any]) -> dict[str, Any]:
    """The planted.json entry of bias.selection_parity."""
    failed = parity[parity["verdict"] == "fail"]
    warned = parity[parity["verdict"] == "warn"]
    planted = parity[(parity["campaign_id"] == AGE_SKEW["campaign"]) & (parity["attribute"] == "age_band")]
    target = planted[planted["group"] == AGE_SKEW["group"]].iloc[0]
    fair = [
        a
        for a in SENSITIVE
        if a != AGE_SKEW["attribute"]
        and not parity[(parity["attribute"] == a) & parity["verdict"].isin(["fail", "warn"])].shape[0]
    ]
    return {
        "status": status(len(failed), len(warned)),
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


def small_group_entry(frame: pd.DataFrame) -> dict[str, Any]:
    """The deliberately small group (gender X) of the targeting `frame` (campaign_id, gender): too small for a
    flag in every campaign at the default size, so reported as "insufficient data"."""
    in_group = frame["gender"] == GENDERS[2]
    largest = int(frame.loc[in_group, "campaign_id"].value_counts().max()) if in_group.any() else 0
    return {
        "attribute": "gender",
        "group": GENDERS[2],
        "largest_campaign_group": largest,
        "insufficient_data": largest < MIN_FLAG_SIZE,
    }


# --- What the other bias checks must find (plain pandas and scipy on the generated numbers) -----------------------


def decision_frame(targeting: list[Targeting], keep: np.ndarray, population: Population) -> pd.DataFrame:
    """One row per targeting decision written to targeting.csv, with the person's attributes as text (a missing
    value is the group "(missing)", as the review shows it)."""
    person = np.concatenate([t.person for t in targeting])
    kept = keep[person]
    campaign = np.concatenate([np.full(len(t.person), i) for i, t in enumerate(targeting)])[kept]
    frame = pd.DataFrame(
        {
            "campaign_id": pd.Categorical.from_codes(campaign, pd.Index([t.campaign.id for t in targeting])),
            "person": person[kept],
            "selected": np.concatenate([t.selected for t in targeting])[kept],
            "score": np.concatenate([t.score for t in targeting])[kept],
            "outcome": np.concatenate([t.outcome for t in targeting])[kept],
            "offer_value": np.concatenate([t.offer_value for t in targeting])[kept],
        }
    )
    return frame.join(attribute_frame(population, frame["person"].to_numpy()))


ATTRIBUTE_WORDS = {"gender": GENDERS, "age_band": AGE_BAND_LABELS, "region": REGIONS, "segment": SEGMENTS}


def attribute_frame(population: Population, rows: np.ndarray) -> pd.DataFrame:
    """Sensitive attributes and the segment of the people at `rows`, as categories of text ("(missing)" for a
    missing value, as the review shows it); categorical, so that 10 million contacts stay cheap."""
    people = population.people
    return pd.DataFrame(
        {name: _labels(words, people[name].to_numpy()[rows]) for name, words in ATTRIBUTE_WORDS.items()}
    )


def _labels(words: tuple[str, ...], codes: np.ndarray) -> pd.Categorical[str]:
    return pd.Categorical.from_codes(np.where(codes >= 0, codes, len(words)), pd.Index([*words, "(missing)"]))


def _verdicts(value: pd.Series, p_adjusted: pd.Series, *, fail: float, warn: float, below: bool) -> np.ndarray:
    """docs/checks.md's judgement: fail beyond `fail` and significant; warn beyond `fail` without significance or
    beyond `warn` with it."""
    beyond_fail = value < fail if below else value > fail
    beyond_warn = value < warn if below else value > warn
    significant = p_adjusted < ALPHA
    return np.select(
        [beyond_fail & significant, beyond_fail, beyond_warn & significant], ["fail", "warn", "warn"], "pass"
    )


def _against_reference(
    stats: pd.DataFrame,
    compare: Callable[[pd.Series, pd.Series], tuple[float, float | None]],
    *,
    fail: float,
    warn: float,
    below: bool,
) -> pd.DataFrame:
    """Each group of at least MIN_FLAG_SIZE against its block's reference (highest `level`, then largest, then
    name); `compare(group, reference)` gives (value, p-value or None when there is nothing to test)."""
    rows = []
    for _, block in stats.groupby(["campaign_id", "attribute"], observed=True):
        large = block[block["n"] >= MIN_FLAG_SIZE]
        if large.empty:
            continue
        reference = large.sort_values(["level", "n", "group"], ascending=[False, False, True]).iloc[0]
        for _, group in large.iterrows():
            if group["group"] != reference["group"]:
                value, p_value = compare(group, reference)
                rows.append(
                    {
                        "campaign_id": group["campaign_id"],
                        "attribute": group["attribute"],
                        "group": group["group"],
                        "value": value,
                        "p_value": p_value,
                    }
                )
    result = pd.DataFrame(rows, columns=["campaign_id", "attribute", "group", "value", "p_value"])
    tested = result["p_value"].notna()
    result["p_adjusted"] = math.nan
    result.loc[tested, "p_adjusted"] = _benjamini_hochberg(result.loc[tested, "p_value"].to_numpy(dtype=float))
    result["verdict"] = _verdicts(
        result["value"].astype(float), result["p_adjusted"], fail=fail, warn=warn, below=below
    )
    result.loc[~tested, "verdict"] = "pass"
    return result


def _entry(check_id: str, verdicts: pd.Series, plant: dict[str, Any], **extra: Any) -> dict[str, Any]:
    failed, warned = int((verdicts == "fail").sum()), int((verdicts == "warn").sum())
    counts = {"comparisons": len(verdicts), "failed_comparisons": failed, "warned_comparisons": warned}
    return {
        "status": status(failed, warned) if len(verdicts) else "not_applicable",
        "counts": counts if len(verdicts) else {},  # "insufficient data" has no metric
        **plant,
        **extra,
        "story": STORIES[check_id],
    }


def _per_group(frame: pd.DataFrame, attributes: tuple[str, ...], column: str) -> dict[tuple[Any, ...], np.ndarray]:
    """The values of `column` per (campaign, attribute, group)."""
    return {
        (campaign, attribute, group): block[column].to_numpy()
        for attribute in attributes
        for (campaign, group), block in frame.groupby(["campaign_id", attribute], observed=True)
    }


def _stats(samples: dict[tuple[Any, ...], np.ndarray]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"campaign_id": c, "attribute": a, "group": g, "n": len(v), "level": float(np.mean(v))}
            for (c, a, g), v in samples.items()
        ]
    )


def intersectional_entry(frame: pd.DataFrame) -> dict[str, Any]:
    pairs = [f"{g} × {a}" for g in frame["gender"].cat.categories for a in frame["age_band"].cat.categories]
    code = (
        frame["gender"].cat.codes.to_numpy() * len(frame["age_band"].cat.categories)
        + frame["age_band"].cat.codes.to_numpy()
    )
    combined = frame.assign(**{"gender × age_band": pd.Categorical.from_codes(code, pd.Index(pairs))})
    parity = selection_parity(combined, attributes=("gender × age_band",))
    judged = parity[parity["comparable"] & (parity["group"] != parity["reference"])]
    target = f"{INTERSECTION_SKEW['gender']} × {INTERSECTION_SKEW['age_band']}"
    planted = parity[(parity["campaign_id"] == INTERSECTION_SKEW["campaign"]) & (parity["group"] == target)]
    alone = selection_parity(
        frame[frame["campaign_id"] == INTERSECTION_SKEW["campaign"]], attributes=("gender", "age_band")
    )
    return _entry(
        "bias.intersectional",
        judged["verdict"],
        {
            "campaign": INTERSECTION_SKEW["campaign"],
            "attribute": "gender × age_band",
            "group": target,
            "impact_ratio": round(float(planted["ratio"].iloc[0]), 4) if len(planted) else None,
            "verdict": str(planted["verdict"].iloc[0]) if len(planted) else "insufficient data",
            "each_attribute_alone": sorted(set(alone.loc[alone["comparable"], "verdict"])),
        },
    )


def outcome_entry(frame: pd.DataFrame) -> dict[str, Any]:
    """True- and false-positive rates are selection rates among converters and non-converters: compared by gap."""
    parts = []
    for converted, measure in ((True, "true_positive_rate"), (False, "false_positive_rate")):
        part = frame[frame["outcome"] == converted]
        parts.append(part.assign(campaign_id=part["campaign_id"].astype(str) + "|" + measure))
    both = pd.concat(parts, ignore_index=True)
    stats = _group_rates(both, SENSITIVE).rename(columns={"rate": "level"})

    def compare(group: pd.Series, reference: pd.Series) -> tuple[float, float | None]:
        if reference["selected"] == 0:
            return 0.0, None
        return (
            abs(group["level"] - reference["level"]),
            _p_value(int(group["selected"]), int(group["n"]), int(reference["selected"]), int(reference["n"])),
        )

    judged = _against_reference(stats, compare, fail=GAP_FAIL_ABOVE, warn=GAP_WARN_ABOVE, below=False)
    planted = judged[
        judged["campaign_id"].str.startswith(OUTCOME_GAP["campaign"] + "|")
        & (judged["attribute"] == OUTCOME_GAP["attribute"])
    ]
    return _entry(
        "bias.outcome_parity",
        judged["verdict"],
        dict(OUTCOME_GAP),
        planted_gaps={
            c.split("|")[1]: round(float(v), 4) for c, v in zip(planted["campaign_id"], planted["value"], strict=True)
        },
    )


def score_entry(frame: pd.DataFrame) -> dict[str, Any]:
    from scipy import stats as scipy_stats  # noqa: PLC0415 - scipy is slow to import

    samples = _per_group(frame, SENSITIVE, "score")

    def compare(group: pd.Series, reference: pd.Series) -> tuple[float, float]:
        result = scipy_stats.ks_2samp(
            samples[(group["campaign_id"], group["attribute"], group["group"])],
            samples[(reference["campaign_id"], reference["attribute"], reference["group"])],
            method="asymp",
        )
        return float(result.statistic), float(result.pvalue)

    judged = _against_reference(_stats(samples), compare, fail=KS_FAIL_ABOVE, warn=KS_WARN_ABOVE, below=False)
    planted = judged[
        (judged["campaign_id"] == SCORE_SHIFT["campaign"])
        & (judged["group"] == SCORE_SHIFT["group"])
        & (judged["attribute"] == SCORE_SHIFT["attribute"])
    ]
    return _entry(
        "bias.score_distribution",
        judged["verdict"],
        dict(SCORE_SHIFT),
        ks_distance=round(float(planted["value"].iloc[0]), 4) if len(planted) else None,
    )


def offer_entry(frame: pd.DataFrame) -> dict[str, Any]:
    from scipy import stats as scipy_stats  # noqa: PLC0415 - scipy is slow to import

    samples = _per_group(frame[frame["offer_value"].notna()], SENSITIVE, "offer_value")

    def compare(group: pd.Series, reference: pd.Series) -> tuple[float, float]:
        a = samples[(group["campaign_id"], group["attribute"], group["group"])]
        b = samples[(reference["campaign_id"], reference["attribute"], reference["group"])]
        if a.std() == 0 and b.std() == 0:
            return a.mean() / b.mean(), 1.0 if a.mean() == b.mean() else 0.0
        return a.mean() / b.mean(), float(scipy_stats.ttest_ind(a, b, equal_var=False).pvalue)

    judged = _against_reference(_stats(samples), compare, fail=FAIL_BELOW, warn=WARN_BELOW, below=True)
    planted = judged[
        (judged["campaign_id"] == OFFER_GAP["campaign"])
        & (judged["group"] == OFFER_GAP["group"])
        & (judged["attribute"] == OFFER_GAP["attribute"])
    ]
    return _entry(
        "bias.offer_parity",
        judged["verdict"],
        dict(OFFER_GAP),
        offer_ratio=round(float(planted["value"].iloc[0]), 4) if len(planted) else None,
    )


def corrected_cramers_v(contingency: np.ndarray) -> float:
    """Bergsma (2013), written out here independently of the kit."""
    from scipy import stats as scipy_stats  # noqa: PLC0415 - scipy is slow to import

    contingency = contingency[contingency.sum(axis=1) > 0][:, contingency.sum(axis=0) > 0]  # unobserved categories
    n = contingency.sum()
    r, k = contingency.shape
    chi2 = scipy_stats.chi2_contingency(contingency, correction=False)[0]
    phi2 = max(0.0, chi2 / n - (k - 1) * (r - 1) / (n - 1))
    r_tilde, k_tilde = r - (r - 1) ** 2 / (n - 1), k - (k - 1) ** 2 / (n - 1)
    return min(1.0, math.sqrt(phi2 / min(k_tilde - 1, r_tilde - 1)))


def proxies_entry(population: Population, keep: np.ndarray) -> dict[str, Any]:
    rows = np.flatnonzero(keep)
    people = attribute_frame(population, rows).assign(
        postcode=population.identity["postcode"].take(pa.array(rows)).to_numpy(zero_copy_only=False)
    )
    pairs = {
        (f, a): corrected_cramers_v(pd.crosstab(people[f], people[a]).to_numpy(dtype=float))
        for f in FEATURES
        for a in SENSITIVE
    }
    # A feature each of whose values goes with one group of the attribute is derived from it (a postcode is a
    # region), reported as such and not as a hidden proxy (docs/checks.md v2): a warning of its own kind.
    derived = {
        (f, a)
        for f in FEATURES
        for a in SENSITIVE
        if people.groupby(f, observed=True)[a].nunique().max() == 1 and people[a].nunique() > 1
    }
    verdict = {pair: status(v >= CRAMER_FAIL, v >= CRAMER_WARN) for pair, v in pairs.items() if pair not in derived}
    failed, warned = sum(v == "fail" for v in verdict.values()), sum(v == "warn" for v in verdict.values())
    return {
        "status": status(failed, warned + len(derived)),
        "counts": {"pairs": len(pairs), "failed_pairs": failed, "warned_pairs": warned, "derived_pairs": len(derived)},
        "derived": sorted(f"{f} × {a}" for f, a in derived),
        **PROXY,
        "cramers_v": {f"{f} × {a}": round(v, 4) for (f, a), v in pairs.items()},
        "story": STORIES["bias.proxies"],
    }


def delivery_entry(frame: pd.DataFrame, sends: pd.DataFrame) -> dict[str, Any]:
    """Eligible: selected in targeting; reached: with a send in that campaign. Binomial test per group, BH."""
    from scipy import stats as scipy_stats  # noqa: PLC0415 - scipy is slow to import

    campaigns = len(CAMPAIGN_INDEX)
    reached_keys = sends["person"].to_numpy().astype(np.int64) * campaigns + sends["campaign"].to_numpy()
    eligible = frame[frame["selected"]].copy()
    campaign_index = eligible["campaign_id"].map(CAMPAIGN_INDEX).to_numpy(dtype=np.int64)
    eligible["reached"] = np.isin(
        eligible["person"].to_numpy().astype(np.int64) * campaigns + campaign_index, reached_keys
    )
    rows = []
    for attribute in SENSITIVE:
        for campaign, block in eligible.groupby("campaign_id", observed=True):
            total, reached_total = len(block), int(block["reached"].sum())
            for group, members in block.groupby(attribute, observed=True):
                if len(members) < MIN_FLAG_SIZE or not reached_total:
                    continue
                reached = int(members["reached"].sum())
                share = len(members) / total
                rows.append(
                    {
                        "campaign_id": campaign,
                        "attribute": attribute,
                        "group": group,
                        "ratio": (reached / reached_total) / share,
                        "p_value": scipy_stats.binomtest(reached, reached_total, share).pvalue,
                    }
                )
    result = pd.DataFrame(rows, columns=["campaign_id", "attribute", "group", "ratio", "p_value"])
    result["p_adjusted"] = _benjamini_hochberg(result["p_value"].to_numpy(dtype=float))
    skewed = ((result["ratio"] < DELIVERY_LOW) | (result["ratio"] > DELIVERY_HIGH)) & (result["p_adjusted"] < ALPHA)
    planted = result[
        (result["campaign_id"] == DELIVERY_SKEW["campaign"])
        & (result["group"] == DELIVERY_SKEW["group"])
        & (result["attribute"] == DELIVERY_SKEW["attribute"])
    ]
    return {
        "status": "warn" if skewed.any() else "pass" if len(result) else "not_applicable",
        "counts": {"groups_judged": len(result), "warned_groups": int(skewed.sum())} if len(result) else {},
        **DELIVERY_SKEW,
        "delivery_ratio": round(float(planted["ratio"].iloc[0]), 4) if len(planted) else None,
        "story": STORIES["bias.delivery_skew"],
    }


def planted_entries(
    targeting: list[Targeting], keep: np.ndarray, population: Population, sends: pd.DataFrame
) -> dict[str, dict[str, Any]]:
    """planted.json entries of every bias check but selection_parity (whose entry predates them)."""
    frame = decision_frame(targeting, keep, population)
    return {
        "bias.intersectional": intersectional_entry(frame),
        "bias.outcome_parity": outcome_entry(frame),
        "bias.score_distribution": score_entry(frame),
        "bias.offer_parity": offer_entry(frame),
        "bias.proxies": proxies_entry(population, keep),
        "bias.delivery_skew": delivery_entry(frame, sends),
    }
