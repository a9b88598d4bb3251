"""Consent and privacy checks (area `consent`). Each computes aggregates in the engine, then judges them."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any, cast

import ibis
import ibis.expr.datatypes as dt
import pandas as pd

from .. import i18n, pii, tcf
from ..contract import PURPOSE_BY_CHANNEL, TABLES
from ..engine import fetch
from ..errors import ConfigError
from ..findings import Finding, Threshold, judge, suppress_small_cells
from ..legal import applies_from
from ..paths import package_yaml
from ..review import Review
from ..tcf import FIRST_TCF_22_POLICY_VERSION
from .common import Check, age_at, build_finding, not_applicable, share

NO_CONSENT_STATES = ("withdrawn", "refused")
BASES = ("consent", "soft_opt_in", "b2b", "legitimate_interest", "existing_contract")
SOFT_OPT_IN_CHANNELS = ("email", "sms")  # CPCE L.34-5 al. 4: electronic mail (email, SMS) only
CONSENT_ONLY_CHANNELS = ("email", "sms", "push")  # no opt-out regime for individuals (CPCE L.34-5)
# The conditions a reviewer attests by configuring each exception (shown in the finding's notes).
ATTESTED = ("soft_opt_in", "b2b", "legitimate_interest", "existing_contract")


def with_send_purpose(sends: ibis.Table) -> ibis.Table:
    """Every send with its purpose: the `purpose` column when given, else the channel's default purpose."""
    default = sends.channel.substitute(PURPOSE_BY_CHANNEL, else_=ibis.null(dt.string))
    purpose = ibis.coalesce(sends.purpose, default) if "purpose" in sends.columns else default
    return sends.mutate(purpose=purpose)


STATUS_PRECEDENCE = {"granted": 0, "refused": 1, "withdrawn": 2}  # at equal timestamps the later one wins


def consent_state_at_send(
    review: Review, sends: ibis.Table, *, event_columns: tuple[str, ...] = (), consents: ibis.Table | None = None
) -> ibis.Table:
    """Each send with `consent_status`: the status of the latest consent event for the same contact and purpose
    recorded at or before `sent_at` (null when there is none), plus `consent_recorded_at` and `event_columns`
    of that event. At equal timestamps an event counts as before the send, and a withdrawal or refusal as after
    a grant (the conservative reading). `consents` replaces the review's consent log (e.g. with objection
    requests added as withdrawals).

    One plan for every engine, with no ASOF join (Spark has none): each event is turned into the interval until
    the next event of its contact and purpose (a window function), and each send is joined to the interval
    that holds its instant. At 10M sends on DuckDB this is faster and lighter than DuckDB's own ASOF join.
    """
    log = review.table("consents") if consents is None else consents
    carried = ("recorded_at", *event_columns)
    # Purposes and statuses travel as small integers: the sort and the hash table then hold a few bytes per
    # event instead of two strings. Events for purposes never sent cannot match a send and are dropped first.
    sent = sorted(p for p in fetch(sends.select("purpose").distinct()).purpose if isinstance(p, str))
    purpose_code = {purpose: code for code, purpose in enumerate(sent)}
    events = log.filter(log.purpose.isin(sent))
    # The order of events at the same instant: by status, then by `tie_rank` (0 or 1) when the log has one.
    status_code = _code(events.status, STATUS_PRECEDENCE, "int8")
    rank = status_code.fill_null(0) * 2
    rank = rank + events.tie_rank if "tie_rank" in events.columns else rank
    events = events.select(
        "contact_id",
        purpose_code=_code(events.purpose, purpose_code, "int16"),
        status_code=status_code,
        rank=rank.cast("int8"),
        **{f"consent_{c}": events[c] for c in carried},
    )
    # Of events at the same instant only the last in precedence order gets a non-empty interval (the others end
    # where they start), so a send matches at most one event. The carried columns make that order total.
    later_wins = ["consent_recorded_at", "rank", *(f"consent_{c}" for c in carried if c != "recorded_at")]
    following = events.consent_recorded_at.lead().over(group_by=["contact_id", "purpose_code"], order_by=later_wins)
    events = events.mutate(valid_to=ibis.coalesce(following, END_OF_TIME)).drop("rank")
    coded = sends.mutate(purpose_code=_code(sends.purpose, purpose_code, "int16"))
    joined = coded.left_join(
        events,
        [
            coded.contact_id == events.contact_id,
            coded.purpose_code == events.purpose_code,
            coded.sent_at >= events.consent_recorded_at,
            coded.sent_at < events.valid_to,
        ],
    )
    status = _code(joined.status_code, {code: status for status, code in STATUS_PRECEDENCE.items()}, "string")
    return joined.select(
        *sends.columns, consent_status=status, **{f"consent_{c}": joined[f"consent_{c}"] for c in carried}
    )


END_OF_TIME = ibis.timestamp("9999-12-31 23:59:59")  # the end of the last event's interval


def _code(value: ibis.Value, codes: Mapping[str, int] | Mapping[int, str], to: str) -> ibis.Value:
    return value.substitute(codes, else_=ibis.null(to)).cast(to)


def legal_basis(review: Review, sends: ibis.Table) -> ibis.Value:
    """What lets each send go (see consent_state_at_send), in precedence order: consent, then the exceptions to
    the consent requirement configured for the send's purpose. 'none' when nothing covers it.

    The exceptions are not GDPR legal bases but the cases where a marketing law lets a message go without prior
    consent (the reviewer attests their conditions in review.yaml):
    - soft_opt_in: email and SMS to a person who was a customer when it was sent (CPCE L.34-5 al. 4);
    - b2b: email to a professional or generic business address (CNIL guidance on B2B prospecting);
    - legitimate_interest: the opt-out regimes (postal; phone where the law allows it: in France before the
      L.223-1 consent rule applies, or to professionals, whom L.223-1 does not protect);
    - existing_contract: phone calls to a customer in France about a contract in progress (L.223-1)."""
    no_objection = sends.consent_status.isnull() | ~sends.consent_status.isin(NO_CONSENT_STATES)
    is_customer = sends.is_customer.fill_null(False) if "is_customer" in sends.columns else ibis.literal(False)
    if "customer_since" in sends.columns:
        # The exceptions for customers cover people who were customers when the message was sent.
        is_customer = is_customer & (sends.customer_since.isnull() | (sends.customer_since <= sends.sent_at.date()))
    business = (
        sends.recipient_type.isin(("professional", "generic"))
        if "recipient_type" in sends.columns
        else ibis.literal(False)
    )
    country = (
        ibis.coalesce(sends.country, review.config.default_country)
        if "country" in sends.columns
        else ibis.literal(review.config.default_country)
    )
    # Code de la consommation L.223-1 (loi n° 2025-594 art. 13): consumers' consent before any phone canvassing.
    consumer_phone_consent_needed = (
        (sends.channel == "phone")
        & (country == "FR")
        & ~business
        & (sends.sent_at.date() >= applies_from("fr_phone_canvassing_consent", review))
    )
    cases = [(sends.consent_status == "granted", "consent")]
    for purpose, exemption in sorted(review.config.exemptions.items()):
        same_purpose = (sends.purpose == purpose) & no_objection
        if exemption.soft_opt_in:
            cases.append((same_purpose & is_customer & sends.channel.isin(SOFT_OPT_IN_CHANNELS), "soft_opt_in"))
        if exemption.b2b:
            cases.append((same_purpose & business & (sends.channel == "email"), "b2b"))
        if exemption.legitimate_interest:
            cases.append(
                (
                    same_purpose & ~sends.channel.isin(CONSENT_ONLY_CHANNELS) & ~consumer_phone_consent_needed,
                    "legitimate_interest",
                )
            )
        if exemption.existing_contract:
            # A French exception (L.223-1): other countries' phone rules are not the kit's to presume.
            cases.append(
                (same_purpose & is_customer & (sends.channel == "phone") & (country == "FR"), "existing_contract")
            )
    return ibis.cases(*cases, else_="none")


