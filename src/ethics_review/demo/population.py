"""The customer base: who the contacts are (identity, demographics, customer status, activity).

People are numbered 0..size-1; every other table refers to them by that number until the writer turns it into
`contact_id`. Demographics (gender, age, region) are drawn independently of customer status, segment and
activity, so that any disparity in the targeting is one the generator planted on purpose.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..contract import AGE_BANDS, RECIPIENT_TYPES
from . import vocab
from .common import MISSING_DAY, dates, join, numbered, occurrence_number, pick, text, weighted_choice

GENDERS = ("F", "M", "X")
AGE_BAND_LABELS = tuple(label for label, _ in AGE_BANDS)
SEGMENTS = ("fidèle", "occasionnel", "nouveau", "prospect")
COUNTRIES = ("FR", "BE", "DE", "ES", "IT")
REGIONS = (*dict.fromkeys(region for region, *_ in vocab.FRENCH_CITIES), vocab.REGION_ABROAD)

# Age mix of a French home-and-fashion retailer's adult customer base: (youngest, oldest + 1, weight).
# Everyone is 19 or older at as_of, so no contact was a minor at any send of the year (consent.minors stays clean).
AGE_MIX = ((19, 25, 10), (25, 35, 17), (35, 45, 19), (45, 55, 19), (55, 65, 16), (65, 91, 19))
RECIPIENT_MIX = {"individual": 0.955, "professional": 0.04, "generic": 0.005}
SHARE_FOREIGN = 0.035
SHARE_CUSTOMERS = 0.62
SHARE_WITH_PHONE = 0.88
SHARE_WITH_NOTES = 0.08
# Gender recorded as X: a deliberately small group, too small for a bias flag (min_flag_size 100 at 20k contacts).
SHARE_GENDER_X = 0.0025
MIN_GENDER_X = 12
FIRST_CONTACT_DAY = "2018-01-02"
PLANTED_COLUMNS = ("religion",)
PROSPECT_ACTIVITY_WINDOW_DAYS = 1_000  # prospects were all active within ~33 months (consent.retention is clean)


@dataclass(frozen=True)
class Population:
    """Every person generated, as numbers (for the other tables) and as identity strings (for contacts)."""

    as_of: dt.date
    people: pd.DataFrame  # one row per person; integer codes into the tuples above, days since the epoch
    identity: pa.Table  # contact_id, email, phone, first_name, last_name, address, postcode, notes

    @property
    def size(self) -> int:
        return len(self.people)


def day_number(day: dt.date | str) -> int:
    return int(np.datetime64(day, "D").astype(np.int64))


def age_band_codes(birth_days: np.ndarray, as_of: dt.date) -> np.ndarray:
    """Index into AGE_BAND_LABELS of each birth day's exact age at as_of (-1 where unknown)."""
    known = birth_days != MISSING_DAY
    birth = np.where(known, birth_days, 0).astype("datetime64[D]")
    year = birth.astype("datetime64[Y]").astype(np.int64) + 1970
    month = birth.astype("datetime64[M]").astype(np.int64) % 12 + 1
    day = (birth - birth.astype("datetime64[M]")).astype(np.int64) + 1
    before_birthday = (month > as_of.month) | ((month == as_of.month) & (day > as_of.day))
    age = as_of.year - year - before_birthday
    lower_bounds = np.array([low for _, low in AGE_BANDS])
    codes = np.searchsorted(lower_bounds, age, side="right") - 1
    return np.where(known, codes, -1)


