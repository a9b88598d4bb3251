"""English and French wording. Ethics and legal text is data (texts/*.yaml), keyed by check id and language.

Numbers, percents, dates and plural forms come from Babel (CLDR data), so a third language needs catalogue
entries only. Placeholders in the catalogue:

- `{x:pct}` a share as a percent; `{n:int}` a count; `{x:num}` three significant digits; `{x:ratio}` two
  decimals; `{d:date}` a date written out in the reader's language ("2 août 2026").
- `{n:plural:envoi|envois}` the word that agrees with `n` (the number itself is not printed: write
  `{n:int} {n:plural:envoi|envois}`). Forms are either positional, `one|other`, or named by CLDR plural
  category, `one=…|few=…|many=…|other=…`; a category the text does not name falls back to `other`.
- `{group:word:group}` an evidence value named in a sentence as the report's tables and charts show it (`value`:
  "F × 65+" of column `group` is "femmes × 65 ans et plus" when the sentence's `attribute` is "gender ×
  age_band", `age_band` of `attribute` "tranche d'âge"); a value the catalogue has no word for (the user's own
  column `marital` and its groups, a campaign id) as given. A group is worded by the sentence's `attribute`
  value: a sentence naming a group passes the attribute it belongs to (`group_value`).
"""

from __future__ import annotations

import datetime as dt
import re
import string
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent, format_scientific

from .paths import package_yaml


@cache
def catalogue() -> dict[str, Any]:
    """Every texts/*.yaml file merged: check ids (and `ui`) at the top level."""
    merged: dict[str, Any] = {}
    for item in sorted(resources.files("ethics_review").joinpath("texts").iterdir(), key=lambda p: p.name):
        if item.name.endswith(".yaml"):
            part = package_yaml("texts", item.name) or {}
            clash = merged.keys() & part.keys()
            if clash:
                raise RuntimeError(f"text keys defined twice in texts/: {sorted(clash)}")
            merged.update(part)
    return merged


def _languages() -> tuple[str, ...]:
    """The languages the catalogue speaks: those of its status words (a new language is new catalogue keys)."""
    return tuple(catalogue()["ui"]["status"]["pass"])


LANGUAGES = _languages()


def _not_available(lang: str) -> str:
    return str(catalogue()["ui"]["not_available"].get(lang, "n/a"))


@cache
def locale(lang: str) -> Locale:
    return Locale.parse(lang)


class _LocalFormatter(string.Formatter):
    """Formats numbers, dates and plural forms the way the reader's language writes them."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.values: Mapping[str, Any] = {}

    def vformat(self, format_string: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> str:
        self.values = kwargs  # a group's word depends on the sentence's `attribute` (`{group:word:group}`)
        return super().vformat(format_string, args, kwargs)

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec in {"pct", "int", "num", "ratio"}:
            return format_number(value, format_spec, self.lang)
        if format_spec == "date":
            return format_day(value, self.lang)
        if format_spec.startswith("plural:"):
            return plural(value, format_spec.removeprefix("plural:"), self.lang)
        if format_spec.startswith("word:"):
            return word(format_spec.removeprefix("word:"), value, self.lang, self.values.get("attribute"))
        return str(super().format_field(value, format_spec))


def format_number(value: Any, kind: str, lang: str) -> str:
    """`int` 12 345, `pct` 97,3 %, `ratio` 0,76, `num` three significant digits, `p` a p-value (two significant
    digits, 1,2E-5 when tiny), in `lang`'s conventions."""
    if value is None:
        return _not_available(lang)
    where = locale(lang)
    if kind == "int":
        return format_decimal(int(value), format="#,##0", locale=where)
    if kind == "pct":
        return format_percent(float(value), format=_one_decimal_percent(lang), locale=where)
    if kind == "ratio":
        return format_decimal(float(value), format="#,##0.00", locale=where)
    if kind == "p":
        if float(value) >= 0.001:
            return format_decimal(float(value), format="@@", locale=where)
        return format_scientific(float(value), format="0.0E0", locale=where)
    return format_decimal(float(value), format="@##", locale=where)


@cache
def _one_decimal_percent(lang: str) -> str:
    """The language's own percent pattern (where the sign goes, which space) with one decimal."""
    pattern = locale(lang).percent_formats[None].pattern
    return re.sub(r"0(?=[^0#,.]*%)", "0.0", pattern, count=1)


