"""Consent and privacy checks (area `consent`). Each computes aggregates in the engine, then judges them."""

from __future__ import annotations

import ibis
import ibis.expr.datatypes as dt
import pandas as pd

from ..contract import PURPOSE_BY_CHANNEL
from ..findings import Finding, Threshold, judge, suppress_small_cells
from ..legal import applies_from
from ..review import Review
from .common import Check, build_finding

NO_CONSENT_STATES = ("withdrawn", "refused")
BASES = ("consent", "soft_opt_in", "b2b", "legitimate_interest", "contract")


def with_send_purpose(sends: ibis.Table) -> ibis.Table:
    """Every send with its purpose: the `purpose` column when given, else the channel's default purpose."""
    default = sends.channel.substitute(PURPOSE_BY_CHANNEL, else_=ibis.null(dt.string))
    purpose = ibis.coalesce(sends.purpose, default) if "purpose" in sends.columns else default
    return sends.mutate(purpose=purpose)


STATUS_PRECEDENCE = {"granted": 0, "refused": 1, "withdrawn": 2}  # at equal timestamps the later one wins


def consent_state_at_send(review: Review, sends: ibis.Table, *, event_columns: tuple[str, ...] = (),
                          strategy: str | None = None) -> ibis.Table:
    """Each send with `consent_status`: the status of the latest consent event for the same contact and purpose
    recorded at or before `sent_at` (null when there is none), plus `consent_recorded_at` and `event_columns`
    of that event. At equal timestamps an event counts as before the send, and a withdrawal or refusal as after
    a grant (the conservative reading).

    Two plans, one result: DuckDB's native ASOF join, and window functions over the union of events and sends
    for engines without ASOF joins (Spark). `strategy` forces one ("asof" or "window"); the tests run both.
    """
    strategy = strategy or ("asof" if review.con.name == "duckdb" else "window")
    plan = {"asof": _state_by_asof_join, "window": _state_by_windows}[strategy]
    return plan(review.table("consents"), sends, ("recorded_at", *event_columns))


def _precedence(status: ibis.Value) -> ibis.Value:
    return status.substitute(STATUS_PRECEDENCE, else_=0)


def _state_by_asof_join(consents: ibis.Table, sends: ibis.Table, carried: tuple[str, ...]) -> ibis.Table:
    # One event per (contact, purpose, instant): the conservative status, so the ASOF match is unambiguous.
    rank = _precedence(consents.status)
    events = (consents.mutate(rank=rank)
              .group_by(["contact_id", "purpose", "recorded_at"])
              .agg(consent_status=ibis._.status.argmax(ibis._.rank),
                   **{f"consent_{c}": ibis._[c].argmax(ibis._.rank) for c in carried if c != "recorded_at"}))
    events = events.mutate(consent_recorded_at=events.recorded_at)
    joined = sends.asof_join(events, on=sends.sent_at >= events.recorded_at, predicates=["contact_id", "purpose"])
    return joined.select(*sends.columns, "consent_status", *(f"consent_{c}" for c in carried))


def _state_by_windows(consents: ibis.Table, sends: ibis.Table, carried: tuple[str, ...]) -> ibis.Table:
    send_columns = [c for c in sends.columns if c not in {"contact_id", "purpose"}]
    nulls_for_sends = {c: ibis.null(sends[c].type()) for c in send_columns}
    nulls_for_events = {c: ibis.null(consents[c].type()) for c in carried}
    events = consents.select(
        contact_id=consents.contact_id, purpose=consents.purpose, at=consents.recorded_at,
        order=_precedence(consents.status), status=consents.status,
        **{c: consents[c] for c in carried}, **nulls_for_sends)
    sent = sends.select(
        contact_id=sends.contact_id, purpose=sends.purpose, at=sends.sent_at, order=ibis.literal(9),
        status=ibis.null(dt.string), **nulls_for_events, **{c: sends[c] for c in send_columns})
    both = ibis.union(events, sent.select(events.columns))
    history = ibis.window(group_by=["contact_id", "purpose"], order_by=["at", "order"], rows=(None, 0))
    # Each event opens a segment; a send belongs to the segment of the last event before it.
    both = both.mutate(segment=(both.order < 9).cast("int64").sum().over(history))
    segment = ibis.window(group_by=["contact_id", "purpose", "segment"])
    both = both.mutate(consent_status=both.status.max().over(segment),
                       **{f"consent_{c}": both[c].max().over(segment) for c in carried})
    sends_only = both.filter(both.order == 9)
    return sends_only.select(*sends.columns, "consent_status", *(f"consent_{c}" for c in carried))


