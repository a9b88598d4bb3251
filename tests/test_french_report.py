"""The report a French (or English) reader gets from `ethics-review demo`: every word they can see is in their
language. Check ids in <code> are exempt, and so is text the page marks with another `lang` (a work cited by its
English title, words quoted from an English notice). Plurals come from CLDR rules: never "(s)", never "1 sends"."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

pytestmark = pytest.mark.slow

PAGES = ("index.html", "consent.html", "bias.html", "transparency.html", "governance.html")

# Words a French page must not show: English labels, statuses, buckets and legal names the kit used to leave
# untranslated (none of them is also a French word).
ENGLISH_IN_FRENCH = re.compile(
    r"\b(GDPR|AI Act|Art(?= \d)|Recitals?)\b|\b(?i:the|of|and|with|without|sends?|days?|months?|under|over|filled|"
    r"empty|granted|country|keywords|found|rule|kit default|fail|pass|warning|evidence|measured|thresholds|"
    r"campaign|purpose|share|yes|missing|which|when|should|must|this|that|from|by|for|is|are|not|items|people|"
    r"women|men|none|applies|before|after|unmarked|undisclosed)\b"
)
# And in an English page: French words of the catalogue.
FRENCH_IN_ENGLISH = re.compile(
    r"\b(envois?|jours?|mois|sous|rempli|vide|accordés?|campagne|finalité|règle|valeur par défaut|"
    r"non conforme|à corriger|à examiner|mesures|seuils|preuves?|RGPD|RIA)\b",
    re.IGNORECASE,
)
HAND_BUILT_PLURAL = re.compile(r"\w\(s\)|\(e\)s\b")


def canonical_codes(lang: str) -> re.Pattern[str]:
    """Codes findings.json keeps that the page must show as words: evidence values of the catalogue written as
    identifiers (`age_band`, `sms_marketing`, `true_positive_rate`), canonical attributes and group codes
    ("F × 65+"). A review.yaml snippet to paste keeps its codes, in <code>."""
    from ethics_review import i18n

    values = i18n.catalogue()["report"]["values"]
    codes = {
        code
        for scope, words in values.items()
        if scope != "patterns"
        for code, word in words.items()
        if "_" in code and word.get(lang) != code
    }
    attributes = {code for code, word in values["any"].items() if code in {"gender", "region"} and word[lang] != code}
    names = "|".join(sorted(map(re.escape, codes | attributes)))
    return re.compile(rf"\b({names})\b|(?<![\w-])[FM] × |× [FM](?![\w-])")


def visible_text(html: str, lang: str) -> list[str]:
    """The text a reader sees, line by line: no script, style or <code>, nothing marked in another language."""
    soup = BeautifulSoup(html, "html.parser")
    for element in soup(["script", "style", "code", "head", "svg"]):
        element.decompose()
    for element in soup.find_all(attrs={"lang": True}):
        if element.name != "html" and element.get("lang") != lang:
            element.decompose()
    return [line.strip() for line in soup.get_text("\n").splitlines() if line.strip()]


def one_and_plural(lang: str) -> re.Pattern[str]:
    """ "1 sends", "1 envois": a count of one with a plural noun (French writes 0 and 1 in the singular)."""
    if lang == "fr":
        return re.compile(
            r"(?<![\d,.\u202f])[01]\s+(envois|personnes|colonnes|disparités|contenus|systèmes|"
            r"consentements|demandes|notices|finalités|champs|agents|médias|écarts|variables|"
            r"décalages|groupes|lignes|constats|hypertrucages|audits|comparaisons|contacts)\b"
        )
    return re.compile(
        r"(?<![\d,.])1\s+(sends|people|columns|disparities|items|systems|consents|requests|notices|"
        r"purposes|fields|chatbots|media|gaps|features|shifts|groups|rows|findings|deepfakes|"
        r"audits|comparisons|contacts)\b"
    )


def language_problems(folder: Path, lang: str) -> list[str]:
    wrong_language = ENGLISH_IN_FRENCH if lang == "fr" else FRENCH_IN_ENGLISH
    plural = one_and_plural(lang)
    codes = canonical_codes(lang)
    problems = []
    for name in PAGES:
        for line in visible_text((folder / name).read_text(encoding="utf-8"), lang):
            for pattern, what in (
                (wrong_language, "other language"),
                (HAND_BUILT_PLURAL, "(s)"),
                (plural, "plural after 1"),
                (codes, "code instead of its word"),
                (re.compile(r"\b\d{4}-\d{2}-\d{2}\b"), "ISO date"),
            ):
                match = pattern.search(line)
                if match:
                    problems.append(f"{name}: {what} {match.group(0)!r} in: {line[:160]}")
    return problems


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_demo_report_speaks_only_the_reader_s_language(demo_command_report, lang):
    problems = language_problems(demo_command_report(lang), lang)
    assert not problems, f"{len(problems)} lines:\n" + "\n".join(problems[:60])


def test_the_language_test_can_fail(tmp_path):
    for name in PAGES:
        (tmp_path / name).write_text(
            '<html lang="fr"><body><p>1 envois</p><p>Granted consents</p>'
            "<p>2 système(s) au 2026-08-02</p><code>consent.coverage</code>"
            "<p>le groupe F × 65+ (age_band) est sélectionné à 0,43 fois le taux de M × 45-54</p>"
            "<p>le kit n'a pas trouvé 1 finalité (sms_marketing (fr))</p>"
            '<p lang="en">Model Cards for Model Reporting</p></body></html>',
            encoding="utf-8",
        )
    problems = language_problems(tmp_path, "fr")
    assert len(problems) == 6 * len(PAGES)
    assert not any("Model Cards" in p or "consent.coverage" in p for p in problems)