def format_day(value: Any, lang: str) -> str:
    """A date written out in `lang` ("2 August 2026", "2 août 2026"); ISO strings and timestamps accepted."""
    if value is None:
        return _not_available(lang)
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    if isinstance(value, dt.datetime) or hasattr(value, "to_pydatetime"):
        value = value.date() if isinstance(value, dt.datetime) else value.to_pydatetime().date()
    text = format_date(value, format="long", locale=locale(lang))
    if value.day == 1:  # French writes the first of the month as an ordinal ("1er décembre"); CLDR does not
        text = re.sub(r"(?<!\d)1(?!\d)", catalogue()["ui"]["first_day_of_month"][lang], text, count=1)
    return text


def plural(count: Any, forms: str, lang: str) -> str:
    """The form of `forms` ("one|other" or "one=…|other=…") that agrees with `count` in `lang` (CLDR rules)."""
    options = forms.split("|")
    if all("=" in option for option in options):
        named = dict(option.split("=", 1) for option in options)
    else:
        named = dict(zip(("one", "other"), options, strict=True))
    category = locale(lang).plural_form(
        abs(float(count or 0)) if not float(count or 0).is_integer() else abs(int(count or 0))
    )
    return named.get(category, named["other"])


def counted(count: int, forms: str, lang: str) -> str:
    """ "1 run", "2 runs", "12,345 rows": a count in `lang` and the word of `forms` that agrees with it. The CLI's
    errors are English sentences built in code; they word their counts with this, never with "run(s)"."""
    return f"{format_number(count, 'int', lang)} {plural(count, forms, lang)}"


def _pick(node: Any, lang: str, where: str) -> str:
    if isinstance(node, dict) and lang in node:
        return str(node[lang])
    raise KeyError(f"no {lang!r} text at {where} in texts/*.yaml")


def text(key: str, part: str, lang: str, /, **values: Any) -> str:
    """The `part` (dotted path such as `summary.fail`) of `key` (a check id or `ui`), formatted in `lang`."""
    node: Any = catalogue()[key]
    for name in part.split("."):
        node = node[name]
    return _LocalFormatter(lang).format(_pick(node, lang, f"{key}.{part}"), **values)


def ui(part: str, lang: str, /, **values: Any) -> str:
    return text("ui", part, lang, **values)


def references(check_id: str) -> tuple[str, ...]:
    return tuple(catalogue()[check_id].get("references", ()))


# --- references: one canonical (English) string per reference, translated in one place -------------------

_ISO_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
# Words that mark English prose: a description still holding one after translation is left out in another
# language (the citation alone still points to the text).
_ENGLISH_WORDS = frozenset(
    (
        "the",
        "of",
        "and",
        "to",
        "a",
        "an",
        "on",
        "for",
        "with",
        "from",
        "by",
        "in",
        "at",
        "is",
        "are",
        "any",
        "every",
        "applies",
        "only",
        "needs",
        "as",
        "its",
        "be",
        "shall",
        "their",
        "each",
        "no",
        "not",
        "or",
        "where",
        "only",
        "that",
        "which",
    )
)


def reference(text_: str, lang: str) -> tuple[str, str]:
    """A reference of texts/*.yaml as it reads in `lang`, and the language it is written in (a work cited by
    its title keeps the title's language, which the page marks with `lang`). See texts/references.yaml."""
    if lang == "en":
        return _written_out_days(text_, lang), "en"
    table = catalogue()["reference_translations"]
    for entry in table["whole"]:
        if entry["text"] == text_ and lang in entry:
            return _written_out_days(entry[lang], lang), lang
    works = table["works"]
    if re.match(works["pattern"], text_):
        authors, _, rest = text_.partition("), ")
        return f"{authors.replace(' and ', works['and'].get(lang, ' and '))}), {rest}", "en"
    head, descriptions = _split_reference(text_)
    parts = [_without_english_tail(_translated_citation(head, lang))]
    for separator, description in descriptions:
        translated = _translated_description(description, lang)
        if translated is not None:
            parts.append(f" ({translated})" if separator == "(" else f"{_separator(separator, lang)}{translated}")
    return _written_out_days("".join(parts), lang), lang


