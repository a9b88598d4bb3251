import json
import re
from pathlib import Path

import pytest

from ethics_review import i18n
from ethics_review.checks import CHECKS
from ethics_review.findings import STATUSES


@pytest.mark.parametrize("check_id", sorted(CHECKS))
def test_every_check_speaks_english_and_french(check_id):
    entry = i18n.catalogue()[check_id]
    assert entry["references"], "every rule cites its reference"
    for lang in i18n.LANGUAGES:
        assert i18n.text(check_id, "title", lang)
        assert i18n.text(check_id, "why", lang)
        for part in ("summary", "recommendation"):
            for status in entry[part]:
                assert status in STATUSES
                assert entry[part][status][lang].strip()
    assert set(entry["summary"]) == set(entry["recommendation"])


ABBREVIATIONS = re.compile(r"\b(?:Art|art|e\.g|i\.e)\.")  # a full stop that ends no sentence


def sentences(text: str) -> list[str]:
    """A simple sentence split: a full stop, question or exclamation mark and a space, abbreviations aside."""
    masked = ABBREVIATIONS.sub(lambda m: m.group(0)[:-1] + "_", text.strip())
    return [part for part in re.split(r"(?<=[.!?])\s+", masked) if part]


def test_the_sentence_split_counts_sentences_not_abbreviations():
    assert len(sentences("One, e.g. this. Art. 5 applies; see art. 22(3). The end!")) == 3
    assert len(sentences("GDPR Art 6(1)(b) does not cover it. WP251rev.01 says so. A. B.")) == 4


@pytest.mark.parametrize("check_id", sorted(CHECKS))
def test_every_check_has_a_short_why_of_at_most_three_sentences(check_id):
    """The notebooks' sections say why a check matters in two or three sentences (issue #13); the report keeps
    the full `why`."""
    for lang in i18n.LANGUAGES:
        short = i18n.text(check_id, "why_short", lang)
        assert 1 <= len(sentences(short)) <= 3, (check_id, lang, sentences(short))
        assert len(short) <= len(i18n.text(check_id, "why", lang)), (check_id, lang)


def test_the_short_why_limit_can_fail():
    assert len(sentences(i18n.text("consent.coverage", "why", "en"))) > 3  # the long text, as the lead saw it


def test_ui_statuses_in_both_languages():
    for status in STATUSES:
        assert i18n.ui(f"status.{status}", "en") and i18n.ui(f"status.{status}", "fr")


def test_numbers_in_the_reader_s_language():
    assert i18n.format_number(0.9734, "pct", "en") == "97.3%"
    assert i18n.format_number(0.9734, "pct", "fr") == "97,3\u00a0%"
    assert i18n.format_number(12345, "int", "fr") == "12\u202f345"
    assert i18n.format_number(0.756, "ratio", "fr") == "0,76"


@pytest.mark.parametrize(
    ("count", "fr", "en"),
    [
        (0, "0 envoi", "0 sends"),
        (1, "1 envoi", "1 send"),
        (2, "2 envois", "2 sends"),
        (1_000_000, "1\u202f000\u202f000 envois", "1,000,000 sends"),
    ],
)
def test_plural_forms_follow_cldr_rules(count, fr, en):
    # French counts 0 and 1 as singular, English only 1: hand-built plurals got both wrong.
    assert i18n._LocalFormatter("fr").format("{n:int} {n:plural:envoi|envois}", n=count) == fr
    assert i18n._LocalFormatter("en").format("{n:int} {n:plural:send|sends}", n=count) == en


def test_named_plural_categories_fall_back_to_other():
    assert i18n.plural(3, "one=day|other=days", "en") == "days"
    assert i18n.plural(1, "one=jour|other=jours", "fr") == "jour"


def test_dates_are_written_out_in_the_reader_s_language():
    assert i18n.format_day("2026-08-02", "fr") == "2 août 2026"
    assert i18n.format_day("2026-08-02T10:00:00", "en") == "August 2, 2026"


# --- references and evidence values in the reader's language ----------------------------------------------

ENGLISH_MARKERS = re.compile(r"\b(GDPR|AI Act|Art |Recital|the|of|and|with|from|applies|days|months|under)\b")


