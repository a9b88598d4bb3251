"""Invariants of the consent checks on random small logs (Hypothesis).

- the consent state of every send equals a plain-Python reading of DATA_CONTRACT.md ("the status of the latest
  event at or before t"; at the same instant a withdrawal or refusal counts as after a grant), ties included;
- the order of the input rows changes nothing;
- shares are within [0, 1]; sends after a withdrawal are never more than the sends without a basis plus those
  covered by an exemption (a withdrawal ends consent, so such a send is uncovered or rests on nothing else).
"""

from __future__ import annotations

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ethics_review.checks import consent as consent_module
from ethics_review.checks.consent import consent_state_at_send, sends_in_scope
from ethics_review.contract import PURPOSE_BY_CHANNEL
from tests.conftest import make_review

SETTINGS = settings(
    max_examples=10,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
DAYS = [f"2026-0{m}-{d:02d} 10:00:00" for m in (1, 3, 5, 7, 9) for d in (1, 15)]


@st.composite
def logs(draw):
    contacts = [f"C{i}" for i in range(draw(st.integers(1, 4)))]
    events = draw(
        st.lists(
            st.tuples(
                st.sampled_from(contacts),
                st.sampled_from(["email_marketing", "sms_marketing", "personalised_ads"]),
                st.sampled_from(["granted", "withdrawn", "refused"]),
                st.sampled_from(DAYS),
            ),
            min_size=1,
            max_size=12,
        )
    )
    sends = draw(
        st.lists(
            st.tuples(
                st.sampled_from(contacts),
                st.sampled_from(["A", "B"]),
                st.sampled_from(["email", "sms", "ads"]),
                st.sampled_from(DAYS),
            ),
            min_size=1,
            max_size=12,
        )
    )
    return pd.DataFrame(events, columns=["contact_id", "purpose", "status", "recorded_at"]), pd.DataFrame(
        sends, columns=["contact_id", "campaign_id", "channel", "sent_at"]
    )


def metrics(consents: pd.DataFrame, sends: pd.DataFrame) -> dict[str, object]:
    review = make_review(consents=consents, sends=sends)
    return {
        check.__name__: dict(check(review).metric)
        for check in (consent_module.coverage, consent_module.after_withdrawal, consent_module.freshness)
    }


LATER_AT_SAME_INSTANT = {"granted": 0, "refused": 1, "withdrawn": 2}


def reference_state(consents: pd.DataFrame, sends: pd.DataFrame) -> list[tuple]:
    """The contract's definition, one send at a time, with nothing shared with the kit's query plan."""
    states = []
    for send in sends.itertuples():
        purpose = PURPOSE_BY_CHANNEL[send.channel]
        before = [
            (e.recorded_at, LATER_AT_SAME_INSTANT[e.status], e.status)
            for e in consents.itertuples()
            if e.contact_id == send.contact_id and e.purpose == purpose and e.recorded_at <= send.sent_at
        ]
        latest = max(before, default=(None, None, None))
        states.append((send.contact_id, send.campaign_id, send.channel, send.sent_at, latest[2], latest[0]))
    return sorted(states, key=repr)


def kit_state(consents: pd.DataFrame, sends: pd.DataFrame) -> list[tuple]:
    review = make_review(consents=consents, sends=sends)
    state = consent_state_at_send(review, sends_in_scope(review)).to_pandas()
    return sorted(
        (
            (
                r.contact_id,
                r.campaign_id,
                r.channel,
                str(r.sent_at),
                None if pd.isna(r.consent_status) else r.consent_status,
                None if pd.isna(r.consent_recorded_at) else str(r.consent_recorded_at),
            )
            for r in state.itertuples()
        ),
        key=repr,
    )


@SETTINGS
@given(logs())
def test_consent_state_matches_the_contracts_definition(log):
    consents, sends = log
    assert kit_state(consents, sends) == reference_state(consents, sends)


@SETTINGS
@given(logs(), st.randoms(use_true_random=False))
def test_row_order_changes_nothing_and_metrics_are_consistent(log, random):
    consents, sends = log
    found = metrics(consents, sends)
    shuffled = metrics(
        consents.sample(frac=1, random_state=random.randint(0, 999)),
        sends.sample(frac=1, random_state=random.randint(0, 999)),
    )
    assert shuffled == found
    coverage, withdrawn = found["coverage"], found["after_withdrawal"]
    assert 0 <= coverage["coverage"] <= 1
    assert withdrawn["sends_after_withdrawal"] <= coverage["uncovered_sends"]  # no exemption configured here
    assert found["freshness"]["stale_sends"] <= found["freshness"]["consent_sends"] == coverage["covered_by_consent"]