def _sends_with_contacts(review: Review, sends: ibis.Table) -> ibis.Table:
    """The sends with the contact attributes that exemptions read (customer, business address, country).

    Only sends an exemption could cover look their contact up: a send under granted consent, or for a purpose
    without exemptions, has its basis whatever the attributes, so its join key is null and DuckDB skips the
    probe (at 10M sends, half a second)."""
    if not review.has("contacts"):
        return sends
    contacts = review.table("contacts")
    wanted = [c for c in ("is_customer", "customer_since", "recipient_type", "country") if c in contacts.columns]
    exempt = sorted(p for p, e in review.config.exemptions.items() if any(e.model_dump().values()))
    may_need = sends.purpose.isin(exempt) & (sends.consent_status.isnull() | (sends.consent_status != "granted"))
    sends = sends.mutate(contact_key=ibis.ifelse(may_need, sends.contact_id, ibis.null(dt.string)))
    attributes = contacts.select(contact_key=contacts.contact_id, **{c: contacts[c] for c in wanted})
    return sends.left_join(attributes, "contact_key").drop("contact_key", "contact_key_right")


def coverage(review: Review, *, campaign: str | None = None, purpose: str | None = None) -> Finding:
    """Share of sends whose contact had a valid basis for the send's purpose at `sent_at`."""
    sends = sends_in_scope(review, campaign=campaign, purpose=purpose)
    state = _sends_with_contacts(review, consent_state_at_send(review, sends))
    state = state.mutate(basis=legal_basis(review, state))
    counts = fetch(
        state.group_by(["campaign_id", "channel", "purpose", "basis"])
        .agg(sends=ibis._.count())
        .order_by(["campaign_id", "channel", "purpose", "basis"])
    )
    total = int(counts.sends.sum())
    by_basis = counts.groupby("basis").sends.sum()
    uncovered = int(by_basis.get("none", 0))
    metric: dict[str, Any] = {  # JSON-like: counts, then the attested exceptions' names
        "sends": total,
        "covered_sends": total - uncovered,
        "uncovered_sends": uncovered,
        "coverage": share(total - uncovered, total),
        **{f"covered_by_{b}": int(by_basis.get(b, 0)) for b in BASES},
    }
    thresholds = (Threshold("uncovered_sends", ">", 0, "fail", "rule"),)
    status = judge(metric, thresholds) if total else "not_applicable"
    # An exception holds only under conditions the data cannot show: the finding states what the reviewer attests.
    attested = [basis for basis in ATTESTED if metric[f"covered_by_{basis}"]]
    metric["attested_exceptions"] = attested
    notes = [i18n.text("consent.coverage", f"notes.{basis}", review.lang) for basis in attested]
    return build_finding(
        review,
        "consent.coverage",
        status,
        metric=metric,
        thresholds=thresholds,
        evidence=_coverage_evidence(counts, review.k_anonymity),
        notes=notes,
    )


def _coverage_evidence(counts: pd.DataFrame, k: int) -> pd.DataFrame:
    keys = ["campaign_id", "channel", "purpose"]
    if counts.empty:
        return pd.DataFrame(columns=[*keys, "sends", "covered", "uncovered", "coverage"])
    counts = counts.assign(uncovered=counts.sends.where(counts.basis == "none", 0))
    table = counts.groupby(keys, as_index=False).agg(sends=("sends", "sum"), uncovered=("uncovered", "sum"))
    table["covered"] = table.sends - table.uncovered
    table["coverage"] = table.covered / table.sends
    table = table[[*keys, "sends", "covered", "uncovered", "coverage"]]
    return suppress_small_cells(
        table,
        count_columns=["sends", "covered", "uncovered"],
        k=k,
        hide_with={
            "sends": ["covered", "uncovered", "coverage"],
            "covered": ["uncovered", "coverage"],
            "uncovered": ["covered", "coverage"],
        },
    )


# --- Shared by the checks below -------------------------------------------------------------------------------------


def sends_in_scope(review: Review, *, campaign: str | None = None, purpose: str | None = None) -> ibis.Table:
    """The sends with their purpose, narrowed to one campaign and/or one purpose when asked."""
    sends = with_send_purpose(review.table("sends"))
    if campaign is not None:
        sends = sends.filter(sends.campaign_id == campaign)
    if purpose is not None:
        sends = sends.filter(sends.purpose == purpose)
    return sends


def _month_index(moment: ibis.Value) -> ibis.Value:
    return moment.year() * 12 + moment.month()


def more_than_months_after(later: ibis.Value, earlier: ibis.Value, months: int | ibis.Value) -> ibis.Value:
    """Whether `later` falls after the day `months` calendar months after `earlier` (dates or timestamps).
    Plain year/month/day arithmetic: portable, where interval types differ between engines."""
    target = _month_index(earlier) + months
    index = _month_index(later)
    return (index > target) | ((index == target) & (later.day() > earlier.day()))


def _count(flag: ibis.Value) -> ibis.Value:
    return flag.cast("int64").sum()


def _int(value: Any) -> int:
    """A count fetched from the engine (a scalar of any numpy or Python type), 0 when null."""
    return 0 if value is None or pd.isna(value) else int(value)