def _split_reference(text_: str) -> tuple[str, list[tuple[str, str]]]:
    """ "GDPR Art 12(1), clear language (note)" -> ("GDPR Art 12(1)", [(",", "clear language"), ("(", "note")]):
    parenthesised parts that follow a space, and what follows the first top-level comma or colon."""
    head, parts, depth, start, kind = None, [], 0, 0, ""
    i = 0
    while i < len(text_):
        char = text_[i]
        if char == "(" and depth == 0 and i > 0 and text_[i - 1] == " " and _is_description(text_, i):
            piece = text_[start:i].rstrip()
            if head is None:
                head = piece
            elif piece:
                parts.append((kind, piece))
            depth, start, kind = 1, i + 1, "("
        elif char == "(":
            depth += 1
        elif char == ")" and depth:
            depth -= 1
            if depth == 0 and kind == "(":
                parts.append(("(", text_[start:i]))
                start, kind = i + 1, ""
        elif char in ",:" and depth == 0 and text_[i + 1 : i + 2] == " " and kind != "," and kind != ":":
            piece = text_[start:i].rstrip()
            if head is None:
                head = piece
            elif piece:
                parts.append((kind, piece))
            start, kind = i + 2, char
            i += 1
        i += 1
    rest = text_[start:].strip()
    if head is None:
        return rest, parts
    if rest:
        parts.append((kind or ",", rest))
    return head, [(k, p.strip()) for k, p in parts if p.strip()]


def _without_english_tail(citation: str) -> str:
    """ "RGPD art. 9 only where ..." -> "RGPD art. 9": a citation keeps what precedes its first English word."""
    words = sorted((w for w in _ENGLISH_WORDS if len(w) > 1), key=len, reverse=True)
    match = re.search(r"(?<![(\w])(" + "|".join(words) + r")\b", citation)
    return citation[: match.start()].rstrip(" ,;:") if match and match.start() > 0 else citation


def _is_description(text_: str, start: int) -> bool:
    """Words in parentheses ("(right to erasure)", "(spirit)") describe; "(EU)" or "(2021)" are citation."""
    inner = text_[start + 1 :].split(")", 1)[0]
    return " " in inner or (inner.isalpha() and inner.islower())


def _translated_citation(citation: str, lang: str) -> str:
    names = catalogue()["reference_translations"]["names"]
    country = _country(citation, lang)
    if country is not None:
        return country
    for entry in names:
        if lang in entry:
            citation = re.sub(entry["pattern"], entry[lang], citation)
    return citation.strip()


def _translated_description(description: str, lang: str) -> str | None:
    table = catalogue()["reference_translations"]["descriptions"]
    for entry in table:
        if lang not in entry:
            continue
        if "text" in entry and entry["text"] == description:
            return str(entry[lang])
        if "pattern" in entry:
            match = re.fullmatch(entry["pattern"], description)
            if match:
                values = {k: _typed(v) for k, v in match.groupdict().items()}
                return _LocalFormatter(lang).format(entry[lang], **values)
    citation = _translated_citation(description, lang)
    return None if set(re.findall(r"[a-z]+", citation)) & _ENGLISH_WORDS else citation


def _typed(value: str) -> Any:
    """A captured number as an int, a captured date ("27 February 2025" or ISO) as a date."""
    if value.isdigit() and len(value) < 4:
        return int(value)
    for pattern in ("%Y-%m-%d", "%d %B %Y"):
        try:
            return dt.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    return value


def _separator(separator: str, lang: str) -> str:
    return {",": ", ", ":": ui("colon", lang)}.get(separator, ", ")


@cache
def _territory_codes() -> dict[str, str]:
    return {name: code for code, name in locale("en").territories.items() if code.isalpha()}


def _country(citation: str, lang: str) -> str | None:
    code = _territory_codes().get(citation.strip())
    return None if code is None else locale(lang).territories.get(code, citation)


def _written_out_days(text_: str, lang: str) -> str:
    return _ISO_DAY.sub(lambda m: format_day(m.group(0), lang), text_)


# --- evidence values: findings.json keeps canonical values, the page shows the reader's words -------------