@pytest.mark.parametrize("reference", sorted({r for c in CHECKS for r in i18n.references(c)}))
def test_every_reference_of_the_catalogue_reads_in_french(reference):
    text, written_in = i18n.reference(reference, "fr")
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text), "no ISO date in a sentence"
    if written_in == "fr":
        assert not ENGLISH_MARKERS.search(text), text
    else:  # a work cited by its title: the title keeps its language, and the page marks it lang="en"
        assert re.match(r"^[A-Z][\w'-]+.*\(\d{4}\), ", text), text


@pytest.mark.parametrize(
    ("reference", "french"),
    [
        ("GDPR Art 6(1)(a) and Art 7", "RGPD art. 6(1)(a) et art. 7"),
        ("GDPR Art 17 (right to erasure)", "RGPD art. 17 (droit à l'effacement)"),
        (
            "AI Act Art 113 (Art 50 applies from 2026-08-02)",
            "RIA art. 113 (art. 50 applicable à partir du 2 août 2026)",
        ),
        (
            "French Code de la consommation L.223-1 as amended by loi n° 2025-594 art. 13 (phone canvassing, from "
            "2026-08-11)",
            "Code de la consommation L.223-1 modifié par loi n° 2025-594 art. 13 (démarchage téléphonique, "
            "à partir du 11 août 2026)",
        ),
        (
            "Germany: no derogation, GDPR Art 8(1) default",
            "Allemagne : pas de dérogation, âge par défaut de l'art. 8(1) du RGPD",
        ),
        # an explanation the table does not know is left out rather than shown in English
        ("GDPR Art 99 (a rule nobody has translated yet)", "RGPD art. 99"),
    ],
)
def test_references_are_translated_by_pattern_in_one_place(reference, french):
    assert i18n.reference(reference, "fr") == (french, "fr")


def test_english_references_only_write_out_their_dates():
    assert i18n.reference("AI Act Art 113 (Art 50 applies from 2026-08-02)", "en") == (
        "AI Act Art 113 (Art 50 applies from August 2, 2026)",
        "en",
    )


@pytest.mark.parametrize(
    ("column", "raw", "fr", "en"),
    [
        ("lag", "8-30 days", "8 à 30 jours", "8 to 30 days"),
        ("lag", "< 1 day", "moins de 1 jour", "under 1 day"),
        ("lag", "> 90 days", "plus de 90 jours", "over 90 days"),
        ("inactive", "> 60 months", "plus de 60 mois", "over 60 months"),
        ("group", "under 18", "moins de 18 ans", "under 18"),
        ("reference_group", "(missing)", "(non renseigné)", "(missing)"),
        ("explanation", "filled", "rempli", "filled"),
        ("human_oversight", "empty", "vide", "empty"),
        ("purpose", "email_marketing", "prospection par e-mail", "email marketing"),
        ("tcf", "no TC string", "pas de chaîne TC", "no TC string"),
        ("staff_trained", "2025-10-11", "11 octobre 2025", "October 11, 2025"),
        (
            "missing_critical",
            "explanation, human_oversight",
            "explication, contrôle humain",
            "explanation, human oversight",
        ),
        ("used_for_targeting", True, "oui", "yes"),
    ],
)
def test_evidence_values_are_catalogue_words(column, raw, fr, en):
    assert (i18n.value(column, raw, "fr"), i18n.value(column, raw, "en")) == (fr, en)


def test_names_that_are_data_stay_as_they_are():
    assert i18n.value("campaign_id", "SPRING26-EMAIL", "fr") is None
    assert i18n.value("group", "Auvergne-Rhône-Alpes", "fr") is None


def test_catalogue_words_of_the_report_have_no_hand_built_plural():
    for name in ("report", "ui"):
        assert "(s)" not in json.dumps(i18n.catalogue()[name], ensure_ascii=False)


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_every_language_has_every_report_word(lang):
    def walk(node, path):
        if isinstance(node, dict) and "en" in node and isinstance(node["en"], str):
            assert lang in node, f"{path} has no {lang} text"
        elif isinstance(node, dict):
            for key, child in node.items():
                if key not in ("patterns",):
                    walk(child, f"{path}.{key}")

    walk(i18n.catalogue()["report"], "report")
    walk(i18n.catalogue()["ui"], "ui")


