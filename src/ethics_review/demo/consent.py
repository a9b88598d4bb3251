"""The consent log, the legal basis of a send, and the planted sends without basis (check `consent.coverage`).

The log is append-only, like a CRM's consent object: a choice at collection (website, shop, app, or the 2024
re-permission campaign for older contacts), later withdrawals (unsubscribe link, STOP SMS), later grants at the
preference centre, and the cookie-banner (CMP) choices for personalised ads, renewed every six months.

The basis of a send follows the contract exactly: the consent state of (contact, purpose) at `sent_at` is the
status of the latest event at or before it; a send is covered by consent if that state is `granted`, else by
an exemption of the review's `exemptions:` (soft opt-in, B2B), else it has no basis.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from ..contract import CANONICAL_PURPOSES, CONSENT_METHODS, CONSENT_STATUSES, RECIPIENT_TYPES
from .campaigns import CAMPAIGN_INDEX, CAMPAIGNS, send_times
from .common import DAY, numbered, pick, sample_exact, seconds, timestamps
from .population import Population, day_number

# Legal bases other than consent, as the demo's review.yaml declares them (CPCE L.34-5, CNIL B2B guidance).
DEMO_EXEMPTIONS = {"email_marketing": {"soft_opt_in": True, "b2b": True}}

NO_EVENT, GRANTED, WITHDRAWN, REFUSED = 0, 1, 2, 3  # state codes; 1..3 index CONSENT_STATUSES + 1
BASIS = ("none", "consent", "soft_opt_in", "b2b")  # in order of precedence
NO_BASIS, BY_CONSENT, BY_SOFT_OPT_IN, BY_B2B = range(4)

SOURCES = (
    "site-web/inscription", "magasin/caisse", "appli-mobile", "campagne-repermission-2024", "cmp-site",
    "lien-desinscription", "stop-sms", "espace-client", "demande-opposition",
)
WEBSITE, SHOP, APP, REPERMISSION, CMP, UNSUBSCRIBE_LINK, STOP_SMS, PREFERENCE_CENTRE, OBJECTION = range(len(SOURCES))
# Versions of the privacy notice shown at collection, with the day each came into force.
POLICY_VERSIONS = (("2022-03", "2022-03-01"), ("2024-01", "2024-01-08"), ("2025-04", "2025-04-01"),
                   ("2026-03", "2026-03-02"))
REPERMISSION_WINDOW = ("2024-01-15", "2024-06-28")  # older contacts re-confirmed their choices (CNIL: <= 3 years)
CMP_WINDOW = ("2026-05-20", "2026-11-08")  # the CMP keeps choices six months, then asks again


@dataclass(frozen=True)
class PurposeHabit:
    """How people answer for one purpose: shares at collection and what happens afterwards."""

    purpose: str
    granted: float
    refused: float
    withdrawn_later: float  # share of grants withdrawn before as_of
    granted_later: float  # share of refusals turned into a grant at the preference centre
    method: str
    needs_phone: bool = False
    cmp: bool = False  # collected by the cookie banner within CMP_WINDOW instead of at sign-up


HABITS = (
    PurposeHabit("email_marketing", 0.58, 0.12, 0.10, 0.08, "double_opt_in"),
    PurposeHabit("sms_marketing", 0.40, 0.25, 0.07, 0.05, "checkbox", needs_phone=True),
    PurposeHabit("postal_marketing", 0.55, 0.10, 0.03, 0.03, "checkbox"),
    PurposeHabit("personalised_ads", 0.55, 0.35, 0.05, 0.00, "cmp", cmp=True),
    PurposeHabit("profiling", 0.45, 0.20, 0.04, 0.03, "checkbox"),
)
PURPOSE_CODE = {p: i for i, p in enumerate(CANONICAL_PURPOSES)}
MARKETING_PURPOSES = tuple(h.purpose for h in HABITS)
SHARE_EMAIL_CHECKBOX = 0.45  # the rest of email consents were confirmed by double opt-in


def build_consent_log(rng: np.random.Generator, population: Population) -> pd.DataFrame:
    """One row per consent event: person, purpose, status, at (seconds), source, method (codes; -1 = none)."""
    people = population.people
    size = population.size
    as_of_s = seconds(population.as_of)
    collected_day = _collection_day(rng, people["created"].to_numpy(), day_number(population.as_of))
    collected_at = collected_day * DAY + rng.integers(8 * 3600, 22 * 3600, size)
    sign_up_source = rng.choice([WEBSITE, SHOP, APP], size=size, p=[0.6, 0.25, 0.15])
    sign_up_source = np.where(people["created"].to_numpy() < day_number(REPERMISSION_WINDOW[0]), REPERMISSION,
                              sign_up_source)
    cmp_start, cmp_end = seconds(CMP_WINDOW[0]), seconds(CMP_WINDOW[1])

    parts = []
    for habit in HABITS:
        code = PURPOSE_CODE[habit.purpose]
        answer = rng.random(size)
        status = np.where(answer < habit.granted, GRANTED,
                          np.where(answer < habit.granted + habit.refused, REFUSED, NO_EVENT))
        if habit.needs_phone:
            status = np.where(people["has_phone"].to_numpy(), status, NO_EVENT)
        if habit.cmp:  # the banner's last answer, never before the person became a contact
            at = np.maximum(rng.integers(cmp_start, cmp_end, size), collected_at)
            source = np.full(size, CMP)
        else:
            at, source = collected_at, sign_up_source
        method = np.full(size, CONSENT_METHODS.index(habit.method))
        if habit.purpose == "email_marketing":
            method = np.where(rng.random(size) < SHARE_EMAIL_CHECKBOX, CONSENT_METHODS.index("checkbox"), method)
        first = np.flatnonzero(status != NO_EVENT)
        parts.append(pd.DataFrame({"person": first, "purpose": code, "status": status[first], "at": at[first],
                                   "source": source[first], "method": method[first]}))

        # A later change of mind, at least two days after the first choice and before as_of.
        later_share = np.where(status == GRANTED, habit.withdrawn_later, habit.granted_later)
        changes = np.flatnonzero((status != NO_EVENT) & (rng.random(size) < later_share)
                                 & (at < as_of_s - 4 * DAY))
        room = as_of_s - DAY - (at[changes] + 2 * DAY)
        changed_at = at[changes] + 2 * DAY + np.floor(rng.random(len(changes)) * room).astype(np.int64)
        was_granted = status[changes] == GRANTED
        withdrawal_source = {"email_marketing": UNSUBSCRIBE_LINK, "sms_marketing": STOP_SMS,
                             "personalised_ads": CMP}.get(habit.purpose, PREFERENCE_CENTRE)
        parts.append(pd.DataFrame({
            "person": changes, "purpose": code,
            "status": np.where(was_granted, WITHDRAWN, GRANTED),
            "at": changed_at,
            "source": np.where(was_granted, withdrawal_source, PREFERENCE_CENTRE),
            "method": np.where(was_granted, -1, method[changes]),  # a withdrawal has no collection method
        }))
    return _sorted_log(pd.concat(parts, ignore_index=True))


def _collection_day(rng: np.random.Generator, created_day: np.ndarray, as_of_day: int) -> np.ndarray:
    """Sign-up day (often the creation day, never after as_of), or a day of the 2024 re-permission campaign for
    older contacts."""
    delay = np.where(rng.random(len(created_day)) < 0.7, 0, rng.integers(1, 30, len(created_day)))
    start, end = day_number(REPERMISSION_WINDOW[0]), day_number(REPERMISSION_WINDOW[1])
    repermission_day = rng.integers(start, end, len(created_day))
    return np.where(created_day < start, repermission_day, np.minimum(created_day + delay, as_of_day - 1))


def _sorted_log(log: pd.DataFrame) -> pd.DataFrame:
    """An append-only log reads in time order; ties broken by person and purpose so the order is stable."""
    log = log.astype({"person": np.int64, "purpose": np.int8, "status": np.int8, "at": np.int64,
                      "source": np.int8, "method": np.int8})
    # One int64 key (time, person, purpose) sorts much faster than a three-key lexsort at 10M contacts.
    key = (log["at"].to_numpy() << 32) | (log["person"].to_numpy() << 4) | log["purpose"].to_numpy()
    return log.take(np.argsort(key, kind="stable")).reset_index(drop=True)


def add_events(log: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    return _sorted_log(pd.concat([log, events], ignore_index=True))


@dataclass(frozen=True)
class ConsentState:
    """The consent state of (person, purpose) at any time, for millions of lookups at once (a vectorised
    as-of join: one sorted key of person, purpose and time, then a binary search)."""

    keys: np.ndarray
    status: np.ndarray

    EPOCH = seconds("2015-01-01")

    @staticmethod
    def _key(person: np.ndarray, purpose: np.ndarray | int, at: np.ndarray | int) -> np.ndarray:
        pair = np.asarray(person, dtype=np.int64) * len(CANONICAL_PURPOSES) + np.asarray(purpose, dtype=np.int64)
        return (pair << 31) | (np.asarray(at, dtype=np.int64) - ConsentState.EPOCH)

    @classmethod
    def of(cls, log: pd.DataFrame) -> ConsentState:
        keys = cls._key(log["person"].to_numpy(), log["purpose"].to_numpy(), log["at"].to_numpy())
        order = np.argsort(keys, kind="stable")
        return cls(keys=keys[order], status=log["status"].to_numpy()[order])

    def at(self, person: np.ndarray, purpose: np.ndarray | int, at: np.ndarray | int) -> np.ndarray:
        """State codes (NO_EVENT, GRANTED, WITHDRAWN, REFUSED); an event at the same second counts."""
        query = self._key(person, purpose, at)
        # Sorted queries make the binary search cache-friendly (about five times faster on millions of rows).
        order = np.argsort(query, kind="stable")
        index = np.empty(len(query), dtype=np.int64)
        index[order] = np.searchsorted(self.keys, query[order], side="right") - 1
        found = (index >= 0) & ((self.keys[np.maximum(index, 0)] >> 31) == (query >> 31))
        return np.where(found, self.status[np.maximum(index, 0)], NO_EVENT).astype(np.int8)


def basis_of(state: np.ndarray, purpose: np.ndarray, is_customer: np.ndarray, recipient_type: np.ndarray,
             exemptions: dict[str, dict[str, bool]] = DEMO_EXEMPTIONS) -> np.ndarray:
    """The legal basis of each send (codes of BASIS), in order of precedence: consent, soft opt-in, B2B."""
    not_opposed = (state != WITHDRAWN) & (state != REFUSED)
    soft_opt_in = np.zeros(len(state), dtype=bool)
    b2b = np.zeros(len(state), dtype=bool)
    business = np.isin(recipient_type, [RECIPIENT_TYPES.index("professional"), RECIPIENT_TYPES.index("generic")])
    for purpose_name, rules in exemptions.items():
        this_purpose = purpose == PURPOSE_CODE[purpose_name]
        if rules.get("soft_opt_in"):
            soft_opt_in |= this_purpose & is_customer & not_opposed
        if rules.get("b2b"):
            b2b |= this_purpose & business & not_opposed
    return np.select([state == GRANTED, soft_opt_in, b2b], [BY_CONSENT, BY_SOFT_OPT_IN, BY_B2B], NO_BASIS)


def basis_of_sends(sends: pd.DataFrame, state: ConsentState, population: Population) -> np.ndarray:
    person = sends["person"].to_numpy()
    people = population.people
    return basis_of(state.at(person, sends["purpose"].to_numpy(), sends["sent_at"].to_numpy()),
                    sends["purpose"].to_numpy(), people["is_customer"].to_numpy()[person],
                    people["recipient_type"].to_numpy()[person])


def coverage_counts(sends: pd.DataFrame, state: ConsentState, population: Population,
                    campaign_ids: tuple[str, ...]) -> dict[str, object]:
    """What `consent.coverage` must find, recomputed from the final sends (the state of erased people, who have
    no sends left, does not matter)."""
    basis = basis_of_sends(sends, state, population)
    uncovered = basis == NO_BASIS
    by_campaign = np.bincount(sends["campaign"].to_numpy()[uncovered], minlength=len(campaign_ids))
    return {
        "sends": int(len(sends)),
        "uncovered_sends": int(uncovered.sum()),
        "covered_by_consent": int((basis == BY_CONSENT).sum()),
        "covered_by_soft_opt_in": int((basis == BY_SOFT_OPT_IN).sum()),
        "covered_by_b2b": int((basis == BY_B2B).sum()),
        "uncovered_by_campaign": {campaign_ids[i]: int(n) for i, n in enumerate(by_campaign) if n},
    }


def consents_table(log: pd.DataFrame, contact_ids: pa.Array) -> pa.Table:
    """The consent log as exported: canonical columns, the policy version in force at each event."""
    at = log["at"].to_numpy()
    version_starts = np.array([seconds(day) for _, day in POLICY_VERSIONS])
    version = np.searchsorted(version_starts, at, side="right") - 1
    method = log["method"].to_numpy()
    return pa.table({
        "contact_id": contact_ids.take(pa.array(log["person"].to_numpy())),
        "purpose": pick(CANONICAL_PURPOSES, log["purpose"].to_numpy()),
        "status": pick(CONSENT_STATUSES, log["status"].to_numpy() - 1),
        "recorded_at": timestamps(at),
        "source": pick(SOURCES, log["source"].to_numpy()),
        "policy_version": pick([v for v, _ in POLICY_VERSIONS], np.maximum(version, 0)),
        "method": pick(CONSENT_METHODS, np.maximum(method, 0), missing=method < 0),
        "evidence_ref": numbered("PRV-", np.arange(1, len(log) + 1), 9),
    })


# --- Planted problems of consent.coverage --------------------------------------------------------------------------

SMS_WITHOUT_CONSENT = {"campaign": "SOLDES-ETE-SMS", "share_of_contacts": 0.01, "minimum": 25}
EMAIL_AFTER_WITHDRAWAL = {"campaign": "NOEL26-EMAIL", "share_of_contacts": 0.0005, "minimum": 3}
COVERAGE_STORY = ("SOLDES-ETE-SMS went to a list topped up from an old in-store file of phone numbers that never "
                  "gave SMS consent; NOEL26-EMAIL reached prospects who had unsubscribed (outdated suppression "
                  "list).")


def plant_sends_without_basis(rng: np.random.Generator, population: Population, log: pd.DataFrame,
                              state: ConsentState, spare: np.ndarray) -> pd.DataFrame:
    """Extra sends (person, campaign index, sent_at) with no basis; `spare` marks people free to use (no
    data-subject request, not erased)."""
    people = population.people
    size = population.size

    campaign = CAMPAIGNS[CAMPAIGN_INDEX[SMS_WITHOUT_CONSENT["campaign"]]]
    count = max(SMS_WITHOUT_CONSENT["minimum"], round(size * SMS_WITHOUT_CONSENT["share_of_contacts"]))
    never_asked = np.ones(size, dtype=bool)
    never_asked[log.loc[log["purpose"] == PURPOSE_CODE["sms_marketing"], "person"].to_numpy()] = False
    known_before = people["created"].to_numpy() * DAY < campaign.start_s
    pool = np.flatnonzero(never_asked & known_before & people["has_phone"].to_numpy() & spare)
    chosen = sample_exact(rng, pool, count)
    sms = pd.DataFrame({"person": chosen, "campaign": CAMPAIGN_INDEX[campaign.id],
                        "sent_at": send_times(rng, campaign, len(chosen))})

    campaign = CAMPAIGNS[CAMPAIGN_INDEX[EMAIL_AFTER_WITHDRAWAL["campaign"]]]
    count = max(EMAIL_AFTER_WITHDRAWAL["minimum"], round(size * EMAIL_AFTER_WITHDRAWAL["share_of_contacts"]))
    sent_at = send_times(rng, campaign, size)
    withdrawn = state.at(np.arange(size), PURPOSE_CODE["email_marketing"], sent_at) == WITHDRAWN
    pool = np.flatnonzero(withdrawn & ~people["is_customer"].to_numpy() & spare)
    chosen = sample_exact(rng, pool, count)
    email = pd.DataFrame({"person": chosen, "campaign": CAMPAIGN_INDEX[campaign.id], "sent_at": sent_at[chosen]})
    return pd.concat([sms, email], ignore_index=True)
