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
