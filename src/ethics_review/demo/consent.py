"""The consent log, the legal basis of a send, the planted sends without basis (check `consent.coverage`), and
the planted problems of the other consent checks with their planted.json entries (`plant_privacy_problems`,
`privacy_entries`).

The log is append-only, like a CRM's consent object: a choice at collection (website, shop, app, or the 2024
re-permission campaign for older contacts), later withdrawals (unsubscribe link, STOP SMS), later grants at the
preference centre, and the cookie-banner (CMP) choices for personalised ads, renewed every six months.

The basis of a send follows the contract exactly: the consent state of (contact, purpose) at `sent_at` is the
status of the latest event at or before it; a send is covered by consent if that state is `granted`, else by
an exception to the consent requirement of the review's `exemptions:` (soft opt-in, B2B), else by nothing.
Cookie-banner events carry the TC string (IAB TCF v2) the banner stored, written by `encode_tc_string`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..contract import CANONICAL_PURPOSES, CONSENT_METHODS, CONSENT_STATUSES, RECIPIENT_TYPES, REQUEST_TYPES
from ..paths import package_yaml
from .campaigns import CAMPAIGN_INDEX, CAMPAIGNS, send_times
from .common import DAY, numbered, pick, rng_for, sample_exact, seconds, status, timestamps
from .population import COUNTRIES, Population, age_band_codes, day_number

if TYPE_CHECKING:  # the record of a generated dataset; the package imports this module
    from . import _Generated

# Exceptions to the consent requirement (not legal bases), as the demo's review.yaml declares them (CPCE L.34-5
# soft opt-in for email to customers, CNIL B2B guidance). The demo has no phone campaign.
DEMO_EXEMPTIONS = {"email_marketing": {"soft_opt_in": True, "b2b": True}}

NO_EVENT, GRANTED, WITHDRAWN, REFUSED = 0, 1, 2, 3  # state codes; 1..3 index CONSENT_STATUSES + 1
NO_BASIS, BY_CONSENT, BY_SOFT_OPT_IN, BY_B2B = range(4)  # legal-basis codes, in order of precedence

SOURCES = (
    "site-web/inscription",
    "magasin/caisse",
    "appli-mobile",
    "campagne-repermission-2024",
    "cmp-site",
    "lien-desinscription",
    "stop-sms",
    "espace-client",
    "demande-opposition",
    "cmp-appli",
)
(WEBSITE, SHOP, APP, REPERMISSION, CMP, UNSUBSCRIBE_LINK, STOP_SMS, PREFERENCE_CENTRE, OBJECTION, CMP_APP) = range(
    len(SOURCES)
)
NO_SOURCE = -1  # a consent imported without its collection point (planted for consent.proof)
# Versions of the privacy notice shown at collection, with the day each came into force.
POLICY_VERSIONS = (
    ("2022-03", "2022-03-01"),
    ("2024-01", "2024-01-08"),
    ("2025-04", "2025-04-01"),
    ("2026-03", "2026-03-02"),
)
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
    sign_up_source = np.where(
        people["created"].to_numpy() < day_number(REPERMISSION_WINDOW[0]), REPERMISSION, sign_up_source
    )
    cmp_start, cmp_end = seconds(CMP_WINDOW[0]), seconds(CMP_WINDOW[1])

    parts = []
    for habit in HABITS:
        code = PURPOSE_CODE[habit.purpose]
        answer = rng.random(size)
        status = np.where(
            answer < habit.granted, GRANTED, np.where(answer < habit.granted + habit.refused, REFUSED, NO_EVENT)
        )
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
        parts.append(
            pd.DataFrame(
                {
                    "person": first,
                    "purpose": code,
                    "status": status[first],
                    "at": at[first],
                    "source": source[first],
                    "method": method[first],
                }
            )
        )

        # A later change of mind, at least two days after the first choice and before as_of.
        later_share = np.where(status == GRANTED, habit.withdrawn_later, habit.granted_later)
        changes = np.flatnonzero((status != NO_EVENT) & (rng.random(size) < later_share) & (at < as_of_s - 4 * DAY))
        room = as_of_s - DAY - (at[changes] + 2 * DAY)
        changed_at = at[changes] + 2 * DAY + np.floor(rng.random(len(changes)) * room).astype(np.int64)
        was_granted = status[changes] == GRANTED
        withdrawal_source = {
            "email_marketing": UNSUBSCRIBE_LINK,
            "sms_marketing": STOP_SMS,
            "personalised_ads": CMP,
        }.get(habit.purpose, PREFERENCE_CENTRE)
        parts.append(
            pd.DataFrame(
                {
                    "person": changes,
                    "purpose": code,
                    "status": np.where(was_granted, WITHDRAWN, GRANTED),
                    "at": changed_at,
                    "source": np.where(was_granted, withdrawal_source, PREFERENCE_CENTRE),
                    "method": np.where(was_granted, -1, method[changes]),  # a withdrawal has no collection method
                }
            )
        )
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
    log = log.astype(
        {
            "person": np.int64,
            "purpose": np.int8,
            "status": np.int8,
            "at": np.int64,
            "source": np.int8,
            "method": np.int8,
        }
    )
    # One int64 key (time, person, purpose): a single-key sort, where a three-key lexsort compares keys in turn.
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
        index, found = self._latest(person, purpose, at)
        return np.where(found, self.status[index], NO_EVENT).astype(np.int8)

    def event_time(self, person: np.ndarray, purpose: np.ndarray | int, at: np.ndarray | int) -> np.ndarray:
        """Seconds of the latest event at or before `at` (-1 when there is none): the key holds its time."""
        index, found = self._latest(person, purpose, at)
        return np.where(found, (self.keys[index] & ((1 << 31) - 1)) + ConsentState.EPOCH, -1)

    def _latest(
        self, person: np.ndarray, purpose: np.ndarray | int, at: np.ndarray | int
    ) -> tuple[np.ndarray, np.ndarray]:
        query = self._key(person, purpose, at)
        # Sorted queries walk the sorted keys in order, so the binary searches stay in cache.
        order = np.argsort(query, kind="stable")
        index = np.empty(len(query), dtype=np.int64)
        index[order] = np.searchsorted(self.keys, query[order], side="right") - 1
        found = (index >= 0) & ((self.keys[np.maximum(index, 0)] >> 31) == (query >> 31))
        return np.maximum(index, 0), found


def basis_of(
    state: np.ndarray,
    purpose: np.ndarray,
    is_customer: np.ndarray,
    recipient_type: np.ndarray,
    exemptions: dict[str, dict[str, bool]] = DEMO_EXEMPTIONS,
) -> np.ndarray:
    """The legal basis of each send (NO_BASIS, BY_CONSENT, BY_SOFT_OPT_IN or BY_B2B), in order of precedence:
    consent, soft opt-in, B2B."""
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
    return basis_of(
        state.at(person, sends["purpose"].to_numpy(), sends["sent_at"].to_numpy()),
        sends["purpose"].to_numpy(),
        people["is_customer"].to_numpy()[person],
        people["recipient_type"].to_numpy()[person],
    )


def coverage_counts(
    sends: pd.DataFrame, state: ConsentState, population: Population, campaign_ids: tuple[str, ...]
) -> dict[str, Any]:
    """What `consent.coverage` must find, recomputed from the final sends (the state of erased people, who have
    no sends left, does not matter)."""
    basis = basis_of_sends(sends, state, population)
    uncovered = basis == NO_BASIS
    by_campaign = np.bincount(sends["campaign"].to_numpy()[uncovered], minlength=len(campaign_ids))
    return {
        "sends": len(sends),
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
    source = log["source"].to_numpy()
    return pa.table(
        {
            "contact_id": contact_ids.take(pa.array(log["person"].to_numpy())),
            "purpose": pick(CANONICAL_PURPOSES, log["purpose"].to_numpy()),
            "status": pick(CONSENT_STATUSES, log["status"].to_numpy() - 1),
            "recorded_at": timestamps(at),
            "source": pick(SOURCES, np.maximum(source, 0), missing=source < 0),
            "policy_version": pick([v for v, _ in POLICY_VERSIONS], np.maximum(version, 0)),
            "method": pick(CONSENT_METHODS, np.maximum(method, 0), missing=method < 0),
            "evidence_ref": numbered("PRV-", np.arange(1, len(log) + 1), 9),
            "tc_string": tc_strings(log),
        }
    )


# --- Planted problems of consent.coverage --------------------------------------------------------------------------

SMS_WITHOUT_CONSENT: dict[str, Any] = {"campaign": "SOLDES-ETE-SMS", "share_of_contacts": 0.01, "minimum": 25}
EMAIL_AFTER_WITHDRAWAL: dict[str, Any] = {"campaign": "NOEL26-EMAIL", "share_of_contacts": 0.0005, "minimum": 3}
COVERAGE_STORY = (
    "SOLDES-ETE-SMS went to a list topped up from an old in-store file of phone numbers that never "
    "gave SMS consent; NOEL26-EMAIL reached prospects who had unsubscribed (outdated suppression "
    "list)."
)


def plant_sends_without_basis(
    rng: np.random.Generator, population: Population, log: pd.DataFrame, state: ConsentState, spare: np.ndarray
) -> pd.DataFrame:
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
    sms = pd.DataFrame(
        {"person": chosen, "campaign": CAMPAIGN_INDEX[campaign.id], "sent_at": send_times(rng, campaign, len(chosen))}
    )

    campaign = CAMPAIGNS[CAMPAIGN_INDEX[EMAIL_AFTER_WITHDRAWAL["campaign"]]]
    count = max(EMAIL_AFTER_WITHDRAWAL["minimum"], round(size * EMAIL_AFTER_WITHDRAWAL["share_of_contacts"]))
    sent_at = send_times(rng, campaign, size)
    withdrawn = state.at(np.arange(size), PURPOSE_CODE["email_marketing"], sent_at) == WITHDRAWN
    pool = np.flatnonzero(withdrawn & ~people["is_customer"].to_numpy() & spare)
    chosen = sample_exact(rng, pool, count)
    email = pd.DataFrame({"person": chosen, "campaign": CAMPAIGN_INDEX[campaign.id], "sent_at": sent_at[chosen]})
    return pd.concat([sms, email], ignore_index=True)


# --- TC strings (IAB TCF v2) written by the demo's cookie banner ---------------------------------------------------

DEMO_CMP_ID = 300  # a fictional CMP
DEMO_AD_VENDOR = 755  # the ad partner's vendor id in the demo


def encode_tc_string(
    *,
    purposes: tuple[int, ...],
    legitimate_interests: tuple[int, ...] = (),
    vendors: tuple[int, ...] = (),
    day_s: int = 0,
    policy_version: int = 4,
    vendor_list_version: int = 150,
) -> str:
    """The core segment of a TCF v2 TC string (bitfield vendor sections, no publisher restriction). Created and
    LastUpdated are the day only, as CMPs are asked to do so that the string does not fingerprint the user."""

    def number(value: int, width: int) -> str:
        return format(value, f"0{width}b")

    def ids(chosen: tuple[int, ...], width: int) -> str:
        return "".join("1" if i in chosen else "0" for i in range(1, width + 1))

    def letters(text: str) -> str:
        return "".join(number(ord(c) - ord("A"), 6) for c in text)

    def vendor_section(chosen: tuple[int, ...]) -> str:
        top = max(chosen, default=0)
        return number(top, 16) + "0" + ids(chosen, top)

    deciseconds = (day_s - day_s % DAY) * 10
    bits = (
        number(2, 6)
        + number(deciseconds, 36)
        + number(deciseconds, 36)
        + number(DEMO_CMP_ID, 12)
        + number(1, 12)
        + number(1, 6)
        + letters("FR")
        + number(vendor_list_version, 12)
        + number(policy_version, 6)
        + "0"
        + "0"
        + ids((), 12)
        + ids(purposes, 24)
        + ids(legitimate_interests, 24)
        + "0"
        + letters("FR")
        + vendor_section(vendors)
        + vendor_section(())
        + number(0, 12)
    )
    bits += "0" * (-len(bits) % 6)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    return "".join(alphabet[int(bits[i : i + 6], 2)] for i in range(0, len(bits), 6))


TC_PURPOSES = {  # (source, status) -> purposes the banner's string grants; anything else grants none
    (CMP, GRANTED): (1, 2, 3, 4, 7, 9, 10),
    (CMP_APP, GRANTED): (1, 2, 7, 9, 10),  # the app's banner was misconfigured: no ads profile (3, 4)
}


def tc_strings(log: pd.DataFrame) -> pa.Array:
    """The TC string of each cookie-banner event (null for other events): one string per day, status and banner,
    encoded once per distinct combination, so that 10 million events cost a few hundred encodings."""
    source, status = log["source"].to_numpy(), log["status"].to_numpy()
    from_banner = np.isin(source, [CMP, CMP_APP])
    day = log["at"].to_numpy() // DAY
    key = (day * 16 + source.astype(np.int64)) * 4 + status
    codes, distinct = pd.factorize(np.where(from_banner, key, -1))
    words = []
    for value in distinct:
        if value < 0:
            words.append("")
            continue
        kind, banner = value % 4, (value // 4) % 16
        purposes = TC_PURPOSES.get((int(banner), int(kind)), ())
        words.append(
            encode_tc_string(
                purposes=purposes, vendors=(DEMO_AD_VENDOR,) if purposes else (), day_s=int(value // 64) * DAY
            )
        )
    return pick(words, codes, missing=~from_banner)


# --- Planted problems of the other consent checks -------------------------------------------------------------------

PLANT_SIZES = {  # (share of contacts, minimum) of each planted group
    "proof": (0.002, 5),
    "stale_ads": (0.001, 4),
    "minors_fr": (0.0008, 3),
    "minors_de": (0.0, 2),
    "minors_shop": (0.0, 1),
    "dormant_mailed": (0.0006, 3),
    "dormant_repermission": (0.0, 2),
    "dormant_kept": (0.0, 2),
    "religion": (0.02, 20),
    "email_notes": (0.001, 4),
    "phone_notes": (0.001, 4),
    "tcf_app": (0.001, 4),
}
STALE_ADS_WINDOW = ("2025-10-01", "2026-04-30")  # last year's banner choices, never renewed
STALE_ADS_CAMPAIGN = "NOEL26-ADS"
MINOR_AGE_AT_CONSENT = {"FR": 14.5, "DE": 15.5}  # years, below FR 15 and DE 16 (lexicons/digital_consent_ages.yaml)
MINORS_FROM = "2024-09-01"  # first consent on or after this day, so they are still minors at as_of
# The demo's only collection point outside an information-society service (GDPR Art 8 does not apply there):
# the shop's till. Its consents read as offline in consent.minors (lexicons/digital_consent_ages.yaml).
OFFLINE_SOURCES = (SHOP,)
DORMANT_CREATED_BEFORE_MONTHS = 48  # so that every 2026 campaign falls after the 36-month limit
RELIGIONS = ("catholique", "musulmane", "musulman", "juive", "protestante", "bouddhiste", "sans religion")
PRIVACY_STORY = (
    "An old loyalty-card form stored a religion column; shop staff typed customers' emails and phone numbers "
    "into the notes; some consents were imported without their collection point; the ad platform kept last "
    "year's banner opt-ins; the app's cookie banner never asked for ads profiling (TCF purposes 3 and 4); a few "
    "teenagers in France and Germany signed up alone online, and one French teenager alone at a shop's till "
    "(offline: outside GDPR Art 8, a warning); an erasure failed in the CRM and an access request was "
    "forgotten, while a rectification request whose deadline was extended within the first month is still on "
    "time; prospects inactive since sign-up stayed in the newsletter, and two of them received a single "
    "re-permission message instead."
)


@dataclass(frozen=True)
class PrivacyPlants:
    population: Population  # with the minors' birth days, dormant prospects' activity, notes and religion
    log: pd.DataFrame  # the consent log with stale ad consents added, proofs removed, app-banner events
    sends: pd.DataFrame  # extra sends (person, campaign, sent_at): ads on stale consents


def _count(size: int, name: str) -> int:
    share, minimum = PLANT_SIZES[name]
    return max(minimum, round(size * share))


def plant_privacy_problems(
    seed: int,
    population: Population,
    log: pd.DataFrame,
    spare: np.ndarray,
    campaign_sends: pd.DataFrame,
    planted_sends: pd.DataFrame,
) -> PrivacyPlants:
    """The problems of consent.proof, freshness, minors, retention, special_categories, minimisation and tcf,
    each from its own random stream and on its own people (none has a request or a planted coverage send)."""
    people = population.people.copy()
    size = len(people)
    free = spare.copy()
    free[planted_sends["person"].to_numpy()] = False
    log = log.copy()

    def take(name: str, pool: np.ndarray) -> np.ndarray:
        chosen = sample_exact(rng_for(seed, f"consent.{name}"), np.flatnonzero(pool & free), _count(size, name))
        free[chosen] = False
        return chosen

    # consent.proof: grants imported from the old shop file without their collection point.
    granted_rows = (log["status"].to_numpy() == GRANTED) & (log["source"].to_numpy() != CMP)
    owner = np.zeros(size, dtype=bool)
    owner[log.loc[granted_rows, "person"].to_numpy()] = True
    unproven = take("proof", owner)
    rows = np.flatnonzero(granted_rows & np.isin(log["person"].to_numpy(), unproven))
    _, first = np.unique(log["person"].to_numpy()[rows], return_index=True)  # each person's first such grant
    log.loc[rows[first], "source"] = NO_SOURCE

    # consent.tcf: the app's banner strings lack purposes 3 and 4, yet its users received personalised ads.
    ads_code = PURPOSE_CODE["personalised_ads"]
    ads_sent = np.zeros(size, dtype=bool)
    ads_campaigns = [i for i, c in enumerate(CAMPAIGNS) if c.channel == "ads"]
    ads_sent[campaign_sends.loc[campaign_sends["campaign"].isin(ads_campaigns), "person"].to_numpy()] = True
    ads_events = log["purpose"].to_numpy() == ads_code
    one_ads_event = np.bincount(log.loc[ads_events, "person"].to_numpy(), minlength=size) == 1
    app_users = take("tcf_app", ads_sent & one_ads_event)
    log.loc[ads_events & np.isin(log["person"].to_numpy(), app_users), "source"] = CMP_APP

    # consent.freshness: banner opt-ins of last year, never renewed, still used by NOEL26-ADS.
    has_ads_event = np.zeros(size, dtype=bool)
    has_ads_event[log.loc[ads_events, "person"].to_numpy()] = True
    start, end = seconds(STALE_ADS_WINDOW[0]), seconds(STALE_ADS_WINDOW[1])
    stale = take("stale_ads", ~has_ads_event & (people["created"].to_numpy() * DAY < start))
    rng = rng_for(seed, "consent.stale_ads.times")
    stale_at = rng.integers(start, end, len(stale))
    campaign = CAMPAIGNS[CAMPAIGN_INDEX[STALE_ADS_CAMPAIGN]]
    extra_sends = pd.DataFrame(
        {"person": stale, "campaign": CAMPAIGN_INDEX[campaign.id], "sent_at": send_times(rng, campaign, len(stale))}
    )
    events = pd.DataFrame(
        {
            "person": stale,
            "purpose": ads_code,
            "status": GRANTED,
            "at": stale_at,
            "source": CMP,
            "method": CONSENT_METHODS.index("cmp"),
        }
    )
    log = add_events(log, events)

    # consent.minors: teenagers who signed up alone online, in France (under 15) and Germany (under 16), and one
    # French teenager who signed up alone at a shop's till, with no consent given online (offline: a warning).
    first_grant_at = np.full(size, np.iinfo(np.int64).max)
    granted = log[log["status"] == GRANTED]
    np.minimum.at(first_grant_at, granted["person"].to_numpy(), granted["at"].to_numpy())
    offline_grant = np.isin(granted["source"].to_numpy(), OFFLINE_SOURCES)
    granted_online, granted_offline = np.zeros(size, dtype=bool), np.zeros(size, dtype=bool)
    granted_online[granted["person"].to_numpy()[~offline_grant]] = True
    granted_offline[granted["person"].to_numpy()[offline_grant]] = True
    individual = people["recipient_type"].to_numpy() == RECIPIENT_TYPES.index("individual")
    recent = (first_grant_at >= seconds(MINORS_FROM)) & (first_grant_at < np.iinfo(np.int64).max)
    birth = people["birth_day"].to_numpy().copy()
    for country, age in MINOR_AGE_AT_CONSENT.items():
        pool = individual & recent & granted_online & (people["country"].to_numpy() == COUNTRIES.index(country))
        minors = take(f"minors_{country.lower()}", pool)
        birth[minors] = first_grant_at[minors] // DAY - int(age * 365.2425)
    at_the_shop = take(
        "minors_shop",
        individual
        & recent
        & granted_offline
        & ~granted_online
        & (people["country"].to_numpy() == COUNTRIES.index("FR")),
    )
    birth[at_the_shop] = first_grant_at[at_the_shop] // DAY - int(MINOR_AGE_AT_CONSENT["FR"] * 365.2425)
    people["birth_day"] = birth
    people["age_band"] = age_band_codes(birth, population.as_of).astype(np.int8)

    # consent.retention: prospects never active since sign-up, more than three years ago; some still mailed.
    as_of_day = day_number(population.as_of)
    old_prospect = ~people["is_customer"].to_numpy() & (
        people["created"].to_numpy() < as_of_day - DORMANT_CREATED_BEFORE_MONTHS * 30
    )
    emailed = np.zeros(size, dtype=bool)
    email_campaigns = [i for i, c in enumerate(CAMPAIGNS) if c.channel == "email"]
    emailed[campaign_sends.loc[campaign_sends["campaign"].isin(email_campaigns), "person"].to_numpy()] = True
    sends_received = np.bincount(campaign_sends["person"].to_numpy(), minlength=size)
    # Every 2026 send falls after their 36 months: several sends is a fail, exactly one a re-permission (warn).
    dormant = np.concatenate(
        [
            take("dormant_mailed", old_prospect & emailed & (sends_received > 1)),
            take("dormant_repermission", old_prospect & (sends_received == 1)),
            take("dormant_kept", old_prospect & (sends_received == 0)),
        ]
    )
    last_activity = people["last_activity"].to_numpy().copy()
    last_activity[dormant] = people["created"].to_numpy()[dormant]
    people["last_activity"] = last_activity

    # consent.special_categories and consent.minimisation: a religion column, identifiers in the notes.
    identity = population.identity
    religious = take("religion", individual)
    words = np.full(size, -1)
    words[religious] = rng_for(seed, "consent.religion.words").integers(0, len(RELIGIONS), len(religious))
    notes = identity["notes"].combine_chunks().cast(pa.string()).to_numpy(zero_copy_only=False).astype(object)
    email_notes = take("email_notes", individual)
    french = pc.fill_null(pc.starts_with(identity["phone"].combine_chunks(), "+33 "), False)
    phone_notes = take("phone_notes", french.to_numpy(zero_copy_only=False))
    emails = identity["email"].to_numpy(zero_copy_only=False)
    phones = identity["phone"].to_numpy(zero_copy_only=False)
    notes[email_notes] = ["Préfère être recontacté(e) à " + e for e in emails[email_notes]]
    notes[phone_notes] = ["Rappeler au 0" + p.removeprefix("+33 ") for p in phones[phone_notes]]
    identity = identity.set_column(
        identity.column_names.index("notes"), "notes", pa.array(notes, pa.string())
    ).append_column("religion", pick(RELIGIONS, np.maximum(words, 0), missing=words < 0))
    return PrivacyPlants(population=replace(population, people=people, identity=identity), log=log, sends=extra_sends)


# --- What the checks must find: planted.json entries, from the generated data ---------------------------------------


def _calendar(seconds_or_days: np.ndarray, unit: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month and day of epoch seconds ("s") or days ("D")."""
    day = np.asarray(seconds_or_days, dtype=np.int64)
    day = day // DAY if unit == "s" else day
    moment = day.astype("datetime64[D]")
    year = moment.astype("datetime64[Y]").astype(np.int64) + 1970
    month = moment.astype("datetime64[M]").astype(np.int64) % 12 + 1
    return year, month, (moment - moment.astype("datetime64[M]")).astype(np.int64) + 1