def _suppressed(
    frame: pd.DataFrame, k: int, counts: Sequence[str], hide_with: Mapping[str, Sequence[str]] | None = None
) -> pd.DataFrame:
    return suppress_small_cells(frame, count_columns=list(counts), k=k, hide_with=hide_with or {})


@cache
def lexicon(name: str) -> dict[str, Any]:
    """A data file of lexicons/ (special categories, digital-consent ages)."""
    return cast(dict[str, Any], package_yaml("lexicons", f"{name}.yaml"))  # parsed YAML: yaml returns Any


# --- consent.after_withdrawal ---------------------------------------------------------------------------------------

LAG_BUCKETS = ((1, "< 1 day"), (8, "1-7 days"), (31, "8-30 days"), (91, "31-90 days"))
LAG_OVER = "> 90 days"
NO_CONSENT_KINDS = ("withdrawn", "refused", "objection")


def events_with_objections(review: Review, purposes: ibis.Table) -> ibis.Table:
    """The consent log plus each objection request (GDPR Art 21(2-3)) as a withdrawal of every purpose the sends
    use, from the day it was received: an objection to direct marketing covers all marketing purposes, whatever
    the channel, and a later grant for a purpose (a new opt-in) reopens that purpose only. `origin` says which."""
    consents = review.table("consents")
    log = consents.select(
        "contact_id", "purpose", "status", "recorded_at", origin=ibis.literal("consent log"), tie_rank=ibis.literal(0)
    )
    if not review.has("requests", "contact_id", "type", "received_at"):
        return log
    requests = review.table("requests")
    objections = requests.filter((requests.type == "objection") & requests.received_at.notnull())
    as_events = objections.select("contact_id", "received_at").cross_join(purposes)
    # An objection logged in the CRM as a withdrawal at the same instant reads as the objection (tie_rank 1).
    return log.union(
        as_events.select(
            contact_id=as_events.contact_id,
            purpose=as_events.purpose,
            status=ibis.literal("withdrawn"),
            recorded_at=as_events.received_at,
            origin=ibis.literal("objection"),
            tie_rank=ibis.literal(1),
        )
    )


def _lag_bucket(seconds: ibis.Value) -> ibis.Value:
    days = seconds / 86_400
    return ibis.cases(*((days < limit, label) for limit, label in LAG_BUCKETS), else_=LAG_OVER)


def after_withdrawal(review: Review, *, campaign: str | None = None, purpose: str | None = None) -> Finding:
    """Sends made while the latest word of the person for that purpose was a withdrawal, a refusal or an
    objection request; with how long after it they went out."""
    sends = sends_in_scope(review, campaign=campaign, purpose=purpose)
    events = events_with_objections(review, sends.select("purpose").distinct())
    state = consent_state_at_send(review, sends, event_columns=("origin",), consents=events)
    blocked = state.filter(state.consent_status.isin(NO_CONSENT_STATES))
    blocked = blocked.mutate(
        after=ibis.ifelse(blocked.consent_origin == "objection", "objection", blocked.consent_status),
        lag=_lag_bucket(blocked.sent_at.epoch_seconds() - blocked.consent_recorded_at.epoch_seconds()),
    )
    counts = fetch(
        blocked.group_by(["campaign_id", "purpose", "after", "lag"]).agg(
            sends=ibis._.count(), contacts=ibis._.contact_id.nunique()
        )
    )
    totals = fetch(blocked.aggregate(contacts=blocked.contact_id.nunique()))
    total_sends = _int(fetch(sends.count()))
    by_kind = counts.groupby("after").sends.sum()
    metric = {
        "sends": total_sends,
        "sends_after_withdrawal": int(counts.sends.sum()),
        **{f"after_{kind}": int(by_kind.get(kind, 0)) for kind in NO_CONSENT_KINDS},
        "contacts_affected": _int(totals.contacts.iloc[0]),
        "sent_within_a_day": int(counts.loc[counts.lag == LAG_BUCKETS[0][1], "sends"].sum()),
    }
    thresholds = (Threshold("sends_after_withdrawal", ">", 0, "fail", "rule"),)
    status = judge(metric, thresholds) if total_sends else "not_applicable"
    lag_order = [label for _, label in LAG_BUCKETS] + [LAG_OVER]
    counts["lag"] = pd.Categorical(counts.lag, categories=lag_order, ordered=True)
    evidence = counts.sort_values(["campaign_id", "purpose", "after", "lag"]).astype({"lag": str})
    return build_finding(
        review,
        "consent.after_withdrawal",
        status,
        metric=metric,
        thresholds=thresholds,
        evidence=_suppressed(evidence, review.k_anonymity, ["sends", "contacts"]),
    )


# --- consent.proof --------------------------------------------------------------------------------------------------

PROOF_FIELDS = ("recorded_at", "source", "policy_version", "method")


def proof(
    review: Review,
    *,
    campaign: str | None = None,
    purpose: str | None = None,
    warn_below: float = 1.0,
    fail_below: float = 0.95,
) -> Finding:
    """Share of granted consents that carry the four fields of GDPR Art 7(1) proof; the double opt-in share.
    With `campaign`: the grants of the people that campaign reached, for the purposes it used."""
    consents = review.table("consents")
    granted = consents.filter(consents.status == "granted")
    if purpose is not None:
        granted = granted.filter(granted.purpose == purpose)
    if campaign is not None:
        reached = sends_in_scope(review, campaign=campaign).select("contact_id", "purpose").distinct()
        granted = granted.semi_join(reached, ["contact_id", "purpose"])
    # A proof field the log lacks is a proof missing from every consent.
    granted = granted.mutate(**{f: ibis.null(dt.string) for f in PROOF_FIELDS if f not in granted.columns})
    present = {f: granted[f].notnull() for f in PROOF_FIELDS}
    complete = present["recorded_at"] & present["source"] & present["policy_version"] & present["method"]
    double = (granted.method == "double_opt_in").fill_null(False)
    counts = fetch(
        granted.group_by("purpose")
        .agg(
            granted=ibis._.count(),
            complete=_count(complete),
            double_opt_in=_count(double),
            **{f"missing_{f}": _count(~flag) for f, flag in present.items()},
        )
        .order_by("purpose")
    )
    total, whole = int(counts.granted.sum()), int(counts.complete.sum())
    metric = {
        "granted_consents": total,
        "complete_consents": whole,
        "incomplete_consents": total - whole,
        "completeness": share(whole, total),
        **{f"missing_{f}": int(counts[f"missing_{f}"].sum()) for f in PROOF_FIELDS},
        "double_opt_in": int(counts.double_opt_in.sum()),
        "double_opt_in_share": share(int(counts.double_opt_in.sum()), total),
    }
    thresholds = (
        Threshold("completeness", "<", warn_below, "warn", "kit default"),
        Threshold("completeness", "<", fail_below, "fail", "kit default"),
    )
    status = judge(metric, thresholds) if total else "not_applicable"
    counts["completeness"] = counts.complete / counts.granted
    counts["incomplete"] = counts.granted - counts.complete
    evidence = counts[
        [
            "purpose",
            "granted",
            "complete",
            "incomplete",
            "completeness",
            "double_opt_in",
            *(f"missing_{f}" for f in PROOF_FIELDS[1:]),
        ]
    ]
    missing = [f"missing_{f}" for f in PROOF_FIELDS[1:]]
    evidence = _suppressed(
        evidence,
        review.k_anonymity,
        ["granted", "incomplete", "double_opt_in", *missing],
        {"granted": ["complete", "incomplete", "completeness"], "incomplete": ["complete", "completeness"]},
    )
    return build_finding(review, "consent.proof", status, metric=metric, thresholds=thresholds, evidence=evidence)


