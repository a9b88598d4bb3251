"""The data contract v2 as data: tables, canonical columns, their kinds and allowed values."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Final, Literal

from babel import Locale

# "country" (ISO 3166-1 alpha-2, names in English or French recognised) and "purpose" (canonical, or a custom
# purpose declared under values:) are closed vocabularies too, checked like "enum".
ColumnKind = Literal["string", "date", "timestamp", "bool", "float", "int", "enum", "country", "purpose"]


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    kind: ColumnKind
    required: bool = False
    values: tuple[str, ...] = ()  # allowed canonical values for kind "enum"
    identifier: bool = False  # a direct identifier: read to flag it, never copied into an output
    aliases: tuple[str, ...] = ()  # older names of the column, read as this one when it is absent


@dataclass(frozen=True)
class TableSpec:
    name: str
    columns: tuple[ColumnSpec, ...]
    unique: tuple[str, ...] = ()

    def column(self, name: str) -> ColumnSpec | None:
        return next((c for c in self.columns if c.name == name), None)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)


CANONICAL_PURPOSES = (
    "email_marketing",
    "sms_marketing",
    "phone_marketing",
    "postal_marketing",
    "push_marketing",
    "profiling",
    "personalised_ads",
    "third_party_sharing",
    "analytics",
)
CHANNELS = ("email", "sms", "phone", "postal", "push", "ads")
PURPOSE_BY_CHANNEL = {
    "email": "email_marketing",
    "sms": "sms_marketing",
    "phone": "phone_marketing",
    "postal": "postal_marketing",
    "push": "push_marketing",
    "ads": "personalised_ads",
}
CONSENT_STATUSES = ("granted", "withdrawn", "refused")
CONSENT_METHODS = ("single_opt_in", "double_opt_in", "checkbox", "cmp", "verbal", "imported", "soft_opt_in")
RECIPIENT_TYPES = ("individual", "professional", "generic")
REQUEST_TYPES = ("erasure", "objection", "restriction", "access", "rectification", "portability")
CONTENT_TYPES = ("text", "image", "video", "audio", "chatbot")
INTERACTION_CHANNELS = ("chat", "email", "phone", "social", "messaging")
HANDLED_BY = ("ai", "human", "both")

# Fixed, documented age bands (docs/checks.md): never quantiles. Lower bounds, inclusive.
AGE_BANDS = (("under 18", 0), ("18-24", 18), ("25-34", 25), ("35-44", 35), ("45-54", 45), ("55-64", 55), ("65+", 65))

# Column kinds, short so that the table specs below read as a table; Final keeps each one a Literal ColumnKind.
STR: Final = "string"
DATE: Final = "date"
TS: Final = "timestamp"
BOOL: Final = "bool"
FLOAT: Final = "float"
INT: Final = "int"

TABLES: dict[str, TableSpec] = {
    "contacts": TableSpec(
        "contacts",
        (
            ColumnSpec("contact_id", STR, required=True),
            ColumnSpec("email", STR, identifier=True),
            ColumnSpec("phone", STR, identifier=True),
            ColumnSpec("first_name", STR, identifier=True),
            ColumnSpec("last_name", STR, identifier=True),
            ColumnSpec("address", STR, identifier=True),
            ColumnSpec("birth_date", DATE),
            ColumnSpec("age", INT),
            ColumnSpec("country", "country"),
            ColumnSpec("is_customer", BOOL),
            ColumnSpec("customer_since", DATE),
            ColumnSpec("created_at", DATE),
            ColumnSpec("last_activity_at", DATE),
            ColumnSpec("recipient_type", "enum", values=RECIPIENT_TYPES),
        ),
        unique=("contact_id",),
    ),
    "consents": TableSpec(
        "consents",
        (
            ColumnSpec("contact_id", STR, required=True),
            ColumnSpec("purpose", "purpose", required=True),
            ColumnSpec("status", "enum", required=True, values=CONSENT_STATUSES),
            ColumnSpec("recorded_at", TS, required=True),
            ColumnSpec("source", STR),
            ColumnSpec("policy_version", STR),
            ColumnSpec("method", "enum", values=CONSENT_METHODS),
            ColumnSpec("evidence_ref", STR),
            ColumnSpec("parental_consent", BOOL),
            ColumnSpec("tc_string", STR),
        ),
    ),
    "sends": TableSpec(
        "sends",
        (
            ColumnSpec("contact_id", STR, required=True),
            ColumnSpec("campaign_id", STR, required=True),
            ColumnSpec("channel", "enum", required=True, values=CHANNELS),
            ColumnSpec("sent_at", TS, required=True),
            ColumnSpec("purpose", "purpose"),
            ColumnSpec("content_id", STR),
            ColumnSpec("send_id", STR),
        ),
    ),
    "targeting": TableSpec(
        "targeting",
        (
            ColumnSpec("contact_id", STR, required=True),
            ColumnSpec("campaign_id", STR, required=True),
            ColumnSpec("selected", BOOL, required=True),
            ColumnSpec("score", FLOAT),
            ColumnSpec("outcome", BOOL),
            ColumnSpec("offer_value", FLOAT),
        ),
    ),
    "requests": TableSpec(
        "requests",
        (
            ColumnSpec("contact_id", STR, required=True),
            ColumnSpec("type", "enum", required=True, values=REQUEST_TYPES),
            ColumnSpec("received_at", TS, required=True),
            ColumnSpec("completed_at", TS),
            ColumnSpec("extension_notified_at", TS),  # GDPR Art 12(3): deadline extended by two months
            ColumnSpec("request_id", STR),
        ),
    ),
    "content": TableSpec(
        "content",
        (
            ColumnSpec("content_id", STR, required=True),
            ColumnSpec("ai_generated", BOOL, required=True),
            ColumnSpec("content_type", "enum", values=CONTENT_TYPES),
            ColumnSpec("campaign_id", STR),
            ColumnSpec("channel", STR),
            ColumnSpec("disclosed", BOOL),
            ColumnSpec("machine_marked", BOOL),
            ColumnSpec("human_reviewed", BOOL),
            ColumnSpec("reviewer", STR, identifier=True),
            ColumnSpec("reviewed_at", TS),
            ColumnSpec("published_at", TS),
            # AI Act Art 3(60); `depicts_real_person` is its v1 name
            ColumnSpec("deepfake", BOOL, aliases=("depicts_real_person",)),
            ColumnSpec("withdrawn_at", TS),  # empty while the content is still in use
            ColumnSpec("public_interest", BOOL),  # text on matters of public interest, Art 50(4)
        ),
        unique=("content_id",),
    ),
    # v2: customer conversations (governance.human_contact)
    "interactions": TableSpec(
        "interactions",
        (
            ColumnSpec("interaction_id", STR, required=True),
            ColumnSpec("channel", "enum", required=True, values=INTERACTION_CHANNELS),
            ColumnSpec("started_at", TS, required=True),
            ColumnSpec("handled_by", "enum", required=True, values=HANDLED_BY),
            ColumnSpec("human_requested", BOOL),
            ColumnSpec("human_reached_at", TS),
            ColumnSpec("contact_id", STR),
            ColumnSpec("campaign_id", STR),
            ColumnSpec("ai_system_id", STR),
        ),
        unique=("interaction_id",),
    ),
}

# Tables read from files of their own shape rather than as rows of a CSV-like table.
OTHER_SOURCES = ("ai_systems", "notices", "assessment")  # assessment.yaml: the self-assessment (v2)
SOURCE_NAMES = tuple(TABLES) + OTHER_SOURCES
FILE_SUFFIXES = (".csv", ".parquet", ".xlsx")

# Columns whose values are kept as identifiers: never empty where required, never holding a line break.
ID_COLUMNS = ("contact_id", "content_id", "campaign_id", "send_id", "request_id")
# The closed vocabularies: an unknown value is an input error listing every unknown value of the column.
CLOSED_KINDS = ("enum", "country", "purpose")

# Booleans as the contract accepts them, compared case-insensitively.
TRUE_WORDS = ("true", "1", "yes", "oui", "y")
FALSE_WORDS = ("false", "0", "no", "non", "n")

# Codes CLDR lists among territories that are not ISO 3166-1 alpha-2 countries (groupings, pseudo-locales,
# territories with a code of their own only in CLDR).
_NOT_ISO_COUNTRIES = frozenset({"EU", "EZ", "UN", "ZZ", "QO", "XA", "XB", "XK", "AC", "CP", "DG", "EA", "IC", "TA"})


def fold_name(text: str) -> str:
    """A country name compared without case, accents or punctuation: 'États-Unis' = 'etats unis'."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join("".join(c if c.isalnum() else " " for c in plain.casefold()).split())


@cache
def country_names() -> dict[str, str]:
    """Every country name in English and French, folded, to its ISO 3166-1 alpha-2 code: Babel's CLDR
    territory names (a maintained source), never a hand-written list."""
    names: dict[str, str] = {}
    for language in ("en", "fr"):
        for code, name in Locale(language).territories.items():
            if isinstance(code, str) and code in iso_countries():
                names.setdefault(fold_name(name), code)
    return names


@cache
def iso_countries() -> frozenset[str]:
    return frozenset(
        code
        for code in Locale("en").territories
        if isinstance(code, str) and len(code) == 2 and code.isalpha() and code not in _NOT_ISO_COUNTRIES
    )


def country_code(value: str) -> str | None:
    """The ISO code of a country given as a code (any case) or a name in English or French; None if unknown."""
    text = value.strip()
    if text.upper() in iso_countries():
        return text.upper()
    return country_names().get(fold_name(text))
