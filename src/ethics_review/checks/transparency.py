"""Transparency and human oversight checks (area `transparency`).

Three kinds of input: the content inventory (counted in the engine, by content type and channel), the register
of AI systems (a handful of rows about systems, not people, read in pandas, see register.py) and the notices'
text (see text.py). Rules of the AI Act are judged at the review's `as_of` from the dates in legal_dates.yaml.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import ibis
import pandas as pd

from .. import i18n, register
from ..engine import fetch
from ..findings import Finding, Threshold, judge
from ..legal import applies_from
from ..review import Review
from ..text import purpose_coverage, readability
from .common import Check, build_finding, not_applicable, share
from .consent import with_send_purpose

SYNTHETIC_MEDIA = ("image", "video", "audio")
CRITICAL_FIELDS = ("purpose", "owner", "decision_mode", "legal_basis", "explanation", "human_oversight")
AUTOMATED_DECISION = "automated_decision"  # the "purpose" a notice must describe when a system decides alone


def _flag(content: ibis.Table, column: str) -> ibis.Value:
    """A boolean column of the content table, False when the table does not have it."""
    return content[column].fill_null(False) if column in content.columns else ibis.literal(False)


def _text_or_unknown(content: ibis.Table, column: str) -> ibis.Value:
    return content[column].fill_null("unknown") if column in content.columns else ibis.literal("unknown")


def published_ai_content(review: Review, *, campaign: str | None = None, channel: str | None = None,
                         ai_only: bool = True) -> ibis.Table:
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


def published_since(review: Review, content: ibis.Table, rule_id: str) -> ibis.Value:
    """Items published on or after the date a rule applies (undated items too); none when the review is dated
    before it. Art 50 binds what is published once it applies; before, the same gap is a warning to prepare."""
    rule_start = applies_from(rule_id)
    if review.as_of < rule_start:
        return ibis.literal(False)
    if "published_at" not in content.columns:
        return ibis.literal(True)
    return content.published_at.isnull() | (content.published_at.date() >= rule_start)


def counts_by_type_and_channel(content: ibis.Table, **flags: ibis.Value) -> pd.DataFrame:
    """Items and the number of items with each flag, per content type and channel (computed in the engine)."""
    keys = ["content_type", "channel"]
    return fetch(content.mutate(content_type=_text_or_unknown(content, "content_type"),
                               channel=_text_or_unknown(content, "channel"),
                               **{name: flag.cast("int64") for name, flag in flags.items()})
                .group_by(keys).agg(items=ibis._.count(), **{name: ibis._[name].sum() for name in flags})
                .order_by(keys))


def _total(counts: pd.DataFrame, column: str) -> int:
    return int(counts[column].sum()) if len(counts) else 0


def _rate_evidence(counts: pd.DataFrame, *, items: str, done: str, not_done: str, rate: str) -> pd.DataFrame:
    # Content items are not people: evidence counts items, so no k-anonymity suppression is needed.
    return pd.DataFrame({"content_type": counts.content_type, "channel": counts.channel, items: counts["items"],
                         done: counts[done], not_done: counts["items"] - counts[done],
                         rate: counts[done] / counts["items"]})


def ai_disclosure(review: Review, *, campaign: str | None = None, channel: str | None = None) -> Finding:
    """Share of AI-generated content shown with a human-visible disclosure; deepfakes and unreviewed
    public-interest text without one breach AI Act Art 50(4) from the date it applies."""
    content = published_ai_content(review, campaign=campaign, channel=channel)
    disclosed = _flag(content, "disclosed")
    kind = _text_or_unknown(content, "content_type")
    deepfake = _flag(content, "depicts_real_person") & kind.isin(SYNTHETIC_MEDIA)
    public_text = _flag(content, "public_interest") & (kind == "text") & ~_flag(content, "human_reviewed")
    in_force = published_since(review, content, "ai_act_transparency")
    counts = counts_by_type_and_channel(content, disclosed=disclosed, deepfakes=~disclosed & deepfake & in_force,
                                        public_text=~disclosed & public_text & in_force)
    total, shown = _total(counts, "items"), _total(counts, "disclosed")
    metric = {"ai_items": total, "disclosed_items": shown, "undisclosed_items": total - shown,
              "disclosure_rate": share(shown, total),
              "undisclosed_deepfakes": _total(counts, "deepfakes"),
              "undisclosed_public_interest_text": _total(counts, "public_text")}
    thresholds = (Threshold("undisclosed_deepfakes", ">", 0, "fail", "rule"),
                  Threshold("undisclosed_public_interest_text", ">", 0, "fail", "rule"),
                  Threshold("undisclosed_items", ">", 0, "warn", "kit default"))
    status = judge(metric, thresholds) if total else "not_applicable"
    evidence = _rate_evidence(counts, items="ai_items", done="disclosed", not_done="undisclosed",
                              rate="disclosure_rate")
    return build_finding(review, "transparency.ai_disclosure", status, metric=metric, thresholds=thresholds,
                         evidence=evidence, rule_start=applies_from("ai_act_transparency").isoformat())


def machine_marking(review: Review, *, campaign: str | None = None, channel: str | None = None) -> Finding:
    """Share of AI-generated images, videos and audio carrying a machine-readable marking (C2PA, IPTC, watermark).
    Marking is the provider's duty (AI Act Art 50(2)); the deployer checks that what it publishes has it."""
    content = published_ai_content(review, campaign=campaign, channel=channel)
    content = content.filter(content.content_type.isin(SYNTHETIC_MEDIA))
    marked = _flag(content, "machine_marked")
    counts = counts_by_type_and_channel(
        content, marked=marked, unmarked_since_rule=~marked & published_since(review, content, "ai_act_transparency"))
    total, marked_items = _total(counts, "items"), _total(counts, "marked")
    metric = {"media_items": total, "marked_items": marked_items, "unmarked_items": total - marked_items,
              "marking_rate": share(marked_items, total), "unmarked_since_rule": _total(counts, "unmarked_since_rule")}
    thresholds = (Threshold("unmarked_since_rule", ">", 0, "warn", "rule"),
                  Threshold("unmarked_items", ">", 0, "warn", "kit default"))
    status = judge(metric, thresholds) if total else "not_applicable"
    evidence = _rate_evidence(counts, items="media_items", done="marked", not_done="unmarked", rate="marking_rate")
    return build_finding(review, "transparency.machine_marking", status, metric=metric, thresholds=thresholds,
                         evidence=evidence, rule_start=applies_from("ai_act_transparency").isoformat())