# --- consent.freshness ----------------------------------------------------------------------------------------------

DEFAULT_MAX_AGE_MONTHS = {"personalised_ads": 6, "analytics": 6, "default": 36}


def _max_age(purpose: ibis.Value, max_age_months: Mapping[str, int]) -> ibis.Value:
    ages = {**DEFAULT_MAX_AGE_MONTHS, **max_age_months}
    specific = {p: int(m) for p, m in ages.items() if p != "default"}
    return purpose.substitute(specific, else_=int(ages["default"]))


def freshness(
    review: Review,
    *,
    max_age_months: Mapping[str, int] | None = None,
    campaign: str | None = None,
    purpose: str | None = None,
) -> Finding:
    """Consents used by a send after they had passed the maximum age for their purpose; and the grants still in
    force at `as_of` that are past it (to renew before the next campaign)."""
    ages = dict(max_age_months or {})
    sends = sends_in_scope(review, campaign=campaign, purpose=purpose)
    state = consent_state_at_send(review, sends)
    used = state.filter(state.consent_status == "granted")
    used = used.mutate(max_age=_max_age(used.purpose, ages))
    used = used.mutate(stale=more_than_months_after(used.sent_at, used.consent_recorded_at, used.max_age))
    counts = fetch(
        used.group_by(["campaign_id", "purpose", "max_age"])
        .agg(consent_sends=ibis._.count(), stale_sends=_count(ibis._.stale))
        .order_by(["campaign_id", "purpose"])
    )
    stale = used.filter(used.stale)
    stale_used = _int(fetch(stale.select("contact_id", "purpose", "consent_recorded_at").distinct().count()))
    metric = {
        "consent_sends": int(counts.consent_sends.sum()),
        "stale_sends": int(counts.stale_sends.sum()),
        "stale_consents_used": stale_used,
        "stale_consents_in_force": _stale_in_force(review, ages, purpose),
    }
    thresholds = (Threshold("stale_consents_used", ">", 0, "warn", "kit default"),)
    status = judge(metric, thresholds) if metric["consent_sends"] else "not_applicable"
    evidence = _suppressed(
        counts, review.k_anonymity, ["consent_sends", "stale_sends"], {"consent_sends": ["stale_sends"]}
    )
    return build_finding(review, "consent.freshness", status, metric=metric, thresholds=thresholds, evidence=evidence)


def _stale_in_force(review: Review, ages: Mapping[str, int], purpose: str | None) -> int:
    """(contact, purpose) pairs whose latest event at `as_of` is a grant older than the maximum age."""
    consents = review.table("consents")
    if purpose is not None:
        consents = consents.filter(consents.purpose == purpose)
    as_of = ibis.literal(review.as_of)
    consents = consents.filter(consents.recorded_at.date() <= as_of)
    # One grouping, no window over the whole log: a window partitioned by pair does not spill to disk, and ran out
    # of memory under the kit's memory_limit (engine.bound_duckdb_memory). The latest event is a grant when the
    # latest grant is the latest event and no other status is as recent: at equal timestamps a withdrawal or
    # refusal wins, as in consent_state_at_send.
    pairs = consents.group_by(["contact_id", "purpose"]).agg(
        last_at=consents.recorded_at.max(),
        last_granted_at=consents.recorded_at.max(where=consents.status == "granted"),
        last_not_granted_at=consents.recorded_at.max(where=consents.status != "granted"),
    )
    pairs = pairs.filter(
        (pairs.last_granted_at == pairs.last_at)
        & (pairs.last_not_granted_at.isnull() | (pairs.last_not_granted_at < pairs.last_at))
    )
    stale = pairs.filter(more_than_months_after(as_of, pairs.last_at, _max_age(pairs.purpose, ages)))
    return _int(fetch(stale.count()))


# --- consent.minors -------------------------------------------------------------------------------------------------

MINOR_PURPOSES = ("profiling", "personalised_ads")


def digital_consent_ages() -> tuple[dict[str, int], int]:
    """Per country, the age below which a child's consent needs a parent's (lexicons/digital_consent_ages.yaml)."""
    table = lexicon("digital_consent_ages")
    return {c: int(e["age"]) for c, e in table["countries"].items()}, int(table["default"]["age"])


def collected_offline(consents: ibis.Table) -> ibis.Value:
    """Whether each consent event was collected offline, outside an information-society service (GDPR Art 8
    does not apply): a method of `offline_methods`, or a source naming a physical collection point (both lists in
    lexicons/digital_consent_ages.yaml, with the reasoning). Everything else counts as online."""
    table = lexicon("digital_consent_ages")
    offline = ibis.literal(False)
    if "method" in consents.columns:
        offline = offline | consents.method.isin(tuple(table["offline_methods"])).fill_null(False)
    if "source" in consents.columns:
        words = _value_pattern(table["offline_sources"])
        offline = offline | consents.source.lower().re_search(words).fill_null(False)
    return offline


