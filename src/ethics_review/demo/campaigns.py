"""The retailer's 2026 marketing calendar: which campaign ran on which channel, when, and to whom."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from .common import DAY, seconds

SEND_HOURS = 10


@dataclass(frozen=True)
class Campaign:
    id: str
    channel: str
    start: str  # first send, "YYYY-MM-DD HH:MM:SS"
    days: int  # sends are spread over this many days
    audience: Literal["everyone_with_basis", "lead_score"]
    selection_rate: float = 1.0  # share of the considered population a lead-score campaign selects
    customers_only: bool = False
    explicit_purpose: bool = False  # the send log fills `purpose` for this campaign (others leave it empty)

    @property
    def start_s(self) -> int:
        return seconds(self.start)

    @property
    def audience_built_s(self) -> int:
        """When the audience was pulled from the CRM: two days before the first send."""
        return self.start_s - 2 * DAY

    @property
    def last_send_s(self) -> int:
        """Sends go out on `days` consecutive days, each within SEND_HOURS of the start time."""
        return self.start_s + (self.days - 1) * DAY + SEND_HOURS * 3600


CAMPAIGNS: tuple[Campaign, ...] = (
    Campaign("SOLDES-HIVER-EMAIL", "email", "2026-01-07 08:00:00", 2, "everyone_with_basis"),
    Campaign("SAINT-VALENTIN-SMS", "sms", "2026-02-10 10:00:00", 1, "everyone_with_basis"),
    Campaign("SPRING26-EMAIL", "email", "2026-03-18 09:00:00", 3, "lead_score", selection_rate=0.6),
    Campaign("FETE-DES-MERES-EMAIL", "email", "2026-05-26 08:00:00", 2, "everyone_with_basis"),
    Campaign("SOLDES-ETE-EMAIL", "email", "2026-06-24 07:00:00", 2, "everyone_with_basis"),
    Campaign("SOLDES-ETE-SMS", "sms", "2026-06-24 10:00:00", 1, "everyone_with_basis"),
    Campaign("RENTREE-ADS", "ads", "2026-09-01 06:00:00", 14, "lead_score", selection_rate=0.5, explicit_purpose=True),
    Campaign(
        "CATALOGUE-AUTOMNE-POSTAL", "postal", "2026-10-05 07:00:00", 3, "everyone_with_basis", customers_only=True
    ),
    Campaign("NOEL26-EMAIL", "email", "2026-11-03 08:00:00", 3, "lead_score", selection_rate=0.25),
    Campaign("NOEL26-ADS", "ads", "2026-11-05 06:00:00", 7, "lead_score", selection_rate=0.4, explicit_purpose=True),
)
CAMPAIGN_INDEX = {c.id: i for i, c in enumerate(CAMPAIGNS)}
LAST_SEND_S = max(c.last_send_s for c in CAMPAIGNS)


def send_times(rng: np.random.Generator, campaign: Campaign, count: int) -> np.ndarray:
    """A send second for each of `count` recipients, within the campaign's send days and hours."""
    day = rng.integers(0, campaign.days, count)
    return campaign.start_s + day * DAY + rng.integers(0, SEND_HOURS * 3600, count)