def chatbot_disclosure(review: Review, *, campaign: str | None = None, channel: str | None = None) -> Finding:
    """Chatbots that tell people they are talking to an AI at the first interaction (AI Act Art 50(1)).

    Chatbots come from the content inventory (content_type chatbot, with `disclosed`) and from the register
    (use_case chatbot). A register chatbot can only be verified through the inventory: when the inventory records
    no chatbot at all, the register's chatbots are reported as unverified."""
    has_content = review.has("content", "content_type")
    if has_content:
        content = published_ai_content(review, campaign=campaign, channel=channel, ai_only=False)
        content = content.filter(content.content_type == "chatbot")
        disclosed = _flag(content, "disclosed")
        counts = counts_by_type_and_channel(
            content, disclosed=disclosed,
            undisclosed_since_rule=~disclosed & published_since(review, content, "ai_act_transparency"))
    else:
        counts = pd.DataFrame(columns=["content_type", "channel", "items", "disclosed", "undisclosed_since_rule"])
    systems = review.ai_systems
    register_bots = (systems[systems.use_case.fillna("") == "chatbot"]
                     if systems is not None and "use_case" in systems.columns else pd.DataFrame(columns=["id"]))
    total, shown = _total(counts, "items"), _total(counts, "disclosed")
    metric = {"chatbots": total, "disclosed_chatbots": shown, "undisclosed_chatbots": total - shown,
              "undisclosed_since_rule": _total(counts, "undisclosed_since_rule"),
              "register_chatbots": len(register_bots),
              "unverified_register_chatbots": len(register_bots) if total == 0 else 0}
    thresholds = (Threshold("undisclosed_since_rule", ">", 0, "fail", "rule"),
                  Threshold("undisclosed_chatbots", ">", 0, "warn", "kit default"),
                  Threshold("unverified_register_chatbots", ">", 0, "warn", "kit default"))
    status = judge(metric, thresholds) if total or len(register_bots) else "not_applicable"
    evidence = [*({"source": "content", "channel": row.channel, "system": None, "chatbots": int(row["items"]),
                   "disclosed": int(row.disclosed), "undisclosed": int(row["items"] - row.disclosed)}
                  for _, row in counts.iterrows()),
                *({"source": "register", "channel": None, "system": str(system_id), "chatbots": 1,
                   "disclosed": None, "undisclosed": None} for system_id in register_bots["id"])]
    return build_finding(review, "transparency.chatbot_disclosure", status, metric=metric, thresholds=thresholds,
                         evidence=evidence, rule_start=applies_from("ai_act_transparency").isoformat())


