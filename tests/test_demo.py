"""The demo dataset: deterministic, faithful to the data contract, and its planted counts are what plain pandas
finds in the written files (recomputed here independently of the generator's own code)."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from pathlib import Path

import pandas as pd
import pytest

from ethics_review.config import load_config
from ethics_review.contract import (
    AGE_BANDS,
    CANONICAL_PURPOSES,
    CONSENT_STATUSES,
    PURPOSE_BY_CHANNEL,
    TABLES,
)
from ethics_review.demo import DemoDataset, generate

SIZE = 5_000
SEED = 7
AS_OF = dt.date(2026, 11, 15)
ROW_TABLES = ("contacts", "consents", "sends", "targeting", "requests", "content")
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoDataset:
    return generate(tmp_path_factory.mktemp("demo"), contacts=SIZE, seed=SEED)


@pytest.fixture(scope="module")
def bigger_demo(tmp_path_factory: pytest.TempPathFactory) -> DemoDataset:
    return generate(tmp_path_factory.mktemp("demo_bigger"), contacts=8_000, seed=SEED + 1)


def read(folder: Path, table: str) -> pd.DataFrame:
    """A table as text, exactly as written: only empty cells are missing."""
    return pd.read_csv(folder / f"{table}.csv", dtype=str, keep_default_na=False, na_values=[""])


def truth(column: pd.Series) -> pd.Series:
    return column.map({"true": True, "false": False}).astype(bool)


def all_files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --- Determinism ----------------------------------------------------------------------------------------------------


def test_the_same_seed_writes_the_same_bytes(demo: DemoDataset, tmp_path: Path) -> None:
    again = generate(tmp_path, contacts=SIZE, seed=SEED)
    first, second = all_files(demo.out_dir), all_files(again.out_dir)
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []


def test_another_seed_writes_other_data(demo: DemoDataset, tmp_path: Path) -> None:
    other = generate(tmp_path, contacts=SIZE, seed=SEED + 100)
    for table in ROW_TABLES[:4]:
        assert (demo.out_dir / f"{table}.csv").read_bytes() != (other.out_dir / f"{table}.csv").read_bytes(), table
    assert json.loads((other.out_dir / "planted.json").read_text(encoding="utf-8"))["seed"] == SEED + 100


# --- The review folder ----------------------------------------------------------------------------------------------


def test_the_folder_holds_every_input_of_a_review(demo: DemoDataset) -> None:
    expected = {f"{t}.csv" for t in ROW_TABLES} | {
        "ai_systems.yaml",
        "review.yaml",
        "planted.json",
        "notices/privacy.fr.md",
        "notices/privacy.en.md",
    }
    assert expected <= set(demo.files)
    assert set(all_files(demo.out_dir)) == set(demo.files)
    assert demo.file_format == "csv"
    assert demo.tables["contacts"] == SIZE
    for table in ROW_TABLES:
        assert len(read(demo.out_dir, table)) == demo.tables[table], table


def test_review_yaml_is_a_valid_config_that_needs_nothing_else(demo: DemoDataset) -> None:
    config = load_config(demo.out_dir / "review.yaml")
    assert "Maison Lumière" in config.name
    assert config.as_of == AS_OF
    assert config.lang == "fr"
    assert config.default_country == "FR"
    assert config.exemptions["email_marketing"].soft_opt_in and config.exemptions["email_marketing"].b2b
    assert config.bias.sensitive == ("gender", "age_band", "region")
    assert config.bias.intersections == (("gender", "age_band"),)
    assert config.bias.features == ("postcode", "segment")
    assert not config.sources and not config.columns and not config.values


def test_planted_json_has_the_agreed_shape(demo: DemoDataset) -> None:
    planted = json.loads((demo.out_dir / "planted.json").read_text(encoding="utf-8"))
    assert planted == demo.planted
    assert (planted["seed"], planted["as_of"], planted["contacts"]) == (SEED, "2026-11-15", SIZE)
    consent_checks = {
        "consent.coverage",
        "consent.after_withdrawal",
        "consent.proof",
        "consent.freshness",
        "consent.minors",
        "consent.erasure",
        "consent.retention",
        "consent.special_categories",
        "consent.minimisation",
        "consent.tcf",
    }
    assert consent_checks | {"bias.selection_parity", "transparency.ai_disclosure"} <= set(planted["checks"])
    assert all(entry["status"] in ("warn", "fail") for entry in planted["checks"].values())
    assert all(entry["counts"] for check, entry in planted["checks"].items() if check in consent_checks)


# --- The data contract ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("table", ROW_TABLES)
def test_every_table_follows_the_contract(demo: DemoDataset, table: str) -> None:
    frame = read(demo.out_dir, table)
    spec = TABLES[table]
    assert set(spec.required) <= set(frame.columns)
    for column in frame.columns:
        column_spec = spec.column(column)
        values = frame[column].dropna()
        if column_spec is None or values.empty:
            continue
        if column_spec.kind == "bool":
            assert set(values) <= {"true", "false"}, column
        elif column_spec.kind == "enum":
            assert set(values) <= set(column_spec.values), column
        elif column_spec.kind == "date":
            assert values.str.match(DATE).all(), column
            pd.to_datetime(values, format="%Y-%m-%d")
        elif column_spec.kind == "timestamp":
            assert values.str.match(TIMESTAMP).all(), column
            assert (pd.to_datetime(values, format="%Y-%m-%d %H:%M:%S") < pd.Timestamp(AS_OF)).all(), column
        elif column_spec.kind == "float":
            pd.to_numeric(values)
    for column in spec.unique:
        assert frame[column].is_unique, column
    for column in spec.required:
        assert frame[column].notna().all(), column


def test_the_tables_join_on_contact_id_and_content_id(demo: DemoDataset) -> None:
    contacts = set(read(demo.out_dir, "contacts")["contact_id"])
    for table in ("consents", "sends", "targeting"):
        assert set(read(demo.out_dir, table)["contact_id"]) <= contacts, table
    assert set(read(demo.out_dir, "sends")["content_id"]) <= set(read(demo.out_dir, "content")["content_id"])
    assert set(read(demo.out_dir, "consents")["purpose"]) <= set(CANONICAL_PURPOSES)
    assert set(read(demo.out_dir, "sends")["purpose"].dropna()) <= set(CANONICAL_PURPOSES)


def test_contacts_look_like_a_french_crm_export(demo: DemoDataset) -> None:
    contacts = read(demo.out_dir, "contacts")
    assert contacts["contact_id"].str.match(r"^C\d{7}$").all()
    assert contacts["email"].is_unique and contacts["email"].str.match(r"^[a-z0-9._-]+@[a-z0-9.-]+\.[a-z]+$").all()
    phones = contacts["phone"].dropna()
    assert phones.is_unique and phones.str.match(r"^\+\d{2} \d{1,2}( \d{2}){4}$").all()
    assert (contacts["country"] == "FR").mean() > 0.9 and contacts["country"].nunique() == 5
    assert contacts["postcode"].str.match(r"^\d{4,5}$").all()
    assert set(contacts["recipient_type"]) == {"individual", "professional", "generic"}
    assert (contacts["recipient_type"] == "individual").mean() > 0.9
    assert set(contacts["gender"].dropna()) == {"F", "M", "X"}
    assert set(contacts["segment"]) == {"fidèle", "occasionnel", "nouveau", "prospect"}
    generic = contacts[contacts["recipient_type"] == "generic"]
    assert generic["email"].str.match(r"^(contact|info|bonjour|commandes|accueil)[.@]").all()
    notes = contacts["notes"].dropna()
    assert 0 < len(notes) < 0.2 * len(contacts)
    # Identifiers hidden in free text are only the planted ones (consent.minimisation).
    expected = demo.planted["checks"]["consent.minimisation"]["counts"]
    assert notes.str.contains(r"@|\d{2} \d{2} \d{2}").sum() == expected["rows_with_email"] + expected["rows_with_phone"]


def test_the_calendar_has_several_campaigns_and_channels(demo: DemoDataset) -> None:
    sends = read(demo.out_dir, "sends")
    assert sends["campaign_id"].nunique() >= 8
    assert set(sends["channel"]) == {"email", "sms", "ads", "postal"}
    assert 3 <= len(sends) / SIZE <= 5
    assert 0 < sends["purpose"].notna().mean() < 0.5  # mostly empty: defaults from the channel
    consents = read(demo.out_dir, "consents")
    assert set(consents["status"]) == set(CONSENT_STATUSES)
    assert consents.duplicated(["contact_id", "purpose", "recorded_at"]).sum() == 0


# --- Planted: consent.coverage --------------------------------------------------------------------------------------


def sends_with_latest_event(folder: Path) -> pd.DataFrame:
    """Each send with the latest consent event at or before sent_at for its contact and purpose (the contract's
    rule, written independently with merge_asof): recorded_at, status, source, tc_string."""
    sends, consents = read(folder, "sends"), read(folder, "consents")
    sends["sent_at"] = pd.to_datetime(sends["sent_at"], format="%Y-%m-%d %H:%M:%S")
    consents["recorded_at"] = pd.to_datetime(consents["recorded_at"], format="%Y-%m-%d %H:%M:%S")
    sends["purpose"] = sends["purpose"].fillna(sends["channel"].map(PURPOSE_BY_CHANNEL))
    events = consents.sort_values("recorded_at")[
        ["contact_id", "purpose", "recorded_at", "status", "source", "tc_string"]
    ]
    return pd.merge_asof(
        sends.sort_values("sent_at"),
        events,
        left_on="sent_at",
        right_on="recorded_at",
        by=["contact_id", "purpose"],
        direction="backward",
        allow_exact_matches=True,
    )


def coverage_with_merge_asof(folder: Path) -> dict[str, int]:
    """Then consent, soft opt-in (customer, not withdrawn or refused), B2B (professional or generic address,
    same)."""
    merged, contacts = sends_with_latest_event(folder), read(folder, "contacts")
    person = contacts.set_index("contact_id")
    is_customer = truth(merged["contact_id"].map(person["is_customer"]))
    business = merged["contact_id"].map(person["recipient_type"]).isin(["professional", "generic"])
    consent = merged["status"] == "granted"
    not_opposed = ~merged["status"].isin(["withdrawn", "refused"])
    email = merged["purpose"] == "email_marketing"
    soft_opt_in = ~consent & email & is_customer & not_opposed
    b2b = ~consent & ~soft_opt_in & email & business & not_opposed
    return {
        "sends": len(merged),
        "uncovered_sends": int((~consent & ~soft_opt_in & ~b2b).sum()),
        "covered_by_consent": int(consent.sum()),
        "covered_by_soft_opt_in": int(soft_opt_in.sum()),
        "covered_by_b2b": int(b2b.sum()),
    }


@pytest.mark.parametrize("which", ["demo", "bigger_demo"])
def test_coverage_counts_are_exact(which: str, request: pytest.FixtureRequest) -> None:
    dataset: DemoDataset = request.getfixturevalue(which)
    entry = dataset.planted["checks"]["consent.coverage"]
    assert entry["counts"] == coverage_with_merge_asof(dataset.out_dir)
    assert entry["status"] == "fail"
    # Both exemptions are exercised, and the planted sends are where the story says.
    assert entry["counts"]["covered_by_soft_opt_in"] > 100 and entry["counts"]["covered_by_b2b"] > 10
    contacts = dataset.planted["contacts"]
    assert entry["uncovered_by_campaign"] == {
        "SOLDES-ETE-SMS": max(25, round(contacts * 0.01)),
        "NOEL26-EMAIL": max(3, round(contacts * 0.0005)),
    }


# --- Planted: the other consent checks, recounted from the files ------------------------------------------------------


def months_after(later: pd.Series, earlier: pd.Series, months: pd.Series | int) -> pd.Series:
    """`later` is after the same day `months` calendar months after `earlier` (pandas DateOffset semantics)."""
    months = pd.Series(months, index=later.index) if not isinstance(months, pd.Series) else months
    limit = pd.Series(
        [e + pd.DateOffset(months=int(m)) for e, m in zip(earlier.dt.normalize(), months, strict=True)],
        index=later.index,
    )
    return later.dt.normalize() > limit


def test_after_withdrawal_counts_are_exact(demo: DemoDataset) -> None:
    merged = sends_with_latest_event(demo.out_dir)
    blocked = merged[merged["status"].isin(["withdrawn", "refused"])]
    entry = demo.planted["checks"]["consent.after_withdrawal"]
    assert entry["counts"] == {
        "sends_after_withdrawal": len(blocked),
        "contacts_affected": blocked["contact_id"].nunique(),
    }
    assert set(blocked["campaign_id"]) == {"NOEL26-EMAIL"} and entry["status"] == "fail"


def test_proof_counts_are_exact(demo: DemoDataset) -> None:
    granted = read(demo.out_dir, "consents").query("status == 'granted'")
    entry = demo.planted["checks"]["consent.proof"]
    unproven = int(granted["source"].isna().sum())
    assert entry["counts"] == {
        "granted_consents": len(granted),
        "incomplete_consents": unproven,
        "missing_source": unproven,
    }
    assert 0 < entry["counts"]["incomplete_consents"] < 0.05 * len(granted) and entry["status"] == "warn"


def test_freshness_counts_are_exact(demo: DemoDataset) -> None:
    merged = sends_with_latest_event(demo.out_dir)
    used = merged[merged["status"] == "granted"]
    limit = used["purpose"].map({"personalised_ads": 6, "analytics": 6}).fillna(36).astype(int)
    stale = used[months_after(used["sent_at"], used["recorded_at"], limit)]
    entry = demo.planted["checks"]["consent.freshness"]
    assert entry["counts"] == {
        "stale_sends": len(stale),
        "stale_consents_used": len(stale.drop_duplicates(["contact_id", "purpose", "recorded_at"])),
    }
    assert set(stale["campaign_id"]) == {"NOEL26-ADS"} and entry["status"] == "warn"


def completed_years(birth: pd.Series, moment: pd.Series) -> pd.Series:
    before = (birth.dt.month > moment.dt.month) | ((birth.dt.month == moment.dt.month) & (birth.dt.day > moment.dt.day))
    return moment.dt.year - birth.dt.year - before.astype(int)


def test_minors_counts_are_exact(demo: DemoDataset) -> None:
    contacts = read(demo.out_dir, "contacts").set_index("contact_id")
    birth = pd.to_datetime(contacts["birth_date"])
    consent_age = contacts["country"].map({"FR": 15, "BE": 13, "ES": 14, "IT": 14}).fillna(16)
    granted = read(demo.out_dir, "consents").query("status == 'granted'")
    at = pd.to_datetime(granted["recorded_at"])
    child = completed_years(granted["contact_id"].map(birth), at) < granted["contact_id"].map(consent_age)
    # GDPR Art 8 covers consents given online; the shop's till is the demo's only offline collection point.
    at_the_shop = granted["source"] == "magasin/caisse"
    minors = granted.loc[child & ~at_the_shop, "contact_id"].unique()
    offline = sorted(set(granted.loc[child & at_the_shop, "contact_id"]) - set(minors))
    sends = sends_with_latest_event(demo.out_dir)
    ads = sends[sends["purpose"].isin(["personalised_ads", "profiling"])]
    to_minor = completed_years(ads["contact_id"].map(birth), ads["sent_at"]) < 18
    entry = demo.planted["checks"]["consent.minors"]
    assert entry["counts"] == {
        "minors_without_parental_consent": len(minors),
        "offline_minors_without_parental_consent": len(offline),
        "sends_to_minors": int(to_minor.sum()),
    }
    assert entry["by_country"] == contacts.loc[minors, "country"].value_counts().sort_index().to_dict()
    assert set(entry["by_country"]) == {"FR", "DE"} and entry["status"] == "fail"
    assert entry["offline_by_country"] == {"FR": 1}


def test_erasure_counts_are_exact(demo: DemoDataset) -> None:
    requests, contacts, sends = (read(demo.out_dir, t) for t in ("requests", "contacts", "sends"))
    done = requests[(requests["type"] == "erasure") & requests["completed_at"].notna()]
    completed = pd.to_datetime(done.groupby("contact_id")["completed_at"].min())
    in_contacts = set(completed.index) & set(contacts["contact_id"])
    sent = sends[sends["contact_id"].isin(completed.index)]
    after = sent[pd.to_datetime(sent["sent_at"]) > sent["contact_id"].map(completed)]
    received = pd.to_datetime(requests["received_at"]).dt.normalize()
    notified = pd.to_datetime(requests["extension_notified_at"]).dt.normalize()
    extended = notified.notna() & (notified <= received + pd.DateOffset(months=1))  # Art 12(3)
    deadline = received + pd.DateOffset(months=1)
    deadline[extended] = received[extended] + pd.DateOffset(months=3)
    overdue = requests["completed_at"].isna() & (deadline < pd.Timestamp(AS_OF))
    entry = demo.planted["checks"]["consent.erasure"]
    assert entry["counts"] == {
        "erased_still_present": len(in_contacts | set(after["contact_id"])),
        "erased_still_in_contacts": len(in_contacts),
        "sends_after_erasure": len(after),
        "overdue_requests": int(overdue.sum()),
        "extended_requests": int(extended.sum()),
    }
    assert (entry["counts"]["erased_still_present"], entry["counts"]["overdue_requests"]) == (1, 1)
    # The forgotten access request is overdue; the extended rectification request, pending as long, is not.
    assert list(requests.loc[overdue, "type"]) == ["access"]
    on_time = requests[extended & requests["completed_at"].isna()]
    assert list(on_time["type"]) == ["rectification"] and received[on_time.index[0]] + pd.DateOffset(
        months=1
    ) < pd.Timestamp(AS_OF)


def test_retention_counts_are_exact(demo: DemoDataset) -> None:
    contacts, sends = read(demo.out_dir, "contacts"), read(demo.out_dir, "sends")
    prospects = contacts[~truth(contacts["is_customer"])].set_index("contact_id")
    last = pd.to_datetime(prospects["last_activity_at"])
    dormant = last[last + pd.DateOffset(months=36) < pd.Timestamp(AS_OF)]
    theirs = sends[sends["contact_id"].isin(dormant.index)]
    late = theirs[
        pd.to_datetime(theirs["sent_at"]).dt.normalize() > theirs["contact_id"].map(dormant) + pd.DateOffset(months=36)
    ]
    per_person = late["contact_id"].value_counts()
    entry = demo.planted["checks"]["consent.retention"]
    assert entry["counts"] == {
        "dormant_prospects": len(dormant),
        "dormant_prospects_contacted": late["contact_id"].nunique(),
        "dormant_prospects_repermission": int((per_person == 1).sum()),
        "dormant_prospects_contacted_repeatedly": int((per_person > 1).sum()),
        "sends_to_dormant_prospects": len(late),
    }
    # Both sides of the CNIL's one re-permission message are planted, and some dormant prospects got nothing.
    assert entry["counts"]["dormant_prospects_repermission"] >= 2
    assert entry["counts"]["dormant_prospects_contacted_repeatedly"] >= 3 and entry["status"] == "fail"
    assert 0 < entry["counts"]["dormant_prospects_contacted"] < entry["counts"]["dormant_prospects"]


def test_special_categories_and_minimisation_counts_are_exact(demo: DemoDataset) -> None:
    contacts = read(demo.out_dir, "contacts")
    religion = contacts["religion"].dropna()
    entry = demo.planted["checks"]["consent.special_categories"]
    assert entry["counts"] == {"special_category_columns": 1, "used_for_targeting": 0}
    assert entry["rows"] == len(religion)
    assert religion.str.match(r"^(catholique|musulmane?|juive|protestante|bouddhiste|sans religion)$").all()
    notes = contacts["notes"].dropna()
    entry = demo.planted["checks"]["consent.minimisation"]
    assert entry["counts"] == {
        "fields_with_personal_data": 1,
        "rows_with_email": int(notes.str.contains(r"[\w.]+@[\w.-]+\.[a-z]+").sum()),
        "rows_with_phone": int(notes.str.contains(r"\b0\d(?: \d{2}){4}\b").sum()),
    }


def test_tcf_counts_are_exact(demo: DemoDataset) -> None:
    from ethics_review.tcf import decode

    merged = sends_with_latest_event(demo.out_dir)
    ads = merged[merged["purpose"] == "personalised_ads"]
    grants = {s: {1, 3, 4} <= decode(s).purpose_consents for s in ads["tc_string"].dropna().unique()}
    missing = ~ads["tc_string"].map(grants).fillna(False).astype(bool)
    entry = demo.planted["checks"]["consent.tcf"]
    assert entry["counts"] == {
        "ads_sends": len(ads),
        "sends_without_tcf_consent": int(missing.sum()),
        "sends_missing_purposes": int(missing.sum()),
    }
    assert set(ads.loc[missing, "source"]) == {"cmp-appli"} and entry["status"] == "fail"
    consents = read(demo.out_dir, "consents")
    from_banner = consents["source"].isin(["cmp-site", "cmp-appli"])
    assert consents.loc[from_banner, "tc_string"].notna().all() and consents.loc[~from_banner, "tc_string"].isna().all()


# --- Planted: bias.selection_parity ---------------------------------------------------------------------------------


def targeting_with_groups(folder: Path) -> pd.DataFrame:
    targeting, contacts = read(folder, "targeting"), read(folder, "contacts")
    birth = pd.to_datetime(contacts["birth_date"], format="%Y-%m-%d")
    had_birthday = (birth.dt.month < AS_OF.month) | ((birth.dt.month == AS_OF.month) & (birth.dt.day <= AS_OF.day))
    age = AS_OF.year - birth.dt.year - (~had_birthday).astype(int)
    bounds = [low for _, low in AGE_BANDS] + [200]
    contacts["age_band"] = pd.cut(age, bounds, right=False, labels=[label for label, _ in AGE_BANDS])
    frame = targeting.merge(contacts[["contact_id", "gender", "age_band", "region"]], on="contact_id")
    frame["selected"] = truth(frame["selected"])
    return frame


def rates(frame: pd.DataFrame, attribute: str, *, min_size: int = 100) -> pd.DataFrame:
    table = frame.groupby(attribute, observed=True)["selected"].agg(["size", "sum", "mean"])
    return table[table["size"] >= min_size]


def two_proportion_p(a: pd.Series, b: pd.Series) -> float:
    pooled = (a["sum"] + b["sum"]) / (a["size"] + b["size"])
    z = (a["mean"] - b["mean"]) / math.sqrt(pooled * (1 - pooled) * (1 / a["size"] + 1 / b["size"]))
    return math.erfc(abs(z) / math.sqrt(2))


def test_age_disparity_is_planted_in_one_campaign_only(demo: DemoDataset) -> None:
    entry = demo.planted["checks"]["bias.selection_parity"]
    frame = targeting_with_groups(demo.out_dir)
    for campaign, decisions in frame.groupby("campaign_id"):
        by_age = rates(decisions, "age_band")
        ratio = by_age["mean"] / by_age["mean"].max()
        if campaign == entry["campaign"]:
            assert ratio["65+"] < 0.6 and by_age.loc["65+", "size"] >= 300
            assert two_proportion_p(by_age.loc["65+"], by_age.loc[ratio.idxmax()]) < 1e-6
            assert ratio.drop("65+").min() > 0.9  # 55-64 and every other band stay fair
            assert entry["impact_ratio"] == pytest.approx(ratio["65+"], abs=1e-4)
        else:
            assert ratio.min() > 0.9, campaign
    assert entry["counts"]["failed_comparisons"] == 1 and entry["counts"]["warned_comparisons"] == 0
    assert (entry["attribute"], entry["group"], entry["status"]) == ("age_band", "65+", "fail")


def test_gender_and_region_are_fair_in_every_campaign(demo: DemoDataset) -> None:
    frame = targeting_with_groups(demo.out_dir)
    for campaign, decisions in frame.groupby("campaign_id"):
        by_gender = rates(decisions, "gender")
        assert set(by_gender.index) == {"F", "M"}
        assert by_gender["mean"].min() / by_gender["mean"].max() > 0.97, campaign
        by_region = rates(decisions, "region")
        assert by_region["mean"].min() / by_region["mean"].max() > 0.85, campaign
    assert demo.planted["checks"]["bias.selection_parity"]["fair"] == ["gender", "region"]


def test_gender_x_is_a_group_too_small_to_flag(demo: DemoDataset) -> None:
    frame = targeting_with_groups(demo.out_dir)
    in_group = frame[frame["gender"] == "X"]
    assert 0 < in_group.groupby("campaign_id").size().max() < 100
    entry = demo.planted["checks"]["bias.selection_parity"]["insufficient_data"]
    assert entry == {
        "attribute": "gender",
        "group": "X",
        "largest_campaign_group": int(in_group.groupby("campaign_id").size().max()),
        "insufficient_data": True,
    }


# --- Planted: transparency.ai_disclosure ----------------------------------------------------------------------------


def test_disclosure_counts_are_exact(demo: DemoDataset) -> None:
    content = read(demo.out_dir, "content")
    for column in ("ai_generated", "disclosed", "human_reviewed", "deepfake", "public_interest", "machine_marked"):
        content[column] = truth(content[column])
    ai = content[content["ai_generated"]]
    undisclosed = ai[~ai["disclosed"]]
    # AI Act Art 50 binds what is in use on or after 2 August 2026, whatever its publication date.
    withdrawn = pd.to_datetime(undisclosed["withdrawn_at"])
    in_use = withdrawn.isna() | (withdrawn >= pd.Timestamp("2026-08-02"))
    deepfakes = undisclosed["deepfake"] & undisclosed["content_type"].isin(["image", "video", "audio"])
    public_text = (
        undisclosed["public_interest"] & (undisclosed["content_type"] == "text") & ~undisclosed["human_reviewed"]
    )
    entry = demo.planted["checks"]["transparency.ai_disclosure"]
    assert entry["counts"] == {
        "ai_items": len(ai),
        "disclosed_items": int(ai["disclosed"].sum()),
        "undisclosed_items": len(undisclosed),
        "undisclosed_deepfakes": int((deepfakes & in_use).sum()),
        "undisclosed_public_interest_text": int((public_text & in_use).sum()),
    }
    # Three images and three deepfakes without a label; the deepfake withdrawn in July 2026 is not a failure, the
    # one published in June and still in use is.
    assert (entry["counts"]["undisclosed_items"], entry["counts"]["undisclosed_deepfakes"]) == (6, 2)
    fakes = undisclosed[deepfakes].set_index("content_id")
    assert pd.to_datetime(fakes.loc["FETE-DES-MERES-EMAIL-VID-1", "withdrawn_at"]) < pd.Timestamp("2026-08-02")
    assert pd.to_datetime(fakes.loc["SOLDES-ETE-EMAIL-VID-1", "published_at"]) < pd.Timestamp("2026-08-02")
    assert pd.isna(fakes.loc["SOLDES-ETE-EMAIL-VID-1", "withdrawn_at"])
    assert sorted(undisclosed["content_id"]) == entry["undisclosed"]


def test_the_undisclosed_chatbot_was_launched_before_the_rule_and_is_still_in_service(demo: DemoDataset) -> None:
    content = read(demo.out_dir, "content")
    bot = content.set_index("content_id").loc["ASSISTANT-WHATSAPP"]
    assert pd.to_datetime(bot["published_at"]) < pd.Timestamp("2026-08-02") and pd.isna(bot["withdrawn_at"])
    entry = demo.planted["checks"]["transparency.chatbot_disclosure"]
    assert entry["status"] == "fail" and entry["counts"]["undisclosed_since_rule"] == 1


def test_automated_decisions_plant_a_missing_exception_and_an_undecided_effect(demo: DemoDataset) -> None:
    import yaml

    systems = {s["id"]: s for s in yaml.safe_load((demo.out_dir / "ai_systems.yaml").read_text(encoding="utf-8"))}
    assert systems["dynamic-pricing"]["significant_effect"] is True
    assert systems["dynamic-pricing"].get("art22_exception") is None
    assert systems["product-recommendations"]["decision_mode"] == "fully_automated"
    assert systems["product-recommendations"].get("significant_effect") is None
    entry = demo.planted["checks"]["transparency.automated_decisions"]
    assert entry["status"] == "fail"
    assert entry["counts"] == {
        "fully_automated_systems": 2,
        "automated_systems": 1,
        "undecided_systems": 1,
        "without_exception": 1,
        "without_safeguards": 0,
        "without_explanation": 1,
        "failing_systems": 1,
    }


# --- Everything else is clean ---------------------------------------------------------------------------------------


def test_nothing_else_is_wrong(demo: DemoDataset) -> None:
    """Invariants that keep the other checks quiet: a failure here means a planted problem leaked."""
    folder = demo.out_dir
    contacts, consents, requests = read(folder, "contacts"), read(folder, "consents"), read(folder, "requests")
    as_of = pd.Timestamp(AS_OF)
    planted = demo.planted["checks"]
    birth = pd.to_datetime(contacts["birth_date"])
    # Everyone is 19 or older at as_of (an adult at every send of 2026) but the planted minors.
    young = birth.dropna() > as_of - pd.DateOffset(years=19)
    minors = planted["consent.minors"]["counts"]
    assert young.sum() == minors["minors_without_parental_consent"] + minors["offline_minors_without_parental_consent"]
    prospects = contacts[~truth(contacts["is_customer"])]
    idle = pd.to_datetime(prospects["last_activity_at"]) <= as_of - pd.DateOffset(months=36)
    assert idle.sum() == planted["consent.retention"]["counts"]["dormant_prospects"]
    granted = consents[consents["status"] == "granted"]
    unproven = granted[["recorded_at", "source", "policy_version", "method"]].isna().any(axis=1)
    assert unproven.sum() == planted["consent.proof"]["counts"]["incomplete_consents"]
    assert (pd.to_datetime(granted["recorded_at"]) > as_of - pd.DateOffset(months=36)).all()
    ads = granted[granted["purpose"] == "personalised_ads"]
    old_ads = pd.to_datetime(ads["recorded_at"]) <= as_of - pd.DateOffset(months=6)
    assert old_ads.sum() == planted["consent.freshness"]["counts"]["stale_consents_used"]
    joined = pd.to_datetime(contacts["created_at"])
    since = pd.to_datetime(contacts["customer_since"])
    assert (since.isna() | (since >= joined)).all()
    assert (pd.to_datetime(contacts["last_activity_at"]) >= joined).all()
    created = joined.set_axis(contacts["contact_id"])
    sends = read(folder, "sends")
    for events, column in ((sends, "sent_at"), (consents, "recorded_at")):  # nobody is reached before joining
        assert (pd.to_datetime(events[column]).dt.normalize() >= events["contact_id"].map(created)).all(), column
    erased = set(requests.loc[requests["type"] == "erasure", "contact_id"])
    assert requests.loc[requests["type"] == "erasure", "completed_at"].notna().all()
    for table in ("contacts", "consents", "sends", "targeting"):  # but the one failed erasure
        assert len(erased & set(read(folder, table)["contact_id"])) <= 1, table
    pending = requests[requests["completed_at"].isna()]
    late = pd.to_datetime(pending["received_at"]) <= as_of - pd.DateOffset(months=1)
    extended = pending["extension_notified_at"].notna()  # within three months of receipt (Art 12(3))
    counts = planted["consent.erasure"]["counts"]
    assert len(pending) >= 2 and (late & ~extended).sum() == counts["overdue_requests"] == 1
    assert (late & extended).sum() == counts["extended_requests"] == 1
    content = read(folder, "content")
    ai = content[truth(content["ai_generated"])]
    media = ai[ai["content_type"].isin(["text", "image", "video", "audio"])]
    # The transparency area's planted items only (their counts are in planted.json).
    unmarked = set(media.loc[~truth(media["machine_marked"]), "content_id"])
    assert unmarked == set(planted["transparency.machine_marking"]["unmarked"])
    unreviewed = set(ai.loc[~truth(ai["human_reviewed"]), "content_id"])
    assert unreviewed <= set(planted["transparency.human_review"]["unreviewed"])
    late_review = pd.to_datetime(ai["reviewed_at"]) > pd.to_datetime(ai["published_at"])
    assert late_review.sum() == planted["transparency.human_review"]["counts"]["reviewed_after_publication"]
    chatbots = ai[ai["content_type"] == "chatbot"]
    assert (~truth(chatbots["disclosed"])).sum() <= planted["transparency.chatbot_disclosure"]["counts"][
        "undisclosed_chatbots"
    ]


def test_the_register_and_notices_are_complete(demo: DemoDataset) -> None:
    import yaml

    systems = yaml.safe_load((demo.out_dir / "ai_systems.yaml").read_text(encoding="utf-8"))
    assert {s["use_case"] for s in systems} == {
        "scoring",
        "content_generation",
        "chatbot",
        "pricing",
        "segmentation",
        "recommendation",
    }
    critical = ("purpose", "owner", "decision_mode", "legal_basis", "explanation", "human_oversight")
    planted = demo.planted["checks"]
    # Gaps, stale audits and untrained staff are the transparency area's planted ones only.
    gaps = [s["id"] for s in systems if not all(str(s.get(field) or "").strip() for field in critical)]
    assert len(gaps) <= planted["transparency.register"]["counts"]["systems_with_critical_gaps"]
    stale = [s["id"] for s in systems if not AS_OF - dt.timedelta(days=365) < s["last_bias_audit"] <= AS_OF]
    assert len(stale) == planted["transparency.register"]["counts"]["stale_audits"]
    untrained = [s["id"] for s in systems if not AS_OF - dt.timedelta(days=365) < s["staff_trained"] <= AS_OF]
    assert len(untrained) == planted["transparency.ai_literacy"]["counts"]["untrained_systems"]
    french = (demo.out_dir / "notices" / "privacy.fr.md").read_text(encoding="utf-8").lower()
    english = (demo.out_dir / "notices" / "privacy.en.md").read_text(encoding="utf-8").lower()
    # The French notice's planted gap (transparency.notice_coverage: "sms (fr)") is the only missing word.
    missing = [
        word
        for word in ("e-mail", "sms", "courrier", "publicité personnalisée", "profilage", "décision automatisée")
        if word not in french
    ]
    assert [f"{w} (fr)" for w in missing] == planted["transparency.notice_coverage"]["missing"]
    for word in ("email", "sms", "post", "personalised ads", "profiling", "automated decision"):
        assert word in english, word


# --- Size and format ------------------------------------------------------------------------------------------------


def test_the_size_follows_contacts(demo: DemoDataset, bigger_demo: DemoDataset) -> None:
    assert bigger_demo.tables["contacts"] == 8_000 and bigger_demo.planted["contacts"] == 8_000
    for table in ("consents", "sends", "targeting"):
        growth = bigger_demo.tables[table] / demo.tables[table]
        assert 1.4 < growth < 1.8, table
    assert bigger_demo.tables["content"] == demo.tables["content"]  # the creative inventory does not scale


def test_parquet_holds_the_same_data(demo: DemoDataset, tmp_path: Path) -> None:
    parquet = generate(tmp_path, contacts=SIZE, seed=SEED, file_format="parquet")
    assert parquet.file_format == "parquet" and parquet.planted == demo.planted
    again = generate(tmp_path / "again", contacts=SIZE, seed=SEED, file_format="parquet")
    assert all(
        (tmp_path / f"{t}.parquet").read_bytes() == (again.out_dir / f"{t}.parquet").read_bytes() for t in ROW_TABLES
    )
    assert not list(tmp_path.glob("*.csv"))
    for table in ROW_TABLES:
        from_parquet = pd.read_parquet(tmp_path / f"{table}.parquet")
        assert len(from_parquet) == demo.tables[table], table
    sends = pd.read_parquet(tmp_path / "sends.parquet")
    written = read(demo.out_dir, "sends")
    assert sends["send_id"].astype(str).tolist() == written["send_id"].tolist()
    assert (sends["sent_at"].dt.strftime("%Y-%m-%d %H:%M:%S") == written["sent_at"]).all()
    # Writing CSV afterwards into the same folder leaves one version of each table.
    generate(tmp_path, contacts=SIZE, seed=SEED, file_format="csv")
    assert not list(tmp_path.glob("*.parquet"))


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"contacts": 10}, "contacts must be an integer of at least 1,000"),
        ({"lang": "de"}, "lang 'de' is not supported"),
        ({"file_format": "xlsx"}, "file_format 'xlsx' is not supported"),
        ({"as_of": dt.date(2026, 6, 1)}, "falls before the demo's last campaign"),
    ],
)
def test_bad_arguments_are_explained(tmp_path: Path, arguments: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        generate(tmp_path, **{"contacts": 1_000, **arguments})


def test_english_review(tmp_path: Path) -> None:
    dataset = generate(tmp_path, contacts=1_000, lang="en")
    config = load_config(tmp_path / "review.yaml")
    assert (config.lang, config.name) == ("en", "Demo — Maison Lumière (retail)")
    assert dataset.tables["contacts"] == 1_000
