"""Invariants of the consent checks on random small logs (Hypothesis).

- the two query plans of the consent state (DuckDB's ASOF join, the window functions used on Spark) give the
  same coverage, after-withdrawal and freshness metrics on any log, ties at the same second included;
- the order of the input rows changes nothing;
- shares are within [0, 1]; sends after a withdrawal are never more than the sends without a basis plus those
  covered by an exemption (a withdrawal ends consent, so such a send is uncovered or rests on nothing else).
"""

from __future__ import annotations

import functools

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ethics_review.checks import consent as consent_module
from tests.conftest import make_review

SETTINGS = settings(max_examples=10, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
DAYS = [f"2026-0{m}-{d:02d} 10:00:00" for m in (1, 3, 5, 7, 9) for d in (1, 15)]


@st.composite
def logs(draw):
    contacts = [f"C{i}" for i in range(draw(st.integers(1, 4)))]
    events = draw(st.lists(st.tuples(st.sampled_from(contacts), st.sampled_from(["email_marketing", "sms_marketing",
                                                                                  "personalised_ads"]),
                                     st.sampled_from(["granted", "withdrawn", "refused"]), st.sampled_from(DAYS)),
                           min_size=1, max_size=12))
    sends = draw(st.lists(st.tuples(st.sampled_from(contacts), st.sampled_from(["A", "B"]),
                                    st.sampled_from(["email", "sms", "ads"]), st.sampled_from(DAYS)),
                          min_size=1, max_size=12))
    return pd.DataFrame(events, columns=["contact_id", "purpose", "status", "recorded_at"]), \
        pd.DataFrame(sends, columns=["contact_id", "campaign_id", "channel", "sent_at"])


def metrics(consents: pd.DataFrame, sends: pd.DataFrame, strategy: str) -> dict[str, object]:
    review = make_review(consents=consents, sends=sends)
    original = consent_module.consent_state_at_send
    # Patched by hand: Hypothesis runs many examples per test, where a function-scoped fixture would not reset.
    consent_module.consent_state_at_send = functools.partial(original, strategy=strategy)
    try:
        return {check.__name__: dict(check(review).metric) for check in
                (consent_module.coverage, consent_module.after_withdrawal, consent_module.freshness)}
    finally:
        consent_module.consent_state_at_send = original


@SETTINGS
@given(logs(), st.randoms(use_true_random=False))
def test_both_plans_agree_and_row_order_changes_nothing(log, random):
    consents, sends = log
    asof = metrics(consents, sends, "asof")
    assert metrics(consents, sends, "window") == asof
    shuffled = metrics(consents.sample(frac=1, random_state=random.randint(0, 999)),
                       sends.sample(frac=1, random_state=random.randint(0, 999)), "asof")
    assert shuffled == asof
    coverage, withdrawn = asof["coverage"], asof["after_withdrawal"]
    assert 0 <= coverage["coverage"] <= 1
    assert withdrawn["sends_after_withdrawal"] <= coverage["uncovered_sends"]  # no exemption configured here
    assert asof["freshness"]["stale_sends"] <= asof["freshness"]["consent_sends"] == coverage["covered_by_consent"]
