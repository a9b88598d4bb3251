"""English and French wording. Ethics and legal text is data (texts/*.yaml), keyed by check id and language.

Numbers, percents, dates and plural forms come from Babel (CLDR data), so a third language needs catalogue
entries only. Placeholders in the catalogue:

- `{x:pct}` a share as a percent; `{n:int}` a count; `{x:num}` three significant digits; `{x:ratio}` two
  decimals; `{d:date}` a date written out in the reader's language ("2 août 2026").
- `{n:plural:envoi|envois}` the word that agrees with `n` (the number itself is not printed: write
  `{n:int} {n:plural:envoi|envois}`). Forms are either positional, `one|other`, or named by CLDR plural
  category, `one=…|few=…|many=…|other=…`; a category the text does not name falls back to `other`.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from functools import cache
from importlib import resources
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

from .paths import package_yaml

LANGUAGES = ("en", "fr")
_NOT_AVAILABLE = {"en": "n/a", "fr": "n.d."}


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


@cache
def locale(lang: str) -> Locale:
    return Locale.parse(lang)


class _LocalFormatter(string.Formatter):
    """Formats numbers, dates and plural forms the way the reader's language writes them."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec in {"pct", "int", "num", "ratio"}:
            return format_number(value, format_spec, self.lang)
        if format_spec == "date":
            return format_day(value, self.lang)
        if format_spec.startswith("plural:"):
            return plural(value, format_spec.removeprefix("plural:"), self.lang)
        return super().format_field(value, format_spec)


def format_number(value: Any, kind: str, lang: str) -> str:
    """`int` 12 345, `pct` 97,3 %, `ratio` 0,76, `num` three significant digits, in `lang`'s conventions."""
    if value is None:
        return _NOT_AVAILABLE.get(lang, "n/a")
    where = locale(lang)
    if kind == "int":
        return format_decimal(int(value), format="#,##0", locale=where)
    if kind == "pct":
        return format_percent(float(value), format=_one_decimal_percent(lang), locale=where)
    if kind == "ratio":
        return format_decimal(float(value), format="#,##0.00", locale=where)
    return format_decimal(float(value), format="@##", locale=where)


@cache
def _one_decimal_percent(lang: str) -> str:
    """The language's own percent pattern (where the sign goes, which space) with one decimal."""
    pattern = locale(lang).percent_formats[None].pattern
    return re.sub(r"0(?=[^0#,.]*%)", "0.0", pattern, count=1)


def format_day(value: Any, lang: str) -> str:
    """A date written out in `lang` ("2 August 2026", "2 août 2026"); ISO strings and timestamps accepted."""
    if value is None:
        return _NOT_AVAILABLE.get(lang, "n/a")
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    if isinstance(value, dt.datetime) or hasattr(value, "to_pydatetime"):
        value = value.date() if isinstance(value, dt.datetime) else value.to_pydatetime().date()
    return format_date(value, format="long", locale=locale(lang))


def plural(count: Any, forms: str, lang: str) -> str:
    """The form of `forms` ("one|other" or "one=…|other=…") that agrees with `count` in `lang` (CLDR rules)."""
    options = forms.split("|")
    if all("=" in option for option in options):
        named = dict(option.split("=", 1) for option in options)
    else:
        named = dict(zip(("one", "other"), options, strict=True))
    category = locale(lang).plural_form(abs(float(count or 0)) if not float(count or 0).is_integer()
                                        else abs(int(count or 0)))
    return named.get(category, named["other"])


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
