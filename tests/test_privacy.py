"""No output of a review holds a direct identifier or a row about one person.

Every file the report writes (HTML pages, executed notebooks, findings.json, parts) and everything the CLI prints
is scanned for every email address, phone number and contact id of the demo's contacts table.
"""

import re

import pandas as pd
import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def identifiers(demo_dir) -> dict[str, set[str]]:
    contacts = pd.read_csv(demo_dir / "contacts.csv", dtype=str, keep_default_na=False)
    phones = {p for p in contacts.phone if p}
    digits = {re.sub(r"\D", "", p) for p in phones}
    national = {"0" + d[2:] for d in digits if d.startswith("33")}
    return {
        "email": {e.lower() for e in contacts.email if e},
        "phone": phones | digits | national,
        "contact_id": set(contacts.contact_id),
    }


def output_texts(result) -> dict[str, str]:
    files = [p for p in result.out_dir.rglob("*") if p.is_file()]
    assert {p.suffix for p in files} >= {".html", ".ipynb", ".json"}
    return {str(p.relative_to(result.out_dir)): p.read_text(encoding="utf-8", errors="replace") for p in files}


def tokens(text: str) -> set[str]:
    """Candidate identifiers in an output: email-like strings, digit runs (with spaces and + kept together),
    and id-like words."""
    found = {m.lower() for m in re.findall(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", text)}
    for run in re.findall(r"\+?\d[\d .]{7,}\d", text):
        found |= {run, re.sub(r"\D", "", run)}
    found |= set(re.findall(r"\b[A-Z]\d{5,}\b", text))
    return found


def test_no_identifier_in_any_report_output(demo_report, identifiers):
    texts = output_texts(demo_report)
    leaks = {}
    for name, text in texts.items():
        found = tokens(text)
        for kind, values in identifiers.items():
            hits = found & values
            if hits:
                leaks[(name, kind)] = sorted(hits)[:3]
    assert leaks == {}


def test_the_scan_would_catch_a_leak(identifiers):
    """The scanner is not blind: an identifier in any of its shapes is found."""
    email = sorted(identifiers["email"])[0]
    phone = sorted(p for p in identifiers["phone"] if p.startswith("+"))[0]
    contact = sorted(identifiers["contact_id"])[0]
    text = f"<td>{email.upper()}</td><td>{phone}</td> {contact}"
    assert tokens(text) & identifiers["email"] and tokens(text) & identifiers["phone"]
    assert tokens(text) & identifiers["contact_id"]


def test_no_identifier_in_what_the_cli_prints(demo_dir, identifiers, tmp_path, capsys):
    from ethics_review.cli import main

    main(["validate", str(demo_dir)])
    printed = capsys.readouterr()
    found = tokens(printed.out + printed.err)
    assert not any(found & values for values in identifiers.values())


# --- hostile text in every string a user controls --------------------------------------------------------------

SCRIPT = "<script>window.xssMarker=1</script>"
IMAGE = "<img src=x onerror=window.xssMarker=2>"


def hostile_review(folder):
    """A small review whose review name, campaign, group values, register fields and notice name are markup."""
    import yaml

    folder.mkdir()
    (folder / "notices").mkdir()
    people = [(f"C{i:03d}", "F" if i % 2 else SCRIPT) for i in range(120)]
    (folder / "contacts.csv").write_text(
        "contact_id,gender,birth_date\n" + "".join(f'{c},"{g}",1980-01-01\n' for c, g in people), encoding="utf-8"
    )
    campaign = f"SPRING{IMAGE}"
    (folder / "targeting.csv").write_text(
        "contact_id,campaign_id,selected,score\n"
        + "".join(f'{c},"{campaign}",{"true" if i % 3 else "false"},0.{i % 9}\n' for i, (c, _) in enumerate(people)),
        encoding="utf-8",
    )
    (folder / "consents.csv").write_text(
        "contact_id,purpose,status,recorded_at,source\n"
        + "".join(f'{c},email_marketing,granted,2026-01-10,"{SCRIPT}"\n' for c, _ in people),
        encoding="utf-8",
    )
    (folder / "sends.csv").write_text(
        "contact_id,campaign_id,channel,sent_at\n"
        + "".join(f'{c},"{campaign}",email,2026-03-01\n' for c, _ in people[:60]),
        encoding="utf-8",
    )
    (folder / "ai_systems.yaml").write_text(
        yaml.safe_dump(
            [
                {
                    "id": f"s1{IMAGE}",
                    "name": SCRIPT,
                    "vendor": IMAGE,
                    "owner": SCRIPT,
                    "decision_mode": "fully_automated",
                    "significant_effect": True,
                    "explanation": IMAGE,
                }
            ]
        ),
        encoding="utf-8",
    )
    (folder / "notices" / f"{IMAGE}.en.md").write_text(
        f"# Privacy {SCRIPT}\nWe send newsletters by email.\n", encoding="utf-8"
    )
    (folder / "review.yaml").write_text(
        yaml.safe_dump(
            {
                "name": f"Spring {SCRIPT} {IMAGE}",
                "as_of": "2026-11-15",
                "lang": "en",
                "bias": {"sensitive": ["gender"], "min_group_size": 30, "min_flag_size": 50},
            }
        ),
        encoding="utf-8",
    )
    return folder


def injected(html: str) -> list[str]:
    """Elements the hostile strings would have created had they not been escaped."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    found = [f"img onerror={img.get('onerror')}" for img in soup.find_all("img") if img.has_attr("onerror")]
    found += [
        f"script {s.string}" for s in soup.find_all("script") if (s.string or "").strip().startswith("window.xssMarker")
    ]
    return found


def test_hostile_text_is_never_markup_in_any_page(tmp_path):
    from ethics_review import report
    from ethics_review.findings import AREAS

    review = hostile_review(tmp_path / "review")
    out = tmp_path / "report"
    result = report.run_report(review, out, progress=False, jobs=2)
    pages = sorted(out.glob("*.html"))
    assert {p.name for p in pages} == {"index.html"} | {f"{area}.html" for area in AREAS}
    header_names = 0
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert injected(html) == [], page.name
        header_names += "Spring &lt;script&gt;window.xssMarker=1&lt;/script&gt;" in html
    assert header_names == len(pages)  # the review's name is on every page, escaped
    # the staged report was moved into place: nothing partial beside it, and a rerun replaces it whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report", "review"]
    (out / "stale.txt").write_text("from an older run", encoding="utf-8")
    report.run_report(review, out, progress=False, areas=("transparency",))
    assert not (out / "stale.txt").exists() and not (out / "consent.html").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report", "review"]
    assert result.findings


# --- small cells: hidden, and not derivable from the others ----------------------------------------------------


def test_a_lone_small_group_is_not_derivable_from_the_total():
    import pandas as pd

    from ethics_review.findings import suppress_small_cells

    groups = pd.DataFrame(
        {
            "attribute": ["gender"] * 3 + ["age_band"] * 2,
            "group": ["F", "M", "X", "18-24", "25-34"],
            "n": [160, 160, 3, 200, 123],
            "rate": [0.5, 0.4, 0.3, 0.2, 0.1],
        }
    )
    shown = suppress_small_cells(
        groups, count_columns=["n"], k=10, hide_with={"n": ["rate"]}, partition_by=["attribute"]
    )
    assert list(shown.n) == [None, 160, "<10", 200, 123]  # 323 - 160 - 160 = 3 no longer works: one 160 is hidden
    assert list(shown.rate) == [None, 0.4, None, 0.2, 0.1]


def test_two_small_groups_hide_each_other():
    import pandas as pd

    from ethics_review.findings import suppress_small_cells

    groups = pd.DataFrame({"attribute": ["gender"] * 3, "n": [300, 4, 5]})
    shown = suppress_small_cells(groups, count_columns=["n"], k=10, partition_by=["attribute"])
    assert list(shown.n) == [300, "<10", "<10"]


def test_the_complementary_cell_is_not_the_evidence_of_a_problem():
    import pandas as pd

    from ethics_review.findings import suppress_small_cells

    groups = pd.DataFrame(
        {"attribute": ["gender"] * 4, "n": [120, 150, 400, 3], "flag": ["fail", "pass", "pass", "insufficient data"]}
    )
    shown = suppress_small_cells(groups, count_columns=["n"], k=10, partition_by=["attribute"])
    assert list(shown.n) == [120, None, 400, "<10"]  # the failing group's count stays visible