def test_the_first_of_the_month_is_an_ordinal_in_french():
    assert i18n.format_day("2026-12-01", "fr") == "1er décembre 2026"
    assert i18n.format_day("2026-12-11", "fr") == "11 décembre 2026"
    assert i18n.format_day("2026-12-01", "en") == "December 1, 2026"


def test_the_attested_exceptions_of_consent_coverage_read_as_words_not_codes():
    """The metric row "Exceptions attested by the reviewer" lists the exceptions in the reader's words."""
    from ethics_review.charts.common import format_value
    from ethics_review.checks.consent import ATTESTED

    assert format_value(["soft_opt_in", "b2b"], "attested_exceptions", "fr") == "soft opt-in, e-mail B2B"
    assert format_value(["soft_opt_in", "b2b"], "attested_exceptions", "en") == "soft opt-in, B2B email"
    for basis in ATTESTED:
        for lang in i18n.LANGUAGES:
            word = i18n.value("attested_exceptions", basis, lang)
            assert word and "_" not in word, (basis, lang)


# --- no hand-built plural in a message: "run(s)" is worded with CLDR plural forms (i18n.counted/plural) ------

_REGEX_CALLS = {"compile", "match", "fullmatch", "search", "sub", "subn", "split", "findall", "finditer"}


def hand_built_plurals(source: str) -> list[tuple[int, str]]:
    """(line, text) of every string literal of `source` holding "(s)": f-strings included; docstrings and the
    patterns given to `re` (where "(s)" is a group, not a plural) left out."""
    import ast

    tree = ast.parse(source)
    skipped: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and body:
            first = body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                skipped.add(id(first.value))
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "re"
            and node.func.attr in _REGEX_CALLS
            and node.args
        ):
            skipped.update(id(n) for n in ast.walk(node.args[0]))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and "(s)" in node.value
        and id(node) not in skipped
    ]


def test_the_plural_scan_finds_a_message_and_leaves_a_regex_alone():
    source = (
        '"""A module about run(s)."""\n'
        "import re\n"
        'PATTERN = re.compile(r"(s)(?=x)")\n'
        "def f(n):\n"
        '    raise ValueError(f"the folder holds {n} run(s); diff needs two")\n'
    )
    assert hand_built_plurals(source) == [(5, " run(s); diff needs two")]


