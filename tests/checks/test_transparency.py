"""transparency.* checks on small named fixtures."""

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ethics_review.checks import CHECKS
from ethics_review.checks.transparency import ai_disclosure, chatbot_disclosure, human_review, machine_marking
from ethics_review.runner import run_check
from tests.conftest import make_review


def content_review(columns, rows, *, as_of, **constant_columns):
    """A review whose content table holds `rows` (tuples in the order of `columns`), plus one column per keyword
    argument holding that value on every row."""
    table = {c: [r[i] for r in rows] for i, c in enumerate(columns)}
    table.update({name: [value] * len(rows) for name, value in constant_columns.items()})
    return make_review(content=table, as_of=as_of)


def content(*rows, as_of="2026-11-15", deepfake_column="deepfake"):
    """(content_id, ai_generated, content_type, disclosed, deepfake, public_interest, human_reviewed, published_at
    [, withdrawn_at])"""
    columns = (
        "content_id",
        "ai_generated",
        "content_type",
        "disclosed",
        deepfake_column,
        "public_interest",
        "human_reviewed",
        "published_at",
        "withdrawn_at",
    )
    rows = [r if len(r) == len(columns) else (*r, None) for r in rows]
    return content_review(columns, rows, as_of=as_of, channel="email")


def test_all_disclosed_passes():
    finding = ai_disclosure(
        content(
            ("K1", True, "image", True, False, False, True, "2026-09-01"),
            ("K2", False, "text", False, False, False, True, "2026-09-01"),
        )
    )
    assert finding.status == "pass" and finding.metric["ai_items"] == 1  # human-made content is not counted
    assert finding.summary == "All 1 AI-generated item was published with a visible disclosure."


def test_undisclosed_ordinary_ai_image_warns_as_kit_default():
    finding = ai_disclosure(
        content(
            ("K1", True, "image", False, False, False, True, "2026-09-01"),
            ("K2", True, "image", True, False, False, True, "2026-09-01"),
        )
    )
    assert finding.status == "warn" and finding.metric["disclosure_rate"] == 0.5
    assert [t.kind for t in finding.thresholds if t.level == "warn"] == ["kit default"]


def test_undisclosed_deepfake_after_2026_08_02_fails_as_a_rule_of_the_deployer():
    finding = ai_disclosure(content(("K1", True, "video", False, True, False, True, "2026-08-02 08:00:00")))
    assert finding.status == "fail" and finding.metric["undisclosed_deepfakes"] == 1
    assert (
        "AI Act Art 50(4), deployers' duty to disclose deepfakes and AI-generated public-interest text"
        in finding.references
    )
    assert "AI Act (Regulation (EU) 2024/1689) Art 3(60), definition of a deepfake" in finding.references
    assert "1 deepfake and 0 unreviewed public-interest texts in use on or after August 2, 2026" in finding.summary
    assert "a deployer's duty under AI Act Art 50(4)" in finding.summary


def test_a_deepfake_published_in_july_2026_and_still_in_use_fails():
    """v1 judged the publication date: a deepfake published before 2 August 2026 only warned. Art 50 binds what
    is in use from that date, whatever its creation date."""
    finding = ai_disclosure(content(("K1", True, "video", False, True, False, True, "2026-07-01 08:00:00")))
    assert finding.status == "fail" and finding.metric["undisclosed_deepfakes"] == 1


def test_a_deepfake_withdrawn_the_day_before_the_rule_applies_only_warns():
    finding = ai_disclosure(
        content(("K1", True, "video", False, True, False, True, "2026-07-01", "2026-08-01 23:00:00"))
    )
    assert finding.status == "warn" and finding.metric["undisclosed_deepfakes"] == 0


def test_a_deepfake_withdrawn_on_the_day_the_rule_applies_fails():
    finding = ai_disclosure(
        content(("K1", True, "video", False, True, False, True, "2026-07-01", "2026-08-02 10:00:00"))
    )
    assert finding.status == "fail" and finding.metric["undisclosed_deepfakes"] == 1


def test_depicts_real_person_is_read_as_the_deepfake_column():
    finding = ai_disclosure(
        content(("K1", True, "image", False, True, False, True, "2026-09-01"), deepfake_column="depicts_real_person")
    )
    assert finding.status == "fail" and finding.metric["undisclosed_deepfakes"] == 1


def test_a_text_flagged_deepfake_is_not_one_under_article_3_60():
    finding = ai_disclosure(content(("K1", True, "text", False, True, False, True, "2026-09-01")))
    assert finding.status == "warn" and finding.metric["undisclosed_deepfakes"] == 0


def test_review_dated_before_the_rule_applies_never_fails():
    finding = ai_disclosure(content(("K1", True, "video", False, True, False, True, "2026-06-01"), as_of="2026-07-01"))
    assert finding.status == "warn"


