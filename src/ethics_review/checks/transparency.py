"""Transparency and human oversight checks (area `transparency`).

Three kinds of input: the content inventory (counted in the engine, by content type and channel), the register
of AI systems (a handful of rows about systems, not people, read in pandas, see register.py) and the notices'
text (see text.py). Rules of the AI Act are judged at the review's `as_of` from the dates in legal_dates.yaml.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

import ibis
import pandas as pd

from .. import i18n, register
from ..config import NoticeConfirmation
from ..engine import fetch
from ..errors import ConfigError
from ..findings import Finding, Threshold, judge
from ..legal import applies_from
from ..review import Review
from ..text import purpose_coverage, readability
from .common import Check, build_finding, not_applicable, share
from .consent import with_send_purpose

ART50, ART4 = "ai_act_art50", "ai_act_art4"  # ids of the legal calendar (legal_dates.yaml)
CRITICAL_FIELDS = ("purpose", "owner", "decision_mode", "legal_basis", "explanation", "human_oversight")
AUTOMATED_DECISION = "automated_decision"  # the "purpose" a notice must describe when a system decides alone


def _flag(content: ibis.Table, column: str) -> ibis.Value:
    """A boolean column of the content table, False when the table does not have it."""
    return content[column].fill_null(False) if column in content.columns else ibis.literal(False)


def _text_or_unknown(content: ibis.Table, column: str) -> ibis.Value:
    return content[column].fill_null("unknown") if column in content.columns else ibis.literal("unknown")


def published_ai_content(
    review: Review, *, campaign: str | None = None, channel: str | None = None, ai_only: bool = True
) -> ibis.Table:
    """Items published by `as_of` (an item with no publication date counts as published), AI-generated ones only
    unless `ai_only` is False, of one campaign or channel when given."""
    content = review.table("content")
    if ai_only:
        content = content.filter(content.ai_generated.fill_null(False))
    if "published_at" in content.columns:
        content = content.filter(content.published_at.isnull() | (content.published_at.date() <= review.as_of))
    if campaign is not None and "campaign_id" in content.columns:
        content = content.filter(content.campaign_id == campaign)
    if channel is not None and "channel" in content.columns:
        content = content.filter(content.channel == channel)
    return content


def in_use_since(review: Review, content: ibis.Table, rule_id: str) -> ibis.Value:
    """Items in use on or after the date a rule applies, whatever their publication date: not withdrawn before it
    (`withdrawn_at` empty or on or after that date). None when the review is dated before it. AI Act Art 50 binds
    what is shown to people once it applies; before, the same gap is a warning to prepare."""
    rule_start = applies_from(rule_id, review)
    if review.as_of < rule_start:
        return ibis.literal(False)
    if "withdrawn_at" not in content.columns:
        return ibis.literal(True)
    return content.withdrawn_at.isnull() | (content.withdrawn_at.date() >= rule_start)


def counts_by_type_and_channel(content: ibis.Table, **flags: ibis.Value) -> pd.DataFrame:
    """Items and the number of items with each flag, per content type and channel (computed in the engine)."""
    keys = ["content_type", "channel"]
    counts: pd.DataFrame = fetch(
        content.mutate(
            content_type=_text_or_unknown(content, "content_type"),
            channel=_text_or_unknown(content, "channel"),
            **{name: flag.cast("int64") for name, flag in flags.items()},
        )
        .group_by(keys)
        .agg(items=ibis._.count(), **{name: ibis._[name].sum() for name in flags})
        .order_by(keys)
    )
    return counts


def _total(counts: pd.DataFrame, column: str) -> int:
    return int(counts[column].sum()) if len(counts) else 0


def _rate_evidence(counts: pd.DataFrame, *, items: str, done: str, not_done: str, rate: str) -> pd.DataFrame:
    # Content items are not people: evidence counts items, so no k-anonymity suppression is needed.
    return pd.DataFrame(
        {
            "content_type": counts.content_type,
            "channel": counts.channel,
            items: counts["items"],
            done: counts[done],
            not_done: counts["items"] - counts[done],
            rate: counts[done] / counts["items"],
        }
    )


def _deepfake(content: ibis.Table) -> ibis.Value:
    """AI Act Art 3(60): image, audio or video content that resembles existing persons, objects, places, entities
    or events and would falsely appear authentic (column `deepfake`, read from `depicts_real_person` too). A text
    or a chatbot is never a deepfake; an item of unknown type flagged as one is counted."""
    return _flag(content, "deepfake") & ~_text_or_unknown(content, "content_type").isin(("text", "chatbot"))


def ai_disclosure(review: Review, *, campaign: str | None = None, channel: str | None = None) -> Finding:
    """Share of AI-generated content shown with a human-visible disclosure. Deepfakes (Art 3(60)) and
    public-interest text without human editorial review, undisclosed and in use on or after the date Art 50
    applies, whatever their publication date, breach AI Act Art 50(4) (the deployer's duty)."""
    content = published_ai_content(review, campaign=campaign, channel=channel)
    disclosed = _flag(content, "disclosed")
    kind = _text_or_unknown(content, "content_type")
    public_text = _flag(content, "public_interest") & (kind == "text") & ~_flag(content, "human_reviewed")
    in_force = in_use_since(review, content, ART50)
    counts = counts_by_type_and_channel(
        content,
        disclosed=disclosed,
        deepfakes=~disclosed & _deepfake(content) & in_force,
        public_text=~disclosed & public_text & in_force,
    )
    total, shown = _total(counts, "items"), _total(counts, "disclosed")
    metric = {
        "ai_items": total,
        "disclosed_items": shown,
        "undisclosed_items": total - shown,
        "disclosure_rate": share(shown, total),
        "undisclosed_deepfakes": _total(counts, "deepfakes"),
        "undisclosed_public_interest_text": _total(counts, "public_text"),
    }
    thresholds = (
        Threshold("undisclosed_deepfakes", ">", 0, "fail", "rule"),
        Threshold("undisclosed_public_interest_text", ">", 0, "fail", "rule"),
        Threshold("undisclosed_items", ">", 0, "warn", "kit default"),
    )
    status = judge(metric, thresholds) if total else "not_applicable"
    evidence = _rate_evidence(
        counts, items="ai_items", done="disclosed", not_done="undisclosed", rate="disclosure_rate"
    )
    return build_finding(
        review,
        "transparency.ai_disclosure",
        status,
        metric=metric,
        thresholds=thresholds,
        evidence=evidence,
        rule_start=applies_from(ART50, review),
    )


MARKED_TYPES = ("text", "image", "video", "audio")  # the outputs Art 50(2) names: audio, image, video or text


def machine_marking(review: Review, *, campaign: str | None = None, channel: str | None = None) -> Finding:
    """Share of AI-generated text, images, videos and audio carrying a machine-readable marking (C2PA, IPTC,
    watermark), per content type. Marking is the provider's duty (AI Act Art 50(2)): the deployer only checks that
    its tools mark, so any gap is a kit-default warning, never a rule."""
    content = published_ai_content(review, campaign=campaign, channel=channel)
    content = content.filter(content.content_type.isin(MARKED_TYPES))
    marked = _flag(content, "machine_marked")
    counts = counts_by_type_and_channel(
        content, marked=marked, unmarked_since_rule=~marked & in_use_since(review, content, ART50)
    )
    total, marked_items = _total(counts, "items"), _total(counts, "marked")
    metric = {
        "media_items": total,
        "marked_items": marked_items,
        "unmarked_items": total - marked_items,
        "marking_rate": share(marked_items, total),
        "unmarked_since_rule": _total(counts, "unmarked_since_rule"),
        **{
            f"unmarked_{kind}": int((counts["items"] - counts["marked"])[counts.content_type == kind].sum())
            for kind in MARKED_TYPES
        },
    }
    thresholds = (Threshold("marking_rate", "<", 1.0, "warn", "kit default"),)
    status = judge(metric, thresholds) if total else "not_applicable"
    evidence = _rate_evidence(counts, items="media_items", done="marked", not_done="unmarked", rate="marking_rate")
    return build_finding(
        review,
        "transparency.machine_marking",
        status,
        metric=metric,
        thresholds=thresholds,
        evidence=evidence,
        rule_start=applies_from(ART50, review),
    )


def _obvious_ai(systems: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """The reviewer's claims of the Art 50(1) exception (obvious from the context): (claimed with a reason,
    claimed without one). A claim without a reason does not count."""
    claimed = systems.get("obvious_ai", pd.Series(pd.NA, index=systems.index)).fillna(False).astype(bool)
    reasoned = register.filled(systems, "obvious_ai_reason")
    return claimed & reasoned, claimed & ~reasoned


def chatbot_disclosure(review: Review, *, campaign: str | None = None, channel: str | None = None) -> Finding:
    """Chatbots that tell people they are talking to an AI at the first interaction (AI Act Art 50(1), 50(5)),
    judged for every chatbot in service on or after the date Art 50 applies, whatever its launch date.

    Chatbots come from the content inventory (content_type chatbot, with `disclosed`, in use by its
    published_at / withdrawn_at) and from the register (use_case chatbot, in service by in_service_from /
    retired_on). The register cannot show a disclosure: when the inventory records no chatbot, the register's
    chatbots in service are unverified (a warning), unless the reviewer claimed the exception where it is obvious
    from the context (`obvious_ai: true` with `obvious_ai_reason`)."""
    has_content = review.has("content", "content_type")
    if has_content:
        content = published_ai_content(review, campaign=campaign, channel=channel, ai_only=False)
        content = content.filter(content.content_type == "chatbot")
        disclosed = _flag(content, "disclosed")
        counts = counts_by_type_and_channel(
            content, disclosed=disclosed, undisclosed_since_rule=~disclosed & in_use_since(review, content, ART50)
        )
    else:
        counts = pd.DataFrame(columns=["content_type", "channel", "items", "disclosed", "undisclosed_since_rule"])
    systems = review.ai_systems
    register_bots = (
        systems[systems.use_case.fillna("") == "chatbot"]
        if systems is not None and "use_case" in systems.columns
        else pd.DataFrame(columns=["id"])
    )
    if len(register_bots):
        in_service = register.in_service_on_or_after(register_bots, applies_from(ART50, review), review.as_of)
        obvious, unreasoned = _obvious_ai(register_bots)
    else:
        in_service = obvious = unreasoned = pd.Series(dtype=bool)
    total, shown = _total(counts, "items"), _total(counts, "disclosed")
    unverified = in_service & ~obvious if total == 0 else pd.Series(False, index=register_bots.index)
    metric = {
        "chatbots": total,
        "disclosed_chatbots": shown,
        "undisclosed_chatbots": total - shown,
        "undisclosed_since_rule": _total(counts, "undisclosed_since_rule"),
        "register_chatbots": len(register_bots),
        "register_chatbots_in_service": int(in_service.sum()),
        "obvious_ai_claims": int(obvious.sum()),
        "obvious_ai_claims_without_reason": int(unreasoned.sum()),
        "unverified_register_chatbots": int(unverified.sum()),
    }
    thresholds = (
        Threshold("undisclosed_since_rule", ">", 0, "fail", "rule"),
        Threshold("undisclosed_chatbots", ">", 0, "warn", "kit default"),
        Threshold("unverified_register_chatbots", ">", 0, "warn", "kit default"),
        Threshold("obvious_ai_claims_without_reason", ">", 0, "warn", "kit default"),
    )
    status = judge(metric, thresholds) if total or len(register_bots) else "not_applicable"
    evidence = [
        *(
            {
                "source": "content",
                "channel": row.channel,
                "system": None,
                "chatbots": int(row["items"]),
                "disclosed": int(row.disclosed),
                "undisclosed": int(row["items"] - row.disclosed),
                "in_service_since_rule": None,
                "obvious_ai": None,
            }
            for _, row in counts.iterrows()
        ),
        *(
            {
                "source": "register",
                "channel": None,
                "system": str(system_id),
                "chatbots": 1,
                "disclosed": None,
                "undisclosed": None,
                "in_service_since_rule": bool(serving),
                "obvious_ai": "claimed" if claim else "claimed without a reason" if bare else None,
            }
            for system_id, serving, claim, bare in zip(
                register_bots["id"], in_service, obvious, unreasoned, strict=True
            )
        ),
    ]
    return build_finding(
        review,
        "transparency.chatbot_disclosure",
        status,
        metric=metric,
        thresholds=thresholds,
        evidence=evidence,
        rule_start=applies_from(ART50, review),
    )


def human_review(
    review: Review,
    *,
    campaign: str | None = None,
    channel: str | None = None,
    warn_below: float = 0.95,
    fail_below: float = 0.80,
) -> Finding:
    """Share of AI-generated content a person reviewed before publication (reviewed_at <= published_at when both
    dates are known)."""
    content = published_ai_content(review, campaign=campaign, channel=channel)
    reviewed = _flag(content, "human_reviewed")
    late = ibis.literal(False)
    if {"reviewed_at", "published_at"} <= set(content.columns):
        late = (
            reviewed
            & content.reviewed_at.notnull()
            & content.published_at.notnull()
            & (content.reviewed_at > content.published_at)
        )
    counts = counts_by_type_and_channel(content, reviewed=reviewed & ~late, late=late)
    total, done = _total(counts, "items"), _total(counts, "reviewed")
    metric = {
        "ai_items": total,
        "reviewed_items": done,
        "unreviewed_items": total - done,
        "reviewed_after_publication": _total(counts, "late"),
        "review_rate": share(done, total),
    }
    thresholds = (
        Threshold("review_rate", "<", fail_below, "fail", "kit default"),
        Threshold("review_rate", "<", warn_below, "warn", "kit default"),
    )
    status = judge(metric, thresholds) if total else "not_applicable"
    evidence = _rate_evidence(counts, items="ai_items", done="reviewed", not_done="unreviewed", rate="review_rate")
    return build_finding(
        review,
        "transparency.human_review",
        status,
        metric=metric,
        thresholds=thresholds,
        evidence=evidence,
        warn_below=warn_below,
        fail_below=fail_below,
    )


# --- the AI register ------------------------------------------------------------------------------------------------


def _months_before(day: dt.date, months: int) -> dt.date:
    return (pd.Timestamp(day) - pd.DateOffset(months=months)).date()


def _older_than(dates: pd.Series, cutoff: dt.date) -> pd.Series:
    """True where a date is known and before `cutoff`."""
    return dates.map(lambda d: isinstance(d, dt.date) and d < cutoff).astype(bool)


def _iso(value: object) -> str | None:
    return value.isoformat() if isinstance(value, dt.date) else None


def register_completeness(review: Review, *, warn_below: float = 0.9, max_audit_age_months: int = 12) -> Finding:
    """How completely each AI system is documented: the critical fields (purpose, owner, decision mode, legal
    basis, explanation, human oversight) and all the others of the contract; placeholders count as empty. Bias
    audits older than `max_audit_age_months` at `as_of` are stale."""
    systems = review.ai_systems
    if systems is None or systems.empty:
        return build_finding(review, "transparency.register", "not_applicable", metric={"systems": 0})
    fields = [f for f in register.COMPLETENESS_FIELDS if f not in register.REQUIRED_FIELDS]
    filled = pd.DataFrame({f: register.filled(systems, f) for f in fields})
    critical_missing = ~filled[list(CRITICAL_FIELDS)]
    stale = _older_than(systems.last_bias_audit, _months_before(review.as_of, max_audit_age_months))
    cells = filled.size
    metric = {
        "systems": len(systems),
        "critical_gaps": int(critical_missing.to_numpy().sum()),
        "systems_with_critical_gaps": int(critical_missing.any(axis=1).sum()),
        "completeness": float(filled.to_numpy().sum()) / cells,
        "stale_audits": int(stale.sum()),
    }
    thresholds = (
        Threshold("critical_gaps", ">", 0, "fail", "kit default"),
        Threshold("completeness", "<", warn_below, "warn", "kit default"),
        Threshold("stale_audits", ">", 0, "warn", "kit default"),
    )
    # One row per system, one cell per field: the register is about systems, not people.
    system_ids = systems["id"].astype(str)
    missing_critical = [", ".join(f for f in CRITICAL_FIELDS if not row[f]) for _, row in filled.iterrows()]
    evidence = pd.DataFrame(
        {
            "system": system_ids,
            "completeness": filled.mean(axis=1),
            "missing_critical": missing_critical,
            **{f: filled[f].map({True: "filled", False: "empty"}) for f in fields},
            "audit_stale": stale,
        }
    )
    lang = review.lang  # the sentence names the fields in the reader's words, as the evidence table does
    gaps = i18n.ui("semicolon", lang).join(
        f"{s}{i18n.ui('colon', lang)}{i18n.word('missing_critical', m, lang)}"
        for s, m in zip(system_ids, missing_critical, strict=True)
        if m
    )
    return build_finding(
        review,
        "transparency.register",
        judge(metric, thresholds),
        metric=metric,
        thresholds=thresholds,
        evidence=evidence,
        gaps=gaps,
        max_audit_age_months=max_audit_age_months,
    )


def automated_systems(systems: pd.DataFrame) -> pd.Series:
    """Fully automated systems whose register entry says they have a legal or similarly significant effect
    (GDPR Art 22(1)). The kit never assumes the effect: pricing or scoring is in scope only when the owner says so."""
    automated = systems.decision_mode.fillna("") == "fully_automated"
    return (automated & systems.significant_effect.fillna(False).astype(bool)).astype(bool)


def undecided_systems(systems: pd.DataFrame) -> pd.Series:
    """Fully automated systems whose register leaves `significant_effect` unset: the owner has to decide."""
    return ((systems.decision_mode.fillna("") == "fully_automated") & systems.significant_effect.isna()).astype(bool)


NEEDS_SAFEGUARDS = ("contract", "explicit_consent")  # GDPR Art 22(3): not the Art 22(2)(b) exception (law)


def _missing_safeguards(scope: pd.DataFrame) -> pd.Series:
    """The Art 22(3) safeguards an entry lacks, for the contract and explicit-consent exceptions."""

    def missing(row: pd.Series) -> str:
        exception = row.get("art22_exception")
        if register.is_placeholder(exception) or exception not in NEEDS_SAFEGUARDS:
            return ""
        safeguards = row.get("safeguards")
        listed: set[str] = set() if safeguards is None or register.is_placeholder(safeguards) else set(safeguards)
        return ", ".join(s for s in register.SAFEGUARDS if s not in listed)

    return scope.apply(missing, axis=1) if len(scope) else pd.Series(dtype=str)


def automated_decisions(review: Review) -> Finding:
    """Fully automated systems with a legal or similarly significant effect (the register's `significant_effect`):
    each needs an Art 22(2) exception (`art22_exception`: contract, law or explicit_consent), the Art 22(3)
    safeguards (human intervention, the person's view, contest) for the contract and consent exceptions, and
    meaningful information about the logic (`explanation`, Art 13(2)(f), 15(1)(h)). A fully automated system
    whose effect is unset is a warning asking its owner to decide."""
    systems = review.ai_systems
    if systems is None or systems.empty:
        return build_finding(review, "transparency.automated_decisions", "not_applicable", metric={"systems": 0})
    scope = systems[automated_systems(systems)]
    undecided = systems[undecided_systems(systems)]
    exception = register.filled(scope, "art22_exception")
    missing_safeguards = _missing_safeguards(scope)
    explained = register.filled(scope, "explanation")
    failing = ~exception | missing_safeguards.astype(bool) | ~explained
    metric = {
        "systems": len(systems),
        "fully_automated_systems": int((systems.decision_mode.fillna("") == "fully_automated").sum()),
        "automated_systems": len(scope),
        "undecided_systems": len(undecided),
        "without_exception": int((~exception).sum()),
        "without_safeguards": int(missing_safeguards.astype(bool).sum()),
        "without_explanation": int((~explained).sum()),
        "failing_systems": int(failing.sum()),
    }
    thresholds = (
        Threshold("failing_systems", ">", 0, "fail", "rule"),
        Threshold("undecided_systems", ">", 0, "warn", "kit default"),
    )
    status = judge(metric, thresholds) if len(scope) or len(undecided) else "pass"
    rows = pd.concat([scope.assign(_effect="significant"), undecided.assign(_effect="unset")])
    evidence = pd.DataFrame(
        {
            "system": rows["id"].astype(str),
            "use_case": rows.use_case.fillna("").astype(str),
            "significant_effect": rows["_effect"],
            "art22_exception": rows.get("art22_exception", pd.Series(None, index=rows.index))
            .astype(object)
            .where(lambda v: v.notna(), None),
            "missing_safeguards": [*missing_safeguards, *([None] * len(undecided))],
            "explanation": register.filled(rows, "explanation"),
        }
    )
    failing_ids = ", ".join(scope.loc[failing, "id"].astype(str))
    undecided_ids = ", ".join(undecided["id"].astype(str))
    return build_finding(
        review,
        "transparency.automated_decisions",
        status,
        metric=metric,
        thresholds=thresholds,
        evidence=evidence,
        failing_ids=failing_ids,
        undecided_ids=undecided_ids,
    )


def ai_literacy(review: Review, *, max_age_months: int = 12) -> Finding:
    """Share of AI systems whose staff had AI-literacy training within `max_age_months` of `as_of` (AI Act Art 4,
    applying since 2025-02-02; a review dated before it has nothing to judge). Art 4 fixes no period: the
    12 months are a kit default; the Digital Omnibus rewrite of Art 4 is tracked in the legal calendar."""
    systems = review.ai_systems
    rule_start = applies_from(ART4, review)
    if systems is None or systems.empty or review.as_of < rule_start:
        return build_finding(
            review, "transparency.ai_literacy", "not_applicable", metric={"systems": 0}, rule_start=rule_start
        )
    cutoff = _months_before(review.as_of, max_age_months)
    trained = systems.staff_trained.map(lambda d: isinstance(d, dt.date) and d >= cutoff).astype(bool)
    metric = {
        "systems": len(systems),
        "trained_systems": int(trained.sum()),
        "untrained_systems": int((~trained).sum()),
        "literacy_rate": float(trained.mean()),
    }
    thresholds = (Threshold("literacy_rate", "<", 1.0, "warn", "kit default"),)
    evidence = pd.DataFrame(
        {
            "system": systems["id"].astype(str),
            "staff_trained": systems.staff_trained.map(_iso),
            "trained_within_limit": trained,
        }
    )
    untrained_ids = ", ".join(systems.loc[~trained, "id"].astype(str))
    return build_finding(
        review,
        "transparency.ai_literacy",
        judge(metric, thresholds),
        metric=metric,
        thresholds=thresholds,
        evidence=evidence,
        rule_start=rule_start,
        max_age_months=max_age_months,
        untrained_ids=untrained_ids,
    )


# --- the notices ----------------------------------------------------------------------------------------------------


def purposes_in_use(review: Review, *, campaign: str | None = None, channel: str | None = None) -> list[str]:
    """Purposes the review's data shows in use: in consents, in sends (their channel's purpose by default), and
    automated decision-making when the register has a fully automated system with a significant effect."""
    used: set[str] = set()
    if review.has("consents", "purpose"):
        consents = review.table("consents")
        used |= set(fetch(consents.select("purpose").distinct()).purpose.dropna())
    if review.has("sends", "channel"):
        sends = with_send_purpose(review.table("sends"))
        if campaign is not None:
            sends = sends.filter(sends.campaign_id == campaign)
        if channel is not None:
            sends = sends.filter(sends.channel == channel)
        used |= set(fetch(sends.select("purpose").distinct()).purpose.dropna())
    if review.ai_systems is not None and not review.ai_systems.empty and automated_systems(review.ai_systems).any():
        used.add(AUTOMATED_DECISION)
    return sorted(used)


FOUND, CONFIRMED, NOT_FOUND, NOT_DESCRIBED = "found", "confirmed", "not_found", "not_described"


def reviewer_notices(review: Review) -> dict[str, dict[str, NoticeConfirmation]]:
    """review.yaml `notices:`, checked against the notice files: a confirmation for a file the review does not
    have is an error, not a silent no-op."""
    confirmations = review.config.notices
    names = {Path(n.path).name for n in review.notices}
    unknown = sorted(set(confirmations) - names)
    if unknown:
        raise ConfigError(
            f"review.yaml notices: '{unknown[0]}' is not a notice of this review "
            f"(notices: {', '.join(sorted(names)) or 'none'})",
            fix="name the notice file as it is in the notices folder, e.g. privacy.fr.md",
        )
    return confirmations


def _coverage_row(
    purpose: str, found: list[str] | None, by_reviewer: Mapping[str, NoticeConfirmation]
) -> dict[str, object]:
    """One purpose in one language: the reviewer's word first (a place where it is described, or `false`), then
    the kit's reading of the text."""
    places = {name: where for name, where in by_reviewer.items() if where is not False}
    refused = [name for name, where in by_reviewer.items() if where is False]
    if places:
        state, where = CONFIRMED, "; ".join(f"{name}: {where}" for name, where in sorted(places.items()))
    elif refused:
        state, where = NOT_DESCRIBED, ", ".join(sorted(refused))
    elif found:
        state, where = FOUND, found[0][:160]
    else:
        state, where = NOT_FOUND, None
    return {"purpose": purpose, "state": state, "where": where, "judged_by_kit": found is not None}


def notice_coverage(review: Review, *, campaign: str | None = None, channel: str | None = None) -> Finding:
    """Whether the notices of each language describe every purpose in use, and automated decision-making when
    there is any (GDPR Art 12(1), 13(1)(c), 14(1)(c), 13(2)(f)). The kit reads the notices sentence by sentence for
    each purpose's everyday wording (text.purpose_coverage); a reviewer can confirm a purpose by hand or mark it as
    not described (review.yaml `notices:`). A purpose the kit cannot find is a warning, since a text heuristic
    cannot prove an absence; only a purpose the reviewer marked as not described fails."""
    purposes = purposes_in_use(review, campaign=campaign, channel=channel)
    if not purposes:
        return not_applicable(review, "transparency.notice_coverage", [("consents", None), ("sends", None)])
    confirmations = reviewer_notices(review)
    rows = []
    for lang in sorted({n.lang for n in review.notices}):
        notices = [n for n in review.notices if n.lang == lang]
        found = purpose_coverage("\n".join(n.text for n in notices), lang, purposes)
        files = ", ".join(Path(n.path).name for n in notices)
        for purpose in purposes:
            by_reviewer = {
                Path(n.path).name: confirmations[Path(n.path).name][purpose]
                for n in notices
                if purpose in confirmations.get(Path(n.path).name, {})
            }
            rows.append({"lang": lang, "files": files, **_coverage_row(purpose, found[purpose], by_reviewer)})
    evidence = pd.DataFrame(rows)
    states = evidence.state
    metric = {
        "languages": int(evidence.lang.nunique()),
        "purposes_used": len(purposes),
        "found_by_kit": int((states == FOUND).sum()),
        "confirmed_by_reviewer": int((states == CONFIRMED).sum()),
        "not_found": int((states == NOT_FOUND).sum()),
        "not_described": int((states == NOT_DESCRIBED).sum()),
        "unjudged_purposes": int(((states == NOT_FOUND) & ~evidence.judged_by_kit).sum()),
        "languages_with_gaps": int(evidence.lang[states.isin([NOT_FOUND, NOT_DESCRIBED])].nunique()),
    }
    thresholds = (
        Threshold("not_described", ">", 0, "fail", "rule"),
        Threshold("not_found", ">", 0, "warn", "kit default"),
    )

    def listed(state: str) -> str:
        """ "prospection par SMS (français)": each purpose and notice language in the reader's words."""
        languages = i18n.locale(review.lang).languages
        return ", ".join(
            f"{i18n.word('purpose', row.purpose, review.lang)} ({languages.get(row.lang, row.lang)})"
            for row in evidence[states == state].itertuples()
        )

    return build_finding(
        review,
        "transparency.notice_coverage",
        judge(metric, thresholds),
        metric=metric,
        thresholds=thresholds,
        evidence=evidence,
        gaps=listed(NOT_FOUND),
        refused=listed(NOT_DESCRIBED),
    )


def notice_readability(review: Review, *, min_score: float = 60.0, max_sentence_words: float = 25.0) -> Finding:
    """Readability of each notice: Flesch reading ease (English) or Kandel-Moles (French), and mean sentence
    length in words. Both formulas are approximations, and the finding says so."""
    scores = [(Path(n.path).name, readability(n.text, n.lang)) for n in review.notices]
    evidence = pd.DataFrame(
        [
            {
                "file": name,
                "lang": r.lang,
                "formula": r.formula,
                "score": round(r.score, 1),
                "mean_sentence_words": round(r.mean_sentence_words, 1),
                "sentences": r.sentences,
                "words": r.words,
                "hard_to_read": r.score < min_score,
                "long_sentences": r.mean_sentence_words > max_sentence_words,
            }
            for name, r in scores
        ]
    )
    below = evidence.hard_to_read | evidence.long_sentences
    metric = {
        "notices": len(scores),
        "hard_to_read_notices": int(evidence.hard_to_read.sum()),
        "long_sentence_notices": int(evidence.long_sentences.sum()),
        "notices_below_standard": int(below.sum()),
        "lowest_score": min(r.score for _, r in scores),
        "longest_mean_sentence": max(r.mean_sentence_words for _, r in scores),
    }
    thresholds = (
        Threshold("lowest_score", "<", min_score, "warn", "kit default"),
        Threshold("longest_mean_sentence", ">", max_sentence_words, "warn", "kit default"),
    )
    flagged = ", ".join(evidence.file[below])
    return build_finding(
        review,
        "transparency.notice_readability",
        judge(metric, thresholds),
        metric=metric,
        thresholds=thresholds,
        evidence=evidence,
        notes=(i18n.text("transparency.notice_readability", "note", review.lang),),
        flagged=flagged,
        min_score=min_score,
        max_sentence_words=max_sentence_words,
    )


TRANSPARENCY_CHECKS = (
    Check(
        "transparency.ai_disclosure", "transparency", ai_disclosure, needs={"content": ("content_id", "ai_generated")}
    ),
    Check(
        "transparency.machine_marking",
        "transparency",
        machine_marking,
        needs={"content": ("content_id", "ai_generated", "content_type", "machine_marked")},
    ),
    # Chatbots come from the content inventory or the register: the check says which it lacks.
    Check("transparency.chatbot_disclosure", "transparency", chatbot_disclosure),
    Check(
        "transparency.human_review",
        "transparency",
        human_review,
        needs={"content": ("content_id", "ai_generated", "human_reviewed")},
    ),
    Check("transparency.register", "transparency", register_completeness, needs={"ai_systems": ()}),
    Check(
        "transparency.automated_decisions",
        "transparency",
        automated_decisions,
        needs={"ai_systems": ("decision_mode",)},
    ),
    Check("transparency.notice_coverage", "transparency", notice_coverage, needs={"notices": ()}),
    Check("transparency.notice_readability", "transparency", notice_readability, needs={"notices": ()}),
    Check("transparency.ai_literacy", "transparency", ai_literacy, needs={"ai_systems": ("staff_trained",)}),
)