def build_population(rng: np.random.Generator, size: int, as_of: dt.date) -> Population:
    as_of_day = day_number(as_of)
    recipient = weighted_choice(rng, list(RECIPIENT_MIX.values()), size)
    is_generic = recipient == RECIPIENT_TYPES.index("generic")

    gender = np.where(rng.random(size) < 0.55, 0, 1)
    individuals = np.flatnonzero(recipient == RECIPIENT_TYPES.index("individual"))
    gender_x = rng.choice(
        individuals, size=min(len(individuals), max(MIN_GENDER_X, round(size * SHARE_GENDER_X))), replace=False
    )
    gender[gender_x] = 2
    gender = np.where(is_generic, -1, gender)

    band = weighted_choice(rng, [w for *_, w in AGE_MIX], size)
    low, high = np.array([a for a, _, _ in AGE_MIX]), np.array([b for _, b, _ in AGE_MIX])
    age_years = low[band] + rng.random(size) * (high[band] - low[band])
    birth_day = np.where(is_generic, MISSING_DAY, as_of_day - np.floor(age_years * 365.2425).astype(np.int64))

    foreign = rng.random(size) < SHARE_FOREIGN
    french_city = weighted_choice(rng, [w for *_, w in vocab.FRENCH_CITIES], size)
    foreign_city = weighted_choice(rng, [w for *_, w in vocab.FOREIGN_CITIES], size)
    country = np.where(foreign, np.array([COUNTRIES.index(c[0]) for c in vocab.FOREIGN_CITIES])[foreign_city], 0)
    region = np.where(
        foreign, len(REGIONS) - 1, np.array([REGIONS.index(c[0]) for c in vocab.FRENCH_CITIES])[french_city]
    )

    first_day = day_number(FIRST_CONTACT_DAY)
    created = as_of_day - 3 - np.floor((as_of_day - 3 - first_day) * rng.random(size) ** 1.4).astype(np.int64)
    is_customer = rng.random(size) < SHARE_CUSTOMERS
    became_customer_later = rng.random(size) < 0.5
    customer_since = np.minimum(created + became_customer_later * rng.integers(0, 400, size), as_of_day - 1)
    customer_since = np.where(is_customer, customer_since, MISSING_DAY)
    last_activity = _last_activity(rng, as_of_day, created, customer_since, is_customer)

    segment = np.where(rng.random(size) < 0.4, 0, 1)  # fidèle / occasionnel, for established customers
    segment = np.where(customer_since >= as_of_day - 365, 2, segment)
    segment = np.where(is_customer, segment, 3)

    people = pd.DataFrame(
        {
            "recipient_type": recipient.astype(np.int8),
            "gender": gender.astype(np.int8),
            "birth_day": birth_day,
            "age_band": age_band_codes(birth_day, as_of).astype(np.int8),
            "country": country.astype(np.int8),
            "region": region.astype(np.int8),
            "is_customer": is_customer,
            "customer_since": customer_since,
            "created": created,
            "last_activity": last_activity,
            "segment": segment.astype(np.int8),
            "has_phone": (rng.random(size) < SHARE_WITH_PHONE) & ~is_generic,
        }
    )
    identity = _identity(rng, people, french_city, foreign_city)
    return Population(as_of=as_of, people=people, identity=identity)


def _last_activity(
    rng: np.random.Generator, as_of_day: int, created: np.ndarray, customer_since: np.ndarray, is_customer: np.ndarray
) -> np.ndarray:
    """Last inbound interaction: customers mostly recent; prospects always within the retention window."""
    size = len(created)
    since = np.where(is_customer, customer_since, created)
    customer_gap = np.floor(rng.exponential(150.0, size)).astype(np.int64)
    prospect_floor = np.maximum(created, as_of_day - PROSPECT_ACTIVITY_WINDOW_DAYS)
    prospect_day = prospect_floor + np.floor(rng.random(size) * (as_of_day - prospect_floor)).astype(np.int64)
    return np.where(is_customer, np.maximum(since, as_of_day - 1 - customer_gap), prospect_day)