def minors(
    review: Review, *, consent_ages: Mapping[str, int] | None = None, adult_age: int = 18, campaign: str | None = None
) -> Finding:
    """Contacts who gave consent online below their country's digital-consent age without a parent's consent
    (GDPR Art 8: a rule), the same for consents collected offline (a kit-default warn: Art 8 covers
    information-society services only), and profiling or personalised-ads sends to people under `adult_age`
    (a kit default; DSA Art 28(2) binds online platforms, not advertisers, and is cited as context)."""
    contacts = review.table("contacts")
    if not ({"birth_date", "age"} & set(contacts.columns)):
        return not_applicable(review, "consent.minors", [("contacts", "birth_date")])
    if not (review.has("consents") or review.has("sends")):
        return not_applicable(review, "consent.minors", [("consents", None)])
    by_country, default_age = digital_consent_ages()
    by_country = {**by_country, **{c.upper(): int(a) for c, a in (consent_ages or {}).items()}}
    country = ibis.literal(review.config.default_country)
    if "country" in contacts.columns:
        country = ibis.coalesce(contacts.country, country)
    people = contacts.select(
        "contact_id", *(c for c in ("birth_date", "age") if c in contacts.columns), country=country
    )
    people = people.mutate(consent_age=people.country.substitute(by_country, else_=default_age))

    def age_of(table: ibis.Table, moment: ibis.Value) -> ibis.Value:
        # With `age` only (age at as_of), the age then is that age minus the full years since.
        from_age = (table.age - age_at(moment.date(), ibis.literal(review.as_of))) if "age" in table.columns else None
        if "birth_date" in table.columns:
            exact = age_at(table.birth_date, moment)
            return exact if from_age is None else ibis.coalesce(exact, from_age)
        return from_age

    zero = ibis.literal(0)
    rows = []
    if review.has("consents"):
        consents = review.table("consents")
        granted = consents.filter(consents.status == "granted")
        # France (Loi Informatique et Libertés Art 45): the minor's consent together with a parent's; the log
        # records the parent's as `parental_consent`, the minor's as the grant itself.
        parent = (
            granted.parental_consent.fill_null(False) if "parental_consent" in granted.columns else ibis.literal(False)
        )
        granted = granted.mutate(parent=parent, offline=collected_offline(granted)).join(people, "contact_id")
        child = granted.filter((age_of(granted, granted.recorded_at) < granted.consent_age) & ~granted.parent)
        # A contact who consented alone both online and offline counts once, online (the rule).
        child = child.group_by(["contact_id", "country", "consent_age"]).agg(online=_count(~child.offline) > 0)
        rows.append(
            child.group_by(["country", "consent_age"]).agg(
                minors_without_parental_consent=_count(child.online),
                offline_minors_without_parental_consent=_count(~child.online),
                sends_to_minors=zero,
                minors_targeted=zero,
            )
        )
    if review.has("sends"):
        sends = sends_in_scope(review, campaign=campaign)
        sends = sends.filter(sends.purpose.isin(MINOR_PURPOSES)).join(people, "contact_id")
        young = sends.filter(
            (age_of(sends, sends.sent_at) < adult_age)
            & (sends.sent_at.date() >= applies_from("dsa_minors_profiling_ads", review))
        )
        rows.append(
            young.group_by(["country", "consent_age"]).agg(
                minors_without_parental_consent=zero,
                offline_minors_without_parental_consent=zero,
                sends_to_minors=ibis._.count(),
                minors_targeted=ibis._.contact_id.nunique(),
            )
        )
    counts = pd.concat([fetch(r) for r in rows], ignore_index=True)
    counts = counts.groupby(["country", "consent_age"], as_index=False).sum().sort_values("country")
    metric = {
        "minors_without_parental_consent": int(counts.minors_without_parental_consent.sum()),
        "offline_minors_without_parental_consent": int(counts.offline_minors_without_parental_consent.sum()),
        "sends_to_minors": int(counts.sends_to_minors.sum()),
        "minors_targeted": int(counts.minors_targeted.sum()),
        "adult_age": adult_age,
    }
    thresholds = (
        Threshold("minors_without_parental_consent", ">", 0, "fail", "rule"),
        Threshold("offline_minors_without_parental_consent", ">", 0, "warn", "kit default"),
        Threshold("sends_to_minors", ">", 0, "fail", "kit default"),
    )
    sources = lexicon("digital_consent_ages")["countries"]
    counts["rule"] = counts.country.map(
        lambda c: sources.get(c, {}).get("source", lexicon("digital_consent_ages")["default"]["source"])
    )
    evidence = _suppressed(
        counts,
        review.k_anonymity,
        [
            "minors_without_parental_consent",
            "offline_minors_without_parental_consent",
            "sends_to_minors",
            "minors_targeted",
        ],
    )
    return build_finding(
        review, "consent.minors", judge(metric, thresholds), metric=metric, thresholds=thresholds, evidence=evidence
    )


# --- consent.erasure ------------------------------------------------------------------------------------------------


def erasure(
    review: Review, *, campaign: str | None = None, deadline_months: int = 1, extended_months: int = 3
) -> Finding:
    """People whose erasure was completed but who are still in contacts, or were sent to after completion; and
    requests of every type still pending past their GDPR Art 12(3) deadline: one month from receipt, or three
    months when the person was told of the extension (`extension_notified_at`) within the first month."""
    requests = review.table("requests")
    completed_at = requests.completed_at if "completed_at" in requests.columns else ibis.null(dt.timestamp)
    requests = requests.mutate(completed=completed_at)
    done = requests.filter((requests.type == "erasure") & requests.completed.notnull())
    erased = done.group_by("contact_id").agg(completed=done.completed.min())
    present = [erased.select("contact_id").limit(0)]
    metric = {
        "completed_erasures": _int(fetch(erased.count())),
        "erased_still_in_contacts": 0,
        "sends_after_erasure": 0,
    }
    if review.has("contacts"):
        still = erased.semi_join(review.table("contacts"), "contact_id").select("contact_id")
        metric["erased_still_in_contacts"] = _int(fetch(still.count()))
        present.append(still)
    if review.has("sends"):
        sends = sends_in_scope(review, campaign=campaign)
        after = sends.join(erased, "contact_id").filter(lambda t: t.sent_at > t.completed)
        metric["sends_after_erasure"] = _int(fetch(after.count()))
        present.append(after.select("contact_id"))
    metric["erased_still_present"] = _int(fetch(ibis.union(*present).distinct().count()))

    # Art 12(3): the extension counts only when the person was told within the first month.
    extended = ibis.literal(False)
    if "extension_notified_at" in requests.columns:
        notified = requests.extension_notified_at
        extended = notified.notnull() & ~more_than_months_after(notified, requests.received_at, deadline_months)
        extended = extended.fill_null(False)
    requests = requests.mutate(deadline=ibis.ifelse(extended, extended_months, deadline_months), extended=extended)
    overdue = requests.completed.isnull() & more_than_months_after(
        ibis.literal(review.as_of), requests.received_at, requests.deadline
    )
    late = requests.completed.notnull() & more_than_months_after(
        requests.completed, requests.received_at, requests.deadline
    )
    counts = fetch(
        requests.group_by("type")
        .agg(
            requests=ibis._.count(),
            pending=_count(requests.completed.isnull()),
            extended=_count(requests.extended),
            overdue=_count(overdue),
            completed_late=_count(late),
        )
        .order_by("type")
    )
    metric |= {
        "requests": int(counts.requests.sum()),
        "pending_requests": int(counts.pending.sum()),
        "extended_requests": int(counts.extended.sum()),
        "overdue_requests": int(counts.overdue.sum()),
        "completed_late": int(counts.completed_late.sum()),
    }
    thresholds = (
        Threshold("erased_still_present", ">", 0, "fail", "rule"),
        Threshold("overdue_requests", ">", 0, "warn", "rule"),
    )
    status = judge(metric, thresholds) if metric["requests"] else "not_applicable"
    evidence = _suppressed(counts, review.k_anonymity, ["requests", "pending", "extended", "overdue", "completed_late"])
    return build_finding(review, "consent.erasure", status, metric=metric, thresholds=thresholds, evidence=evidence)


