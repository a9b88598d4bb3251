"""Bias and fairness checks (area `bias`): selection parity, intersections, outcome parity, score distribution,
offer parity, proxies and delivery skew.

Per-group aggregates are computed in the engine (counts, sums, sums of squares, counts per score value, contingency
counts); only they reach pandas, where intervals and tests come from scipy.stats. Every check follows the size
rules of docs/checks.md: no rate for a group under min_group_size, no flag under min_flag_size ("insufficient data",
never "pass"), evidence cells under k_anonymity suppressed; a comparison that is only sampling noise never fails."""

from __future__ import annotations

import datetime as dt
import difflib
import math
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, cast

import ibis
import ibis.expr.datatypes as idt
import numpy as np
import numpy.typing as npt
import pandas as pd

from .. import aggregates, i18n
from ..config import BiasConfig
from ..contract import AGE_BANDS
from ..engine import MAX_RESULT_ROWS, fetch
from ..errors import ConfigError
from ..findings import Finding, Status, Threshold, judge, suppress_small_cells, worst
from ..review import Review
from ..stats import (
    benjamini_hochberg,
    binomial_p_value,
    chi_square,
    compare_proportions,
    ks_p_value,
    ratio_interval,
    welch_p_value,
    wilson_interval,
)
from .common import Check, age_at, as_float, build_finding, exact_sum, not_applicable, options_for

MISSING_GROUP = "(missing)"
INSUFFICIENT = "insufficient data"
REFERENCE = "reference"
SIGNIFICANCE = 0.05
INTERSECTION = " × "
SHARED_TEXT = "bias"  # texts/bias.yaml: wording every bias check shares (missing attributes, insufficient data)


def age_band(age: ibis.Value) -> ibis.Value:
    """The fixed, documented bands of docs/checks.md (never quantiles)."""
    bands = sorted(AGE_BANDS, key=lambda band: -band[1])
    return ibis.cases(*((age >= low, label) for label, low in bands), else_=ibis.null(idt.string))


def with_age_band(table: ibis.Table, as_of: dt.date) -> ibis.Table:
    if "age_band" in table.columns:
        return table
    if "birth_date" in table.columns:
        age = age_at(table.birth_date, ibis.literal(as_of))
        if "age" in table.columns:
            age = ibis.coalesce(age, table.age)
        return table.mutate(age_band=age_band(age))
    if "age" in table.columns:
        return table.mutate(age_band=age_band(table.age))
    return table


def selection_population(review: Review) -> ibis.Table:
    """One row per (contact, campaign) considered, with `selected` and the contact's attributes.

    The targeting table when there is one; otherwise every contact for every campaign of the sends, selected
    when the contact has a send in that campaign (docs/data-contract.md, targeting)."""
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
    # Without targeting, audit_population (the only caller) has checked that contacts and sends both exist.
    assert contacts is not None
    considered = contacts.cross_join(campaigns)
    population = considered.left_join(reached, ["contact_id", "campaign_id"])
    population = population.drop("contact_id_right", "campaign_id_right")
    return population.mutate(selected=population.selected.fill_null(False))


def attribute_parts(attribute: str | Sequence[str]) -> tuple[str, ...]:
    return (attribute,) if isinstance(attribute, str) else tuple(attribute)


def attribute_name(attribute: str | Sequence[str]) -> str:
    """ "gender", or "gender × age_band" for an intersection: the key of a named reference group too."""
    return INTERSECTION.join(attribute_parts(attribute))


def group_label(population: ibis.Table, attribute: str | Sequence[str]) -> ibis.Value:
    """The group of each row as text ("F", or "F × 65+" for an intersection); a missing value is a group too."""
    labels = [population[p].cast("string").fill_null(MISSING_GROUP) for p in attribute_parts(attribute)]
    group = labels[0]
    for label in labels[1:]:
        group = group + INTERSECTION + label
    return group


def stacked_by_attribute(
    table: ibis.Table, attributes: Sequence[str | tuple[str, ...]], columns: Sequence[str]
) -> ibis.Table:
    """`columns` of `table` once per attribute, each row with the attribute's name and its group beside them: one
    query then counts every attribute, and `table` (often a join) is compiled once as a common table."""
    stacked = [
        table.select(*columns, attribute=ibis.literal(attribute_name(attribute)), group=group_label(table, attribute))
        for attribute in attributes
    ]
    return ibis.union(*stacked) if len(stacked) > 1 else stacked[0]


STACKED_BELOW_ROWS = 1_000_000  # kit default: input rows of a review whose bias queries stack its attributes


def stacks_attributes(review: Review) -> bool:
    """Whether the bias checks ask for every attribute in one query. Below a million input rows they do: compiling
    fewer queries is most of a small review's cost. A larger review asks one attribute at a time, so that the
    engine holds one attribute's rows, not the population stacked once per attribute (at 10M contacts that ran
    out of DuckDB's 1 GiB memory_limit). The counts are the same either way."""
    return sum(item.rows for item in review.inputs) < STACKED_BELOW_ROWS


def group_counts(
    population: ibis.Table, attributes: Sequence[str | tuple[str, ...]], *, stacked: bool = True
) -> pd.DataFrame:
    """(campaign_id, attribute, group, n, selected) per group of each attribute or intersection of attributes.

    `stacked`: one query for all the attributes: the population is stacked once per attribute (its group label
    beside it), so that the population, often a join, is compiled once as a common table rather than once per
    attribute; else one query per attribute (stacks_attributes). Each attribute's groups are bounded as one
    result of the gate's would be."""
    columns = ["campaign_id", "attribute", "group", "n", "selected"]
    if not attributes:
        return pd.DataFrame(columns=columns)
    if not stacked and len(attributes) > 1:
        each = [group_counts(population, [attribute]) for attribute in attributes]
        return pd.concat(each, ignore_index=True).sort_values(columns[:3], ignore_index=True)
    groups = stacked_by_attribute(population, attributes, ["campaign_id", "selected"])
    counts = fetch(
        groups.group_by(["campaign_id", "attribute", "group"]).agg(
            n=ibis._.count(), selected=ibis._.selected.cast("int64").sum()
        ),
        max_rows=MAX_RESULT_ROWS * len(attributes),
    )
    result: pd.DataFrame = counts[columns]
    return result.sort_values(columns[:3], ignore_index=True)


class GroupRow(Protocol):
    """A row of group_counts' table (with `rate` once parity_table adds it), read by attribute."""

    group: str
    n: int
    selected: int
    rate: float


def group_rows(groups: pd.DataFrame) -> Iterator[GroupRow]:
    # pandas-stubs types every field of itertuples' rows as any scalar at all; group_counts fixes their types.
    return cast(Iterator[GroupRow], groups.itertuples(index=False))


@dataclass(frozen=True)
class ParityRules:
    min_group_size: int
    min_flag_size: int
    k_anonymity: int
    reference: str | Mapping[str, str]
    thresholds: tuple[Threshold, ...]
    alpha: float = SIGNIFICANCE


def parity_thresholds(fail_below: float, warn_below: float, metric: str = "impact_ratio") -> tuple[Threshold, ...]:
    """docs/checks.md: fail below `fail_below` and significant; warn below it but not significant, or below
    `warn_below` and significant. Kit defaults (the four-fifths rule is a screening signal, not a verdict)."""
    return (
        Threshold(metric, "<", fail_below, "fail", "kit default", needs_significance=True),
        Threshold(metric, "<", fail_below, "warn", "kit default"),
        Threshold(metric, "<", warn_below, "warn", "kit default", needs_significance=True),
    )


def gap_thresholds(fail_above: float, warn_above: float, metric: str) -> tuple[Threshold, ...]:
    """The same judgement for a distance that should stay small (a rate gap, a KS distance): fail above
    `fail_above` and significant; warn above it but not significant, or above `warn_above` and significant."""
    return (
        Threshold(metric, ">", fail_above, "fail", "kit default", needs_significance=True),
        Threshold(metric, ">", fail_above, "warn", "kit default"),
        Threshold(metric, ">", warn_above, "warn", "kit default", needs_significance=True),
    )