def _identity(
    rng: np.random.Generator, people: pd.DataFrame, french_city: np.ndarray, foreign_city: np.ndarray
) -> pa.Table:
    size = len(people)
    recipient = people["recipient_type"].to_numpy()
    gender = people["gender"].to_numpy()
    is_generic = recipient == RECIPIENT_TYPES.index("generic")
    is_professional = recipient == RECIPIENT_TYPES.index("professional")

    first_lists = (vocab.FEMALE_FIRST_NAMES, vocab.MALE_FIRST_NAMES, vocab.UNISEX_FIRST_NAMES)
    first_pool = first_lists[0] + first_lists[1] + first_lists[2]
    offsets = np.cumsum([0, len(first_lists[0]), len(first_lists[1])])
    first_code = np.zeros(size, dtype=np.int64)
    for g, names in enumerate(first_lists):
        first_code = np.where(gender == g, offsets[g] + rng.integers(0, len(names), size), first_code)
    last_weights = 1.0 / (np.arange(len(vocab.LAST_NAMES)) + 8.0)  # a few very common surnames, a long tail
    last_code = weighted_choice(rng, last_weights, size)
    first_name = pick(first_pool, first_code, missing=is_generic)
    last_name = pick(vocab.LAST_NAMES, last_code, missing=is_generic)

    # Email: the local part of personal addresses follows the usual French habits.
    first_ascii = pick([vocab.ascii_lower(w) for w in first_pool], first_code)
    last_ascii = pick([vocab.ascii_lower(w) for w in vocab.LAST_NAMES], last_code)
    initial = pick([vocab.ascii_lower(w)[0] for w in first_pool], first_code)
    birth_yy = pc.utf8_lpad(
        pa.array(
            (
                people["birth_day"]
                .to_numpy()
                .clip(min=0)
                .astype("datetime64[D]")
                .astype("datetime64[Y]")
                .astype(np.int64)
                + 1970
            )
            % 100
        ).cast(pa.string()),
        2,
        "0",
    )
    styles = (
        join(first_ascii, ".", last_ascii),
        join(first_ascii, last_ascii),
        join(initial, ".", last_ascii),
        join(first_ascii, ".", last_ascii, birth_yy),
        join(last_ascii, ".", first_ascii),
        join(first_ascii, "_", last_ascii),
    )
    style = weighted_choice(rng, (34, 14, 16, 20, 8, 8), size)
    personal_local = pc.choose(pa.array(style.astype(np.int8)), *styles)
    business_kind = rng.integers(0, len(vocab.BUSINESS_KINDS), size)
    business_name = weighted_choice(rng, last_weights, size)
    business_domain = join(
        pick(vocab.BUSINESS_KINDS, business_kind),
        "-",
        pick([vocab.ascii_lower(w) for w in vocab.LAST_NAMES], business_name),
        vocab.BUSINESS_MAIL_TLD,
    )
    personal_domain = pick(
        [d for d, _ in vocab.PERSONAL_MAIL_DOMAINS],
        weighted_choice(rng, [w for _, w in vocab.PERSONAL_MAIL_DOMAINS], size),
    )
    generic_local = pick(vocab.GENERIC_MAILBOXES, rng.integers(0, len(vocab.GENERIC_MAILBOXES), size))
    local = pc.if_else(
        pa.array(is_generic),
        text(generic_local),
        pc.if_else(pa.array(is_professional), join(first_ascii, ".", last_ascii), personal_local),
    )
    domain = pc.if_else(pa.array(is_generic | is_professional), business_domain, text(personal_domain))
    email = _unique_emails(local, domain)

    country = people["country"].to_numpy()
    phone = _phones(rng, country, missing=~people["has_phone"].to_numpy())
    address, postcode = _addresses(rng, country, french_city, foreign_city)
    notes = pick(
        vocab.HARMLESS_NOTES,
        rng.integers(0, len(vocab.HARMLESS_NOTES), size),
        missing=rng.random(size) >= SHARE_WITH_NOTES,
    )

    width = max(7, len(str(size)))
    return pa.table(
        {
            "contact_id": numbered("C", np.arange(1, size + 1), width),
            "email": email,
            "phone": phone,
            "first_name": first_name,
            "last_name": last_name,
            "address": address,
            "postcode": postcode,
            "notes": notes,
        }
    )


def _unique_emails(local: pa.Array, domain: pa.Array) -> pa.Array:
    """Addresses made unique the way people do it: marie.martin@, then marie.martin.2@, marie.martin.3@..."""
    candidate = join(local, "@", domain)
    codes, _ = pd.factorize(candidate.to_numpy(zero_copy_only=False))
    rank = occurrence_number(codes)
    suffix = pc.if_else(pa.array(rank > 0), join(".", pa.array(rank + 1).cast(pa.string())), "")
    return join(local, suffix, "@", domain)