def legal_basis(review: Review, sends: ibis.Table) -> ibis.Value:
    """The basis of each send (see consent_state_at_send), in precedence order: consent, then the exemptions
    configured for the send's purpose. 'none' when nothing covers it."""
    no_objection = sends.consent_status.isnull() | ~sends.consent_status.isin(NO_CONSENT_STATES)
    is_customer = sends.is_customer.fill_null(False) if "is_customer" in sends.columns else ibis.literal(False)
    if "customer_since" in sends.columns:
        # Soft opt-in covers people who were customers when the message was sent.
        is_customer = is_customer & (sends.customer_since.isnull() | (sends.customer_since <= sends.sent_at.date()))
    business = (sends.recipient_type.isin(("professional", "generic")) if "recipient_type" in sends.columns
                else ibis.literal(False))
    country = (ibis.coalesce(sends.country, review.config.default_country) if "country" in sends.columns
               else ibis.literal(review.config.default_country))
    phone_consent_needed = (sends.purpose == "phone_marketing") & (country == "FR") & (
        sends.sent_at.date() >= applies_from("fr_phone_canvassing_consent"))
    cases = [(sends.consent_status == "granted", "consent")]
    for purpose, exemption in sorted(review.config.exemptions.items()):
        same_purpose = (sends.purpose == purpose) & no_objection
        if exemption.soft_opt_in:
            cases.append((same_purpose & is_customer, "soft_opt_in"))
        if exemption.b2b:
            cases.append((same_purpose & business & (sends.channel == "email"), "b2b"))
        if exemption.legitimate_interest:
            cases.append((same_purpose & ~phone_consent_needed, "legitimate_interest"))
        if exemption.contract:
            cases.append((same_purpose & is_customer, "contract"))
    return ibis.cases(*cases, else_="none")


def _sends_with_contacts(review: Review, sends: ibis.Table) -> ibis.Table:
    if not review.has("contacts"):
        return sends
    contacts = review.table("contacts")
    wanted = [c for c in ("is_customer", "customer_since", "recipient_type", "country") if c in contacts.columns]
    return sends.left_join(contacts.select("contact_id", *wanted), "contact_id").drop("contact_id_right")


def coverage(review: Review, *, campaign: str | None = None) -> Finding:
    """Share of sends whose contact had a valid basis for the send's purpose at `sent_at`."""
    sends = with_send_purpose(review.table("sends"))
    if campaign is not None:
        sends = sends.filter(sends.campaign_id == campaign)
    state = _sends_with_contacts(review, consent_state_at_send(review, sends))
    state = state.mutate(basis=legal_basis(review, state))
    counts = (state.group_by(["campaign_id", "channel", "purpose", "basis"]).agg(sends=ibis._.count())
              .order_by(["campaign_id", "channel", "purpose", "basis"]).to_pandas())
    total = int(counts.sends.sum())
    by_basis = counts.groupby("basis").sends.sum()
    uncovered = int(by_basis.get("none", 0))
    metric = {"sends": total, "covered_sends": total - uncovered, "uncovered_sends": uncovered,
              "coverage": (total - uncovered) / total if total else None,
              **{f"covered_by_{b}": int(by_basis.get(b, 0)) for b in BASES}}
    thresholds = (Threshold("uncovered_sends", ">", 0, "fail", "rule"),)
    status = judge(metric, thresholds) if total else "not_applicable"
    return build_finding(review, "consent.coverage", status, metric=metric, thresholds=thresholds,
                         evidence=_coverage_evidence(counts, review.k_anonymity))


def _coverage_evidence(counts: pd.DataFrame, k: int) -> pd.DataFrame:
    keys = ["campaign_id", "channel", "purpose"]
    if counts.empty:
        return pd.DataFrame(columns=[*keys, "sends", "covered", "uncovered", "coverage"])
    counts = counts.assign(uncovered=counts.sends.where(counts.basis == "none", 0))
    table = counts.groupby(keys, as_index=False).agg(sends=("sends", "sum"), uncovered=("uncovered", "sum"))
    table["covered"] = table.sends - table.uncovered
    table["coverage"] = table.covered / table.sends
    table = table[[*keys, "sends", "covered", "uncovered", "coverage"]]
    return suppress_small_cells(table, count_columns=["sends", "covered", "uncovered"], k=k, hide_with={
        "sends": ["covered", "uncovered", "coverage"], "covered": ["uncovered", "coverage"],
        "uncovered": ["covered", "coverage"]})


CONSENT_CHECKS = (
    Check("consent.coverage", "consent", coverage,
          needs={"sends": ("contact_id", "campaign_id", "channel", "sent_at"),
                 "consents": ("contact_id", "purpose", "status", "recorded_at")}),
)
