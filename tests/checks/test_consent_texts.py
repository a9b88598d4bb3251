"""The wording of the consent area follows CHECKS.md v2: legal vocabulary, sources, plurals and dates."""

import re

import pytest

from ethics_review import i18n
from ethics_review.checks import CHECKS

CONSENT_CHECKS = sorted(c for c in CHECKS if c.startswith("consent."))


def texts(check_id, lang):
    """Every text of a check in one language (title, why, how to read, chart, metrics, notes, summaries...)."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            if lang in node and isinstance(node[lang], str):
                found.append(node[lang])
            for key, value in node.items():
                if key not in ("en", "fr"):
                    walk(value)
        elif isinstance(node, list):
            found.extend(str(item) for item in node)

    walk(i18n.catalogue()[check_id])
    return found


@pytest.mark.parametrize("check_id", CONSENT_CHECKS)
def test_french_uses_the_legal_vocabulary(check_id):
    french = " ".join(texts(check_id, "fr")).lower()
    assert "violation" not in french and "exemption" not in french and "expiré" not in french
    assert "périmé" not in french


@pytest.mark.parametrize("check_id", CONSENT_CHECKS)
def test_no_unsourced_claim_and_no_hand_made_plural(check_id):
    for lang in ("en", "fr"):
        for text in texts(check_id, lang):
            assert "(s)" not in text and "most common cause" not in text and "first thing a regulator" not in text
            assert "première cause" not in text and "premier point contrôlé" not in text
            assert not re.search(r"\d{4}-\d{2}-\d{2}", text) or text in i18n.references(check_id), text


@pytest.mark.parametrize("check_id", CONSENT_CHECKS)
def test_every_count_in_a_sentence_agrees_with_its_noun(check_id):
    # A count followed by a noun of the catalogue is written with a Babel plural, not a fixed plural word.
    entry = i18n.catalogue()[check_id]
    for status, text in entry["summary"].items():
        for lang in ("en", "fr"):
            # A count inside the plural form itself ("{n:plural:L'envoi|Les {n:int} envois}") agrees already.
            sentence = re.sub(r"\{\w+:plural:[^{}]*(?:\{[^{}]*\}[^{}]*)*\}", "", text[lang])
            for name in re.findall(
                r"\{(\w+):int\} (?:sends|envois|contacts|people|personnes|columns|colonnes)\b", sentence
            ):
                pytest.fail(f"{check_id} summary.{status}.{lang}: '{name}' is followed by a fixed plural")


def test_consent_is_never_said_to_expire():
    for lang in ("en", "fr"):
        words = " ".join(texts("consent.freshness", lang)).lower()
        assert "expir" not in words
    assert any("05/2020" in r and "110-111" in r for r in i18n.references("consent.freshness"))
    assert any("2020-092" in r for r in i18n.references("consent.freshness"))


def test_soft_opt_in_and_b2b_are_called_exceptions_not_legal_bases():
    english = " ".join(texts("consent.coverage", "en"))
    french = " ".join(texts("consent.coverage", "fr"))
    assert "exceptions are not GDPR legal bases" in english and "ne sont pas des bases légales du RGPD" in french
    assert "legal basis" not in i18n.text("consent.coverage", "title", "en")


def test_the_tc_string_is_a_signal_not_the_proof_and_is_personal_data():
    why = i18n.text("consent.tcf", "why", "en")
    assert "not the proof of consent" in why and "personal data" in why
    assert "n'est pas la preuve" in i18n.text(
        "consent.tcf", "why", "fr"
    ) or "non la preuve du consentement" in i18n.text("consent.tcf", "why", "fr")
    assert any("C-604/22" in r for r in i18n.references("consent.tcf"))


def test_retention_names_the_2022_cnil_referentiel_as_guidance():
    references = " ".join(i18n.references("consent.retention"))
    assert "gestion des activités commerciales (2022)" in references and "guidance, not law" in references


def test_minors_cite_joint_consent_and_the_dsa_as_context():
    references = " ".join(i18n.references("consent.minors"))
    assert "joint consent of the minor and a holder of parental authority" in references
    assert "cited as context" in references and "Recitals 38 and 71" in references


def test_erasure_explains_the_three_month_extension():
    assert "three months" in i18n.text("consent.erasure", "why", "en")
    assert any("two months" in r for r in i18n.references("consent.erasure"))


@pytest.mark.parametrize("check_id", CONSENT_CHECKS)
def test_every_why_names_whose_duty_it_is(check_id):
    assert "controller" in i18n.text(check_id, "why", "en")
    assert "responsable du traitement" in i18n.text(check_id, "why", "fr")