def test_a_review_override_of_the_art50_date_moves_the_rule():
    review = make_review(
        content=content(("K1", True, "video", False, True, False, True, "2026-06-01"), as_of="2026-07-01")
        .tables["content"]
        .to_pandas(),
        as_of="2026-07-01",
        config={"legal_dates": {"ai_act_art50": {"date": "2026-06-15", "note": "scenario test"}}},
    )
    finding = ai_disclosure(review)
    assert finding.status == "fail" and "in use on or after June 15, 2026" in finding.summary


def test_public_interest_text_fails_unless_reviewed_by_a_person():
    unreviewed = ai_disclosure(content(("K1", True, "text", False, False, True, False, "2026-09-01")))
    reviewed = ai_disclosure(content(("K1", True, "text", False, False, True, True, "2026-09-01")))
    assert unreviewed.status == "fail" and unreviewed.metric["undisclosed_public_interest_text"] == 1
    assert reviewed.status == "warn"


def test_content_published_after_as_of_is_not_judged():
    finding = ai_disclosure(content(("K1", True, "video", False, True, False, True, "2026-12-01")))
    assert finding.status == "not_applicable"


def test_evidence_by_content_type_and_channel():
    finding = ai_disclosure(
        content(
            ("K1", True, "image", False, False, False, True, "2026-09-01"),
            ("K2", True, "image", True, False, False, True, "2026-09-01"),
            ("K3", True, "text", True, False, False, True, "2026-09-01"),
        )
    )
    assert list(finding.evidence) == [
        {
            "content_type": "image",
            "channel": "email",
            "ai_items": 2,
            "disclosed": 1,
            "undisclosed": 1,
            "disclosure_rate": 0.5,
        },
        {
            "content_type": "text",
            "channel": "email",
            "ai_items": 1,
            "disclosed": 1,
            "undisclosed": 0,
            "disclosure_rate": 1.0,
        },
    ]


def test_french_wording_uses_plurals_and_dates():
    review = content(
        ("K1", True, "video", False, True, False, True, "2026-09-01"),
        ("K2", True, "video", False, True, False, True, "2026-09-01"),
    )
    finding = ai_disclosure(review.with_options(lang="fr"))
    assert finding.summary.startswith(
        "2 hypertrucages et 0 texte d'intérêt public non relu, en usage le 2 août "
        "2026 ou après, ne portent aucune mention, obligation du déployeur"
    )
    assert "(s)" not in finding.summary and "manquement" in finding.recommendation


def test_channel_option_keeps_one_channel():
    review = make_review(
        content={
            "content_id": ["K1", "K2"],
            "ai_generated": [True, True],
            "content_type": ["image", "image"],
            "channel": ["email", "ads"],
            "disclosed": [True, False],
        }
    )
    assert ai_disclosure(review).status == "warn"
    email_only = ai_disclosure(review, channel="email")
    assert email_only.status == "pass" and email_only.metric["ai_items"] == 1


# --- transparency.machine_marking -------------------------------------------------------------------------------


def media(*rows, as_of="2026-11-15"):
    """(content_id, ai_generated, content_type, machine_marked, published_at)"""
    columns = ("content_id", "ai_generated", "content_type", "machine_marked", "published_at")
    return content_review(columns, rows, as_of=as_of, channel="ads", campaign_id="C1")


def test_all_ai_content_marked_passes_and_human_content_is_not_counted():
    finding = machine_marking(
        media(
            ("K1", True, "image", True, "2026-09-01"),
            ("K2", True, "text", True, "2026-09-01"),
            ("K3", False, "video", False, "2026-09-01"),
        )
    )
    assert finding.status == "pass" and finding.metric["media_items"] == 2
    assert finding.summary == ("All 2 AI-generated texts, images, videos and sounds carry a machine-readable marking.")


def test_an_unmarked_ai_text_warns():
    """v1 left text out of machine_marking; Art 50(2) names synthetic text too."""
    finding = machine_marking(media(("K1", True, "text", False, "2026-09-01")))
    assert finding.status == "warn" and finding.metric["unmarked_text"] == 1


def test_unmarked_ai_content_is_a_kit_default_warning_never_a_rule():
    finding = machine_marking(
        media(
            ("K1", True, "video", False, "2026-08-02 09:00:00"),
            ("K2", True, "image", True, "2026-09-01"),
            ("K3", True, "image", False, "2026-05-01"),
        )
    )
    assert finding.status == "warn"
    assert finding.metric["unmarked_items"] == 2 and finding.metric["unmarked_since_rule"] == 2
    assert finding.metric["marking_rate"] == 1 / 3
    assert {t.kind for t in finding.thresholds} == {"kit default"}
    assert "2 of 3 AI-generated items (33.3% marked) carry no machine-readable marking" in finding.summary
    assert "Marking is the provider's duty (Art 50(2))" in finding.summary
    assert {(r["content_type"], r["unmarked"]) for r in finding.evidence} == {("image", 1), ("video", 1)}
    assert (finding.metric["unmarked_image"], finding.metric["unmarked_video"]) == (1, 1)