def _reference_group(groups: pd.DataFrame, attribute: str, rules: ParityRules) -> str | None:
    """The group every other is compared with, among groups of at least min_flag_size: the highest `rate`
    (default), the largest, or the group named for this attribute."""
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
    return str(eligible.sort_values(order, ascending=[False, False, True]).group.iloc[0])


def _judge_compared(table: pd.DataFrame, rules: ParityRules, metrics: Sequence[str]) -> pd.DataFrame:
    """BH across every comparison of the table, then the shared `judge` on each: flag pass, warn or fail."""
    compared = table.flag == "compared"
    table["p_adjusted"] = None
    table.loc[compared, "p_adjusted"] = benjamini_hochberg(table.loc[compared, "p_value"].tolist())
    for index in table.index[compared]:
        significant = cast(float, table.at[index, "p_adjusted"]) < rules.alpha
        observed = {m: _number(table.at[index, m]) for m in metrics}
        table.at[index, "flag"] = judge(observed, rules.thresholds, significant=significant)
    return table


def _number(value: Any) -> float | None:
    """A cell of a metric column as a float, None when empty (pandas types a cell as any scalar at all)."""
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def parity_table(
    counts: pd.DataFrame, rules: ParityRules, *, keys: Sequence[str] = ("campaign_id", "attribute")
) -> pd.DataFrame:
    """Rates, intervals, impact ratios, tests (BH-adjusted across the whole table) and a flag per group.
    `keys` name the blocks whose groups are compared with each other (they include `attribute`)."""
    rows = []
    for key_values, groups in counts.groupby(list(keys), sort=True):
        block = dict(zip(keys, key_values, strict=True))
        groups = groups.assign(rate=groups.selected / groups.n)
        overall = groups.selected.sum() / groups.n.sum()
        reference = _reference_group(groups, str(block["attribute"]), rules)
        # The reference's row as a Series: its fields are read by attribute, as a GroupRow's are.
        ref = cast(GroupRow, groups[groups.group == reference].iloc[0]) if reference is not None else None
        for group in group_rows(groups):
            row = {
                **block,
                "group": group.group,
                "n": int(group.n),
                "selected": int(group.selected),
                "reference_group": reference,
                "rate": None,
                "ci_low": None,
                "ci_high": None,
                "impact_ratio": None,
                "ratio_ci_low": None,
                "ratio_ci_high": None,
                "difference": None,
                "ratio_to_overall": None,
                "p_value": None,
                "test": None,
            }
            if group.n >= rules.min_group_size:
                interval = wilson_interval(group.selected, group.n)
                row.update(
                    rate=group.rate,
                    ci_low=interval.low,
                    ci_high=interval.high,
                    ratio_to_overall=group.rate / overall if overall else None,
                )
            if group.n < rules.min_flag_size or ref is None:
                row["flag"] = INSUFFICIENT
            elif group.group == reference:
                row["flag"] = REFERENCE
            elif ref.selected == 0:
                row["flag"] = "pass"  # nobody in the reference group was selected: no disparity to measure
            else:
                ratio = ratio_interval(group.selected, group.n, ref.selected, ref.n)
                test = compare_proportions(group.selected, group.n, ref.selected, ref.n)
                row.update(
                    impact_ratio=group.rate / ref.rate,
                    ratio_ci_low=ratio.low,
                    ratio_ci_high=ratio.high,
                    difference=group.rate - ref.rate,
                    p_value=test.p_value,
                    test=test.method,
                    flag="compared",
                )
            rows.append(row)
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    gap = pd.to_numeric(table.difference, errors="coerce").abs()
    table = _judge_compared(table.assign(gap=gap), rules, ["impact_ratio", "gap"])
    return table.drop(columns="gap")


def parity_status(table: pd.DataFrame) -> Status:
    judged = [f for f in table.get("flag", pd.Series(dtype=object)) if f in {"pass", "warn", "fail"}]
    return worst(judged)


GROUP_BLOCK = ["campaign_id", "attribute", "measure"]  # the rows whose counts split one total
# What a comparison with the reference group shows: with the group's own rate (or mean) it gives the reference's
# back, and with it a count the evidence hides.
PARITY_COMPARISONS = ("impact_ratio", "ratio_ci_low", "ratio_ci_high", "difference", "p_value", "p_adjusted")


def intersection_lines(table: pd.DataFrame) -> list[list[int]]:
    """Row positions of the sets of counts an intersection adds up: the cells of one group of either attribute
    ("F × 18-24", "F × 25-34"...: their total, F's count, may be known), and those cells with the row of the table
    that holds that total, when there is one (selection parity's row "F", suppressed with the cells as one table:
    a hidden margin is the sum of the cells that show, a hidden cell the margin minus the others)."""
    if table.empty:
        return []
    positions: dict[tuple[object, ...], int] = {}
    cells: dict[tuple[object, ...], list[int]] = {}
    measures = table["measure"] if "measure" in table.columns else pd.Series([None] * len(table), index=table.index)
    for position, (campaign, attribute, group, measure) in enumerate(
        zip(table.campaign_id, table.attribute.astype(str), table.group.astype(str), measures, strict=True)
    ):
        positions[(campaign, attribute, group, measure)] = position
        if INTERSECTION not in attribute:
            continue
        for part, value in zip(attribute.split(INTERSECTION), group.split(INTERSECTION, 1), strict=True):
            cells.setdefault((campaign, part, value, measure), []).append(position)
    lines = list(cells.values())
    lines += [[*line, positions[key]] for key, line in cells.items() if key in positions]
    return lines


def group_evidence(
    table: pd.DataFrame,
    *,
    count_columns: Sequence[str],
    k: int,
    hide_with: Mapping[str, Sequence[str]],
    also_hidden: Mapping[str, npt.NDArray[np.bool_]] | None = None,
    compared: Sequence[str] = (),
    revealed_zeros: Sequence[str] = (),
) -> pd.DataFrame:
    """Evidence of counts per group of a sensitive attribute: small cells suppressed, with complementary
    suppression in each campaign and attribute, and, for an intersection ("F × 65+"), in each of its rows and
    columns too, alone and with the group of each attribute alone when the table holds it (`intersection_lines`).
    Where the reference group's count is hidden, the `compared` values of its block are hidden too: a ratio to
    the reference, with the group's own rate, gives the reference's rate back, and with it the hidden count."""
    if table.empty:
        return table
    shown = suppress_small_cells(
        table,
        count_columns=count_columns,
        k=k,
        hide_with=hide_with,
        partition_by=GROUP_BLOCK,
        lines=intersection_lines(table),
        revealed_zeros=revealed_zeros,
        also_hidden=also_hidden,
    )
    if not compared or "reference_group" not in shown.columns:
        return shown
    block = [c for c in GROUP_BLOCK if c in shown.columns]
    hidden = np.zeros(len(shown), dtype=bool)
    for column in count_columns:
        hidden |= shown[column].map(_is_hidden_count).to_numpy(dtype=bool)
    is_reference = (shown.group == shown.reference_group).to_numpy(dtype=bool)
    hidden_references = {tuple(key) for key in shown.loc[hidden & is_reference, block].to_numpy()}
    to_hide = np.array([tuple(key) in hidden_references for key in shown[block].to_numpy()], dtype=bool)
    for column in compared:
        if column in shown.columns:
            shown[column] = shown[column].astype(object).where(~to_hide, None)
    return shown