def human_review(review: Review, *, campaign: str | None = None, channel: str | None = None,
                 warn_below: float = 0.95, fail_below: float = 0.80) -> Finding:
    """Share of AI-generated content a person reviewed before publication (reviewed_at <= published_at when both
    dates are known)."""
    content = published_ai_content(review, campaign=campaign, channel=channel)
    reviewed = _flag(content, "human_reviewed")
    late = ibis.literal(False)
    if {"reviewed_at", "published_at"} <= set(content.columns):
        late = reviewed & content.reviewed_at.notnull() & content.published_at.notnull() & (
            content.reviewed_at > content.published_at)
    counts = counts_by_type_and_channel(content, reviewed=reviewed & ~late, late=late)
    total, done = _total(counts, "items"), _total(counts, "reviewed")
    metric = {"ai_items": total, "reviewed_items": done, "unreviewed_items": total - done,
              "reviewed_after_publication": _total(counts, "late"), "review_rate": share(done, total)}
    thresholds = (Threshold("review_rate", "<", fail_below, "fail", "kit default"),
                  Threshold("review_rate", "<", warn_below, "warn", "kit default"))
    status = judge(metric, thresholds) if total else "not_applicable"
    evidence = _rate_evidence(counts, items="ai_items", done="reviewed", not_done="unreviewed", rate="review_rate")
    return build_finding(review, "transparency.human_review", status, metric=metric, thresholds=thresholds,
                         evidence=evidence, warn_below=warn_below, fail_below=fail_below)


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
    fields = [f for f in register.FIELDS if f not in register.REQUIRED_FIELDS]
    filled = pd.DataFrame({f: register.filled(systems, f) for f in fields})
    critical_missing = ~filled[list(CRITICAL_FIELDS)]
    stale = _older_than(systems.last_bias_audit, _months_before(review.as_of, max_audit_age_months))
    cells = filled.size
    metric = {"systems": len(systems), "critical_gaps": int(critical_missing.to_numpy().sum()),
              "systems_with_critical_gaps": int(critical_missing.any(axis=1).sum()),
              "completeness": float(filled.to_numpy().sum()) / cells, "stale_audits": int(stale.sum())}
    thresholds = (Threshold("critical_gaps", ">", 0, "fail", "kit default"),
                  Threshold("completeness", "<", warn_below, "warn", "kit default"),
                  Threshold("stale_audits", ">", 0, "warn", "kit default"))
    # One row per system, one cell per field: the register is about systems, not people.
    evidence = pd.DataFrame({"system": systems["id"].astype(str), "completeness": filled.mean(axis=1),
                             "missing_critical": [", ".join(f for f in CRITICAL_FIELDS if not row[f])
                                                  for _, row in filled.iterrows()],
                             **{f: filled[f].map({True: "filled", False: "empty"}) for f in fields},
                             "audit_stale": stale})
    gaps = "; ".join(f"{row.system}: {row.missing_critical}" for row in evidence.itertuples() if row.missing_critical)
    return build_finding(review, "transparency.register", judge(metric, thresholds), metric=metric,
                         thresholds=thresholds, evidence=evidence, gaps=gaps, max_audit_age_months=max_audit_age_months)


