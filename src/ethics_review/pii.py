"""Personal data in free text: email addresses, phone numbers, IBANs and French social security numbers (NIR).

Two readings of the same rules:
- `engine_flags` builds Ibis expressions that flag each kind in a text column inside the engine (DuckDB, Spark,
  PostgreSQL alike: portable regular expressions and arithmetic), so that consent.minimisation counts rows
  without any value leaving the engine. An IBAN must pass its mod-97 check (ISO 13616) and a NIR its key (97
  minus the number modulo 97; Corsica's 2A and 2B read as 19 and 18), both computed in the engine on the first
  candidate of the text. A phone number is one written as people write them: the trunk prefix 0 and a possible
  national length of the region (from the `phonenumbers` metadata), or + / 00 and 8 to 15 digits.
- The pure functions over one string (`kinds_in` and the rest) are the reference those expressions are tested
  against, and serve the privacy scan of the outputs; `phone_numbers` uses the `phonenumbers` matcher.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import phonenumbers

KINDS = ("email", "phone", "iban", "nir")

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
IBAN = re.compile(r"\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11,30}\b")
NIR = re.compile(
    r"\b([12]) ?([0-9]{2}) ?(0[1-9]|1[0-2]|[2-9][0-9]) ?([0-9]{2}|2A|2B) ?([0-9]{3}) ?([0-9]{3}) ?"
    r"([0-9]{2})\b"
)
# An @, or a run of at least nine digits possibly broken by spaces, dots, dashes or brackets.
CANDIDATE_PATTERN = r"@|[0-9][0-9 .()/-]{7,}[0-9]"

# Column names that hold direct identifiers, in English and French (normalised: lower case, no accents, "_").
IDENTIFIER_COLUMN_NAMES = frozenset(
    {
        "email",
        "e_mail",
        "mail",
        "courriel",
        "adresse_mail",
        "adresse_email",
        "phone",
        "phone_number",
        "telephone",
        "tel",
        "mobile",
        "portable",
        "first_name",
        "firstname",
        "last_name",
        "lastname",
        "surname",
        "name",
        "nom",
        "prenom",
        "nom_complet",
        "full_name",
        "address",
        "adresse",
        "street",
        "rue",
        "iban",
        "nir",
        "ssn",
        "numero_secu",
        "numero_securite_sociale",
        "num_secu",
        "ip_address",
        "adresse_ip",
    }
)


# Role mailboxes of a business (B2B generic addresses): they name a function, not a person (CNIL), so they are
# not personal data in free text. An address such as marie.martin@company.example still is.
ROLE_MAILBOXES = frozenset(
    {
        "contact",
        "info",
        "infos",
        "information",
        "bonjour",
        "hello",
        "accueil",
        "commandes",
        "commande",
        "orders",
        "sales",
        "ventes",
        "support",
        "service",
        "service-client",
        "serviceclient",
        "sav",
        "admin",
        "compta",
        "comptabilite",
        "facturation",
        "billing",
        "rh",
        "hr",
        "jobs",
        "recrutement",
        "noreply",
        "no-reply",
        "newsletter",
        "presse",
        "press",
        "marketing",
        "office",
        "secretariat",
        "direction",
    }
)


def emails(text: str) -> list[str]:
    """Email addresses of people: every address but the role mailboxes of ROLE_MAILBOXES."""
    found = (m.group(0) for m in EMAIL.finditer(text))
    return [e for e in found if e.split("@", 1)[0].lower() not in ROLE_MAILBOXES]


def phone_numbers(text: str, region: str = "FR") -> list[str]:
    """Phone numbers in `text` (national numbers read for `region`), in E.164: numbers of a possible length
    written as people write phone numbers, with the trunk prefix 0 or a +. Validity is not required: overseas or
    unallocated ranges ("06 93..." is Réunion's, "07 01..." unallocated) still read as someone's number. A bare run
    of digits ("ref 123456789") does not, even when it would dial."""
    matcher = phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.POSSIBLE)
    return [
        phonenumbers.format_number(m.number, phonenumbers.PhoneNumberFormat.E164)
        for m in matcher
        if m.raw_string.lstrip().startswith(("0", "+"))
    ]


def iban_is_valid(candidate: str) -> bool:
    """ISO 13616: move the first four characters to the end, letters to numbers (A=10), the result mod 97 is 1."""
    compact = candidate.replace(" ", "").upper()
    if not re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}", compact):
        return False
    digits = "".join(str(int(char, 36)) for char in compact[4:] + compact[:4])
    return int(digits) % 97 == 1


def ibans(text: str) -> list[str]:
    return [m.group(0) for m in IBAN.finditer(text) if iban_is_valid(m.group(0))]


def nir_is_valid(candidate: str) -> bool:
    """A French NIR (13 characters) and its 2-digit key: key = 97 - (number mod 97)."""
    compact = candidate.replace(" ", "").upper()
    if not re.fullmatch(r"[12][0-9]{4}(?:[0-9]{2}|2A|2B)[0-9]{8}", compact):
        return False
    body = compact[:13].replace("2A", "19").replace("2B", "18")
    return 97 - int(body) % 97 == int(compact[13:])


def nirs(text: str) -> list[str]:
    return [m.group(0) for m in NIR.finditer(text) if nir_is_valid(m.group(0))]


def kinds_in(text: str | None, *, region: str = "FR") -> frozenset[str]:
    """The kinds of personal data `text` holds (a subset of KINDS)."""
    if not text:
        return frozenset()
    found = set()
    if emails(text):
        found.add("email")
    if ibans(text):
        found.add("iban")
    if nirs(text):
        found.add("nir")
    # An IBAN or a NIR is also a long run of digits: read phone numbers in the text without them.
    rest = NIR.sub(" ", IBAN.sub(" ", EMAIL.sub(" ", text)))
    if phone_numbers(rest, region):
        found.add("phone")
    return frozenset(found)


def normalised_column_name(name: str) -> str:
    """'Adresse e-mail' -> 'adresse_e_mail': lower case, accents and punctuation folded to '_'."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "_", folded).strip("_")


def is_identifier_column(name: str) -> bool:
    return normalised_column_name(name) in IDENTIFIER_COLUMN_NAMES


# The contract's identifier column (contacts: email, phone, first_name, last_name, address) each of the names
# above stands for, when it is one of them: an export's own name for a column the contract has.
CANONICAL_IDENTIFIERS = {
    "email": ("email", "e_mail", "mail", "courriel", "adresse_mail", "adresse_email"),
    "phone": ("phone", "phone_number", "telephone", "tel", "mobile", "portable"),
    "first_name": ("first_name", "firstname", "prenom"),
    "last_name": ("last_name", "lastname", "surname", "nom"),
    "address": ("address", "adresse", "street", "rue"),
}
_CANONICAL_BY_NAME = {alias: canonical for canonical, aliases in CANONICAL_IDENTIFIERS.items() for alias in aliases}


def canonical_identifier(name: str) -> str | None:
    """'Prénom' -> 'first_name', 'Nom' -> 'last_name': the contract column an identifier-named column is, if any."""
    return _CANONICAL_BY_NAME.get(normalised_column_name(name))


# --- the same rules as engine expressions -------------------------------------------------------------------------

# Portable patterns: no \b (PostgreSQL reads it as a backspace), no look-around (RE2 has none), no backreference.
_EDGE_BEFORE, _EDGE_AFTER = "(^|[^A-Za-z0-9_])", "([^A-Za-z0-9_]|$)"
ENGINE_EMAIL = EMAIL.pattern
ENGINE_ROLE_EMAIL = (
    "(^|[^a-z0-9._%+-])("
    + "|".join(sorted(ROLE_MAILBOXES, key=len, reverse=True))
    + ")@[a-z0-9-]+([.][a-z0-9-]+)*[.][a-z]{2,}"
)
ENGINE_IBAN = _EDGE_BEFORE + "([A-Z]{2}[0-9]{2}( ?[A-Z0-9]){11,30})" + _EDGE_AFTER
ENGINE_NIR = (
    _EDGE_BEFORE + "([12] ?[0-9]{2} ?(0[1-9]|1[0-2]|[2-9][0-9]) ?([0-9]{2}|2A|2B) ?[0-9]{3} ?[0-9]{3} ?"
    "[0-9]{2})" + _EDGE_AFTER
)
_PHONE_SEPARATORS = "[ .()/-]{0,2}"


def engine_phone_pattern(region: str = "FR") -> str:
    """A number in the national format of `region` (trunk 0, then a possible national length), or in the
    international format (+ or 00, then 8 to 15 digits), with the separators people write."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region.upper())
    general = metadata.general_desc if metadata is not None else None
    lengths = sorted(set(general.possible_length)) if general is not None else [9]
    national = "|".join(f"0[ .-]?[1-9]([ .-]?[0-9]){{{n - 1}}}" for n in lengths)
    international = f"(\\+ ?|00 ?)[1-9]({_PHONE_SEPARATORS}[0-9]){{7,14}}"
    return f"(^|[^0-9+])({national}|{international})([^0-9]|$)"


def engine_flags(text: Any, *, region: str = "FR") -> dict[str, Any]:
    """kind -> an Ibis boolean expression: does `text` (an Ibis string column) hold that kind?"""
    import ibis  # noqa: PLC0415 - the text scanners need no engine; only these expressions do

    people = text.lower().re_replace(ENGINE_ROLE_EMAIL, " ")  # role mailboxes name a function, not a person
    iban = text.re_extract(ENGINE_IBAN, 2)
    nir = text.re_extract(ENGINE_NIR, 2)
    # As kinds_in: an IBAN or a NIR is also a long run of digits; phone numbers are read in the text without them.
    rest = text.re_replace(EMAIL.pattern, " ").re_replace(ENGINE_IBAN, " ").re_replace(ENGINE_NIR, " ")
    flags = {
        "email": people.re_search(ENGINE_EMAIL),
        "phone": rest.re_search(engine_phone_pattern(region)),
        "iban": text.re_search(ENGINE_IBAN) & _iban_checks(iban),
        "nir": text.re_search(ENGINE_NIR) & _nir_checks(nir),
    }
    return {kind: ibis.coalesce(flag, False) for kind, flag in flags.items()}


def _iban_checks(candidate: Any) -> Any:
    """ISO 13616 in the engine: the first four characters moved to the end, letters as numbers (A=10), and the
    remainder by 97 computed nine digits at a time on a zero-padded string (leading zeros do not change it)."""
    import ibis  # noqa: PLC0415 - as in engine_flags

    compact = candidate.replace(" ", "").upper()
    digits = compact.substr(4) + compact.substr(0, 4)
    for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        digits = digits.replace(letter, str(ord(letter) - 55))
    # 34 characters at most, two digits per letter: 68 digits at most. Zeros in front, then the last 72: lpad's
    # result, which Ibis writes with its argument four times (the check's SQL was nearly 1 MB, parsed and planned
    # at every scan).
    padded = (ibis.literal("0" * 72) + digits).right(72)
    remainder = None
    for start in range(0, 72, 9):
        chunk = padded.substr(start, 9).cast("int64")
        remainder = chunk % 97 if remainder is None else (remainder * 1_000_000_000 + chunk) % 97
    return remainder == 1


def _nir_checks(candidate: Any) -> Any:
    compact = candidate.replace(" ", "").upper().lpad(15, "0")  # no candidate: zeros, which cast safely
    body = compact.substr(0, 13).replace("2A", "19").replace("2B", "18").cast("int64")
    return 97 - body % 97 == compact.substr(13, 2).cast("int64")
