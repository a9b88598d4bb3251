"""The send log: who received which campaign, when, with which content.

Each campaign goes to everyone with a basis for its purpose (newsletters, sales) or to the people a lead score
selected among them. Like a real CRM, the send step suppresses anyone without a basis at the moment of sending
(a withdrawal between audience and send), so the log only breaks the rules where a problem is planted.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from ..contract import CANONICAL_PURPOSES, CHANNELS, PURPOSE_BY_CHANNEL
from . import bias
from .campaigns import CAMPAIGN_INDEX, CAMPAIGNS, send_times
from .common import DAY, MISSING_DAY, numbered, pick, timestamps
from .consent import BY_SOFT_OPT_IN, NO_BASIS, PURPOSE_CODE, ConsentState, basis_of
from .population import Population


def with_basis(
    population: Population, state: ConsentState, person: np.ndarray, purpose: int, at: np.ndarray | int
) -> np.ndarray:
    """Who may be sent to at `at`: a contact already, with a basis, and for soft opt-in a purchase made before
    that day."""
    people = population.people
    basis = basis_of(
        state.at(person, purpose, at),
        np.full(len(person), purpose),
        people["is_customer"].to_numpy()[person],
        people["recipient_type"].to_numpy()[person],
    )
    since = people["customer_since"].to_numpy()[person]
    customer_yet = (since != MISSING_DAY) & (np.maximum(since, 0) * DAY <= at)
    known_yet = people["created"].to_numpy()[person] * DAY <= at
    lawful: np.ndarray = known_yet & (basis != NO_BASIS) & ((basis != BY_SOFT_OPT_IN) | customer_yet)
    return lawful


def run_campaigns(
    rng: np.random.Generator, bias_rng: np.random.Generator, population: Population, state: ConsentState
) -> tuple[pd.DataFrame, list[bias.Targeting]]:
    """Sends (person, campaign index, sent_at) of every campaign and the targeting of lead-score campaigns."""
    people = population.people
    everyone = np.arange(population.size)
    sends, targeting = [], []
    for campaign in CAMPAIGNS:
        purpose = PURPOSE_CODE[PURPOSE_BY_CHANNEL[campaign.channel]]
        reachable = np.ones(population.size, dtype=bool)
        if campaign.channel == "sms":
            reachable &= people["has_phone"].to_numpy()
        if campaign.customers_only:
            reachable &= people["is_customer"].to_numpy()
        candidates = everyone[reachable]
        if campaign.audience == "lead_score":
            considered = candidates[with_basis(population, state, candidates, purpose, campaign.audience_built_s)]
            decision = bias.build_targeting(bias_rng, population, campaign, considered)
            targeting.append(decision)
            candidates = considered[decision.selected]
        sent_at = send_times(rng, campaign, len(candidates))
        allowed = with_basis(population, state, candidates, purpose, sent_at)
        sends.append(
            pd.DataFrame(
                {"person": candidates[allowed], "campaign": CAMPAIGN_INDEX[campaign.id], "sent_at": sent_at[allowed]}
            )
        )
    return pd.concat(sends, ignore_index=True), targeting


def finish_sends(
    rng: np.random.Generator, sends: pd.DataFrame, keep: np.ndarray, variants: dict[str, tuple[str, ...]]
) -> pd.DataFrame:
    """Drop erased people, put the log in time order, give each send its content variant and purpose code."""
    sends = sends[keep[sends["person"].to_numpy()]]
    campaign = sends["campaign"].to_numpy()
    order = np.lexsort((campaign, sends["person"].to_numpy(), sends["sent_at"].to_numpy()))
    sends = pd.DataFrame(
        {
            "person": sends["person"].to_numpy()[order],
            "campaign": campaign[order],
            "sent_at": sends["sent_at"].to_numpy()[order],
        }
    )
    purposes = np.array([PURPOSE_CODE[PURPOSE_BY_CHANNEL[c.channel]] for c in CAMPAIGNS])
    sends["purpose"] = purposes[sends["campaign"].to_numpy()]
    variant_count = np.array([len(variants[c.id]) for c in CAMPAIGNS])
    sends["variant"] = np.floor(rng.random(len(sends)) * variant_count[sends["campaign"].to_numpy()]).astype(np.int64)
    return sends


def sends_table(sends: pd.DataFrame, contact_ids: pa.Array, variants: dict[str, tuple[str, ...]]) -> pa.Table:
    campaign = sends["campaign"].to_numpy()
    content_ids = [v for c in CAMPAIGNS for v in variants[c.id]]
    first_variant = np.cumsum([0] + [len(variants[c.id]) for c in CAMPAIGNS])[:-1]
    explicit = np.array([c.explicit_purpose for c in CAMPAIGNS])[campaign]
    return pa.table(
        {
            "send_id": numbered("S", np.arange(1, len(sends) + 1), max(8, len(str(len(sends))))),
            "contact_id": contact_ids.take(pa.array(sends["person"].to_numpy())),
            "campaign_id": pick([c.id for c in CAMPAIGNS], campaign),
            "channel": pick(CHANNELS, np.array([CHANNELS.index(c.channel) for c in CAMPAIGNS])[campaign]),
            "sent_at": timestamps(sends["sent_at"].to_numpy()),
            "purpose": pick(CANONICAL_PURPOSES, sends["purpose"].to_numpy(), missing=~explicit),
            "content_id": pick(content_ids, first_variant[campaign] + sends["variant"].to_numpy()),
        }
    )


def with_extra_sends(
    rng: np.random.Generator,
    sends: pd.DataFrame,
    extra: pd.DataFrame,
    keep: np.ndarray,
    variants: dict[str, tuple[str, ...]],
) -> pd.DataFrame:
    """The finished send log with planted sends added, finished from their own random stream (so the content
    variants of the other sends do not move), back in time order."""
    extra = finish_sends(rng, extra, keep, variants)
    merged = pd.concat([sends, extra], ignore_index=True)
    order = np.lexsort((merged["campaign"].to_numpy(), merged["person"].to_numpy(), merged["sent_at"].to_numpy()))
    return merged.take(order).reset_index(drop=True)