def visible(table: pd.DataFrame, evidence: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """The table with the values the evidence hides set to None: what a summary or a metric may quote. Flags
    stay, so counts of comparisons stay exact."""
    out = table.copy()
    for column in columns:
        out[column] = out[column].astype(object).where(evidence[column].notna().to_numpy(), None)
    return out


PARITY_DERIVED = ("rate", "ci_low", "ci_high", "ratio_to_overall", *PARITY_COMPARISONS[:4])


def parity_evidence(
    table: pd.DataFrame, k: int, also_hidden: Mapping[str, npt.NDArray[np.bool_]] | None = None
) -> pd.DataFrame:
    """The table as it may leave the engine's side: small cells suppressed (with those `also_hidden`), rates of
    tiny groups hidden, comparisons with a hidden reference hidden."""
    return group_evidence(
        table,
        count_columns=["n", "selected"],
        k=k,
        hide_with={"n": ["selected", *PARITY_DERIVED, "p_value", "p_adjusted"], "selected": list(PARITY_DERIVED)},
        also_hidden=also_hidden,
        compared=PARITY_COMPARISONS,
    )


def comparison_metric(
    table: pd.DataFrame, headline: str, column: str, pick: Callable[[list[float]], float] = min
) -> dict[str, object]:
    """How many comparisons were judged and flagged, how many groups were too small, and the headline figure
    (`pick` of `column` over the judged comparisons)."""
    judged = table[table.flag.isin(["pass", "warn", "fail"])] if not table.empty else table
    values = [v for v in judged.get(column, []) if _number(v) is not None]
    return {
        "comparisons": len(judged),
        "failed_comparisons": int((judged.flag == "fail").sum()) if len(judged) else 0,
        "warned_comparisons": int((judged.flag == "warn").sum()) if len(judged) else 0,
        "insufficient_groups": int((table.flag == INSUFFICIENT).sum()) if not table.empty else 0,
        headline: pick(values) if values else None,
    }


def parity_metric(table: pd.DataFrame) -> dict[str, object]:
    return comparison_metric(table, "min_impact_ratio", "impact_ratio")


def comparison_rules(
    bias: BiasConfig, *, reference: str | Mapping[str, str] | None, thresholds: tuple[Threshold, ...]
) -> ParityRules:
    return ParityRules(
        min_group_size=bias.min_group_size,
        min_flag_size=bias.min_flag_size,
        k_anonymity=bias.k_anonymity,
        reference=reference or bias.reference,
        thresholds=thresholds,
    )


def _ordered(names: tuple[str, str], low: float, high: float, *, upper: float | None, example: str) -> None:
    """Two thresholds in the only order that makes sense, else a ConfigError naming both."""
    if not (0 < low <= high and (upper is None or high <= upper)):
        bound = f" <= {upper:g}" if upper is not None else ""
        raise ConfigError(
            f"bias thresholds must satisfy 0 < {names[0]} <= {names[1]}{bound}, found {names[0]}="
            f"{low}, {names[1]}={high}",
            fix=f"set e.g. {example}",
        )


def parity_rules(
    bias: BiasConfig,
    *,
    reference: str | Mapping[str, str] | None,
    fail_below: float,
    warn_below: float,
    metric: str = "impact_ratio",
) -> ParityRules:
    _ordered(("fail_below", "warn_below"), fail_below, warn_below, upper=1, example="fail_below: 0.8, warn_below: 0.9")
    return comparison_rules(bias, reference=reference, thresholds=parity_thresholds(fail_below, warn_below, metric))


def gap_rules(
    bias: BiasConfig,
    *,
    reference: str | Mapping[str, str] | None,
    warn_above: float,
    fail_above: float,
    metric: str,
    example: str,
) -> ParityRules:
    _ordered(("warn_above", "fail_above"), warn_above, fail_above, upper=None, example=example)
    return comparison_rules(bias, reference=reference, thresholds=gap_thresholds(fail_above, warn_above, metric))


def worst_row(table: pd.DataFrame, column: str, *, ascending: bool = True) -> dict[str, Any]:
    """The comparison the summary names: the most extreme `column` (lowest when `ascending`) among the most
    severe flags, as the summary's placeholders (campaign, attribute, group, reference_group, value) and `row`."""
    judged = table[table.flag.isin(["fail", "warn"])] if not table.empty else table
    if judged.empty:
        return {"campaign": "", "attribute": "", "group": "", "reference_group": "", "value": None, "row": {}}
    severity = judged.flag.map({"fail": 0, "warn": 1})
    row = judged.assign(severity=severity).sort_values(["severity", column], ascending=[True, ascending]).iloc[0]
    return {
        "campaign": row.campaign_id,
        "attribute": row.attribute,
        "group": row.group,
        "reference_group": row.get("reference_group", ""),
        "value": row[column],
        "row": row.to_dict(),
    }


def _worst_row(table: pd.DataFrame) -> dict[str, Any]:
    row = worst_row(table, "impact_ratio")
    row.pop("row")
    return {**row, "ratio": row.pop("value")}


# --- What every bias check does before measuring -------------------------------------------------------------------


@dataclass(frozen=True)
class Audit:
    """The population a bias check measures (one campaign or all), the attributes it can audit, and notes on
    the configured attributes it could not find."""

    population: ibis.Table
    attributes: tuple[str | tuple[str, ...], ...]
    notes: tuple[str, ...]


def audit_population(
    review: Review,
    check_id: str,
    *,
    campaign: str | None,
    attributes: Sequence[str | Sequence[str]] | None,
    columns: Sequence[str] = (),
    intersections: bool = False,
) -> Audit | Finding:
    """The selection population with the attributes found, or the `not_applicable` finding that says what is
    missing (the targeting table or one of its `columns`, the attributes, or any configured attribute)."""
    needs_targeting = bool(columns) or not (review.has("sends") and review.has("contacts"))
    if needs_targeting and not review.has("targeting"):
        return not_applicable(review, check_id, [("targeting", None)])
    absent_columns = [c for c in columns if not review.has("targeting", c)]
    if absent_columns:
        return not_applicable(review, check_id, [("targeting", c) for c in absent_columns])
    population = selection_population(review)
    if campaign is not None:
        population = population.filter(population.campaign_id == campaign)
    configured = review.config.bias.intersections if intersections else review.config.bias.sensitive
    # An intersection, or an attribute given as a sequence of columns, as a tuple: a hashable key.
    wanted = [
        a if isinstance(a, str) and not intersections else attribute_parts(a)
        for a in (attributes if attributes is not None else configured)
    ]
    if not wanted:
        return not_applicable(
            review,
            check_id,
            [],
            reason=i18n.text(SHARED_TEXT, "no_intersections" if intersections else "no_attributes", review.lang),
        )
    present = [a for a in wanted if all(p in population.columns for p in attribute_parts(a))]
    absent = sorted({p for a in wanted for p in attribute_parts(a) if p not in population.columns})
    notes = tuple(i18n.text(SHARED_TEXT, "attribute_missing", review.lang, attribute=a) for a in absent)
    if not review.has("targeting"):
        # The contract's fallback population: say so, since "has a send" is not the decision a model made.
        notes = (i18n.text(SHARED_TEXT, "substitute_population", review.lang), *notes)
    if not present:
        return not_applicable(review, check_id, [("contacts", a) for a in absent])
    return Audit(population, tuple(present), notes)


def attribute_columns(review: Review) -> set[str] | None:
    """The columns a bias attribute or feature can name: those of contacts and targeting, and age_band when a
    birth date or an age is given. None when neither table is there (nothing to check them against)."""
    tables = [review.table(t) for t in ("contacts", "targeting") if review.has(t)]
    if not tables:
        return None
    columns = {c for table in tables for c in table.columns}
    return columns | ({"age_band"} if {"birth_date", "age"} & columns else set())


def check_attributes(review: Review) -> None:
    """A name under bias: (sensitive, intersections, features) that is no column is a config error naming the
    nearest column: a typo would otherwise turn a FAIL into "not audited"."""
    columns = attribute_columns(review)
    if columns is None:
        return
    bias = review.config.bias
    named = (
        [("sensitive", a) for a in bias.sensitive]
        + [("features", f) for f in bias.features]
        + [("intersections", p) for pair in bias.intersections for p in pair]
    )
    for key, name in named:
        if name not in columns:
            near = difflib.get_close_matches(name, sorted(columns), n=1, cutoff=0.6)
            hint = f"; did you mean '{near[0]}'?" if near else ""
            raise ConfigError(
                f"bias.{key}: '{name}' is not a column of contacts or targeting{hint}",
                fix=f"name a column of your tables ({', '.join(sorted(columns))}), or map yours to "
                f"this name under columns:",
            )


def insufficient(review: Review, check_id: str, min_flag_size: int) -> Finding:
    return not_applicable(
        review, check_id, [], reason=i18n.text(SHARED_TEXT, "insufficient", review.lang, min_flag_size=min_flag_size)
    )


def _attribute_list(attributes: Sequence[str | Sequence[str]]) -> str:
    return ", ".join(attribute_name(a) for a in attributes)


# --- bias.selection_parity and bias.intersectional ----------------------------------------------------------------


def selection_plan(review: Review, population: ibis.Table, attributes: Sequence[str | tuple[str, ...]]) -> pd.DataFrame:
    """Which counts of selection parity and bias.intersectional are hidden, decided once on both as one table:
    per campaign, the groups of every sensitive attribute (and of `attributes`), and the cells of every configured
    intersection, whose rows and columns add up to those groups (`intersection_lines`). Both findings then hide
    the same counts of the same people, and no hidden margin is the sum of cells the other shows.

    One row per (campaign_id, attribute, group) with its exact `n` and `selected`, and `n_hidden`,
    `selected_hidden`. Flags, which decide which complement is hidden (a calm group before a flagged one, never a
    reference when another will do), come from each check as the review configures it, whatever options a caller
    passes: a notebook's rerun with another reference hides what findings.json hides (and, where its reference's
    count is hidden, its comparisons with it). Five checks ask for it: a notebook's review computes it once (the
    same attributes and intersections, whichever of them a check names)."""
    bias = review.config.bias
    singles = list(dict.fromkeys([*bias.sensitive, *(a for a in attributes if isinstance(a, str))]))
    pairs: list[tuple[str, ...]] = list(
        dict.fromkeys(
            [*(tuple(pair) for pair in bias.intersections), *(a for a in attributes if not isinstance(a, str))]
        )
    )
    key = (
        "bias.selection_plan",
        population.op(),
        tuple(singles),
        tuple(pairs),
        repr(bias),
        repr(options_for(review, "bias.selection_parity")),
        repr(options_for(review, "bias.intersectional")),
    )
    return cast(pd.DataFrame, aggregates.derived(key, lambda: _selection_plan(review, population, singles, pairs)))


def _selection_plan(
    review: Review, population: ibis.Table, singles: Sequence[str], pairs: Sequence[tuple[str, ...]]
) -> pd.DataFrame:
    bias = review.config.bias
    candidates: list[str | tuple[str, ...]] = [*singles, *pairs]
    wanted = [a for a in candidates if all(p in population.columns for p in attribute_parts(a))]
    counts = group_counts(population, wanted, stacked=stacks_attributes(review))
    tables = []
    for check_id, names in (
        ("bias.selection_parity", [attribute_name(a) for a in wanted if isinstance(a, str)]),
        ("bias.intersectional", [attribute_name(a) for a in wanted if not isinstance(a, str)]),
    ):
        options = options_for(review, check_id)
        rules = parity_rules(
            bias,
            reference=options.get("reference"),
            fail_below=options.get("fail_below", 0.8),
            warn_below=options.get("warn_below", 0.9),
        )
        tables.append(parity_table(counts[counts.attribute.isin(names)], rules))
    keys = ["campaign_id", "attribute", "group"]
    tables = [t for t in tables if not t.empty]
    if not tables:
        return pd.DataFrame(columns=[*keys, "n", "selected", "n_hidden", "selected_hidden"])
    table = pd.concat(tables, ignore_index=True)
    # Delivery skew lists no row for a group nobody of which was selected: a hidden zero of `selected` is shown there.
    shown = group_evidence(
        table,
        count_columns=["n", "selected"],
        k=bias.k_anonymity,
        hide_with={"n": ["selected"]},
        revealed_zeros=["selected"],
    )
    return table[[*keys, "n", "selected"]].assign(
        n_hidden=shown["n"].map(_is_hidden_count).to_numpy(dtype=bool),
        selected_hidden=shown["selected"].map(_is_hidden_count).to_numpy(dtype=bool),
    )


def planned_hidden(plan: pd.DataFrame, table: pd.DataFrame, column: str) -> dict[str, npt.NDArray[np.bool_]]:
    """Per row of `table` (a check's table of the plan's groups): which of its `column` counts the plan hides,
    read from the plan's `n_hidden` and `selected_hidden` where the table's count is the plan's: as {column: mask}."""
    keys = ["campaign_id", "attribute", "group"]
    rows = table[[*keys, column]].merge(plan, on=keys, how="left", suffixes=("", "_plan"))
    hidden = np.zeros(len(table), dtype=bool)
    for count in ("n", "selected"):
        plan_count = rows[count if count != column else f"{count}_plan"]
        same = (pd.to_numeric(rows[column], errors="coerce") == plan_count).to_numpy(dtype=bool)
        hidden |= same & rows[f"{count}_hidden"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    return {column: hidden}


def _parity_finding(review: Review, check_id: str, audit: Audit | Finding, rules: ParityRules) -> Finding:
    if isinstance(audit, Finding):
        return audit
    plan = selection_plan(review, audit.population, audit.attributes)
    names = {attribute_name(a) for a in audit.attributes}
    counts = plan[plan.attribute.isin(names)][["campaign_id", "attribute", "group", "n", "selected"]]
    table = parity_table(counts.reset_index(drop=True), rules)
    status = parity_status(table)
    if status == "not_applicable":
        return insufficient(review, check_id, rules.min_flag_size)
    also_hidden = {**planned_hidden(plan, table, "n"), **planned_hidden(plan, table, "selected")}
    evidence = parity_evidence(table, rules.k_anonymity, also_hidden)
    quoted = visible(table, evidence, ["impact_ratio"])
    return build_finding(
        review,
        check_id,
        status,
        metric=parity_metric(quoted),
        thresholds=rules.thresholds,
        evidence=evidence,
        notes=audit.notes,
        **_worst_row(quoted),
        attributes=_attribute_list(audit.attributes),
    )


def selection_parity(
    review: Review,
    *,
    campaign: str | None = None,
    attributes: Sequence[str] | None = None,
    reference: str | Mapping[str, str] | None = None,
    fail_below: float = 0.8,
    warn_below: float = 0.9,
) -> Finding:
    """Selection rate per group of each sensitive attribute, per campaign, against the reference group."""
    rules = parity_rules(review.config.bias, reference=reference, fail_below=fail_below, warn_below=warn_below)
    audit = audit_population(review, "bias.selection_parity", campaign=campaign, attributes=attributes)
    return _parity_finding(review, "bias.selection_parity", audit, rules)


def intersectional(
    review: Review,
    *,
    campaign: str | None = None,
    intersections: Sequence[Sequence[str]] | None = None,
    reference: str | Mapping[str, str] | None = None,
    fail_below: float = 0.8,
    warn_below: float = 0.9,
) -> Finding:
    """Selection parity for the two-way intersections of the config (bias.intersections): a group such as
    "M × 25-34" can be left out while gender alone and age alone look fair. A named reference is keyed by the
    intersection's name ("gender × age_band")."""
    rules = parity_rules(review.config.bias, reference=reference, fail_below=fail_below, warn_below=warn_below)
    audit = audit_population(
        review, "bias.intersectional", campaign=campaign, attributes=intersections, intersections=True
    )
    return _parity_finding(review, "bias.intersectional", audit, rules)


# --- bias.outcome_parity -------------------------------------------------------------------------------------------

OUTCOME_MEASURES = {True: "true_positive_rate", False: "false_positive_rate"}


def outcome_parity(
    review: Review,
    *,
    campaign: str | None = None,
    attributes: Sequence[str] | None = None,
    reference: str | Mapping[str, str] | None = None,
    warn_above: float = 0.1,
    fail_above: float = 0.2,
) -> Finding:
    """Equal opportunity and equalised odds: among people who converted, the share selected (true-positive rate),
    and among those who did not, the share selected (false-positive rate), per group; the gap to the reference
    group (highest rate by default) is judged."""
    check_id = "bias.outcome_parity"
    rules = gap_rules(
        review.config.bias,
        reference=reference,
        warn_above=warn_above,
        fail_above=fail_above,
        metric="gap",
        example="warn_above: 0.1, fail_above: 0.2",
    )
    audit = audit_population(review, check_id, campaign=campaign, attributes=attributes, columns=("outcome",))
    if isinstance(audit, Finding):
        return audit
    population = audit.population  # a null outcome equals neither True nor False: the filters below drop it
    # A rate among converters is a selection rate on a sub-population: the parity machinery applies as is.
    counts = pd.concat(
        [
            group_counts(
                population.filter(population.outcome == converted), audit.attributes, stacked=stacks_attributes(review)
            ).assign(measure=measure)
            for converted, measure in OUTCOME_MEASURES.items()
        ],
        ignore_index=True,
    )
    table = parity_table(counts, rules, keys=("campaign_id", "measure", "attribute"))
    status = parity_status(table)
    if status == "not_applicable":
        return insufficient(review, check_id, rules.min_flag_size)
    table = table.assign(gap=pd.to_numeric(table.difference, errors="coerce").abs())
    evidence = parity_evidence(table, rules.k_anonymity)
    evidence["gap"] = evidence["gap"].where(evidence["difference"].notna(), None)
    quoted = visible(table, evidence, ["gap"])
    metric = comparison_metric(quoted, "max_gap", "gap", pick=max)
    worst = worst_row(quoted, "gap", ascending=False)
    measure = worst.pop("row").get("measure")
    measure_name = i18n.text(SHARED_TEXT, f"measure.{measure}", review.lang) if measure else ""
    return build_finding(
        review,
        check_id,
        status,
        metric=metric,
        thresholds=rules.thresholds,
        evidence=evidence,
        notes=audit.notes,
        campaign=worst["campaign"],
        attribute=worst["attribute"],
        group=worst["group"],
        reference_group=worst["reference_group"],
        gap=worst["value"],
        measure=measure_name,
        attributes=_attribute_list(audit.attributes),
    )


# --- Comparisons of a group statistic other than a rate (score distribution, offers) ---------------------------------


def compare_with_reference(
    stats: pd.DataFrame,
    rules: ParityRules,
    *,
    level: str,
    compare: Callable[[pd.Series, pd.Series], dict[str, object]],
    metrics: Sequence[str],
    hidden_below_min_group: Sequence[str],
) -> pd.DataFrame:
    """Per (campaign, attribute): the reference group (ranked by `level`: highest, largest or named), then
    `compare(group, reference)` for each group of at least min_flag_size (it returns the metrics and `p_value`),
    BH across the table, and the shared judgement. Groups under min_group_size show none of
    `hidden_below_min_group`."""
    rows = []
    stats = stats.sort_values(["campaign_id", "attribute", "group"], ignore_index=True)  # engine order is arbitrary
    for (_campaign, attribute), groups in stats.groupby(["campaign_id", "attribute"], sort=True):
        reference = _reference_group(groups.assign(rate=groups[level]), str(attribute), rules)
        ref = groups[groups.group == reference].iloc[0] if reference is not None else None
        overall = (groups[level] * groups.n).sum() / groups.n.sum()  # every group is also compared with everyone
        for _, group in groups.iterrows():
            row: dict[Hashable, object] = {
                **group.to_dict(),
                "reference_group": reference,
                **dict.fromkeys(metrics),
                "p_value": None,
                "ratio_to_overall": group[level] / overall if overall else None,
            }
            if group.n < rules.min_group_size:
                row.update(dict.fromkeys([*hidden_below_min_group, "ratio_to_overall"]))
            if group.n < rules.min_flag_size or ref is None:
                row["flag"] = INSUFFICIENT
            elif group.group == reference:
                row["flag"] = REFERENCE
            else:
                row.update(compare(group, ref), flag="compared")
            rows.append(row)
    table = pd.DataFrame(rows)
    return table if table.empty else _judge_compared(table, rules, metrics)


# --- bias.score_distribution --------------------------------------------------------------------------------------

SCORE_BINS = 200  # at most this many counts per group leave the engine: exact below, equal bins above


def _score_histograms(
    population: ibis.Table, attributes: Sequence[str | tuple[str, ...]], exact: bool, *, stacked: bool = True
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per (campaign, attribute, group): n, mean and the count of each score value (exact, at most SCORE_BINS
    distinct values) or of each of SCORE_BINS equal bins, computed in the engine. Only these counts leave it
    (engine.fetch): never one person's score. `stacked`: every attribute in one query of each kind, else one
    attribute at a time (stacks_attributes)."""
    if not stacked and len(attributes) > 1:
        each = [_score_histograms(population, [attribute], exact) for attribute in attributes]
        return (
            pd.concat([summary for summary, _ in each], ignore_index=True),
            pd.concat([histograms for _, histograms in each], ignore_index=True),
        )
    scored = population.filter(population.score.notnull())
    if exact:
        scored = scored.mutate(bin=scored.score.cast("float64"))
    else:
        bounds = fetch(scored.aggregate(low=scored.score.min(), high=scored.score.max())).iloc[0]
        width = (float(bounds.high) - float(bounds.low)) / SCORE_BINS or 1.0
        index = ((scored.score - float(bounds.low)) / width).floor().clip(upper=SCORE_BINS - 1)
        # A bin is represented by its upper edge: the ECDF at that edge is exact, between edges it is not.
        scored = scored.mutate(bin=(index + 1) * width + float(bounds.low))
    # Every attribute in one query of each kind, as group_counts: the scored population compiled once.
    labelled = stacked_by_attribute(scored, attributes, ["campaign_id", "score", "bin"])
    histograms = fetch(
        labelled.group_by(["campaign_id", "attribute", "group", "bin"]).agg(count=ibis._.count()),
        max_rows=MAX_RESULT_ROWS * len(attributes),
    ).rename(columns={"bin": "value"})
    summary = fetch(
        labelled.group_by(["campaign_id", "attribute", "group"]).agg(n=ibis._.count(), total=exact_sum(ibis._.score)),
        max_rows=MAX_RESULT_ROWS * len(attributes),
    )
    summary = summary.assign(mean_score=as_float(summary.total) / summary.n).drop(columns="total")
    return summary[["campaign_id", "attribute", "group", "n", "mean_score"]], histograms


def ks_distance(counts: pd.Series, reference_counts: pd.Series) -> float:
    """Kolmogorov-Smirnov distance between two samples given as counts per value (index: value): the largest
    gap between their empirical distribution functions, evaluated at every value either takes."""
    # In numpy on the union of values: the same floats as aligning the two series in pandas (whole counts add up
    # exactly in any order), without pandas' cost per comparison (72 of them on the demo).
    values = np.union1d(counts.index.to_numpy(), reference_counts.index.to_numpy())
    ecdfs = []
    for series in (counts, reference_counts):
        aligned = np.zeros(len(values))
        aligned[np.searchsorted(values, series.index.to_numpy())] = series.to_numpy(dtype=float)
        total = aligned.sum()
        if total == 0:
            return math.nan  # an empty sample has no distribution function (pandas gave NaN too)
        ecdfs.append(np.cumsum(aligned) / total)
    return float(np.abs(ecdfs[0] - ecdfs[1]).max())


def score_distribution(
    review: Review,
    *,
    campaign: str | None = None,
    attributes: Sequence[str] | None = None,
    reference: str | Mapping[str, str] | None = None,
    warn_above: float = 0.2,
    fail_above: float = 0.3,
) -> Finding:
    """Per group, the distribution of the model score against the reference group's (highest mean by default):
    Kolmogorov-Smirnov distance, its significance, and the difference of means. With more than SCORE_BINS
    distinct scores the distributions are binned in the engine, and the distance is the largest gap at the bin
    edges: approximate (never above the exact distance), as the finding's note says."""
    check_id = "bias.score_distribution"
    rules = gap_rules(
        review.config.bias,
        reference=reference,
        warn_above=warn_above,
        fail_above=fail_above,
        metric="ks_distance",
        example="warn_above: 0.2, fail_above: 0.3",
    )
    audit = audit_population(review, check_id, campaign=campaign, attributes=attributes, columns=("score",))
    if isinstance(audit, Finding):
        return audit
    scored = audit.population.filter(audit.population.score.notnull())
    exact = int(fetch(scored.score.nunique())) <= SCORE_BINS
    summary, histograms = _score_histograms(
        audit.population, audit.attributes, exact, stacked=stacks_attributes(review)
    )
    by_group = {
        key: block.set_index("value")["count"]
        for key, block in histograms.groupby(["campaign_id", "attribute", "group"], sort=False)
    }

    def compare(group: pd.Series, ref: pd.Series) -> dict[str, object]:
        distance = ks_distance(
            by_group[(group.campaign_id, group.attribute, group.group)],
            by_group[(ref.campaign_id, ref.attribute, ref.group)],
        )
        return {
            "ks_distance": distance,
            "mean_difference": group.mean_score - ref.mean_score,
            "p_value": ks_p_value(distance, int(group.n), int(ref.n)),
        }

    table = compare_with_reference(
        summary,
        rules,
        level="mean_score",
        compare=compare,
        metrics=["ks_distance", "mean_difference"],
        hidden_below_min_group=["mean_score"],
    )
    status = parity_status(table)
    if status == "not_applicable":
        return insufficient(review, check_id, rules.min_flag_size)
    method = i18n.text(SHARED_TEXT, "score_exact" if exact else "score_binned", review.lang, bins=SCORE_BINS)
    evidence = group_evidence(
        table,
        count_columns=["n"],
        k=rules.k_anonymity,
        hide_with={"n": ["mean_score", "ratio_to_overall", "ks_distance", "mean_difference", "p_value", "p_adjusted"]},
        also_hidden={"n": hidden_in_selection_parity(review, audit, table, "n")},
        compared=["ks_distance", "mean_difference", "p_value", "p_adjusted"],
    )
    quoted = visible(table, evidence, ["ks_distance"])
    worst = worst_row(quoted, "ks_distance", ascending=False)
    return build_finding(
        review,
        check_id,
        status,
        metric=comparison_metric(quoted, "max_ks_distance", "ks_distance", pick=max),
        thresholds=rules.thresholds,
        evidence=evidence,
        notes=(method, *audit.notes),
        campaign=worst["campaign"],
        attribute=worst["attribute"],
        group=worst["group"],
        reference_group=worst["reference_group"],
        distance=worst["value"],
        attributes=_attribute_list(audit.attributes),
    )


# --- bias.offer_parity --------------------------------------------------------------------------------------------


def offer_parity(
    review: Review,
    *,
    campaign: str | None = None,
    attributes: Sequence[str] | None = None,
    reference: str | Mapping[str, str] | None = None,
    fail_below: float = 0.8,
    warn_below: float = 0.9,
) -> Finding:
    """Mean offer (discount or price) per group among the people offered something, its ratio to the reference
    group's (highest mean by default), and Welch's test from per-group count, sum and sum of squares."""
    check_id = "bias.offer_parity"
    rules = parity_rules(
        review.config.bias, reference=reference, fail_below=fail_below, warn_below=warn_below, metric="offer_ratio"
    )
    audit = audit_population(review, check_id, campaign=campaign, attributes=attributes, columns=("offer_value",))
    if isinstance(audit, Finding):
        return audit
    offered = audit.population.filter(audit.population.offer_value.notnull())
    offered = offered.mutate(offer=offered.offer_value.cast("float64"))
    frames = []
    for attribute in audit.attributes:
        sums = fetch(
            offered.mutate(group=group_label(offered, attribute))
            .group_by(["campaign_id", "group"])
            .agg(n=ibis._.count(), total=exact_sum(ibis._.offer), squares=exact_sum(ibis._.offer * ibis._.offer))
        )
        frames.append(sums.assign(attribute=attribute_name(attribute)))
    sums = pd.concat(frames, ignore_index=True)
    sums = sums.assign(total=as_float(sums.total), squares=as_float(sums.squares))
    variance = ((sums.squares - sums.total**2 / sums.n) / (sums.n - 1)).where(sums.n > 1).clip(lower=0)
    stats_frame = pd.DataFrame(
        {
            "campaign_id": sums.campaign_id,
            "attribute": sums.attribute,
            "group": sums.group,
            "n": sums.n,
            "mean_offer": sums.total / sums.n,
            "sd_offer": np.sqrt(variance),
        }
    )

    def compare(group: pd.Series, ref: pd.Series) -> dict[str, object]:
        ratio = group.mean_offer / ref.mean_offer if ref.mean_offer else None
        if group.sd_offer == 0 and ref.sd_offer == 0:  # no spread: a difference of means is certain, or none
            p_value = 1.0 if group.mean_offer == ref.mean_offer else 0.0
        else:
            p_value = welch_p_value(group.mean_offer, group.sd_offer, group.n, ref.mean_offer, ref.sd_offer, ref.n)
        return {"offer_ratio": ratio, "difference": group.mean_offer - ref.mean_offer, "p_value": p_value}

    table = compare_with_reference(
        stats_frame,
        rules,
        level="mean_offer",
        compare=compare,
        metrics=["offer_ratio", "difference"],
        hidden_below_min_group=["mean_offer", "sd_offer"],
    )
    status = parity_status(table)
    if status == "not_applicable":
        return insufficient(review, check_id, rules.min_flag_size)
    evidence = group_evidence(
        table,
        count_columns=["n"],
        k=rules.k_anonymity,
        hide_with={
            "n": ["mean_offer", "sd_offer", "ratio_to_overall", "offer_ratio", "difference", "p_value", "p_adjusted"]
        },
        also_hidden={"n": hidden_in_selection_parity(review, audit, table, "n")},
        compared=["offer_ratio", "difference", "p_value", "p_adjusted"],
    )
    quoted = visible(table, evidence, ["offer_ratio"])
    worst = worst_row(quoted, "offer_ratio")
    return build_finding(
        review,
        check_id,
        status,
        metric=comparison_metric(quoted, "min_offer_ratio", "offer_ratio"),
        thresholds=rules.thresholds,
        evidence=evidence,
        notes=audit.notes,
        campaign=worst["campaign"],
        attribute=worst["attribute"],
        group=worst["group"],
        reference_group=worst["reference_group"],
        ratio=worst["value"],
        attributes=_attribute_list(audit.attributes),
    )


# --- bias.proxies -------------------------------------------------------------------------------------------------

DECILES = 10


def feature_categories(table: ibis.Table, feature: str) -> ibis.Value:
    """A feature as categories: numeric features in deciles computed in the engine (ties share a decile, so
    row order never matters), anything else as its text; a missing value is a category of its own."""
    column = table[feature]
    if column.type().is_numeric() and not column.type().is_boolean():
        rank = ibis.percent_rank().over(ibis.window(order_by=column))
        decile = (rank * DECILES).floor().clip(upper=DECILES - 1).cast("int64") + 1
        label = ibis.literal("D") + decile.cast("string")
        return ibis.cases((column.isnull(), ibis.literal(MISSING_GROUP)), else_=label)
    return column.cast("string").fill_null(MISSING_GROUP)


def cramers_v_corrected(contingency: np.ndarray) -> tuple[float, float]:
    """Bias-corrected Cramér's V (Bergsma 2013, J. Korean Stat. Soc. 42:323-328) and the chi-square p-value.
    The plain V of a sparse table is inflated (a feature of thousands of values looks associated with
    anything); the correction removes that expected inflation."""
    table = contingency[contingency.sum(axis=1) > 0][:, contingency.sum(axis=0) > 0]
    n = table.sum()
    rows, cols = table.shape
    if rows < 2 or cols < 2 or n < 2:
        return 0.0, 1.0
    statistic, p_value = chi_square(table)
    phi2 = max(0.0, statistic / n - (rows - 1) * (cols - 1) / (n - 1))
    rows_corrected = rows - (rows - 1) ** 2 / (n - 1)
    cols_corrected = cols - (cols - 1) ** 2 / (n - 1)
    denominator = min(rows_corrected - 1, cols_corrected - 1)
    v = math.sqrt(phi2 / denominator) if denominator > 0 else 0.0
    return min(v, 1.0), p_value


def _contingency_counts(people: ibis.Table, pairs: Sequence[tuple[str, str]]) -> pd.DataFrame:
    """(feature, attribute, category, group, count) of `pairs` in one query: the people (often a join) compiled
    once, not once per pair."""
    stacked = [
        people.select(
            feature=ibis.literal(feature),
            attribute=ibis.literal(attribute),
            category=feature_categories(people, feature),
            group=group_label(people, attribute),
        )
        for feature, attribute in pairs
    ]
    counts: pd.DataFrame = fetch(
        (ibis.union(*stacked) if len(stacked) > 1 else stacked[0])
        .group_by(["feature", "attribute", "category", "group"])
        .agg(count=ibis._.count()),
        max_rows=MAX_RESULT_ROWS * len(pairs),
    )
    return counts


def proxy_table(
    people: ibis.Table, features: Sequence[str], attributes: Sequence[str], *, stacked: bool = True
) -> pd.DataFrame:
    """One row per (feature, attribute): people counted, categories on each side, corrected V, p-value. Only the
    contingency counts (feature category x group) leave the engine. `stacked`: every pair in one query, else one
    pair at a time (stacks_attributes)."""
    rows = []
    pairs = [(feature, attribute) for feature in features for attribute in attributes if attribute != feature]
    batches = [pairs] if stacked else [[pair] for pair in pairs]
    all_counts = (
        pd.concat([_contingency_counts(people, batch) for batch in batches], ignore_index=True)
        if pairs
        else pd.DataFrame(columns=["feature", "attribute", "category", "group", "count"])
    )
    by_pair = dict(iter(all_counts.groupby(["feature", "attribute"], sort=False)))
    empty = all_counts.iloc[:0]
    for feature, attribute in pairs:
        counts = by_pair.get((feature, attribute), empty)[["category", "group", "count"]]
        contingency = counts.pivot_table(index="category", columns="group", values="count", fill_value=0)
        v, p_value = cramers_v_corrected(contingency.to_numpy(dtype=float))
        rows.append(
            {
                "feature": feature,
                "attribute": attribute,
                "n": int(counts["count"].sum()),
                "categories": int(contingency.shape[0]),
                "groups": int(contingency.shape[1]),
                "cramers_v": v,
                "p_value": p_value,
                "derived": determines(contingency),
            }
        )
    return pd.DataFrame(
        rows, columns=["feature", "attribute", "n", "categories", "groups", "cramers_v", "p_value", "derived"]
    )


def determines(contingency: pd.DataFrame) -> bool:
    """True when every known value of the feature maps to exactly one known group of the attribute (a functional
    dependency, measured on the engine's counts): the feature is the attribute in another form, as a postcode
    is a region, not a hidden proxy. Missing values on either side are left out; one value or one group is not
    enough to tell."""
    known = contingency.drop(index=MISSING_GROUP, columns=MISSING_GROUP, errors="ignore")
    known = known.loc[known.sum(axis=1) > 0, known.sum(axis=0) > 0]
    if known.shape[0] < 2 or known.shape[1] < 2:
        return False
    return bool(((known > 0).sum(axis=1) == 1).all())


def proxy_people(review: Review, columns: Sequence[str]) -> ibis.Table:
    """One row per person with the columns that exist: contacts when they have them, else the distinct
    (contact, columns) rows of the selection population."""
    if review.has("contacts"):
        contacts = with_age_band(review.table("contacts"), review.as_of)
        if all(c in contacts.columns for c in columns):
            return contacts
    population = selection_population(review)
    return population.select("contact_id", *[c for c in columns if c in population.columns]).distinct()


DERIVED = "derived from the attribute"


def proxies(
    review: Review,
    *,
    features: Sequence[str] | None = None,
    attributes: Sequence[str] | None = None,
    warn_at: float = 0.3,
    fail_at: float = 0.5,
    derived: Mapping[str, str | Sequence[str]] | None = None,
) -> Finding:
    """Association between every targeting feature (bias.features) and every sensitive attribute: a feature
    strongly associated with, say, region or age lets a model discriminate without ever reading them.

    A feature derived from the attribute itself (region from postcode) is not a hidden proxy: it is reported as
    "derived from the attribute" (a warning: targeting on it is targeting on the attribute, judged by the parity
    checks). The kit finds it when every value of the feature maps to one group of the attribute (`determines`),
    and the review can name it (`derived: {postcode: region}` in the check's options)."""
    check_id = "bias.proxies"
    _ordered(("warn_at", "fail_at"), warn_at, fail_at, upper=1, example="warn_at: 0.3, fail_at: 0.5")
    bias = review.config.bias
    thresholds = (
        Threshold("cramers_v", ">=", fail_at, "fail", "kit default"),
        Threshold("cramers_v", ">=", warn_at, "warn", "kit default"),
    )
    wanted_features = list(features) if features is not None else list(bias.features)
    wanted_attributes = list(attributes) if attributes is not None else list(bias.sensitive)
    if not wanted_features:
        return not_applicable(review, check_id, [], reason=i18n.text(check_id, "no_features", review.lang))
    if not wanted_attributes:
        return not_applicable(review, check_id, [], reason=i18n.text(SHARED_TEXT, "no_attributes", review.lang))
    if not (review.has("contacts") or review.has("targeting")):
        return not_applicable(review, check_id, [("contacts", None)])
    people = proxy_people(review, [*wanted_features, *wanted_attributes])
    found_features = [f for f in wanted_features if f in people.columns]
    found_attributes = [a for a in wanted_attributes if a in people.columns]
    missing = [a for a in [*wanted_features, *wanted_attributes] if a not in people.columns]
    notes = tuple(i18n.text(SHARED_TEXT, "attribute_missing", review.lang, attribute=a) for a in missing)
    if not found_features or not found_attributes:
        return not_applicable(review, check_id, [("contacts", a) for a in missing])
    table = proxy_table(people, found_features, found_attributes, stacked=stacks_attributes(review))
    named = {(f, a) for f, attrs in (derived or {}).items() for a in ([attrs] if isinstance(attrs, str) else attrs)}
    table["derived"] = table.derived.astype(bool) | pd.Series(
        [(f, a) in named for f, a in zip(table.feature, table.attribute, strict=True)], index=table.index, dtype=bool
    )
    judged = table.n >= bias.min_flag_size
    # A derived pair is a warning of its own kind, whatever its V: it is the attribute, not a proxy of it.
    table["flag"] = [
        INSUFFICIENT if not ok else "warn" if is_derived else judge({"cramers_v": v}, thresholds)
        for v, ok, is_derived in zip(table.cramers_v, judged, table.derived, strict=True)
    ]
    table["relation"] = [DERIVED if d else "proxy" for d in table.derived]
    status = parity_status(table)
    if status == "not_applicable":
        return insufficient(review, check_id, bias.min_flag_size)
    hidden = judged & ~table.derived
    derived_pairs = table[judged & table.derived]
    flagged = table[hidden & table.flag.isin(["fail", "warn"])].sort_values("cramers_v", ascending=False)
    top = (
        flagged.iloc[0]
        if len(flagged)
        else derived_pairs.sort_values("cramers_v", ascending=False).iloc[0]
        if len(derived_pairs)
        else table[judged].sort_values("cramers_v", ascending=False).iloc[0]
    )
    metric = {
        "pairs": int(judged.sum()),
        "failed_pairs": int((hidden & (table.flag == "fail")).sum()),
        "warned_pairs": int((hidden & (table.flag == "warn")).sum()),
        "derived_pairs": len(derived_pairs),
        "max_cramers_v": float(table[judged].cramers_v.max()),
    }
    notes = (
        *notes,
        *(
            i18n.text(check_id, "derived_note", review.lang, feature=row.feature, attribute=row.attribute)
            for row in derived_pairs.itertuples()
        ),
    )
    evidence = suppress_small_cells(
        table, count_columns=["n"], k=bias.k_anonymity, hide_with={"n": ["cramers_v", "p_value"]}
    )
    return build_finding(
        review,
        check_id,
        status,
        metric=metric,
        thresholds=thresholds,
        evidence=evidence,
        notes=notes,
        feature=top.feature,
        attribute=top.attribute,
        v=top.cramers_v,
        features=", ".join(found_features),
        attributes=", ".join(found_attributes),
    )


# --- bias.delivery_skew -------------------------------------------------------------------------------------------


def delivery_counts(
    review: Review, campaign: str | None, attributes: Sequence[str | tuple[str, ...]], population: ibis.Table
) -> pd.DataFrame:
    """Per (campaign, attribute, group): eligible people (selected in targeting) and those reached (a send in
    that campaign), as group_counts' `n` and `selected`."""
    eligible = population.filter(population.selected)
    sends = review.table("sends")
    if campaign is not None:
        sends = sends.filter(sends.campaign_id == campaign)
    reached = sends.select("contact_id", "campaign_id").distinct().mutate(reached=ibis.literal(True))
    joined = eligible.left_join(reached, ["contact_id", "campaign_id"]).drop("contact_id_right", "campaign_id_right")
    return group_counts(
        joined.mutate(selected=joined.reached.fill_null(False)), attributes, stacked=stacks_attributes(review)
    )


def delivery_table(counts: pd.DataFrame, rules: ParityRules) -> pd.DataFrame:
    """Share of the reached vs share of the eligible per group, a binomial test per group (is the group's
    count among the reached what its share of the eligible predicts?), BH across the table, judged."""
    rows = []
    for (campaign, attribute), groups in counts.groupby(["campaign_id", "attribute"], sort=True):
        eligible_total, reached_total = int(groups.n.sum()), int(groups.selected.sum())
        for group in group_rows(groups):
            row = {
                "campaign_id": campaign,
                "attribute": attribute,
                "group": group.group,
                "eligible": int(group.n),
                "reached": int(group.selected),
                "share_eligible": None,
                "share_reached": None,
                "delivery_ratio": None,
                "p_value": None,
            }
            if group.n >= rules.min_group_size and reached_total:
                share_eligible = group.n / eligible_total
                share_reached = group.selected / reached_total
                row.update(
                    share_eligible=share_eligible,
                    share_reached=share_reached,
                    delivery_ratio=share_reached / share_eligible,
                )
            if group.n < rules.min_flag_size or not reached_total:
                row["flag"] = INSUFFICIENT
            else:
                row["p_value"] = binomial_p_value(group.selected, reached_total, group.n / eligible_total)
                row["flag"] = "compared"
            rows.append(row)
    table = pd.DataFrame(rows)
    return table if table.empty else _judge_compared(table, rules, ["delivery_ratio"])


def hidden_in_selection_parity(review: Review, audit: Audit, table: pd.DataFrame, column: str) -> npt.NDArray[np.bool_]:
    """Per row of another bias check's table: does its count `column` equal a count of the same group that
    selection parity hides (its people `n` or its selected people), as `selection_plan` decides it with the
    intersections? Other checks count the same targeting rows (delivery skew's eligible are parity's selected; the
    people with a score or an offer are parity's people, or its selected people, when everyone of them has one), so
    a count parity hides must not be shown there. The other check then needs no complement of its own for that
    count where all its counts are parity's, since the plan leaves no line with a single hidden count of people."""
    if table.empty:
        return np.zeros(len(table), dtype=bool)
    return planned_hidden(selection_plan(review, audit.population, audit.attributes), table, column)[column]


def _is_hidden_count(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or isinstance(value, str)


def delivery_skew(
    review: Review,
    *,
    campaign: str | None = None,
    attributes: Sequence[str] | None = None,
    warn_below: float = 0.8,
    warn_above: float = 1.25,
) -> Finding:
    """Who was reached (sends) against who was eligible (selected in targeting): per group, its share of the
    reached divided by its share of the eligible. Ad platforms and deliverability can skew an audience that
    was selected fairly."""
    check_id = "bias.delivery_skew"
    if not 0 < warn_below <= 1 <= warn_above:
        raise ConfigError(
            f"bias.delivery_skew thresholds must satisfy 0 < warn_below <= 1 <= warn_above, found "
            f"warn_below={warn_below}, warn_above={warn_above}",
            fix="set e.g. warn_below: 0.8, warn_above: 1.25",
        )
    thresholds = (
        Threshold("delivery_ratio", "<", warn_below, "warn", "kit default", needs_significance=True),
        Threshold("delivery_ratio", ">", warn_above, "warn", "kit default", needs_significance=True),
    )
    rules = comparison_rules(review.config.bias, reference=None, thresholds=thresholds)
    if not review.has("sends"):
        return not_applicable(review, check_id, [("sends", None)])
    audit = audit_population(review, check_id, campaign=campaign, attributes=attributes, columns=("selected",))
    if isinstance(audit, Finding):
        return audit
    table = delivery_table(delivery_counts(review, campaign, audit.attributes, audit.population), rules)
    status = parity_status(table)
    if status == "not_applicable":
        return insufficient(review, check_id, rules.min_flag_size)
    evidence = group_evidence(
        table,
        count_columns=["eligible", "reached"],
        k=rules.k_anonymity,
        hide_with={
            "eligible": ["reached", "share_eligible", "share_reached", "delivery_ratio", "p_value", "p_adjusted"],
            "reached": ["share_reached", "delivery_ratio"],
        },
        also_hidden={"eligible": hidden_in_selection_parity(review, audit, table, "eligible")},
    )
    quoted = visible(table, evidence, ["delivery_ratio"])
    # The largest skew either way: 0.5 and 2 are as far from 1.
    distance = [abs(math.log(r)) if _number(r) else -1.0 for r in quoted.delivery_ratio]
    worst = worst_row(quoted.assign(distance=distance), "distance", ascending=False)
    judged = quoted[quoted.flag.isin(["pass", "warn"])]
    ratios = [r for r in judged.delivery_ratio if _number(r) is not None]
    metric = {
        "groups_judged": len(judged),
        "warned_groups": int((judged.flag == "warn").sum()),
        "insufficient_groups": int((table.flag == INSUFFICIENT).sum()),
        "min_delivery_ratio": min(ratios) if ratios else None,
        "max_delivery_ratio": max(ratios) if ratios else None,
    }
    return build_finding(
        review,
        check_id,
        status,
        metric=metric,
        thresholds=thresholds,
        evidence=evidence,
        notes=audit.notes,
        campaign=worst["campaign"],
        attribute=worst["attribute"],
        group=worst["group"],
        ratio=worst["row"].get("delivery_ratio"),
        attributes=_attribute_list(audit.attributes),
    )


BIAS_CHECKS = (
    # Needs targeting, or contacts and sends: checked inside, since either will do.
    Check("bias.selection_parity", "bias", selection_parity),
    Check("bias.intersectional", "bias", intersectional),
    Check("bias.outcome_parity", "bias", outcome_parity, needs={"targeting": ("outcome",)}),
    Check("bias.score_distribution", "bias", score_distribution, needs={"targeting": ("score",)}),
    Check("bias.offer_parity", "bias", offer_parity, needs={"targeting": ("offer_value",)}),
    # Needs contacts or targeting with the features and attributes: checked inside.
    Check("bias.proxies", "bias", proxies),
    Check("bias.delivery_skew", "bias", delivery_skew, needs={"targeting": ("selected",), "sends": ()}),
)
