"""Personal-data patterns: each kind found where it is, and look-alikes left alone."""

import pytest

from ethics_review import pii


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("Rappeler au 06 12 34 56 78", {"phone"}),
        ("tel +33 6 12 34 56 78 le soir", {"phone"}),
        ("Belgian mobile +32 470 12 34 56", {"phone"}),
        ("écrire à marie.martin@example.com svp", {"email"}),
        ("IBAN FR76 3000 6000 0112 3456 7890 189 pour le remboursement", {"iban"}),
        ("GB82WEST12345698765432", {"iban"}),
        ("NIR 2 55 08 14 168 025 38", {"nir"}),
        ("né en Corse 1 85 05 2A 123 456 33", {"nir"}),
        ("mail a.b@example.org ou 0612345678", {"email", "phone"}),
        ("Préfère les offres en magasin", set()),
        ("Commande n° 2026-000123", set()),
        ("", set()),
        (None, set()),
    ],
)
def test_kinds_in(text, kinds):
    assert pii.kinds_in(text) == kinds


def test_a_wrong_iban_checksum_is_not_an_iban():
    assert pii.iban_is_valid("FR7630006000011234567890189")
    assert not pii.iban_is_valid("FR7630006000011234567890188")
    assert pii.kinds_in("IBAN FR76 3000 6000 0112 3456 7890 188") == set()


def test_a_wrong_nir_key_is_not_a_nir():
    assert pii.nir_is_valid("255081416802538")
    assert not pii.nir_is_valid("255081416802539")
    assert not pii.nir_is_valid("355081416802538")  # the first digit is the sex: 1 or 2


def test_corsican_departments_read_as_19_and_18():
    body = "18505" + "2A" + "123456"
    key = 97 - int(body.replace("2A", "19")) % 97
    assert pii.nir_is_valid(f"{body}{key:02d}")
    assert not pii.nir_is_valid(f"{body}{(key % 97) + 1:02d}")


def test_phone_numbers_are_read_for_the_region():
    assert pii.phone_numbers("06 12 34 56 78", "FR") == ["+33612345678"]
    assert pii.phone_numbers("not a number 12", "FR") == []


def test_the_engine_prefilter_keeps_every_candidate():
    import re

    for text in ("a@b.fr", "06 12 34 56 78", "FR76 3000 6000 0112 3456 7890 189", "2 55 08 14 168 025 38"):
        assert re.search(pii.CANDIDATE_PATTERN, text), text
    assert not re.search(pii.CANDIDATE_PATTERN, "75001 Paris")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("email", True),
        ("Adresse e-mail", False),
        ("Téléphone", True),
        ("prénom", True),
        ("IBAN", True),
        ("segment", False),
        ("postcode", False),
    ],
)
def test_identifier_column_names(name, expected):
    assert pii.is_identifier_column(name) is expected


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Rappeler au 06 93 82 71 83", True),  # Réunion's range, dialled from France
        ("Rappeler au 07 01 97 53 36", True),  # unallocated, still written as a phone number
        ("ref 123456789", False),  # a bare run of digits
        ("SIRET 123 456 789 00012", False),
    ],
)
def test_numbers_written_as_phone_numbers(text, found):
    assert bool(pii.phone_numbers(text)) is found


def test_a_b2b_generic_address_is_not_a_person_s_email():
    assert pii.kinds_in("écrire à contact@atelier-martin.example") == set()
    assert pii.kinds_in("Commandes : commandes@fleurs-dupont.example") == set()
    assert pii.kinds_in("écrire à marie.martin@atelier-martin.example") == {"email"}