def _months_after(
    later: tuple[np.ndarray, ...], earlier: tuple[np.ndarray, ...], months: np.ndarray | int
) -> np.ndarray:
    """`later` falls after the same day `months` calendar months after `earlier` (year, month, day triples)."""
    target = earlier[0] * 12 + earlier[1] + months
    index = later[0] * 12 + later[1]
    after: np.ndarray = (index > target) | ((index == target) & (later[2] > earlier[2]))
    return after


def _years_between(birth: tuple[np.ndarray, ...], moment: tuple[np.ndarray, ...]) -> np.ndarray:
    before_birthday = (birth[1] > moment[1]) | ((birth[1] == moment[1]) & (birth[2] > moment[2]))
    years: np.ndarray = moment[0] - birth[0] - before_birthday
    return years


def _entry(counts: dict[str, int], *, fail: bool = False, warn: bool = False, **extra: Any) -> dict[str, Any]:
    return {"status": status(fail, warn), "counts": counts, **extra}


def privacy_entries(data: _Generated) -> dict[str, dict[str, Any]]:
    """planted.json entries of every consent check but coverage, recomputed from the final generated data (the
    numbers the writer turns into files), independently of the kit's checks."""
    people, keep, log, state, sends = data.people.people, data.keep, data.log, data.state, data.sends
    person, purpose, sent_at = (sends["person"].to_numpy(), sends["purpose"].to_numpy(), sends["sent_at"].to_numpy())
    as_of_day = day_number(data.people.as_of)
    as_of = _calendar(np.array([as_of_day]), "D")
    sent_on = _calendar(sent_at, "s")  # the calendar date of each send, used by several checks
    entries = {}

    status_at_send = state.at(person, purpose, sent_at)
    blocked = (status_at_send == WITHDRAWN) | (status_at_send == REFUSED)
    entries["consent.after_withdrawal"] = _entry(
        {"sends_after_withdrawal": int(blocked.sum()), "contacts_affected": len(np.unique(person[blocked]))},
        fail=bool(blocked.any()),
        story=COVERAGE_STORY + " " + PRIVACY_STORY,
    )

    granted = log["status"].to_numpy() == GRANTED
    no_source = granted & (log["source"].to_numpy() == NO_SOURCE)
    completeness = 1 - no_source.sum() / granted.sum()
    entries["consent.proof"] = _entry(
        {
            "granted_consents": int(granted.sum()),
            "incomplete_consents": int(no_source.sum()),
            "missing_source": int(no_source.sum()),
        },
        fail=completeness < 0.95,
        warn=completeness < 1,
    )

    event_at = state.event_time(person, purpose, sent_at)
    max_age = np.where(np.isin(purpose, [PURPOSE_CODE["personalised_ads"], PURPOSE_CODE["analytics"]]), 6, 36)
    on_consent = status_at_send == GRANTED
    stale = on_consent & _months_after(sent_on, _calendar(event_at, "s"), max_age)
    stale_consents = pd.DataFrame({"p": person[stale], "u": purpose[stale], "t": event_at[stale]}).drop_duplicates()
    entries["consent.freshness"] = _entry(
        {"stale_sends": int(stale.sum()), "stale_consents_used": len(stale_consents)}, warn=bool(stale.any())
    )

    ages = yaml_ages()
    birth_day = people["birth_day"].to_numpy()
    country = np.array(COUNTRIES)[people["country"].to_numpy()]
    consent_age = np.array([ages.get(c, ages["default"]) for c in country])
    event_person = log["person"].to_numpy()
    known = birth_day[event_person] != np.iinfo(np.int64).min
    age_then = _years_between(_calendar(birth_day[event_person], "D"), _calendar(log["at"].to_numpy(), "s"))
    child = granted & known & (age_then < consent_age[event_person])
    offline = np.isin(log["source"].to_numpy(), OFFLINE_SOURCES)
    ads_or_profiling = np.isin(purpose, [PURPOSE_CODE["personalised_ads"], PURPOSE_CODE["profiling"]])
    age_at_send = _years_between(_calendar(birth_day[person], "D"), sent_on)
    to_minor = ads_or_profiling & (birth_day[person] != np.iinfo(np.int64).min) & (age_at_send < 18)
    minors = np.unique(event_person[child & ~offline])  # Art 8: consents given online (a rule)
    offline_minors = np.setdiff1d(np.unique(event_person[child & offline]), minors)  # a kit-default warning
    entries["consent.minors"] = _entry(
        {
            "minors_without_parental_consent": len(minors),
            "offline_minors_without_parental_consent": len(offline_minors),
            "sends_to_minors": int(to_minor.sum()),
        },
        fail=bool(len(minors) or to_minor.any()),
        warn=bool(len(offline_minors)),
        by_country={c: int((country[minors] == c).sum()) for c in sorted(set(country[minors]))},
        offline_by_country={c: int((country[offline_minors] == c).sum()) for c in sorted(set(country[offline_minors]))},
    )

    frame = data.subject_requests.frame
    kind, completed = frame["type"].to_numpy(), frame["completed_at"].to_numpy()
    erased = (kind == REQUEST_TYPES.index("erasure")) & (completed >= 0)
    completion = pd.Series(completed[erased], index=frame["person"].to_numpy()[erased]).groupby(level=0).min()
    after = sent_at > completion.reindex(person).fillna(np.inf).to_numpy()
    still = np.unique(np.concatenate([completion.index[keep[completion.index]], person[after]]))
    pending = completed < 0
    received = _calendar(frame["received_at"].to_numpy(), "s")
    notified = frame["extension_notified_at"].to_numpy()
    # GDPR Art 12(3): three months instead of one when the person was told within the first month.
    extended = (notified >= 0) & ~_months_after(_calendar(np.maximum(notified, 0), "s"), received, 1)
    overdue = pending & _months_after(
        tuple(np.repeat(a, len(frame)) for a in as_of), received, np.where(extended, 3, 1)
    )
    entries["consent.erasure"] = _entry(
        {
            "erased_still_present": len(still),
            "erased_still_in_contacts": int(keep[completion.index].sum()),
            "sends_after_erasure": int(after.sum()),
            "overdue_requests": int(overdue.sum()),
            "extended_requests": int(extended.sum()),
        },
        fail=bool(len(still)),
        warn=bool(overdue.any()),
    )

    last = people["last_activity"].to_numpy()
    prospect = keep & ~people["is_customer"].to_numpy()
    dormant = prospect & _months_after(tuple(np.repeat(a, len(people)) for a in as_of), _calendar(last, "D"), 36)
    late_send = dormant[person] & _months_after(sent_on, _calendar(last[person], "D"), 36)
    late_per_person = np.bincount(person[late_send], minlength=len(people))
    # CNIL référentiel (2022): one last message after the 36 months may ask whether they wish to go on.
    repermission, repeatedly = int((late_per_person == 1).sum()), int((late_per_person > 1).sum())
    entries["consent.retention"] = _entry(
        {
            "dormant_prospects": int(dormant.sum()),
            "dormant_prospects_contacted": repermission + repeatedly,
            "dormant_prospects_repermission": repermission,
            "dormant_prospects_contacted_repeatedly": repeatedly,
            "sends_to_dormant_prospects": int(late_send.sum()),
        },
        fail=bool(repeatedly),
        warn=bool(dormant.any()),
    )

    identity = data.people.identity.filter(pa.array(keep))
    religion = identity["religion"].combine_chunks()  # always added by plant_privacy_problems
    entries["consent.special_categories"] = _entry(
        {"special_category_columns": int(religion.null_count < len(religion)), "used_for_targeting": 0},
        warn=religion.null_count < len(religion),
        column="religion",
        rows=len(religion) - religion.null_count,
    )

    notes = pd.Series(identity["notes"].combine_chunks().cast(pa.string()).to_numpy(zero_copy_only=False))
    with_email = int(notes.str.contains("@", regex=False).fillna(False).sum())
    with_phone = int(notes.str.contains(r"0[67](?: \d{2}){4}", regex=True).fillna(False).sum())
    entries["consent.minimisation"] = _entry(
        {
            "fields_with_personal_data": int(bool(with_email or with_phone)),
            "rows_with_email": with_email,
            "rows_with_phone": with_phone,
        },
        warn=bool(with_email or with_phone),
        table="contacts",
        column="notes",
    )

    ads = purpose == PURPOSE_CODE["personalised_ads"]
    events = pd.DataFrame(
        {
            "p": log["person"].to_numpy(),
            "u": log["purpose"].to_numpy(),
            "t": log["at"].to_numpy(),
            "source": log["source"].to_numpy(),
        }
    )
    used = pd.DataFrame({"p": person[ads], "u": purpose[ads], "t": event_at[ads]}).merge(
        events, on=["p", "u", "t"], how="left"
    )
    app = int((used["source"] == CMP_APP).sum())
    entries["consent.tcf"] = _entry(
        {"ads_sends": int(ads.sum()), "sends_without_tcf_consent": app, "sends_missing_purposes": app}, fail=app > 0
    )
    return entries


def yaml_ages() -> dict[str, int]:
    """Digital-consent ages from the package's data file (country -> age, and 'default')."""
    table = package_yaml("lexicons", "digital_consent_ages.yaml")
    return {**{str(c): int(e["age"]) for c, e in table["countries"].items()}, "default": int(table["default"]["age"])}