def _phones(rng: np.random.Generator, country: np.ndarray, *, missing: np.ndarray) -> pa.Array:
    """Mobile numbers (+33 6 12 34 56 78), unique by construction: an affine bijection of a shuffled index."""
    size = len(country)
    digits = (rng.permutation(size).astype(np.int64) * 7_654_321 + 12_345_678) % 100_000_000
    padded = pc.utf8_lpad(pa.array(digits).cast(pa.string()), 8, "0")
    pairs = [pc.utf8_slice_codeunits(padded, i, i + 2) for i in range(0, 8, 2)]
    mobile_digit = {"FR": ("6", "7"), "BE": ("4", "4"), "DE": ("15", "17"), "ES": ("6", "7"), "IT": ("3", "3")}
    second = rng.integers(0, 2, size)
    prefixes = [vocab.PHONE_PREFIXES[c] + mobile_digit[c][k] + " " for c in COUNTRIES for k in (0, 1)]
    prefix = pick(prefixes, country.astype(np.int64) * 2 + second)
    return pc.if_else(
        pa.array(missing),
        pa.scalar(None, pa.string()),
        join(prefix, pairs[0], " ", pairs[1], " ", pairs[2], " ", pairs[3]),
    )


def _addresses(
    rng: np.random.Generator, country: np.ndarray, french_city: np.ndarray, foreign_city: np.ndarray
) -> tuple[pa.Array, pa.Array]:
    size = len(country)
    number = pa.array(rng.integers(1, 140, size)).cast(pa.string())
    city = vocab.FRENCH_CITIES
    postcode_fr = np.array([c[2] for c in city])[french_city] + np.floor(
        rng.random(size) * np.array([c[3] for c in city])[french_city]
    ).astype(np.int64)
    postcode_fr_text = pc.utf8_lpad(pa.array(postcode_fr).cast(pa.string()), 5, "0")
    street = pick(vocab.STREETS, rng.integers(0, len(vocab.STREETS), size))
    french = join(number, " ", street, ", ", postcode_fr_text, " ", pick([c[1] for c in city], french_city))

    abroad = vocab.FOREIGN_CITIES
    postcode_abroad = pc.utf8_lpad(pa.array(np.array([c[2] for c in abroad])[foreign_city]).cast(pa.string()), 5, "0")
    width = np.array([c[3] for c in abroad])[foreign_city]
    postcode_abroad = pc.if_else(pa.array(width == 4), pc.utf8_slice_codeunits(postcode_abroad, 1, 5), postcode_abroad)
    streets_abroad = [s for c in ("BE", "DE", "ES", "IT") for s in vocab.FOREIGN_STREETS[c]]
    country_of_city = np.array([("BE", "DE", "ES", "IT").index(c[0]) for c in abroad])[foreign_city]
    street_abroad = pick(streets_abroad, country_of_city * 4 + rng.integers(0, 4, size))
    foreign = join(street_abroad, " ", number, ", ", postcode_abroad, " ", pick([c[1] for c in abroad], foreign_city))

    is_abroad = pa.array(country != 0)
    return pc.if_else(is_abroad, foreign, french), pc.if_else(is_abroad, postcode_abroad, postcode_fr_text)


def contacts_table(population: Population, keep: np.ndarray) -> pa.Table:
    """The CRM export: canonical contact columns plus the demographics and features the bias checks use."""
    people = population.people
    identity = population.identity.filter(pa.array(keep))
    p = people[keep]
    as_text = {
        "gender": pick(GENDERS, p["gender"].clip(lower=0), missing=(p["gender"] < 0).to_numpy()),
        "country": pick(COUNTRIES, p["country"]),
        "region": pick(REGIONS, p["region"]),
        "recipient_type": pick(RECIPIENT_TYPES, p["recipient_type"]),
        "segment": pick(SEGMENTS, p["segment"]),
    }
    return pa.table(
        {
            "contact_id": identity["contact_id"],
            "email": identity["email"],
            "phone": identity["phone"],
            "first_name": identity["first_name"],
            "last_name": identity["last_name"],
            "address": identity["address"],
            "postcode": identity["postcode"],
            "birth_date": dates(p["birth_day"].to_numpy()),
            "country": as_text["country"],
            "region": as_text["region"],
            "gender": as_text["gender"],
            "is_customer": pa.array(p["is_customer"].to_numpy()),
            "customer_since": dates(p["customer_since"].to_numpy()),
            "created_at": dates(p["created"].to_numpy()),
            "last_activity_at": dates(p["last_activity"].to_numpy()),
            "recipient_type": as_text["recipient_type"],
            "segment": as_text["segment"],
            "notes": identity["notes"],
            # Columns a planted problem adds (consent.special_categories: a religion column from an old form).
            **{name: identity[name] for name in PLANTED_COLUMNS},
        }
    )
