"""transparency.* checks on small named fixtures."""

from ethics_review.checks.transparency import ai_disclosure
from tests.conftest import make_review


def content(*rows, as_of="2026-11-15"):
    columns = ("content_id", "ai_generated", "content_type", "disclosed", "depicts_real_person", "public_interest",
               "human_reviewed", "published_at")
    table = {c: [r[i] for r in rows] for i, c in enumerate(columns)}
    table["channel"] = ["email"] * len(rows)
    return make_review(content=table, as_of=as_of)


def test_all_disclosed_passes():
    finding = ai_disclosure(content(("K1", True, "image", True, False, False, True, "2026-09-01"),
                                    ("K2", False, "text", False, False, False, True, "2026-09-01")))
    assert finding.status == "pass" and finding.metric["ai_items"] == 1  # human-made content is not counted


def test_undisclosed_ordinary_ai_image_warns_as_kit_default():
    finding = ai_disclosure(content(("K1", True, "image", False, False, False, True, "2026-09-01"),
                                    ("K2", True, "image", True, False, False, True, "2026-09-01")))
    assert finding.status == "warn" and finding.metric["disclosure_rate"] == 0.5
    assert [t.kind for t in finding.thresholds if t.level == "warn"] == ["kit default"]


def test_undisclosed_deepfake_after_2026_08_02_fails_as_a_rule():
    finding = ai_disclosure(content(("K1", True, "video", False, True, False, True, "2026-08-02 08:00:00")))
    assert finding.status == "fail" and finding.metric["undisclosed_deepfakes"] == 1
    assert "AI Act (Regulation (EU) 2024/1689) Art 50(4), deepfakes and public-interest text" in finding.references


def test_undisclosed_deepfake_before_the_rule_applies_only_warns():
    finding = ai_disclosure(content(("K1", True, "video", False, True, False, True, "2026-08-01 23:00:00")))
    assert finding.status == "warn" and finding.metric["undisclosed_deepfakes"] == 0


def test_review_dated_before_the_rule_applies_never_fails():
    finding = ai_disclosure(content(("K1", True, "video", False, True, False, True, "2026-06-01"), as_of="2026-07-01"))
    assert finding.status == "warn"


def test_public_interest_text_fails_unless_reviewed_by_a_person():
    unreviewed = ai_disclosure(content(("K1", True, "text", False, False, True, False, "2026-09-01")))
    reviewed = ai_disclosure(content(("K1", True, "text", False, False, True, True, "2026-09-01")))
    assert unreviewed.status == "fail" and unreviewed.metric["undisclosed_public_interest_text"] == 1
    assert reviewed.status == "warn"


def test_content_published_after_as_of_is_not_judged():
    finding = ai_disclosure(content(("K1", True, "video", False, True, False, True, "2026-12-01")))
    assert finding.status == "not_applicable"


def test_evidence_by_content_type_and_channel():
    finding = ai_disclosure(content(("K1", True, "image", False, False, False, True, "2026-09-01"),
                                    ("K2", True, "image", True, False, False, True, "2026-09-01"),
                                    ("K3", True, "text", True, False, False, True, "2026-09-01")))
    assert list(finding.evidence) == [
        {"content_type": "image", "channel": "email", "ai_items": 2, "disclosed": 1, "undisclosed": 1,
         "disclosure_rate": 0.5},
        {"content_type": "text", "channel": "email", "ai_items": 1, "disclosed": 1, "undisclosed": 0,
         "disclosure_rate": 1.0}]