def automated_systems(systems: pd.DataFrame) -> pd.Series:
    """Fully automated systems with a legal or similarly significant effect (GDPR Art 22). A pricing system whose
    effect is not stated is counted: personalised prices are the marketing case Art 22 was written for."""
    automated = systems.decision_mode.fillna("") == "fully_automated"
    pricing = systems.use_case.fillna("") == "pricing"
    significant = systems.significant_effect.astype(object).where(systems.significant_effect.notna(), pricing)
    return (automated & significant.astype(bool)).astype(bool)


def automated_decisions(review: Review) -> Finding:
    """Fully automated systems with a significant effect that lack a plain explanation of their logic or a
    route to a person (GDPR Art 22(3), 13(2)(f), 15(1)(h))."""
    systems = review.ai_systems
    if systems is None or systems.empty:
        return build_finding(review, "transparency.automated_decisions", "not_applicable", metric={"systems": 0})
    scope = systems[automated_systems(systems)]
    explained = register.filled(scope, "explanation")
    human_route = register.filled(scope, "escalation_path")
    failing = ~explained | ~human_route
    metric = {"systems": len(systems), "automated_systems": len(scope), "without_explanation": int((~explained).sum()),
              "without_human_route": int((~human_route).sum()), "failing_systems": int(failing.sum())}
    thresholds = (Threshold("failing_systems", ">", 0, "fail", "rule"),)
    evidence = pd.DataFrame({"system": scope["id"].astype(str), "use_case": scope.use_case.fillna("").astype(str),
                             "explanation": explained, "human_route": human_route})
    failing_ids = ", ".join(scope.loc[failing, "id"].astype(str))
    return build_finding(review, "transparency.automated_decisions", judge(metric, thresholds), metric=metric,
                         thresholds=thresholds, evidence=evidence, failing_ids=failing_ids)


def ai_literacy(review: Review, *, max_age_months: int = 12) -> Finding:
    """Share of AI systems whose staff had AI-literacy training within `max_age_months` of `as_of` (AI Act Art 4,
    applying since 2025-02-02; a review dated before it has nothing to judge)."""
    systems = review.ai_systems
    rule_start = applies_from("ai_act_literacy")
    if systems is None or systems.empty or review.as_of < rule_start:
        return build_finding(review, "transparency.ai_literacy", "not_applicable", metric={"systems": 0},
                             rule_start=rule_start.isoformat())
    cutoff = _months_before(review.as_of, max_age_months)
    trained = systems.staff_trained.map(lambda d: isinstance(d, dt.date) and d >= cutoff).astype(bool)
    metric = {"systems": len(systems), "trained_systems": int(trained.sum()),
              "untrained_systems": int((~trained).sum()), "literacy_rate": float(trained.mean())}
    thresholds = (Threshold("literacy_rate", "<", 1.0, "warn", "kit default"),)
    evidence = pd.DataFrame({"system": systems["id"].astype(str), "staff_trained": systems.staff_trained.map(_iso),
                             "trained_within_limit": trained})
    untrained_ids = ", ".join(systems.loc[~trained, "id"].astype(str))
    return build_finding(review, "transparency.ai_literacy", judge(metric, thresholds), metric=metric,
                         thresholds=thresholds, evidence=evidence, rule_start=rule_start.isoformat(),
                         max_age_months=max_age_months, untrained_ids=untrained_ids)


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


