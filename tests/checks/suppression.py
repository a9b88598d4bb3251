"""What a test knows of the kit's small-cell rule, to compare exact counts with the ones it may show."""

from __future__ import annotations


def complementary_hidden(kit, true_counts, column, *, already_hidden=()):
    """The groups whose `column` count the kit hid to protect a lone hidden cell (323 - 160 - 160 = 3), after
    checking the rule: a cell is hidden when its count is small, or with its group's size (a `selected` count whose
    `n` is hidden, or the groups of `already_hidden`); when exactly one is, one more count is hidden: the smallest
    among groups not flagged warn, fail or reference, else among those flagged warn, then fail, else the
    reference; none otherwise."""
    small = {g for g, v in true_counts.items() if 0 < v < 10}
    governed = set(already_hidden)
    if column != "n":
        governed |= {g for g, r in kit.items() if "n" in r and (r["n"] is None or isinstance(r["n"], str))}
    hidden = {g for g, r in kit.items() if r[column] is None and g not in small}
    expected = set()
    if len(small | governed) == 1 and len(true_counts) > 1:
        severity = {"warn": 1, "fail": 2}
        shown = [g for g, v in true_counts.items() if g not in small | governed and v > 0]
        expected = (
            {
                min(
                    shown,
                    key=lambda g: (
                        kit[g].get("flag") == "reference",
                        severity.get(kit[g].get("flag"), 0),
                        true_counts[g],
                    ),
                )
            }
            if shown
            else set()
        )
    assert expected <= hidden and hidden - expected <= governed
    return hidden


# --- a scan of a whole run's outputs ------------------------------------------------------------------------------

K = 10
COUNTS = ("n", "selected", "eligible", "reached")
# What a hidden count takes with it: values from which it, or its complement, could be computed back.
GOVERNED = {
    "n": (
        "selected",
        "rate",
        "ci_low",
        "ci_high",
        "impact_ratio",
        "ratio_to_overall",
        "mean_score",
        "ks_distance",
        "mean_difference",
        "mean_offer",
        "sd_offer",
        "offer_ratio",
    ),
    "selected": ("rate", "ci_low", "ci_high", "impact_ratio"),
    "eligible": ("reached", "share_eligible", "share_reached", "delivery_ratio"),
    "reached": ("share_reached", "delivery_ratio"),
}
HEADLINES = {
    "min_impact_ratio": "impact_ratio",
    "max_gap": "gap",
    "max_ks_distance": "ks_distance",
    "min_offer_ratio": "offer_ratio",
    "min_delivery_ratio": "delivery_ratio",
    "max_delivery_ratio": "delivery_ratio",
}
INTERSECTION = " × "


def is_hidden(value) -> bool:
    return value is None or (isinstance(value, str) and value.startswith("<"))


def group_rows(record: dict) -> list[dict]:
    """The evidence rows of a finding (findings.json shape) that count the people of a group of a sensitive
    attribute."""
    return [r for r in record["evidence"] if "attribute" in r and "group" in r]


def lines_of(rows: list[dict]) -> list[list[int]]:
    """Sets of rows whose counts add up to a total a reader may know: the groups of one attribute in one campaign
    (and measure), and for an intersection each of its rows and columns."""
    lines: dict[tuple, list[int]] = {}
    for index, row in enumerate(rows):
        block = (row.get("campaign_id"), row.get("attribute"), row.get("measure"))
        lines.setdefault(block, []).append(index)
        if INTERSECTION in str(row["attribute"]):
            first, second = str(row["group"]).split(INTERSECTION, 1)
            lines.setdefault((*block, "first", first), []).append(index)
            lines.setdefault((*block, "second", second), []).append(index)
    return list(lines.values())


def small_cell_leaks(record: dict, k: int = K) -> list[str]:
    """Every way a finding (findings.json shape) shows or lets one derive a count under k of a group of a
    sensitive attribute: a count of 1 to k-1 shown, a value governed by a hidden count shown, a line of groups
    that hides a single count (the total minus the others gives it), a headline metric or a number of the summary
    that is no value the evidence shows."""
    leaks = []
    rows = group_rows(record)
    for index, row in enumerate(rows):
        for column in COUNTS:
            value = row.get(column)
            if isinstance(value, (int, float)) and 0 < value < k:
                leaks.append(f"{record['check_id']} row {index}: {column} = {value}")
            if column in row and is_hidden(value):
                shown = [c for c in GOVERNED[column] if row.get(c) is not None and not is_hidden(row.get(c))]
                if shown:
                    leaks.append(f"{record['check_id']} row {index}: {column} hidden but {shown} shown")
    for line in lines_of(rows):
        for column in COUNTS:
            if len(line) > 1 and all(column in rows[i] for i in line):
                hidden = [i for i in line if is_hidden(rows[i][column])]
                if len(hidden) == 1:
                    leaks.append(
                        f"{record['check_id']}: {column} of row {hidden[0]} is the only hidden count of "
                        f"its line {line}: the total minus the others gives it"
                    )
    for metric, column in HEADLINES.items():
        value = record["metric"].get(metric)
        shown = [r.get(column) for r in rows if isinstance(r.get(column), (int, float))]
        if value is not None and not any(abs(value - v) < 1e-12 for v in shown):
            leaks.append(f"{record['check_id']}: metric {metric} = {value} is no value the evidence shows")
    return leaks


