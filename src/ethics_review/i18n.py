"""English and French wording. Ethics and legal text is data (texts/*.yaml), keyed by check id and language."""

from __future__ import annotations

import string
from functools import cache
from importlib import resources
from typing import Any

from .paths import package_yaml

LANGUAGES = ("en", "fr")


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


class _LocalFormatter(string.Formatter):
    """`{x:pct}`, `{n:int}`, `{x:num}` and `{x:ratio}` format numbers the way the reader's language writes them."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec in {"pct", "int", "num", "ratio"}:
            return format_number(value, format_spec, self.lang)
        return super().format_field(value, format_spec)


def format_number(value: Any, kind: str, lang: str) -> str:
    if value is None:
        return "n/a" if lang == "en" else "n.d."
    if kind == "int":
        text = f"{int(value):,}"
        return text.replace(",", "\u202f") if lang == "fr" else text
    if kind == "pct":
        text = f"{100 * float(value):.1f}"
        return f"{text.replace('.', ',')}\u00a0%" if lang == "fr" else f"{text}%"
    text = f"{float(value):.2f}" if kind == "ratio" else f"{float(value):.3g}"
    return text.replace(".", ",") if lang == "fr" else text


def _pick(node: Any, lang: str, where: str) -> str:
    if isinstance(node, dict) and lang in node:
        return node[lang]
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
