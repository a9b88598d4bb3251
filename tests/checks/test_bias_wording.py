"""How a bias finding names groups and attributes in its sentences: as the report's tables and charts show them,
in the review's language. A canonical attribute reads as its word ("tranche d'âge", not `age_band`), a canonical
group too ("femmes × 65 ans et plus", "(non renseigné)"); the user's own column and its values keep their names.
findings.json keeps the canonical values in its evidence: only the sentences are worded."""

from __future__ import annotations

import re

from ethics_review import charts, pages
from ethics_review.checks.bias import intersectional, proxies, selection_parity
from tests.checks.test_bias_checks import INTERSECT, cells, postcodes_within_regions, review_of

# Older women selected at 20 %, the other cells at 60 % or 20 %: the intersection fails (test_bias_checks).
OLDER_WOMEN_LEFT_OUT = {
    ("M", "18-24"): (500, 100),
    ("F", "18-24"): (500, 300),
    ("M", "65+"): (500, 300),
    ("F", "65+"): (500, 100),
}


def test_a_french_intersection_summary_names_groups_and_attributes_in_french():
    review = review_of(*cells(OLDER_WOMEN_LEFT_OUT), bias=INTERSECT).with_options(lang="fr")
    finding = intersectional(review)
    assert finding.status == "fail"
    assert (
        "« femmes × 65 ans et plus » (genre × tranche d'âge)" in finding.summary
        or "« hommes × 18-24 ans » (genre × tranche d'âge)" in finding.summary
    ), finding.summary
    assert "combinaison de référence « " in finding.summary
    for canonical in ("age_band", "gender", "F ×", "M ×", "65+"):
        assert canonical not in finding.summary, (canonical, finding.summary)
    # findings.json keeps the canonical names: the page translates them when it shows the evidence.
    assert {r["attribute"] for r in finding.evidence} == {"gender × age_band"}
    assert "F × 65+" in {r["group"] for r in finding.evidence}


def test_an_english_summary_names_the_same_words_as_the_english_chart():
    finding = intersectional(review_of(*cells(OLDER_WOMEN_LEFT_OUT), bias=INTERSECT))
    assert "(gender × age band)" in finding.summary and "age_band" not in finding.summary


def test_a_user_column_keeps_its_name_and_values_and_a_missing_value_reads_in_french():
    """bank-marketing's `marital`: no catalogue word, so the sentence names the column and its values as the user
    wrote them; the people with no value form the group "(missing)", which French writes "(non renseigné)"."""
    review = review_of(
        {"count": 300, "marital": "married", "selected": True},
        {"count": 200, "marital": "married", "selected": False},
        {"count": 290, "marital": "single", "selected": True},
        {"count": 210, "marital": "single", "selected": False},
        {"count": 100, "marital": None, "selected": True},
        {"count": 400, "marital": None, "selected": False},
        bias={"sensitive": ["marital"]},
    ).with_options(lang="fr")
    finding = selection_parity(review)
    assert finding.status == "fail"
    assert "le groupe « (non renseigné) » (marital)" in finding.summary, finding.summary
    assert "taux du groupe de référence « married »" in finding.summary, finding.summary
    assert "(missing)" in {r["group"] for r in finding.evidence}


def test_a_french_proxy_summary_and_note_name_the_feature_and_the_attribute_in_french():
    cohorts = postcodes_within_regions()
    review = review_of(*cohorts, bias={"sensitive": ["gender", "region"], "features": ["postcode", "segment"]})
    review = review.with_options(lang="fr")
    finding = proxies(review)
    assert finding.status == "warn"
    assert "« code postal » avec « région »" in finding.summary, finding.summary
    assert any(n.startswith("La variable « code postal » est dérivée de l'attribut « région »") for n in finding.notes)
    assert not any(word in finding.summary + " ".join(finding.notes) for word in ("postcode", "region", "gender"))


def test_a_french_pass_summary_lists_the_features_and_attributes_in_french():
    cohorts = [
        {"count": 100, "gender": g, "region": r, "segment": s, "selected": True}
        for g in ("F", "M")
        for r in ("Bretagne", "Corse")
        for s in ("a", "b")
    ]
    review = review_of(*cohorts, bias={"sensitive": ["gender", "region"], "features": ["segment"]})
    finding = proxies(review.with_options(lang="fr"))
    assert finding.status == "pass"
    assert "de variables (segment) et d'attributs sensibles (genre, région)" in finding.summary, finding.summary


