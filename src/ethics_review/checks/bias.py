"""Bias and fairness checks (area `bias`). Per-group counts are computed in the engine; only they reach pandas,
where intervals and tests come from scipy.stats (see stats.py)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import ibis
import ibis.expr.datatypes as idt
import pandas as pd

from .. import i18n
from ..config import BiasConfig
from ..contract import AGE_BANDS
from ..errors import ConfigError
from ..findings import Finding, Status, Threshold, judge, suppress_small_cells, worst
from ..review import Review
from ..stats import benjamini_hochberg, compare_proportions, ratio_interval, wilson_interval
from .common import Check, build_finding, not_applicable

MISSING_GROUP = "(missing)"
INSUFFICIENT = "insufficient data"
REFERENCE = "reference"
SIGNIFICANCE = 0.05


def age_in_years(birth_date: ibis.Value, as_of: dt.date) -> ibis.Value:
    """Completed years at `as_of`, computed portably (no engine-specific date difference)."""
    before_birthday = (birth_date.month() > as_of.month) | (
        (birth_date.month() == as_of.month) & (birth_date.day() > as_of.day))
    return as_of.year - birth_date.year() - before_birthday.cast("int64")


def age_band(age: ibis.Value) -> ibis.Value:
    """The fixed, documented bands of CHECKS.md (never quantiles)."""
    bands = sorted(AGE_BANDS, key=lambda band: -band[1])
    return ibis.cases(*((age >= low, label) for label, low in bands), else_=ibis.null(idt.string))


def with_age_band(table: ibis.Table, as_of: dt.date) -> ibis.Table:
    if "age_band" in table.columns:
        return table
    if "birth_date" in table.columns:
        age = age_in_years(table.birth_date, as_of)
        if "age" in table.columns:
            age = ibis.coalesce(age, table.age)
        return table.mutate(age_band=age_band(age))
    if "age" in table.columns:
        return table.mutate(age_band=age_band(table.age))
    return table


def selection_population(review: Review) -> ibis.Table:
    """One row per (contact, campaign) considered, with `selected` and the contact's attributes.

    The targeting table when there is one; otherwise every contact for every campaign of the sends, selected
    when the contact has a send in that campaign (DATA_CONTRACT.md, targeting)."""
    contacts = with_age_band(review.table("contacts"), review.as_of) if review.has("contacts") else None
    if review.has("targeting"):
        population = with_age_band(review.table("targeting"), review.as_of)
        if contacts is None:
            return population
        extra = [c for c in contacts.columns if c not in population.columns]
        return population.left_join(contacts.select("contact_id", *extra), "contact_id").drop("contact_id_right")
    sends = review.table("sends")
    reached = sends.select("contact_id", "campaign_id").distinct().mutate(selected=ibis.literal(True))
    campaigns = sends.select("campaign_id").distinct()
    considered = contacts.cross_join(campaigns)
    population = considered.left_join(reached, ["contact_id", "campaign_id"])
    population = population.drop("contact_id_right", "campaign_id_right")
    return population.mutate(selected=population.selected.fill_null(False))


def group_counts(population: ibis.Table, attributes: Sequence[str | tuple[str, ...]]) -> pd.DataFrame:
    """(campaign_id, attribute, group, n, selected) per group of each attribute or intersection of attributes."""
    frames = []
    for attribute in attributes:
        parts = (attribute,) if isinstance(attribute, str) else tuple(attribute)
        labels = [population[p].cast("string").fill_null(MISSING_GROUP) for p in parts]
        group = labels[0]
        for label in labels[1:]:
            group = group + " × " + label
        counts = (population.mutate(group=group)
                  .group_by(["campaign_id", "group"])
                  .agg(n=ibis._.count(), selected=ibis._.selected.cast("int64").sum())
                  .to_pandas())
        frames.append(counts.assign(attribute=" × ".join(parts)))
    columns = ["campaign_id", "attribute", "group", "n", "selected"]
    if not frames:
        return pd.DataFrame(columns=columns)
    result = pd.concat(frames, ignore_index=True)[columns]
    return result.sort_values(columns[:3], ignore_index=True)


@dataclass(frozen=True)
class ParityRules:
    min_group_size: int
    min_flag_size: int
    k_anonymity: int
    reference: str | Mapping[str, str]
    thresholds: tuple[Threshold, ...]
    alpha: float = SIGNIFICANCE


def parity_thresholds(fail_below: float, warn_below: float, metric: str = "impact_ratio") -> tuple[Threshold, ...]:
    """CHECKS.md: fail below `fail_below` and significant; warn below it but not significant, or below
    `warn_below` and significant. Kit defaults (the four-fifths rule is a screening signal, not a verdict)."""
    return (Threshold(metric, "<", fail_below, "fail", "kit default", needs_significance=True),
            Threshold(metric, "<", fail_below, "warn", "kit default"),
            Threshold(metric, "<", warn_below, "warn", "kit default", needs_significance=True))


def _reference_group(groups: pd.DataFrame, attribute: str, rules: ParityRules) -> str | None:
    eligible = groups[groups.n >= rules.min_flag_size]
    if eligible.empty:
        return None
    if isinstance(rules.reference, Mapping):
        named = rules.reference.get(attribute)
        if named is not None:
            return named if named in set(eligible.group) else None
        choice = "highest"
    else:
        choice = rules.reference
    # Ties go to the larger (then higher-rate) group, and only then to the name, so renaming groups never
    # changes which comparison is made.
    order = ["rate", "n", "group"] if choice == "highest" else ["n", "rate", "group"]
    return eligible.sort_values(order, ascending=[False, False, True]).group.iloc[0]


def parity_table(counts: pd.DataFrame, rules: ParityRules) -> pd.DataFrame:
    """Rates, intervals, impact ratios, tests (BH-adjusted across the whole table) and a flag per group."""
    rows = []
    for (campaign, attribute), groups in counts.groupby(["campaign_id", "attribute"], sort=True):
        groups = groups.assign(rate=groups.selected / groups.n)
        overall = groups.selected.sum() / groups.n.sum()
        reference = _reference_group(groups, attribute, rules)
        ref = groups[groups.group == reference].iloc[0] if reference is not None else None
        for group in groups.itertuples(index=False):
            row = {"campaign_id": campaign, "attribute": attribute, "group": group.group, "n": int(group.n),
                   "selected": int(group.selected), "reference_group": reference, "rate": None,
                   "ci_low": None, "ci_high": None, "impact_ratio": None, "ratio_ci_low": None,
                   "ratio_ci_high": None, "difference": None, "ratio_to_overall": None, "p_value": None,
                   "test": None}
            if group.n >= rules.min_group_size:
                interval = wilson_interval(group.selected, group.n)
                row.update(rate=group.rate, ci_low=interval.low, ci_high=interval.high,
                           ratio_to_overall=group.rate / overall if overall else None)
            if group.n < rules.min_flag_size or ref is None:
                row["flag"] = INSUFFICIENT
            elif group.group == reference:
                row["flag"] = REFERENCE
            elif ref.selected == 0:
                row["flag"] = "pass"  # nobody in the reference group was selected: no disparity to measure
            else:
                ratio = ratio_interval(group.selected, group.n, ref.selected, ref.n)
                test = compare_proportions(group.selected, group.n, ref.selected, ref.n)
                row.update(impact_ratio=group.rate / ref.rate, ratio_ci_low=ratio.low, ratio_ci_high=ratio.high,
                           difference=group.rate - ref.rate, p_value=test.p_value, test=test.method,
                           flag="compared")
            rows.append(row)
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    compared = table.flag == "compared"
    table["p_adjusted"] = None
    table.loc[compared, "p_adjusted"] = benjamini_hochberg(table.loc[compared, "p_value"].tolist())
    for index in table.index[compared]:
        significant = table.at[index, "p_adjusted"] < rules.alpha
        table.at[index, "flag"] = judge({"impact_ratio": table.at[index, "impact_ratio"]}, rules.thresholds,
                                        significant=significant)
    return table


def parity_status(table: pd.DataFrame) -> Status:
    judged = [f for f in table.get("flag", pd.Series(dtype=object)) if f in {"pass", "warn", "fail"}]
    return worst(judged)


def parity_evidence(table: pd.DataFrame, k: int) -> pd.DataFrame:
    """The table as it may leave the engine's side: small cells suppressed, rates of tiny groups hidden."""
    derived = ["rate", "ci_low", "ci_high", "impact_ratio", "ratio_ci_low", "ratio_ci_high", "difference",
               "ratio_to_overall"]
    return suppress_small_cells(table, count_columns=["n", "selected"], k=k, hide_with={
        "n": ["selected", *derived, "p_value", "p_adjusted"], "selected": derived})


