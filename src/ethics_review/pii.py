"""Personal data in free text: email addresses, phone numbers, IBANs and French social security numbers (NIR).

Pure functions over one string. The checks call them only on distinct values pulled as an aggregate and never
copy a value into an output: what leaves this module is the set of kinds found.

`CANDIDATE_PATTERN` is a cheap, portable prefilter (RE2 and Java regex alike) that the engine runs first, so
that only values that might hold personal data are pulled for validation: a phone number must be a valid
number for its region (the `phonenumbers` library), an IBAN must pass its mod-97 check (ISO 13616) and a NIR
its key (97 minus the number modulo 97; Corsica's 2A and 2B read as 19 and 18).
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers

KINDS = ("email", "phone", "iban", "nir")

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
IBAN = re.compile(r"\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11,30}\b")
NIR = re.compile(r"\b([12]) ?([0-9]{2}) ?(0[1-9]|1[0-2]|[2-9][0-9]) ?([0-9]{2}|2A|2B) ?([0-9]{3}) ?([0-9]{3}) ?"
                 r"([0-9]{2})\b")
# An @, or a run of at least nine digits possibly broken by spaces, dots, dashes or brackets.
CANDIDATE_PATTERN = r"@|[0-9][0-9 .()/-]{7,}[0-9]"

# Column names that hold direct identifiers, in English and French (normalised: lower case, no accents, "_").
IDENTIFIER_COLUMN_NAMES = frozenset({
    "email", "e_mail", "mail", "courriel", "adresse_mail", "adresse_email", "phone", "phone_number", "telephone",
    "tel", "mobile", "portable", "first_name", "firstname", "last_name", "lastname", "surname", "name", "nom",
    "prenom", "nom_complet", "full_name", "address", "adresse", "street", "rue", "iban", "nir", "ssn",
    "numero_secu", "numero_securite_sociale", "num_secu", "ip_address", "adresse_ip",
})


# Role mailboxes of a business (B2B generic addresses): they name a function, not a person (CNIL), so they are
# not personal data in free text. An address such as marie.martin@company.example still is.
ROLE_MAILBOXES = frozenset({
    "contact", "info", "infos", "information", "bonjour", "hello", "accueil", "commandes", "commande", "orders",
    "sales", "ventes", "support", "service", "service-client", "serviceclient", "sav", "admin", "compta",
    "comptabilite", "facturation", "billing", "rh", "hr", "jobs", "recrutement", "noreply", "no-reply", "newsletter",
    "presse", "press", "marketing", "office", "secretariat", "direction",
})


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
    return [phonenumbers.format_number(m.number, phonenumbers.PhoneNumberFormat.E164) for m in matcher
            if m.raw_string.lstrip().startswith(("0", "+"))]


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