REFERENCE_COLUMNS = ("rule",)  # evidence columns that cite a legal text (consent.minors: the national age rule)


GROUP_COLUMNS = ("group", "reference_group")  # evidence columns naming a group of the row's `attribute`
INTERSECTION = " × "  # "gender × age_band" and its group "F × 65+": bias.intersectional joins parts with it


def word(column: str, raw: Any, lang: str, attribute: Any = None) -> str:
    """An evidence value as a sentence names it: the catalogue's word (`value`), else as given (data)."""
    worded = value(column, raw, lang, attribute)
    return worded if worded is not None else ("" if raw is None else str(raw))


def value(column: str, raw: Any, lang: str, attribute: Any = None) -> str | None:
    """An evidence value in `lang` (a bucket, a purpose, a channel, "filled"...), from texts/report.yaml
    `report.values` (per column, then `any`, then `patterns`); None when the catalogue has no word for it.
    A group (`GROUP_COLUMNS`) is worded by `group_value`, which needs the row's `attribute`."""
    if column in REFERENCE_COLUMNS and isinstance(raw, str):
        return reference(raw, lang)[0]
    if isinstance(raw, bool):
        return str(_pick(catalogue()["report"]["values"]["bool"][str(raw).lower()], lang, "report.values.bool"))
    if not isinstance(raw, str) or not raw:
        return None
    if column in GROUP_COLUMNS:
        return group_value(raw, lang, attribute)
    values = catalogue()["report"]["values"]
    for scope in (values.get(column) or {}, values["any"]):
        if raw in scope:
            return _pick(scope[raw], lang, f"report.values.{column}.{raw}")
    for entry in values["patterns"]:
        match = re.fullmatch(entry["pattern"], raw)
        if match and lang in entry and "attributes" not in entry and column in entry.get("columns", (column,)):
            groups = {k: _typed(v) for k, v in match.groupdict().items()}
            return _LocalFormatter(lang).format(entry[lang], **groups)
    columns = catalogue()["report"]["columns"]
    if raw in columns:  # a field or column name given as a value (e.g. the register's missing fields)
        return _pick(columns[raw], lang, f"report.columns.{raw}").lower()
    if _ISO_DAY.fullmatch(raw):
        return format_day(raw, lang)
    for joint in (" × ", ", "):
        if joint in raw:
            parts = raw.split(joint)
            words = [value(column, part, lang) for part in parts]
            if any(word is not None for word in words):
                return joint.join(word if word is not None else part for word, part in zip(words, parts, strict=True))
    return None


def group_value(raw: str, lang: str, attribute: Any = None) -> str | None:
    """A group of `attribute` in `lang`, or None (shown as written). The kit's own labels ("(missing)", "under
    18") read in every language whatever the attribute; a code gets a word only under the canonical attribute
    the catalogue knows it for (`group_by_attribute`, patterns with `attributes`): a user's own `marital` "M"
    (married), a segment "1-5" or a group "pass" stay as written. An intersection "F × 65+" of "gender ×
    age_band" words each part by its own attribute; with no attribute known, only the kit's labels are words."""
    values = catalogue()["report"]["values"]
    if raw in values["group"]:
        return _pick(values["group"][raw], lang, f"report.values.group.{raw}")
    if INTERSECTION in raw:
        parts = raw.split(INTERSECTION)
        attributes = str(attribute or "").split(INTERSECTION)
        if len(attributes) != len(parts):  # parts cannot be paired with their attributes: the kit's labels only
            attributes = [""] * len(parts)
        words = [group_value(part, lang, name) for part, name in zip(parts, attributes, strict=True)]
        if all(w is None for w in words):
            return None
        return INTERSECTION.join(w if w is not None else part for w, part in zip(words, parts, strict=True))
    if not isinstance(attribute, str) or not attribute:
        return None
    scope = values["group_by_attribute"].get(attribute) or {}
    if raw in scope:
        return _pick(scope[raw], lang, f"report.values.group_by_attribute.{attribute}.{raw}")
    for entry in values["patterns"]:
        match = re.fullmatch(entry["pattern"], raw)
        if match and lang in entry and attribute in entry.get("attributes", ()):
            return _LocalFormatter(lang).format(entry[lang], **{k: _typed(v) for k, v in match.groupdict().items()})
    return None