# --- consent.retention ----------------------------------------------------------------------------------------------

INACTIVITY_BUCKETS = ((48, "36-48 months"), (60, "48-60 months"))
INACTIVITY_OVER = "> 60 months"


def retention(review: Review, *, max_inactive_months: int = 36, campaign: str | None = None) -> Finding:
    """Prospects (not customers) whose last inbound activity (their own last contact, not an email open) is older
    than `max_inactive_months` at `as_of`. The CNIL référentiel on commercial activities (2022) allows one last
    message asking whether they wish to go on: kept, or sent exactly one message after the limit (a
    re-permission), is a warn; more than one send after the limit is a fail (kit defaults from guidance)."""
    contacts = review.table("contacts")
    last = contacts.last_activity_at
    if "created_at" in contacts.columns:  # never active since collection: the collection date counts
        last = ibis.coalesce(last, contacts.created_at)
    as_of = ibis.literal(review.as_of)
    prospects = contacts.filter(~contacts.is_customer.fill_null(False)).select("contact_id", last=last)
    dormant = prospects.filter(more_than_months_after(as_of, prospects["last"], max_inactive_months))
    months = _month_index(as_of) - _month_index(dormant["last"])
    dormant = dormant.mutate(
        inactive=ibis.cases(*((months <= limit, label) for limit, label in INACTIVITY_BUCKETS), else_=INACTIVITY_OVER)
    )
    contacted = dormant.limit(0).select("contact_id").mutate(sends=ibis.literal(0))
    if review.has("sends"):
        sends = sends_in_scope(review, campaign=campaign)
        after = sends.join(dormant, "contact_id").filter(
            lambda t: more_than_months_after(t.sent_at, t["last"], max_inactive_months)
        )
        contacted = after.group_by("contact_id").agg(sends=ibis._.count())
    marked = dormant.left_join(contacted, "contact_id")
    counts = fetch(
        marked.group_by("inactive")
        .agg(
            dormant_prospects=ibis._.count(),
            repermission=_count(marked.sends == 1),
            contacted_repeatedly=_count(marked.sends > 1),
            sends=marked.sends.fill_null(0).sum(),
        )
        .order_by("inactive")
    )
    counts["contacted"] = counts.repermission + counts.contacted_repeatedly
    counts = counts[["inactive", "dormant_prospects", "contacted", "repermission", "contacted_repeatedly", "sends"]]
    prospect_count = _int(fetch(prospects.count()))
    metric = {
        "prospects": prospect_count,
        "dormant_prospects": int(counts.dormant_prospects.sum()),
        "dormant_prospects_contacted": int(counts.contacted.sum()),
        "dormant_prospects_repermission": int(counts.repermission.sum()),
        "dormant_prospects_contacted_repeatedly": int(counts.contacted_repeatedly.sum()),
        "sends_to_dormant_prospects": int(counts.sends.sum()),
        "max_inactive_months": max_inactive_months,
    }
    thresholds = (
        Threshold("dormant_prospects", ">", 0, "warn", "kit default"),
        Threshold("dormant_prospects_repermission", ">", 0, "warn", "kit default"),
        Threshold("dormant_prospects_contacted_repeatedly", ">", 0, "fail", "kit default"),
    )
    status = judge(metric, thresholds) if prospect_count else "not_applicable"
    evidence = _suppressed(
        counts, review.k_anonymity, ["dormant_prospects", "contacted", "repermission", "contacted_repeatedly", "sends"]
    )
    return build_finding(review, "consent.retention", status, metric=metric, thresholds=thresholds, evidence=evidence)


# --- consent.special_categories -------------------------------------------------------------------------------------


def _words(text: str) -> str:
    return " " + " ".join(pii.normalised_column_name(text).split("_")) + " "


def special_category_of_name(column: str) -> str | None:
    """The special category a column name reveals (whole words of the name against lexicon `names`)."""
    name = _words(column)
    for category, words in lexicon("special_categories").items():
        if any(_words(w) in name for w in words["names"]):
            return category
    return None


def _value_pattern(words: Sequence[str]) -> str:
    # Whole words, accented letters included; the same pattern reads alike in RE2 (DuckDB) and Java (Spark).
    return "(^|[^a-zà-ÿ])(" + "|".join(re.escape(w.lower()) for w in words) + ")([^a-zà-ÿ]|$)"


def _free_text_columns(table: ibis.Table, name: str) -> list[str]:
    """String columns that are neither canonical nor direct identifiers: where free text and custom attributes
    live."""
    spec = TABLES[name]
    return [
        c
        for c in table.columns
        if table[c].type().is_string() and spec.column(c) is None and not pii.is_identifier_column(c)
    ]