def parity_metric(table: pd.DataFrame) -> dict[str, object]:
    judged = table[table.flag.isin(["pass", "warn", "fail"])] if not table.empty else table
    ratios = [r for r in judged.get("impact_ratio", []) if r is not None and not math.isnan(r)]
    return {
        "comparisons": int(len(judged)),
        "failed_comparisons": int((judged.flag == "fail").sum()) if len(judged) else 0,
        "warned_comparisons": int((judged.flag == "warn").sum()) if len(judged) else 0,
        "insufficient_groups": int((table.flag == INSUFFICIENT).sum()) if not table.empty else 0,
        "min_impact_ratio": min(ratios) if ratios else None,
    }


def parity_rules(bias: BiasConfig, *, reference: str | Mapping[str, str] | None, fail_below: float,
                 warn_below: float) -> ParityRules:
    if not 0 < fail_below <= warn_below <= 1:
        raise ConfigError(f"bias thresholds must satisfy 0 < fail_below <= warn_below <= 1, found fail_below="
                          f"{fail_below}, warn_below={warn_below}", fix="set e.g. fail_below: 0.8, warn_below: 0.9")
    return ParityRules(min_group_size=bias.min_group_size, min_flag_size=bias.min_flag_size,
                       k_anonymity=bias.k_anonymity, reference=reference or bias.reference,
                       thresholds=parity_thresholds(fail_below, warn_below))