def test_unmarked_before_the_rule_still_warns_to_prepare():
    finding = machine_marking(media(("K1", True, "audio", False, "2026-05-01"), as_of="2026-06-01"))
    assert finding.status == "warn" and finding.metric["unmarked_since_rule"] == 0


def test_no_ai_content_to_mark_is_not_applicable():
    finding = machine_marking(media(("K1", True, "chatbot", False, "2026-09-01")))
    assert finding.status == "not_applicable" and "no AI-generated text, image" in finding.summary


def test_machine_marking_needs_the_column():
    review = make_review(content={"content_id": ["K1"], "ai_generated": [True], "content_type": ["image"]})
    finding = run_check(review, CHECKS["transparency.machine_marking"])
    assert finding.status == "not_applicable" and finding.metric["missing"] == ["content.machine_marked"]


# --- transparency.chatbot_disclosure -------------------------------------------------------------------------------


def bots(*rows, as_of="2026-11-15", register=None):
    """(content_id, content_type, disclosed, published_at[, withdrawn_at])"""
    table = {
        "content_id": [r[0] for r in rows],
        "ai_generated": [True] * len(rows),
        "content_type": [r[1] for r in rows],
        "disclosed": [r[2] for r in rows],
        "published_at": [r[3] for r in rows],
        "withdrawn_at": [r[4] if len(r) > 4 else None for r in rows],
    }
    tables = {"content": table} if rows else {}
    if register is not None:
        tables["ai_systems"] = pd.DataFrame(register)
    return make_review(as_of=as_of, **tables)


def test_chatbot_that_says_it_is_an_ai_passes():
    finding = chatbot_disclosure(bots(("BOT", "chatbot", True, "2026-09-01"), ("K1", "image", False, "2026-09-01")))
    assert finding.status == "pass" and finding.metric["chatbots"] == 1


def test_undisclosed_chatbot_in_service_since_the_rule_fails():
    finding = chatbot_disclosure(bots(("BOT", "chatbot", False, "2026-08-03"), ("BOT2", "chatbot", True, "2026-09-01")))
    assert finding.status == "fail"
    assert finding.metric["undisclosed_since_rule"] == 1 and finding.metric["undisclosed_chatbots"] == 1
    assert finding.summary.startswith("1 chatbot in service on or after August 2, 2026 does not tell people")
    assert "a provider's duty under AI Act Art 50(1)" in finding.summary
    assert any(
        r.startswith("AI Act (Regulation (EU) 2024/1689) Art 50(1), providers' duty") for r in finding.references
    )


def test_a_chatbot_launched_in_2025_and_still_in_service_fails():
    """v1 judged the launch date: a chatbot launched before 2 August 2026 only warned, for ever."""
    finding = chatbot_disclosure(bots(("BOT", "chatbot", False, "2025-10-01")))
    assert finding.status == "fail" and finding.metric["undisclosed_since_rule"] == 1


def test_a_chatbot_retired_before_the_rule_applies_only_warns():
    finding = chatbot_disclosure(bots(("BOT", "chatbot", False, "2025-10-01", "2026-07-31")))
    assert finding.status == "warn" and finding.metric["undisclosed_since_rule"] == 0


def test_undisclosed_chatbot_before_the_rule_warns():
    finding = chatbot_disclosure(bots(("BOT", "chatbot", False, "2026-03-01"), as_of="2026-07-01"))
    assert finding.status == "warn" and finding.metric["undisclosed_since_rule"] == 0


def test_register_chatbot_in_service_the_inventory_does_not_record_warns():
    register = {
        "id": ["lumi", "scoring"],
        "name": ["Lumi", "Score"],
        "use_case": ["chatbot", "scoring"],
        "in_service_from": ["2025-10-01", None],
    }
    finding = chatbot_disclosure(bots(register=register))
    assert finding.status == "warn" and finding.metric["unverified_register_chatbots"] == 1
    assert list(finding.evidence) == [
        {
            "source": "register",
            "channel": None,
            "system": "lumi",
            "chatbots": 1,
            "disclosed": None,
            "undisclosed": None,
            "in_service_since_rule": True,
            "obvious_ai": None,
        }
    ]


def test_a_register_chatbot_retired_before_the_rule_is_not_unverified():
    register = {
        "id": ["lumi"],
        "name": ["Lumi"],
        "use_case": ["chatbot"],
        "in_service_from": ["2025-10-01"],
        "retired_on": ["2026-08-01"],
    }
    finding = chatbot_disclosure(bots(register=register))
    assert finding.status == "pass" and finding.metric["register_chatbots_in_service"] == 0