# A user's own `marital` coded M (married), F (formerly married), "1-5" (years married) and "pass" (the user's
# code for "passed away", say): none of these is the kit's; the gender, age-band and status words of the
# catalogue must not land on them. Married people are left out (20 % against 60 %).
MARITAL_CODES = {"M": (500, 100), "F": (500, 300), "1-5": (500, 280), "pass": (500, 290)}
WRONG_WORDS = ("femmes", "hommes", "1-5 ans", "sans anomalie", "women", "men")


def marital_review(lang: str = "fr"):
    cohorts = []
    for code, (n, selected) in MARITAL_CODES.items():
        cohorts.append({"count": selected, "marital": code, "selected": True})
        cohorts.append({"count": n - selected, "marital": code, "selected": False})
    return review_of(*cohorts, bias={"sensitive": ["marital"]}).with_options(lang=lang)


def test_the_groups_of_a_users_own_attribute_read_as_written_in_the_french_sentence():
    finding = selection_parity(marital_review())
    assert finding.status == "fail"
    assert "le groupe « M » (marital)" in finding.summary, finding.summary
    assert "taux du groupe de référence « F »" in finding.summary, finding.summary
    assert not any(word in finding.summary for word in WRONG_WORDS), finding.summary


def test_the_groups_of_a_users_own_attribute_read_as_written_in_the_french_evidence_table():
    finding = selection_parity(marital_review())
    table = pages.evidence_html(finding.evidence, "fr", check_id=finding.check_id)
    cells = set(re.findall(r"<td[^>]*>([^<]*)</td>", table))
    assert set(MARITAL_CODES) <= cells, cells
    assert not any(word in cells for word in WRONG_WORDS), cells


def test_the_groups_of_a_users_own_attribute_read_as_written_on_the_french_chart():
    finding = selection_parity(marital_review())
    figure = charts.chart_for(finding, "fr")
    labels = {y for trace in figure.data if trace.type == "scatter" for y in trace.y}
    assert labels == set(MARITAL_CODES), labels
    hovers = {cell for trace in figure.data if trace.customdata is not None for row in trace.customdata for cell in row}
    assert not any(word in hovers for word in WRONG_WORDS), hovers


def test_a_canonical_gender_reads_in_french_in_the_sentence_table_and_chart():
    review = review_of(
        {"count": 100, "gender": "F", "selected": True},
        {"count": 400, "gender": "F", "selected": False},
        {"count": 300, "gender": "M", "selected": True},
        {"count": 200, "gender": "M", "selected": False},
    ).with_options(lang="fr")
    finding = selection_parity(review)
    assert "le groupe « femmes » (genre)" in finding.summary and "référence « hommes »" in finding.summary
    cells = set(re.findall(r"<td[^>]*>([^<]*)</td>", pages.evidence_html(finding.evidence, "fr")))
    assert {"femmes", "hommes"} <= cells and not {"F", "M"} & cells, cells
    figure = charts.chart_for(finding, "fr")
    assert {y for trace in figure.data if trace.type == "scatter" for y in trace.y} == {"femmes", "hommes"}


def test_an_intersection_of_gender_and_a_users_attribute_words_only_the_gender_part():
    cohorts = []
    for (gender, marital), (n, selected) in {
        ("F", "M"): (500, 100),
        ("F", "1-5"): (500, 300),
        ("M", "M"): (500, 300),
        ("M", "1-5"): (500, 300),
    }.items():
        cohorts.append({"count": selected, "gender": gender, "marital": marital, "selected": True})
        cohorts.append({"count": n - selected, "gender": gender, "marital": marital, "selected": False})
    bias = {"sensitive": ["gender", "marital"], "intersections": [["gender", "marital"]]}
    finding = intersectional(review_of(*cohorts, bias=bias).with_options(lang="fr"))
    assert finding.status == "fail"
    assert "« femmes × M » (genre × marital)" in finding.summary, finding.summary
    assert not any(word in finding.summary for word in ("1-5 ans", "× hommes", "× femmes")), finding.summary
    cells = set(re.findall(r"<td[^>]*>([^<]*)</td>", pages.evidence_html(finding.evidence, "fr")))
    assert {"femmes × M", "femmes × 1-5", "hommes × M", "hommes × 1-5"} <= cells, cells
    assert {r["group"] for r in finding.evidence} >= {"F × M", "M × 1-5"}  # findings.json stays canonical