def _worst_row(table: pd.DataFrame) -> dict[str, object]:
    """The comparison the summary names: the lowest impact ratio among the most severe flags."""
    judged = table[table.flag.isin(["fail", "warn"])]
    if judged.empty:
        return {"campaign": "", "attribute": "", "group": "", "reference_group": "", "ratio": None}
    severity = judged.flag.map({"fail": 0, "warn": 1})
    row = judged.assign(severity=severity).sort_values(["severity", "impact_ratio"]).iloc[0]
    return {"campaign": row.campaign_id, "attribute": row.attribute, "group": row.group,
            "reference_group": row.reference_group, "ratio": row.impact_ratio}


def selection_parity(review: Review, *, campaign: str | None = None, attributes: Sequence[str] | None = None,
                     reference: str | Mapping[str, str] | None = None, fail_below: float = 0.8,
                     warn_below: float = 0.9) -> Finding:
    """Selection rate per group of each sensitive attribute, per campaign, against the reference group."""
    rules = parity_rules(review.config.bias, reference=reference, fail_below=fail_below, warn_below=warn_below)
    if not (review.has("targeting") or (review.has("sends") and review.has("contacts"))):
        return not_applicable(review, "bias.selection_parity", [("targeting", None)])
    population = selection_population(review)
    if campaign is not None:
        population = population.filter(population.campaign_id == campaign)
    wanted = list(attributes) if attributes is not None else list(review.config.bias.sensitive)
    present = [a for a in wanted if a in population.columns]
    absent = [a for a in wanted if a not in population.columns]
    notes = [i18n.text("bias.selection_parity", "attribute_missing", review.lang, attribute=a) for a in absent]
    if not wanted:
        return not_applicable(review, "bias.selection_parity", [], reason=i18n.text(
            "bias.selection_parity", "no_attributes", review.lang))
    if not present:
        return not_applicable(review, "bias.selection_parity", [("contacts", a) for a in absent])
    table = parity_table(group_counts(population, present), rules)
    status = parity_status(table)
    if status == "not_applicable":
        return not_applicable(review, "bias.selection_parity", [], reason=i18n.text(
            "bias.selection_parity", "insufficient", review.lang, min_flag_size=rules.min_flag_size))
    metric = parity_metric(table)
    return build_finding(review, "bias.selection_parity", status, metric=metric, thresholds=rules.thresholds,
                         evidence=parity_evidence(table, rules.k_anonymity), notes=notes,
                         **_worst_row(table), attributes=", ".join(present))


BIAS_CHECKS = (
    # Needs targeting, or contacts and sends: checked inside, since either will do.
    Check("bias.selection_parity", "bias", selection_parity),
)
