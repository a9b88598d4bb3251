"""Data-subject requests (GDPR Art 15-22), handled on time and with their effects on the other tables.

Erasures are complete (the person is gone from contacts, consents, sends and targeting; only the request log
keeps the identifier, as proof), except one, planted for consent.erasure: the CRM job failed for one person,
who is still there. Objections to direct marketing are recorded in the consent log as withdrawals of every
marketing purpose, so that no send follows them. A few recent requests are still pending within the one-month
deadline; one access request, planted, was forgotten and is pending past it; one rectification request,
planted, is pending past one month but on time: the person was told within the first month that the deadline
was extended by two months (GDPR Art 12(3), `extension_notified_at`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from ..contract import RECIPIENT_TYPES, REQUEST_TYPES
from .common import DAY, numbered, pick, sample_exact, seconds, timestamps
from .consent import MARKETING_PURPOSES, OBJECTION, PURPOSE_CODE, WITHDRAWN, add_events
from .population import Population

REQUEST_MIX = {
    "erasure": 0.30,
    "objection": 0.25,
    "access": 0.25,
    "rectification": 0.10,
    "restriction": 0.05,
    "portability": 0.05,
}
FIRST_REQUEST_DAY = "2026-01-05"
SHARE_PENDING = 0.05  # of access / rectification requests, received in the last ten days


def request_counts(contacts: int) -> dict[str, int]:
    """A few dozen requests at 20,000 contacts, growing with the base."""
    total = max(24, round(contacts / 500))
    counts = {kind: int(np.floor(total * share)) for kind, share in REQUEST_MIX.items()}
    counts["access"] += total - sum(counts.values())
    return counts


@dataclass(frozen=True)
class Requests:
    frame: pd.DataFrame  # person, type (code), received_at, completed_at, extension_notified_at (s; -1 = none)
    erased: np.ndarray  # mask over people: erased before the export (the failed erasure's person is not)
    log: pd.DataFrame  # the consent log with the objections' withdrawals added

    def people_with_requests(self, size: int) -> np.ndarray:
        mask = np.zeros(size, dtype=bool)
        mask[self.frame["person"].to_numpy()] = True
        return mask


def build_requests(
    rng: np.random.Generator, population: Population, log: pd.DataFrame, counts: dict[str, int]
) -> Requests:
    size = population.size
    as_of_s = seconds(population.as_of)
    first_s = seconds(FIRST_REQUEST_DAY)
    last_received_s = as_of_s - 35 * DAY  # completed requests were all received at least 35 days ago

    individuals = np.flatnonzero(population.people["recipient_type"].to_numpy() == RECIPIENT_TYPES.index("individual"))
    last_event = np.full(size, first_s, dtype=np.int64)
    np.maximum.at(last_event, log["person"].to_numpy(), log["at"].to_numpy())
    can_object = np.zeros(size, dtype=bool)
    can_object[individuals] = True
    can_object &= last_event < last_received_s - 45 * DAY

    objectors = sample_exact(rng, np.flatnonzero(can_object), counts["objection"])
    others_pool = np.setdiff1d(individuals, objectors)
    others = rng.choice(others_pool, size=_size_of_others(counts), replace=False)
    erased_people = np.sort(others[: counts["erasure"]])
    rest = others[counts["erasure"] :]

    frames = []
    received = np.maximum(last_event[objectors], first_s) + rng.integers(DAY, 40 * DAY, len(objectors))
    frames.append(_requests(rng, objectors, "objection", received))
    received = rng.integers(first_s, last_received_s, len(erased_people))
    frames.append(_requests(rng, erased_people, "erasure", received))
    kinds = np.repeat(
        [k for k in REQUEST_MIX if k not in ("erasure", "objection")],
        [counts[k] for k in REQUEST_MIX if k not in ("erasure", "objection")],
    )
    received = rng.integers(first_s, last_received_s, len(rest))
    pending = np.isin(kinds, ["access", "rectification"]) & (rng.random(len(rest)) < SHARE_PENDING)
    pending[np.flatnonzero(kinds == "access")[:2]] = True  # always a couple pending, to exercise that path
    received = np.where(pending, as_of_s - rng.integers(DAY, 10 * DAY, len(rest)), received)
    for kind in dict.fromkeys(kinds):
        chosen = kinds == kind
        frames.append(_requests(rng, rest[chosen], kind, received[chosen], pending=pending[chosen]))
    frame = pd.concat(frames, ignore_index=True)
    frame = frame.iloc[np.lexsort((frame["person"].to_numpy(), frame["received_at"].to_numpy()))]
    frame = frame.reset_index(drop=True)

    objections = frame[frame["type"] == REQUEST_TYPES.index("objection")]
    withdrawals = pd.DataFrame(
        {
            "person": np.repeat(objections["person"].to_numpy(), len(MARKETING_PURPOSES)),
            "purpose": np.tile([PURPOSE_CODE[p] for p in MARKETING_PURPOSES], len(objections)),
            "status": WITHDRAWN,
            "at": np.repeat(objections["received_at"].to_numpy(), len(MARKETING_PURPOSES)),
            "source": OBJECTION,
            "method": -1,
        }
    )
    erased = np.zeros(size, dtype=bool)
    erased[erased_people] = True
    untouched = np.setdiff1d(individuals, frame["person"].to_numpy())
    frame = _fail_one_erasure(rng, frame, untouched)
    frame = _extend_one_rectification_request(_forget_one_access_request(frame, as_of_s), as_of_s)
    return Requests(frame=frame, erased=erased, log=add_events(log, withdrawals))


def _fail_one_erasure(rng: np.random.Generator, frame: pd.DataFrame, untouched: np.ndarray) -> pd.DataFrame:
    """Planted for consent.erasure: one completed erasure request is from a person the CRM job never deleted
    (someone with no other request, still in every table and still mailed). Drawn last from the stream, so the
    other requests do not move; the export keeps its size because that request's original person stays erased."""
    frame = frame.copy()
    first_erasure = np.flatnonzero(frame["type"].to_numpy() == REQUEST_TYPES.index("erasure"))[0]
    frame.loc[first_erasure, "person"] = int(rng.choice(untouched))
    return frame


