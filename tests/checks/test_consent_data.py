"""consent.special_categories and consent.minimisation: what the marketing tables hold, never a value shown."""

from ethics_review.checks.consent import minimisation, special_categories, special_category_of_name
from ethics_review.runner import run_checks
from tests.conftest import make_review

CONTACTS = {
    "contact_id": ["C1", "C2", "C3"],
    "segment": ["fidèle", "prospect", "nouveau"],
    "region": ["Île-de-France", "Occitanie", "Bretagne"],
}


# --- consent.special_categories -------------------------------------------------------------------------------------


def test_ordinary_retail_columns_pass():
    finding = special_categories(make_review(contacts=CONTACTS))
    assert finding.status == "pass" and finding.metric["special_category_columns"] == 0
    assert finding.summary == "No column of the marketing tables reveals a special category of data."


def test_a_religion_column_warns_by_name_in_french_or_english():
    assert special_category_of_name("religion") == "religion"
    assert special_category_of_name("Orientation sexuelle") == "sexual_orientation"
    assert special_category_of_name("health_score") == "health"
    assert special_category_of_name("surface") is None and special_category_of_name("date_naissance") is None
    finding = special_categories(make_review(contacts={**CONTACTS, "Confession": ["catholique", None, None]}))
    assert finding.status == "warn"
    assert finding.metric["categories"] == ["religion"] and finding.metric["special_category_columns"] == 1
    assert "1 column reveals special categories of data (religion); none is used for targeting" in finding.summary


def test_values_reveal_a_category_in_a_free_text_column():
    notes = ["Cliente diabétique, préfère le sans sucre", "Préfère les offres halal", None]
    finding = special_categories(make_review(contacts={**CONTACTS, "notes": notes}))
    assert finding.status == "warn" and finding.metric["found_in_values"] == 2
    assert {(r["column"], r["category"], r["rows"]) for r in finding.evidence} == {
        ("notes", "health", "<10"),
        ("notes", "religion", "<10"),
    }


def test_a_word_inside_another_word_does_not_count():
    finding = special_categories(
        make_review(contacts={**CONTACTS, "notes": ["Livraison vers Cancerolles", "gaycity", "cgtx"]})
    )
    assert finding.status == "pass"


def test_a_special_category_used_as_targeting_feature_fails():
    config = {"bias": {"features": ["religion"]}}
    review = make_review(config=config, contacts={**CONTACTS, "religion": ["catholique", None, "musulmane"]})
    finding = special_categories(review)
    assert finding.status == "fail" and finding.metric["used_for_targeting"] == 1
    assert "used for targeting without documented explicit consent" in finding.summary
    assert special_categories(review, explicit_consent=["religion"]).status == "warn"


def test_a_special_category_column_of_the_targeting_table_fails():
    targeting = {"contact_id": ["C1"], "campaign_id": ["A"], "selected": ["true"], "pregnancy": ["true"]}
    finding = special_categories(make_review(contacts=CONTACTS, targeting=targeting))
    assert finding.status == "fail" and finding.evidence[0]["table"] == "targeting"


def test_no_table_is_not_applicable():
    finding = run_checks(make_review(), ids=["consent.special_categories"])[0]
    assert finding.status == "not_applicable"


def test_special_categories_in_french():
    finding = special_categories(make_review(lang="fr", contacts={**CONTACTS, "religion": ["juif", None, None]}))
    assert "1 colonne révèle des données sensibles (religion)" in finding.summary


# --- consent.minimisation -------------------------------------------------------------------------------------------


def test_clean_tables_pass():
    contacts = {
        **CONTACTS,
        "email": ["a@example.com", "b@example.com", "c@example.com"],
        "phone": ["+33 6 12 34 56 78", None, None],
        "notes": ["Préfère le magasin", None, "Commande 12"],
    }
    finding = minimisation(make_review(contacts=contacts))
    assert finding.status == "pass" and finding.metric["fields_with_personal_data"] == 0


def test_emails_and_phones_in_notes_warn_with_counts_only():
    notes = ["écrire à marie.martin@example.com", "Rappeler au 06 12 34 56 78", "mail x@example.org, tel 0612345679"]
    notes += ["Préfère le magasin"] * 12
    contacts = {"contact_id": [f"C{i}" for i in range(15)], "notes": notes}
    finding = minimisation(make_review(contacts=contacts))
    assert finding.status == "warn"
    assert (finding.metric["rows_with_email"], finding.metric["rows_with_phone"]) == (2, 2)
    assert finding.metric["fields_with_personal_data"] == 1
    assert {(r["table"], r["column"], r["kind"], r["rows"]) for r in finding.evidence} == {
        ("contacts", "notes", "email", "<10"),
        ("contacts", "notes", "phone", "<10"),
    }
    assert "example" not in repr(finding.to_json()) and "56 78" not in repr(finding.to_json())


def test_iban_and_nir_are_found_only_with_a_valid_checksum():
    comments = [
        "IBAN FR76 3000 6000 0112 3456 7890 189",
        "IBAN FR76 3000 6000 0112 3456 7890 188",
        "NIR 2 55 08 14 168 025 38",
        "NIR 2 55 08 14 168 025 39",
    ]
    finding = minimisation(
        make_review(
            requests={
                "contact_id": ["C1"] * 4,
                "type": ["access"] * 4,
                "received_at": ["2026-01-01"] * 4,
                "comment": comments,
            }
        )
    )
    assert (finding.metric["rows_with_iban"], finding.metric["rows_with_nir"]) == (1, 1)


