"""`ethics-review batch`: several reviews with one broken, a review split by campaign, the summary and its schema.

The two end-to-end runs are real (processes, papermill, nbconvert) on tiny reviews; the rest are fast tests on
hand-made rows."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from ethics_review import batch, cli, prepared
from ethics_review.errors import DataError, ReviewInputError
from ethics_review.findings import STATUSES
from ethics_review.review import open_review

CONSENTS = "contact_id,purpose,status,recorded_at\n"
SENDS = "contact_id,campaign_id,channel,sent_at\n"


def a_review(folder: Path, *, sends: dict[str, int], consented: int = 0, bad_date: bool = False) -> Path:
    """`sends` campaign -> number of sends (one contact each); the first `consented` contacts consented."""
    folder.mkdir(parents=True)
    rows, number = [], 0
    for campaign, n in sends.items():
        for _ in range(n):
            number += 1
            rows.append(f"C{number},{campaign},email,{'not-a-date' if bad_date else '2026-03-01'}")
    contacts = [f"C{i},email_marketing,granted,2026-01-10" for i in range(1, consented + 1)]
    (folder / "sends.csv").write_text(SENDS + "\n".join(rows) + "\n", encoding="utf-8")
    (folder / "consents.csv").write_text(
        CONSENTS + "\n".join(contacts or ["C1,email_marketing,granted,2026-01-10"]) + "\n", encoding="utf-8"
    )
    return folder


def schema_errors(record: dict) -> list[str]:
    validator = jsonschema.Draft202012Validator(batch.summary_schema())
    return [error.message for error in validator.iter_errors(record)]


# --- fast: planning, error rows, the summary and its page -------------------------------------------------------


def test_the_shipped_summary_schema_is_a_valid_draft_2020_12_schema():
    jsonschema.Draft202012Validator.check_schema(batch.summary_schema())


def test_a_split_takes_exactly_one_review(tmp_path):
    with pytest.raises(ReviewInputError, match="splits one review, and 2 were given"):
        batch.plan([tmp_path / "a", tmp_path / "b"], by="campaign")


def test_a_review_is_split_into_one_part_per_campaign(tmp_path):
    review = a_review(tmp_path / "shop", sends={"SPRING": 3, "AUTUMN/2": 2})
    items = batch.plan([review], by="campaign")
    assert [(i.campaign, i.slug) for i in items] == [("AUTUMN/2", "campaign-AUTUMN-2"), ("SPRING", "campaign-SPRING")]
    assert {i.path for i in items} == {review}


def test_report_folders_are_safe_names_and_never_collide():
    assert batch.unique_slugs(["shop", "shop", "../etc", "a b<c>"]) == ["shop", "shop-2", "etc", "a-b-c"]


def test_an_input_error_row_names_the_place_but_not_the_value():
    error = DataError(
        "cannot read this value as a timestamp",
        file="/r/sends.csv",
        column="sent_at",
        row=2,
        row_label="line",
        value="jane.doe@example.com",
    )
    text = batch.error_text(error)
    assert "/r/sends.csv" in text and "sent_at" in text and "line 2" in text
    assert "jane.doe" not in text


def a_row(name: str, status: str, **changes) -> batch.BatchRow:
    counts = dict.fromkeys(STATUSES, 0)
    if status != "error":
        counts[status] = 1
    done = {
        "state": "done",
        "report": f"{name}/index.html",
        "lang": "fr",
        "counts": counts,
        "top_finding": {
            "check_id": "consent.coverage",
            "title": "Envois <sans> base",
            "status": status,
            "verdict": status,
            "href": f"{name}/consent.html#check-consent-coverage",
        },
    }
    failed = {"state": "error", "error": "input error in file x.csv <script>"}
    return batch.BatchRow(
        name=name,
        path=f"/r/{name}",
        slug=name,
        status=status,
        **({**(failed if status == "error" else done), **changes}),
    )


def test_summary_counts_reviews_by_worst_status_and_matches_its_schema():
    rows = (a_row("a", "fail"), a_row("b", "warn"), a_row("c", "error"))
    record = batch.summary_record(rows, by=None, lang="fr")
    assert schema_errors(record) == []
    assert record["worst"] == "error"
    assert record["totals"] == {"pass": 0, "warn": 1, "fail": 1, "not_applicable": 0, "error": 1}


def test_the_schema_refuses_an_error_row_that_claims_a_report():
    record = batch.summary_record((a_row("c", "error", report="c/index.html"),), by=None, lang="en")
    assert schema_errors(record)


def test_the_index_escapes_names_titles_and_errors_and_speaks_french(tmp_path):
    rows = (a_row("a<b>", "fail"), a_row("c", "error"))
    page = batch.write_index(tmp_path, batch.summary_record(rows, by=None, lang="fr")).read_text(encoding="utf-8")
    assert "<b>" not in page and "a&lt;b&gt;" in page
    assert "<script>" not in page and "&lt;sans&gt;" in page
    assert '<html lang="fr"' in page and "Revues du lot" in page and "2 revues" in page
    assert "Cette revue n'a pas pu être exécutée" in page or "Cette revue n&#39;a pas pu être exécutée" in page
    assert 'href="a&lt;b&gt;/index.html"' in page
    assert "<script" not in page


def test_a_review_restricted_to_one_country_keeps_that_countrys_contacts_and_their_records(tmp_path):
    folder = tmp_path / "r"
    folder.mkdir()
    (folder / "contacts.csv").write_text("contact_id,country\nC1,FR\nC2,DE\nC3,FR\n", encoding="utf-8")
    (folder / "sends.csv").write_text(
        SENDS + "C1,S,email,2026-03-01\nC2,S,email,2026-03-01\nC3,S,email,2026-03-02\nC3,S,email,2026-03-03\n",
        encoding="utf-8",
    )
    (folder / "content.csv").write_text(
        "content_id,campaign_id,channel,ai_generated\nK1,S,email,false\n", encoding="utf-8"
    )
    review = prepared.restrict_to_country(open_review(folder), "FR")
    count = {name: table.count().to_pyarrow().as_py() for name, table in review.tables.items()}
    assert count == {"contacts": 2, "sends": 3, "content": 1}


# --- slow: real batches ----------------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_batch_with_one_broken_review_reports_the_others_and_exits_3(tmp_path, capsys):
    good = a_review(tmp_path / "shop <b>&", sends={"SPRING": 12}, consented=12)
    other = a_review(tmp_path / "outlet", sends={"SPRING": 3})
    broken = a_review(tmp_path / "broken", sends={"SPRING": 2}, bad_date=True)
    out = tmp_path / "out"
    (other / "review.yaml").write_text("name: Outlet\n", encoding="utf-8")  # a review.yaml names a review too
    code = cli.main(
        [
            "batch",
            str(good),
            str(broken),
            str(other / "review.yaml"),
            "--out",
            str(out),
            "--jobs",
            "2",
            "--as-of",
            "2026-11-15",
        ]
    )
    assert code == cli.EXIT_INTERNAL  # one review could not run
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert schema_errors(summary) == []
    rows = {row["name"]: row for row in summary["reviews"]}
    assert [row["name"] for row in summary["reviews"]] == ["shop <b>&", "broken", "outlet"]  # the order given
    assert rows["broken"]["state"] == "error" and "sent_at" in rows["broken"]["error"]
    assert not (out / "broken").exists()
    for name in ("shop <b>&", "outlet"):
        assert rows[name]["state"] == "done"
        assert (out / rows[name]["report"]).is_file()
        assert sum(rows[name]["counts"].values()) > 0
    assert rows["outlet"]["status"] == "fail" and rows["outlet"]["top_finding"]["check_id"] == "consent.coverage"
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "shop &lt;b&gt;&amp;" in index and 'href="shop-b/index.html"' in index
    assert not list(out.rglob(prepared.FOLDER)) and not list(out.rglob("*.parquet"))
    assert "broken" in capsys.readouterr().out


@pytest.mark.slow
def test_a_review_split_by_campaign_gives_one_report_per_campaign_with_small_counts_hidden(tmp_path):
    review = a_review(tmp_path / "shop", sends={"BIG": 30, "SMALL": 3}, consented=0)
    out = tmp_path / "out"
    result = batch.run_batch([review], out, by="campaign", as_of="2026-11-15", progress=False)
    assert [(row.campaign, row.state) for row in result.rows] == [("BIG", "done"), ("SMALL", "done")]
    for row in result.rows:
        findings = json.loads((out / row.slug / "findings.json").read_text(encoding="utf-8"))
        assert findings["campaign"] == row.campaign
        coverage = next(f for f in findings["findings"] if f["check_id"] == "consent.coverage")
        assert {e["campaign_id"] for e in coverage["evidence"]} == {row.campaign}
        sends = [e["sends"] for e in coverage["evidence"]]
        assert sends == ([30] if row.campaign == "BIG" else ["<10"])  # k = 10 still applies within a part
    assert result.worst == "fail"