def test_no_message_of_the_package_builds_a_plural_by_hand():
    package = Path(i18n.__file__).parent
    found = [
        f"{path.relative_to(package)}:{line}: {text!r}"
        for path in sorted(package.rglob("*.py"))
        for line, text in hand_built_plurals(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_no_catalogue_text_builds_a_plural_by_hand():
    assert "(s)" not in json.dumps(i18n.catalogue(), ensure_ascii=False)


@pytest.mark.parametrize(
    ("count", "words"),
    [(0, "0 runs"), (1, "1 run"), (2, "2 runs"), (12345, "12,345 runs")],
)
def test_a_count_in_an_english_message_agrees_with_its_word(count, words):
    assert i18n.counted(count, "run|runs", "en") == words


# --- sentences name evidence values as the tables and charts show them ------------------------------------------


@pytest.mark.parametrize(
    ("column", "raw", "fr", "en"),
    [
        ("attribute", "age_band", "tranche d'âge", "age band"),
        ("attribute", "gender × age_band", "genre × tranche d'âge", "gender × age band"),
        ("group", "(missing)", "(non renseigné)", "(missing)"),
        ("attribute", "marital", "marital", "marital"),  # the user's own column: its name as written
        ("group", "divorced", "divorced", "divorced"),
        ("group", None, "", ""),
    ],
)
def test_a_sentence_names_an_evidence_value_as_the_report_shows_it(column, raw, fr, en):
    assert (i18n.word(column, raw, "fr"), i18n.word(column, raw, "en")) == (fr, en)


def test_a_summary_placeholder_can_ask_for_the_word_of_an_evidence_value():
    summary = i18n.text(
        "bias.selection_parity",
        "summary.fail",
        "fr",
        failed_comparisons=1,
        campaign="NOEL26-EMAIL",
        group="65+",
        attribute="age_band",
        reference_group="45-54",
        ratio=0.44,
    )
    assert summary.endswith(
        "le groupe « 65 ans et plus » (tranche d'âge) est sélectionné à 0,44 fois le taux du groupe de référence "
        "« 45-54 ans »."
    )


# --- a group is worded by its attribute: the kit words only the groups it defines -------------------------------


@pytest.mark.parametrize(
    ("attribute", "raw", "fr", "en"),
    [
        ("gender", "F", "femmes", "women"),
        ("gender", "M", "hommes", "men"),
        ("age_band", "18-24", "18-24 ans", "18-24"),
        ("age_band", "65+", "65 ans et plus", "65 and over"),
        ("gender × age_band", "F × 65+", "femmes × 65 ans et plus", "women × 65 and over"),
        ("gender × age_band", "(missing) × under 18", "(non renseigné) × moins de 18 ans", "(missing) × under 18"),
        # the intersection of a canonical attribute and the user's own: only the canonical part is worded
        ("gender × marital", "F × M", "femmes × M", "women × M"),
        ("marital × gender", "1-5 × M", "1-5 × hommes", "1-5 × men"),
        # the kit's own labels read in words whatever the attribute
        ("marital", "(missing)", "(non renseigné)", "(missing)"),
        (None, "under 18", "moins de 18 ans", "under 18"),
    ],
)
def test_a_group_is_worded_by_its_attribute(attribute, raw, fr, en):
    for column in i18n.GROUP_COLUMNS:
        assert (i18n.value(column, raw, "fr", attribute), i18n.value(column, raw, "en", attribute)) == (fr, en)


# A user's `marital` coded M (married), F (formerly married), a band "1-5" of years married, a group "pass":
# words the catalogue has for gender, age bands and statuses would put a wrong translation on the user's data.
MARITAL_GROUPS = ("M", "F", "1-5", "65+", "pass", "yes", "email", "unknown", "profiling", "M × F")


@pytest.mark.parametrize("raw", MARITAL_GROUPS)
@pytest.mark.parametrize("attribute", ["marital", "marital × marital", None])
def test_a_group_of_the_users_own_attribute_reads_as_written(raw, attribute):
    for lang in i18n.LANGUAGES:
        for column in i18n.GROUP_COLUMNS:
            assert i18n.value(column, raw, lang, attribute) is None, (column, raw, lang, attribute)
            assert i18n.word(column, raw, lang, attribute) == raw


def test_a_sentence_words_a_group_by_the_attribute_it_names():
    def worst(attribute, group, reference_group):
        return i18n.text(
            "bias.selection_parity",
            "summary.fail",
            "fr",
            failed_comparisons=1,
            campaign="NOEL26-EMAIL",
            group=group,
            attribute=attribute,
            reference_group=reference_group,
            ratio=0.44,
        )

    assert worst("marital", "M", "F").endswith(
        "le groupe « M » (marital) est sélectionné à 0,44 fois le taux du groupe de référence « F »."
    )
    assert worst("marital", "1-5", "pass").endswith(
        "le groupe « 1-5 » (marital) est sélectionné à 0,44 fois le taux du groupe de référence « pass »."
    )
    assert worst("gender", "F", "M").endswith(
        "le groupe « femmes » (genre) est sélectionné à 0,44 fois le taux du groupe de référence « hommes »."
    )
    assert "le groupe « femmes × M » (genre × marital)" in worst("gender × marital", "F × M", "M × M")


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_every_flagged_recommendation_opens_with_the_role_that_acts_first(lang):
    """The scorecard's "who acts" column reads the role before the first colon (work.next_step): a role too long
    or with a colon inside leaves the column empty."""
    from ethics_review.work import next_step

    missing = [
        f"{check_id} {status}"
        for check_id in CHECKS
        for status in ("fail", "warn")
        if (text := i18n.catalogue()[check_id]["recommendation"].get(status, {}).get(lang)) is not None
        and next_step(text).owner is None
    ]
    assert missing == []