def special_categories(review: Review, *, explicit_consent: Sequence[str] = ()) -> Finding:
    """Columns whose name or values reveal special categories of data (GDPR Art 9) in the marketing tables, and
    those used for targeting (a targeting feature, or a column of the targeting table) without explicit consent
    documented for that category (`explicit_consent`: categories collected under Art 9(2)(a))."""
    present = [name for name in TABLES if review.has(name)]
    if not present:
        return not_applicable(review, "consent.special_categories", [("contacts", None)])
    categories = lexicon("special_categories")
    targeting_columns = set(review.config.bias.features)
    if review.has("targeting"):
        targeting_columns |= set(review.table("targeting").columns)
    rows = []
    for name in present:
        table = review.table(name)
        for column in table.columns:
            category = special_category_of_name(column)
            if category is not None:
                rows.append({"table": name, "column": column, "category": category, "found_in": "name", "rows": None})
        scans = {
            f"{column}\t{category}": _count(table[column].lower().re_search(_value_pattern(words["values"])))
            for column in _free_text_columns(table, name)
            for category, words in categories.items()
            if words["values"]
        }
        if scans:
            found = fetch(table.aggregate(**{f"c{i}": v for i, v in enumerate(scans.values())})).iloc[0]
            for i, key in enumerate(scans):
                if _int(found[f"c{i}"]):
                    column, category = key.split("\t")
                    rows.append(
                        {
                            "table": name,
                            "column": column,
                            "category": category,
                            "found_in": "values",
                            "rows": _int(found[f"c{i}"]),
                        }
                    )
    evidence = pd.DataFrame(rows, columns=["table", "column", "category", "found_in", "rows"])
    evidence["used_for_targeting"] = evidence.column.isin(targeting_columns)
    evidence["explicit_consent"] = evidence.category.isin(explicit_consent)
    columns = evidence.drop_duplicates(["table", "column"])
    unlawful = columns[columns.used_for_targeting & ~columns.explicit_consent]
    metric: dict[str, Any] = {  # JSON-like: counts, then the categories' names
        "special_category_columns": len(columns),
        "found_by_name": int((evidence.found_in == "name").sum()),
        "found_in_values": int((evidence.found_in == "values").sum()),
        "used_for_targeting": len(unlawful),
        "categories": sorted(set(evidence.category)),
    }
    thresholds = (
        Threshold("special_category_columns", ">", 0, "warn", "kit default"),
        Threshold("used_for_targeting", ">", 0, "fail", "rule"),
    )
    evidence = _suppressed(evidence.astype({"rows": object}), review.k_anonymity, ["rows"])
    return build_finding(
        review,
        "consent.special_categories",
        judge(metric, thresholds),
        metric=metric,
        thresholds=thresholds,
        evidence=evidence,
        category_list=", ".join(metric["categories"]) or "-",
    )


# --- consent.minimisation -------------------------------------------------------------------------------------------


def _personal_data_in_free_text(review: Review, present: Sequence[str]) -> dict[tuple[str, str], dict[str, int]]:
    """(table, column) -> kind -> rows, for every free-text column of the review, in one query: the columns are
    stacked (table and column name beside each value) so that the flags, a large expression (the IBAN and NIR
    check digits), are compiled and planned once rather than once per column. A column without a candidate row
    is absent (no kind found)."""
    stacked = [
        table.select(table_name=ibis.literal(name), column_name=ibis.literal(column), text=table[column].cast("string"))
        for name in present
        for table in [review.table(name)]
        for column in _free_text_columns(table, name)
    ]
    if not stacked:
        return {}
    texts = ibis.union(*stacked) if len(stacked) > 1 else stacked[0]
    # The cheap prefilter (an @ or a long run of digits) first; the full patterns on what is left.
    candidates = texts.filter(texts.text.re_search(pii.CANDIDATE_PATTERN))
    flags = pii.engine_flags(candidates.text, region=review.config.default_country)
    found = fetch(
        candidates.group_by(["table_name", "column_name"]).aggregate(
            **{f"rows_{kind}": _count(flag) for kind, flag in flags.items()}
        )
    )
    return {
        (row.table_name, row.column_name): {kind: _int(getattr(row, f"rows_{kind}")) for kind in pii.KINDS}
        for row in found.itertuples(index=False)
    }


def minimisation(review: Review) -> Finding:
    """Direct identifiers where the table does not need them (an identifier-named column that is not canonical
    for its table) and personal data in free text (emails, phone numbers, IBANs, NIRs).

    Free text is read inside the engine (pii.engine_flags: regular expressions, and the IBAN and NIR check
    digits in SQL arithmetic): only the number of rows per table, column and kind leaves it, never a value."""
    present = [name for name in TABLES if review.has(name)]
    if not present:
        return not_applicable(review, "consent.minimisation", [("contacts", None)])
    free_text = _personal_data_in_free_text(review, present)
    rows, notes = [], []
    for name in present:
        table = review.table(name)
        identifiers = []
        for column in table.columns:
            if TABLES[name].column(column) is None and pii.is_identifier_column(column):
                canonical = pii.canonical_identifier(column)
                if canonical and TABLES[name].column(canonical) is not None and canonical not in table.columns:
                    # The table's own identifier under the export's name (Prénom for first_name): it belongs
                    # here, so the advice is to map it, not to remove it.
                    notes.append(
                        i18n.text(
                            "consent.minimisation",
                            "map_identifier",
                            review.lang,
                            table=name,
                            column=column,
                            canonical=canonical,
                        )
                    )
                    continue
                identifiers.append(column)
        if identifiers:  # one query per table for all its identifier columns
            filled = fetch(
                table.aggregate(**{f"c{i}": table[c].notnull().cast("int64").sum() for i, c in enumerate(identifiers)})
            ).iloc[0]
            rows += [
                {"table": name, "column": c, "kind": "identifier column", "rows": _int(filled[f"c{i}"])}
                for i, c in enumerate(identifiers)
            ]
        for column in _free_text_columns(table, name):
            counts = free_text.get((name, column), {})
            rows += [
                {"table": name, "column": column, "kind": kind, "rows": counts[kind]}
                for kind in pii.KINDS
                if counts.get(kind)
            ]
    evidence = pd.DataFrame(rows, columns=["table", "column", "kind", "rows"])
    by_kind = evidence.groupby("kind").rows.sum()
    metric = {
        "fields_with_personal_data": len(evidence.drop_duplicates(["table", "column"])),
        "identifier_columns": int((evidence.kind == "identifier column").sum()),
        **{f"rows_with_{kind}": int(by_kind.get(kind, 0)) for kind in pii.KINDS},
    }
    thresholds = (Threshold("fields_with_personal_data", ">", 0, "warn", "kit default"),)
    evidence = _suppressed(evidence.astype({"rows": object}), review.k_anonymity, ["rows"])
    return build_finding(
        review,
        "consent.minimisation",
        judge(metric, thresholds),
        metric=metric,
        thresholds=thresholds,
        evidence=evidence,
        notes=notes,
    )


# --- consent.tcf ----------------------------------------------------------------------------------------------------

ADS_PURPOSE = "personalised_ads"
TCF_AD_PURPOSES = (1, 3, 4)  # store/access information, create and use a personalised-ads profile


# Engines that run a Python UDF next to the data (DuckDB in process, Spark on its Python workers). PostgreSQL's
# Python (plpython3u) runs inside the server, which neither has the kit nor, usually, the extension.
UDF_ENGINES = frozenset({"duckdb", "pyspark"})
NO_VENDOR = 0  # TCF vendor ids start at 1: 0 asks about the purposes only (a UDF argument is never null)
TC_VERDICT = dt.Struct({"decodes": "boolean", "grants": "boolean", "policy_version": "int64", "breaches": "int64"})


