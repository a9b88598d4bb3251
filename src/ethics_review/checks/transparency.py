"""Transparency and human oversight checks (area `transparency`)."""

from __future__ import annotations

import ibis
import pandas as pd

from ..findings import Finding, Threshold, judge
from ..legal import applies_from
from ..review import Review
from .common import Check, build_finding

SYNTHETIC_MEDIA = ("image", "video", "audio")


def _flag(content: ibis.Table, column: str) -> ibis.Value:
    """A boolean column of the content table, False when the table does not have it."""
    return content[column].fill_null(False) if column in content.columns else ibis.literal(False)


def published_ai_content(review: Review, *, campaign: str | None = None) -> ibis.Table:
    """AI-generated items published by `as_of` (an item with no publication date counts as published)."""
    content = review.table("content")
    content = content.filter(content.ai_generated.fill_null(False))
    if "published_at" in content.columns:
        content = content.filter(content.published_at.isnull() | (content.published_at.date() <= review.as_of))
    if campaign is not None and "campaign_id" in content.columns:
        content = content.filter(content.campaign_id == campaign)
    return content


def ai_disclosure(review: Review, *, campaign: str | None = None) -> Finding:
    """Share of AI-generated content shown with a human-visible disclosure; deepfakes and unreviewed
    public-interest text without one breach AI Act Art 50(4) from the date it applies."""
    content = published_ai_content(review, campaign=campaign)
    disclosed = _flag(content, "disclosed")
    kind = content.content_type.fill_null("unknown") if "content_type" in content.columns else ibis.literal("unknown")
    channel = content.channel.fill_null("unknown") if "channel" in content.columns else ibis.literal("unknown")
    deepfake = _flag(content, "depicts_real_person") & kind.isin(SYNTHETIC_MEDIA)
    public_text = _flag(content, "public_interest") & (kind == "text") & ~_flag(content, "human_reviewed")
    rule_start = applies_from("ai_act_transparency")
    # Art 50 binds what is published once it applies; before, the same gap is a warning to prepare.
    in_force = (content.published_at.isnull() | (content.published_at.date() >= rule_start)
                if "published_at" in content.columns else ibis.literal(True))
    if review.as_of < rule_start:
        in_force = ibis.literal(False)
    counts = (content.mutate(content_type=kind, channel=channel, disclosed=disclosed,
                             deepfake=~disclosed & deepfake & in_force,
                             public_text=~disclosed & public_text & in_force)
              .group_by(["content_type", "channel"])
              .agg(ai_items=ibis._.count(), disclosed=ibis._.disclosed.cast("int64").sum(),
                   deepfakes=ibis._.deepfake.cast("int64").sum(), public_text=ibis._.public_text.cast("int64").sum())
              .order_by(["content_type", "channel"]).to_pandas())
    total = int(counts.ai_items.sum())
    shown = int(counts.disclosed.sum())
    metric = {"ai_items": total, "disclosed_items": shown, "undisclosed_items": total - shown,
              "disclosure_rate": shown / total if total else None,
              "undisclosed_deepfakes": int(counts.deepfakes.sum()),
              "undisclosed_public_interest_text": int(counts.public_text.sum())}
    thresholds = (Threshold("undisclosed_deepfakes", ">", 0, "fail", "rule"),
                  Threshold("undisclosed_public_interest_text", ">", 0, "fail", "rule"),
                  Threshold("undisclosed_items", ">", 0, "warn", "kit default"))
    status = judge(metric, thresholds) if total else "not_applicable"
    # Content items are not people: the evidence counts items, so no k-anonymity suppression is needed.
    evidence = pd.DataFrame({"content_type": counts.content_type, "channel": counts.channel,
                             "ai_items": counts.ai_items, "disclosed": counts.disclosed,
                             "undisclosed": counts.ai_items - counts.disclosed,
                             "disclosure_rate": counts.disclosed / counts.ai_items})
    return build_finding(review, "transparency.ai_disclosure", status, metric=metric, thresholds=thresholds,
                         evidence=evidence, rule_start=rule_start.isoformat())


TRANSPARENCY_CHECKS = (
    Check("transparency.ai_disclosure", "transparency", ai_disclosure,
          needs={"content": ("content_id", "ai_generated")}),
)