def test_obvious_from_the_context_counts_only_with_a_reason():
    reasoned = {
        "id": ["avatar"],
        "name": ["Avatar"],
        "use_case": ["chatbot"],
        "obvious_ai": [True],
        "obvious_ai_reason": ["a cartoon robot that introduces itself as Robo the robot"],
    }
    bare = {
        "id": ["avatar"],
        "name": ["Avatar"],
        "use_case": ["chatbot"],
        "obvious_ai": [True],
        "obvious_ai_reason": ["TBD"],
    }
    claimed = chatbot_disclosure(bots(register=reasoned))
    assert claimed.status == "pass" and claimed.metric["obvious_ai_claims"] == 1
    unclaimed = chatbot_disclosure(bots(register=bare))
    assert unclaimed.status == "warn"
    assert unclaimed.metric["obvious_ai_claims_without_reason"] == 1
    assert unclaimed.metric["unverified_register_chatbots"] == 1
    assert "1 'obvious from the context' claim has no reason and does not count" in unclaimed.summary


def test_no_chatbot_anywhere_is_not_applicable():
    finding = chatbot_disclosure(bots(("K1", "image", True, "2026-09-01")))
    assert finding.status == "not_applicable" and "Neither the content inventory" in finding.summary


# --- transparency.human_review -------------------------------------------------------------------------------------


def reviewed(*rows, as_of="2026-11-15"):
    """(content_id, ai_generated, human_reviewed, reviewed_at, published_at)"""
    columns = ("content_id", "ai_generated", "human_reviewed", "reviewed_at", "published_at")
    return content_review(columns, rows, as_of=as_of, content_type="text", channel="sms")


def _many(n_reviewed, n_unreviewed, n_late=0):
    rows = [(f"R{i}", True, True, "2026-09-01", "2026-09-02") for i in range(n_reviewed)]
    rows += [(f"U{i}", True, False, None, "2026-09-02") for i in range(n_unreviewed)]
    rows += [(f"L{i}", True, True, "2026-09-03", "2026-09-02") for i in range(n_late)]
    return reviewed(*rows)


def test_every_ai_item_reviewed_before_publication_passes():
    finding = human_review(_many(3, 0))
    assert finding.status == "pass" and finding.metric["review_rate"] == 1.0


def test_review_after_publication_does_not_count():
    finding = human_review(_many(17, 1, 1))
    assert finding.status == "warn"
    assert finding.metric["unreviewed_items"] == 2 and finding.metric["reviewed_after_publication"] == 1
    assert finding.metric["review_rate"] == 17 / 19
    assert "1 of them reviewed only afterwards" in finding.summary and "at least 95.0%" in finding.summary


def test_exactly_95_percent_reviewed_passes():
    assert human_review(_many(19, 1)).status == "pass"


def test_under_80_percent_reviewed_fails():
    finding = human_review(_many(3, 1))
    assert finding.status == "fail" and finding.metric["review_rate"] == 0.75
    assert "below the kit's floor of 80.0%" in finding.summary
    assert [t.kind for t in finding.thresholds] == ["kit default", "kit default"]
    assert list(finding.evidence) == [
        {"content_type": "text", "channel": "sms", "ai_items": 4, "reviewed": 3, "unreviewed": 1, "review_rate": 0.75}
    ]


def test_thresholds_are_options():
    assert human_review(_many(3, 1), fail_below=0.7, warn_below=0.8).status == "warn"


def test_no_ai_content_is_not_applicable():
    finding = human_review(reviewed(("K1", False, False, None, "2026-09-01")))
    assert finding.status == "not_applicable"


# --- invariants ------------------------------------------------------------------------------------------------------


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.booleans(), st.booleans(), st.sampled_from(["text", "image", "video"])), min_size=1, max_size=12
    ),
    st.randoms(),
)
def test_rates_stay_in_bounds_and_row_order_changes_nothing(items, shuffler):
    rows = [
        {
            "content_id": f"K{i}",
            "ai_generated": True,
            "content_type": kind,
            "channel": "email",
            "disclosed": disclosed,
            "human_reviewed": reviewed,
            "machine_marked": disclosed,
            "published_at": "2026-09-01",
        }
        for i, (disclosed, reviewed, kind) in enumerate(items)
    ]
    shuffled = rows[:]
    shuffler.shuffle(shuffled)
    for check in (ai_disclosure, human_review, machine_marking):
        first, second = (check(make_review(content=pd.DataFrame(r))) for r in (rows, shuffled))
        assert (first.status, first.metric, first.evidence) == (second.status, second.metric, second.evidence)
        rates = [v for k, v in first.metric.items() if k.endswith("_rate") and v is not None]
        assert all(0 <= rate <= 1 for rate in rates)