# The types are the signature's, not annotations: PySpark 4 reads a UDF's annotations as a pandas or Arrow
# signature and warns when they are plain Python types.
@ibis.udf.scalar.python(signature=((dt.string, dt.int64, dt.int64), TC_VERDICT))
def tc_verdict(tc_string, purpose_mask, vendor_id):  # type: ignore[no-untyped-def]
    """tcf.verdict in the engine: each TC string is decoded where it lies, and only these four fields come out
    of the decoder (C-604/22: a TC string is personal data; it never crosses engine.fetch)."""
    return tcf.verdict(tc_string, tcf.purposes_of(purpose_mask), vendor_id or None)


def tc_verdicts(consents: ibis.Table, *, purposes: Sequence[int], vendor_id: int | None) -> ibis.Table:
    """One row per distinct TC string of the consent log, with its verdict (decodes, grants, policy_version,
    breaches) computed in the engine."""
    try:
        mask = tcf.purpose_mask(purposes)
    except ValueError as exc:
        raise ConfigError(
            f"consent.tcf option purposes: {exc}", fix="list TCF purpose numbers, e.g. purposes: [1, 3, 4]"
        ) from None
    strings = consents.filter(consents.tc_string.notnull()).select("tc_string").distinct()
    verdict = tc_verdict(strings.tc_string, mask, NO_VENDOR if vendor_id is None else int(vendor_id))
    return strings.mutate(verdict=verdict).unpack("verdict")


def tcf_consent(
    review: Review,
    *,
    campaign: str | None = None,
    vendor_id: int | None = None,
    purposes: Sequence[int] = TCF_AD_PURPOSES,
    min_policy_version: int = FIRST_TCF_22_POLICY_VERSION,
) -> Finding:
    """Personalised-ads sends judged on the TC string of the consent in force when they were sent: does it
    decode, does it grant purposes 1, 3 and 4 (and the vendor's consent), which TCF policy version and breaches.
    The strings are decoded in the engine (tc_verdict); only counts leave it."""
    if review.con.name not in UDF_ENGINES:
        return not_applicable(
            review, "consent.tcf", [], reason=i18n.text("consent.tcf", "no_udf", review.lang, engine=review.con.name)
        )
    verdicts = tc_verdicts(review.table("consents"), purposes=purposes, vendor_id=vendor_id)
    outdated_string = verdicts.policy_version.notnull() & (verdicts.policy_version < min_policy_version)
    strings = fetch(
        verdicts.aggregate(
            tc_strings=ibis._.count(),
            undecodable_strings=_count(~verdicts.decodes),
            strings_with_policy_breach=_count(verdicts.breaches > 0),
            outdated_policy_strings=_count(outdated_string),
        )
    ).iloc[0]
    if not strings.tc_strings:
        return not_applicable(review, "consent.tcf", [("consents", "tc_string")])
    sends = sends_in_scope(review, campaign=campaign, purpose=ADS_PURPOSE)
    state = consent_state_at_send(review, sends, event_columns=("tc_string",))
    judged = state.left_join(verdicts, state.consent_tc_string == verdicts.tc_string)
    reason = ibis.cases(
        (judged.consent_tc_string.isnull(), "no TC string"),
        (~judged.decodes, "does not decode"),
        (~judged.grants, "purposes or vendor not granted"),
        else_="granted",
    )
    outdated = judged.policy_version.notnull() & (judged.policy_version < min_policy_version)
    counts = fetch(
        judged.mutate(tcf=reason, outdated=outdated, breach=judged.breaches.fill_null(0) > 0)
        .group_by(["campaign_id", "tcf"])
        .agg(sends=ibis._.count(), outdated_policy=_count(ibis._.outdated), policy_breach=_count(ibis._.breach))
        .order_by(["campaign_id", "tcf"])
    )
    by_reason = counts.groupby("tcf").sends.sum()
    total = int(counts.sends.sum())
    granted = int(by_reason.get("granted", 0))
    metric = {
        "ads_sends": total,
        "sends_with_tcf_consent": granted,
        "sends_without_tcf_consent": total - granted,
        "tcf_consent_share": share(granted, total),
        "sends_without_tc_string": int(by_reason.get("no TC string", 0)),
        "sends_with_undecodable_string": int(by_reason.get("does not decode", 0)),
        "sends_missing_purposes": int(by_reason.get("purposes or vendor not granted", 0)),
        "sends_with_outdated_policy": int(counts.outdated_policy.sum()),
        "sends_with_policy_breach": int(counts.policy_breach.sum()),
        **{
            name: int(strings[name])
            for name in ("tc_strings", "undecodable_strings", "strings_with_policy_breach", "outdated_policy_strings")
        },
    }
    thresholds = (
        Threshold("sends_without_tcf_consent", ">", 0, "fail", "rule"),
        Threshold("sends_with_outdated_policy", ">", 0, "warn", "kit default"),
        Threshold("sends_with_policy_breach", ">", 0, "warn", "kit default"),
    )
    status = judge(metric, thresholds) if total else "not_applicable"
    evidence = _suppressed(counts, review.k_anonymity, ["sends", "outdated_policy", "policy_breach"])
    return build_finding(review, "consent.tcf", status, metric=metric, thresholds=thresholds, evidence=evidence)


CONSENT_LOG = ("contact_id", "purpose", "status", "recorded_at")
SEND_LOG = ("contact_id", "campaign_id", "channel", "sent_at")

CONSENT_CHECKS = (
    Check("consent.coverage", "consent", coverage, needs={"sends": SEND_LOG, "consents": CONSENT_LOG}),
    Check("consent.after_withdrawal", "consent", after_withdrawal, needs={"sends": SEND_LOG, "consents": CONSENT_LOG}),
    Check("consent.proof", "consent", proof, needs={"consents": CONSENT_LOG}),
    Check("consent.freshness", "consent", freshness, needs={"sends": SEND_LOG, "consents": CONSENT_LOG}),
    Check("consent.minors", "consent", minors, needs={"contacts": ("contact_id",)}),
    Check("consent.erasure", "consent", erasure, needs={"requests": ("contact_id", "type", "received_at")}),
    Check(
        "consent.retention", "consent", retention, needs={"contacts": ("contact_id", "is_customer", "last_activity_at")}
    ),
    Check("consent.special_categories", "consent", special_categories),
    Check("consent.minimisation", "consent", minimisation),
    Check("consent.tcf", "consent", tcf_consent, needs={"sends": SEND_LOG, "consents": (*CONSENT_LOG, "tc_string")}),
)