def test_each_column_keeps_its_own_counts_when_the_tables_are_scanned_together():
    """Every free-text column of every table is read in one query (and each table's identifier columns in one):
    12 emails in contacts.notes, 13 phone numbers in contacts.remark, 11 emails in requests.comment, and in sends
    an Email column filled 10 times and a Mobile column 14 times, each counted where it is, in the catalogue's
    order of tables, identifier columns first."""
    people = 20
    contacts = {
        "contact_id": [f"C{i}" for i in range(people)],
        "notes": [f"client{i}@example.com" if i < 12 else "RAS" for i in range(people)],
        "remark": [f"Rappeler au 06 12 34 56 {i:02d}" if i < 13 else None for i in range(people)],
    }
    requests = {
        "contact_id": [f"C{i}" for i in range(people)],
        "type": ["access"] * people,
        "received_at": ["2026-01-01"] * people,
        "comment": [f"réponse à envoyer à p{i}@example.org" if i < 11 else "vu" for i in range(people)],
    }
    sends = {
        "contact_id": [f"C{i}" for i in range(people)],
        "campaign_id": ["A"] * people,
        "channel": ["email"] * people,
        "sent_at": ["2026-01-01"] * people,
        "Email": [f"s{i}@example.com" if i < 10 else None for i in range(people)],
        "Mobile": [f"07 00 00 00 {i:02d}" if i < 14 else None for i in range(people)],
    }
    finding = minimisation(make_review(contacts=contacts, requests=requests, sends=sends))
    assert [(r["table"], r["column"], r["kind"], r["rows"]) for r in finding.evidence] == [
        ("contacts", "notes", "email", 12),
        ("contacts", "remark", "phone", 13),
        ("sends", "Email", "identifier column", 10),
        ("sends", "Mobile", "identifier column", 14),
        ("requests", "comment", "email", 11),
    ]
    assert finding.metric["fields_with_personal_data"] == 5 and finding.metric["rows_with_email"] == 23


def test_an_identifier_column_outside_contacts_warns():
    sends = {
        "contact_id": ["C1"],
        "campaign_id": ["A"],
        "channel": ["email"],
        "sent_at": ["2026-01-01"],
        "Email": ["a@example.com"],
    }
    finding = minimisation(make_review(sends=sends))
    assert finding.status == "warn" and finding.metric["identifier_columns"] == 1
    assert finding.evidence[0]["kind"] == "identifier column" and finding.evidence[0]["column"] == "Email"


def test_canonical_identifier_columns_are_where_they_belong():
    content = {"content_id": ["K1"], "ai_generated": ["true"], "reviewer": ["Marie Martin"]}
    assert minimisation(make_review(content=content)).status == "pass"


def test_minimisation_in_french():
    finding = minimisation(make_review(lang="fr", contacts={"contact_id": ["C1"], "notes": ["a@example.com"]}))
    assert "1 colonne contient des données personnelles inutiles" in finding.summary


def test_a_b2b_generic_address_in_notes_is_not_flagged():
    contacts = {"contact_id": ["C1", "C2"], "notes": ["Commandes via contact@atelier-martin.example", None]}
    assert minimisation(make_review(contacts=contacts)).status == "pass"


def test_ordinary_export_column_names_are_not_special_categories():
    for name in ("version_politique", "third_party_id", "date_traitement", "orientation_client", "surface_m2"):
        assert special_category_of_name(name) is None, name
    assert special_category_of_name("opinion politique") == "political_opinion"


def test_unmapped_first_and_last_names_in_contacts_are_to_be_mapped_not_removed():
    """Prénom and Nom are the contract's first_name and last_name under the export's names: the contact file
    needs them, so the finding asks to map them (in the reader's language) and counts no unneeded identifier."""
    contacts = {**CONTACTS, "Prénom": ["Marie", "Jean", "Ana"], "Nom": ["Martin", "Dupont", "Silva"]}
    finding = minimisation(make_review(contacts=contacts))
    assert finding.status == "pass" and finding.metric["identifier_columns"] == 0 and finding.evidence == ()
    assert finding.notes == (
        "Column 'Prénom' of contacts is the contract's first_name: it belongs in this table, so keep it and map it "
        "in review.yaml (under columns, contacts, write first_name: Prénom) so that the kit reads it as that "
        "identifier.",
        "Column 'Nom' of contacts is the contract's last_name: it belongs in this table, so keep it and map it in "
        "review.yaml (under columns, contacts, write last_name: Nom) so that the kit reads it as that identifier.",
    )
    assert "remove" not in " ".join(finding.notes) and "Marie" not in repr(finding.to_json())
    french = minimisation(make_review(lang="fr", contacts=contacts))
    assert french.notes[0].startswith("La colonne « Prénom » de contacts est la colonne first_name du contrat")


def test_a_name_column_next_to_the_mapped_one_or_outside_contacts_is_still_to_remove():
    contacts = {**CONTACTS, "first_name": ["Marie", "Jean", "Ana"], "prenom": ["Marie", "Jean", "Ana"]}
    finding = minimisation(make_review(contacts=contacts))
    assert finding.status == "warn" and finding.notes == ()
    assert [(r["column"], r["kind"]) for r in finding.evidence] == [("prenom", "identifier column")]
    sends = {
        "contact_id": ["C1"],
        "campaign_id": ["A"],
        "channel": ["email"],
        "sent_at": ["2026-01-01"],
        "last_name": ["Martin"],
    }
    finding = minimisation(make_review(sends=sends))
    assert finding.status == "warn" and finding.notes == () and finding.evidence[0]["column"] == "last_name"