def notice_coverage(review: Review, *, campaign: str | None = None, channel: str | None = None) -> Finding:
    """Whether the notices of each language describe every purpose in use (keyword lexicon per language), and
    automated decision-making when there is any (GDPR Art 13(1)(c), 13(2)(f))."""
    purposes = purposes_in_use(review, campaign=campaign, channel=channel)
    if not purposes:
        return not_applicable(review, "transparency.notice_coverage", [("consents", None), ("sends", None)])
    rows = []
    for lang in sorted({n.lang for n in review.notices}):
        notices = [n for n in review.notices if n.lang == lang]
        found = purpose_coverage("\n".join(n.text for n in notices), lang, purposes)
        files = ", ".join(Path(n.path).name for n in notices)
        rows += [{"lang": lang, "purpose": purpose, "files": files,
                  "described": None if words is None else bool(words), "keywords_found": ", ".join(words or [])}
                 for purpose, words in found.items()]
    evidence = pd.DataFrame(rows)
    missing = evidence[evidence.described.eq(False)]
    metric = {"languages": int(evidence.lang.nunique()), "purposes_used": len(purposes),
              "missing_descriptions": len(missing), "languages_with_gaps": int(missing.lang.nunique()),
              "unjudged_purposes": int(evidence.described.isna().sum())}
    thresholds = (Threshold("missing_descriptions", ">", 0, "fail", "rule"),)
    gaps = ", ".join(f"{row.purpose} ({row.lang})" for row in missing.itertuples())
    return build_finding(review, "transparency.notice_coverage", judge(metric, thresholds), metric=metric,
                         thresholds=thresholds, evidence=evidence, gaps=gaps)


def notice_readability(review: Review, *, min_score: float = 60.0, max_sentence_words: float = 25.0) -> Finding:
    """Readability of each notice: Flesch reading ease (English) or Kandel-Moles (French), and mean sentence
    length in words. Both formulas are approximations, and the finding says so."""
    scores = [(Path(n.path).name, readability(n.text, n.lang)) for n in review.notices]
    evidence = pd.DataFrame([{"file": name, "lang": r.lang, "formula": r.formula, "score": round(r.score, 1),
                              "mean_sentence_words": round(r.mean_sentence_words, 1), "sentences": r.sentences,
                              "words": r.words, "hard_to_read": r.score < min_score,
                              "long_sentences": r.mean_sentence_words > max_sentence_words} for name, r in scores])
    below = evidence.hard_to_read | evidence.long_sentences
    metric = {"notices": len(scores), "hard_to_read_notices": int(evidence.hard_to_read.sum()),
              "long_sentence_notices": int(evidence.long_sentences.sum()), "notices_below_standard": int(below.sum()),
              "lowest_score": min(r.score for _, r in scores),
              "longest_mean_sentence": max(r.mean_sentence_words for _, r in scores)}
    thresholds = (Threshold("lowest_score", "<", min_score, "warn", "kit default"),
                  Threshold("longest_mean_sentence", ">", max_sentence_words, "warn", "kit default"))
    flagged = ", ".join(evidence.file[below])
    return build_finding(review, "transparency.notice_readability", judge(metric, thresholds), metric=metric,
                         thresholds=thresholds, evidence=evidence,
                         notes=(i18n.text("transparency.notice_readability", "note", review.lang),),
                         flagged=flagged, min_score=min_score, max_sentence_words=max_sentence_words)


TRANSPARENCY_CHECKS = (
    Check("transparency.ai_disclosure", "transparency", ai_disclosure,
          needs={"content": ("content_id", "ai_generated")}),
    Check("transparency.machine_marking", "transparency", machine_marking,
          needs={"content": ("content_id", "ai_generated", "content_type", "machine_marked")}),
    # Chatbots come from the content inventory or the register: the check says which it lacks.
    Check("transparency.chatbot_disclosure", "transparency", chatbot_disclosure),
    Check("transparency.human_review", "transparency", human_review,
          needs={"content": ("content_id", "ai_generated", "human_reviewed")}),
    Check("transparency.register", "transparency", register_completeness, needs={"ai_systems": ()}),
    Check("transparency.automated_decisions", "transparency", automated_decisions,
          needs={"ai_systems": ("decision_mode",)}),
    Check("transparency.notice_coverage", "transparency", notice_coverage, needs={"notices": ()}),
    Check("transparency.notice_readability", "transparency", notice_readability, needs={"notices": ()}),
    Check("transparency.ai_literacy", "transparency", ai_literacy, needs={"ai_systems": ("staff_trained",)}),
)
