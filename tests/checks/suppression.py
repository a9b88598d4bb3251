"""What a test knows of the kit's small-cell rule, to compare exact counts with the ones it may show."""

from __future__ import annotations


def complementary_hidden(kit, true_counts, column, *, already_hidden=()):
    """The groups whose `column` count the kit hid to protect a lone small cell (323 - 160 - 160 = 3), after
    checking the rule: exactly one more count hidden when one cell is small, the smallest among groups not
    flagged warn or fail; none otherwise. `already_hidden` rows lost the count with another hidden cell."""
    small = [g for g, v in true_counts.items() if 0 < v < 10]
    hidden = {g for g, r in kit.items() if r[column] is None and g not in small}
    expected = set()
    if len(small) == 1 and len(true_counts) > 1:
        shown = [g for g, v in true_counts.items() if g not in small and v > 0]
        calm = [g for g in shown if kit[g].get("flag") not in ("warn", "fail")]
        expected = {min(calm or shown, key=lambda g: (g not in calm, true_counts[g]))}
    assert expected <= hidden and hidden - expected <= set(already_hidden)
    return hidden