OVERDUE_DAYS = 45  # the forgotten access request was received this many days before as_of


def _forget_one_access_request(frame: pd.DataFrame, as_of_s: int) -> pd.DataFrame:
    """Planted for consent.erasure: the first completed access request was never answered, and it was received
    more than a month before as_of (GDPR Art 12(3))."""
    frame = frame.copy()
    completed_access = np.flatnonzero(
        (frame["type"].to_numpy() == REQUEST_TYPES.index("access")) & (frame["completed_at"].to_numpy() >= 0)
    )
    if len(completed_access):
        row = completed_access[0]
        frame.loc[row, "received_at"] = as_of_s - OVERDUE_DAYS * DAY
        frame.loc[row, "completed_at"] = -1
    order = np.lexsort((frame["person"].to_numpy(), frame["received_at"].to_numpy()))
    return frame.iloc[order].reset_index(drop=True)


EXTENDED_RECEIVED_DAYS = 50  # the extended request was received this many days before as_of: past one month
EXTENSION_NOTIFIED_AFTER_DAYS = 12  # the person was told of the extension this many days after receipt


def _extend_one_rectification_request(frame: pd.DataFrame, as_of_s: int) -> pd.DataFrame:
    """Planted for consent.erasure: the first completed rectification request is still pending, received more
    than a month before as_of, but its deadline is three months because the extension was notified within the
    first month (GDPR Art 12(3)): not overdue."""
    frame = frame.copy()
    frame["extension_notified_at"] = np.int64(-1)
    completed = np.flatnonzero(
        (frame["type"].to_numpy() == REQUEST_TYPES.index("rectification")) & (frame["completed_at"].to_numpy() >= 0)
    )
    if len(completed):
        row = frame.index[completed[0]]
        received = as_of_s - EXTENDED_RECEIVED_DAYS * DAY
        frame.loc[row, ["received_at", "completed_at", "extension_notified_at"]] = [
            received,
            -1,
            received + EXTENSION_NOTIFIED_AFTER_DAYS * DAY,
        ]
    order = np.lexsort((frame["person"].to_numpy(), frame["received_at"].to_numpy()))
    return frame.iloc[order].reset_index(drop=True)


def _size_of_others(counts: dict[str, int]) -> int:
    return sum(n for kind, n in counts.items() if kind != "objection")


def _requests(
    rng: np.random.Generator, people: np.ndarray, kind: str, received: np.ndarray, pending: np.ndarray | None = None
) -> pd.DataFrame:
    completed = received + rng.integers(DAY, 25 * DAY, len(people))
    if pending is not None:
        completed = np.where(pending, -1, completed)
    return pd.DataFrame(
        {
            "person": people.astype(np.int64),
            "type": REQUEST_TYPES.index(kind),
            "received_at": received.astype(np.int64),
            "completed_at": completed.astype(np.int64),
        }
    )


def requests_table(requests: Requests, contact_ids: pa.Array) -> pa.Table:
    frame = requests.frame
    return pa.table(
        {
            "request_id": numbered("DSR-2026-", np.arange(1, len(frame) + 1), 5),
            "contact_id": contact_ids.take(pa.array(frame["person"].to_numpy())),
            "type": pick(REQUEST_TYPES, frame["type"].to_numpy()),
            "received_at": timestamps(frame["received_at"].to_numpy()),
            "completed_at": timestamps(frame["completed_at"].to_numpy()),
            "extension_notified_at": timestamps(frame["extension_notified_at"].to_numpy()),
        }
    )