def summary_leaks(record: dict, lang_format) -> list[str]:
    """A ratio in the summary (two decimals) that is neither a threshold nor a value the evidence shows."""
    import re

    rows = group_rows(record)
    if not rows:  # not a finding about groups (bias.proxies quotes an association, not a group's value)
        return []
    shown = {
        lang_format(v)
        for r in rows
        for c in set(HEADLINES.values()) | {"difference", "mean_difference"}
        if isinstance(v := r.get(c), (int, float))
    }
    shown |= {lang_format(t["value"]) for t in record.get("thresholds", [])}
    quoted = set(re.findall(r"\d+[.,]\d\d(?!\d)", record["summary"]))
    return [f"{record['check_id']}: summary quotes {q}, which the evidence hides" for q in quoted - shown]


def chart_count_leaks(figure_json: dict, count_labels: dict[str, str], k: int = K) -> list[str]:
    """Counts in a chart's hover data: each `count_labels` heading (as the hover shows it) followed by a number
    of 1 to k-1 is a leak."""
    import re

    leaks = []
    for trace in figure_json.get("data", []):
        template = trace.get("hovertemplate") or ""
        positions = {label: int(i) for label, i in re.findall(r"<br>([^<:]+): %\{customdata\[(\d+)\]\}", template)}
        for label, column in count_labels.items():
            if label not in positions:
                continue
            for values in trace.get("customdata") or []:
                text = str(values[positions[label]])
                digits = re.sub(r"[\s,.\u202f\u00a0]", "", text)
                if digits.isdigit() and 0 < int(digits) < k:
                    leaks.append(f"chart {trace.get('name')}: {column} = {text}")
    return leaks


# Counts two findings show of the same people: selection parity's selected people of a group are delivery skew's
# eligible people of that group (the same targeting rows), and when everyone has a score and an offer, parity's
# people are those of the score and offer checks; one finding hiding a count the other shows gives it back.
SAME_COUNTS = (
    ("bias.selection_parity", "selected", "bias.delivery_skew", "eligible"),
    ("bias.selection_parity", "n", "bias.score_distribution", "n"),
    ("bias.selection_parity", "n", "bias.offer_parity", "n"),
)


def cross_finding_leaks(records: list[dict]) -> list[str]:
    """Every group count one finding hides while another finding shows the same count, and every line of an
    intersection with its margins that hides a single count (`margin_leaks`). A pair of findings is compared only
    when every group both show has the same count in both: then they count the same people (in the demo, offers go
    to the selected people only, so offer parity's people are not parity's)."""
    by_id = {r["check_id"]: r for r in records}
    leaks = margin_leaks(records)
    for first_id, first_column, second_id, second_column in SAME_COUNTS:
        if first_id not in by_id or second_id not in by_id:
            continue
        key = lambda row: (row.get("campaign_id"), row["attribute"], row["group"])  # noqa: E731
        first = {key(r): r.get(first_column) for r in group_rows(by_id[first_id])}
        second = {key(r): r.get(second_column) for r in group_rows(by_id[second_id])}
        both = first.keys() & second.keys()
        shown = [c for c in both if not is_hidden(first[c]) and not is_hidden(second[c])]
        if any(first[c] != second[c] for c in shown):
            continue
        for cell in both:
            if is_hidden(first[cell]) != is_hidden(second[cell]):
                leaks.append(
                    f"{cell}: {first_id} {first_column}={first[cell]!r}, {second_id} {second_column}={second[cell]!r}"
                )
    return leaks


# An intersection's cells of one group of an attribute (all "F × ...") add up to that group's count in the findings
# that show the attribute alone: its margin. Selection parity shows both counts of the same people; delivery skew's
# eligible people are parity's selected ones.
MARGINS = {
    "n": (("bias.selection_parity", "n"),),
    "selected": (("bias.selection_parity", "selected"), ("bias.delivery_skew", "eligible")),
}


def margin_leaks(records: list[dict]) -> list[str]:
    """Every line of an intersection read with its margins that hides a single count: the cells of one group of
    an attribute with that group's count in the findings of the attribute alone (a margin hidden there while its
    only cell shows 14, or one cell hidden in a row whose margin and other cells are shown). A margin counts as
    shown when any finding shows it; a cell absent from the intersection counts nobody."""
    by_id = {r["check_id"]: r for r in records}
    if "bias.intersectional" not in by_id:
        return []
    leaks = []
    cells = group_rows(by_id["bias.intersectional"])
    for column, sources in MARGINS.items():
        margins: dict[tuple, list] = {}
        for check_id, source_column in sources:
            for row in group_rows(by_id.get(check_id, {"evidence": []})):
                if source_column in row:
                    key = (row.get("campaign_id"), row["attribute"], row["group"])
                    margins.setdefault(key, []).append(row[source_column])
        lines: dict[tuple, list] = {}
        for row in cells:
            attributes = str(row["attribute"]).split(INTERSECTION)
            groups = str(row["group"]).split(INTERSECTION)
            for attribute, group in zip(attributes, groups, strict=True):
                lines.setdefault((row.get("campaign_id"), attribute, group), []).append((row["group"], row[column]))
        for key, line in lines.items():
            if key not in margins:
                continue  # an attribute no finding shows alone: its cells' total is the intersection's own line
            margin = next((v for v in margins[key] if not is_hidden(v)), None)
            hidden = [group for group, value in line if is_hidden(value)] + (["margin"] if margin is None else [])
            if len(hidden) == 1:
                leaks.append(
                    f"{key}: {column} of {hidden[0]} is the only hidden count of the intersection's line "
                    f"{[value for _, value in line]} with its margin {margin!r}: the others give it back"
                )
    return leaks
