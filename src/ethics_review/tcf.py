"""Decode IAB TCF v2 consent strings ("TC strings") and check them against TCF 2.2 policy.

Scope: the TC string format of the IAB Transparency & Consent Framework v2 (TCF 2.0 to 2.2): the core segment,
the vendor consent and legitimate-interest sections in bitfield or range encoding, publisher restrictions, and
the optional segments after a "." (type 1 disclosed vendors, type 2 allowed vendors (deprecated), type 3
publisher TC). TCF v1.1 strings are rejected, not decoded: v1.1 was switched off in August 2020. No Global
Vendor List is used, so the decoder reports purpose and vendor ids, not their names.

Error policy: anything that is not a well-formed TCF v2 string raises `TCStringError` (a ValueError) and never
another exception, non-str input included. Messages say what is wrong and where (segment, field, bit offset).
A string that decodes but breaks TCF 2.2 policy is returned as decoded by default, because a review wants to
report the breach rather than lose the record: `policy_breaches` words each breach as a sentence, and
`decode(s, strict=True)` raises `TCStringError` on them instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

_BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_SIX_BITS = {char: format(value, "06b") for value, char in enumerate(_BASE64URL)}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_OPTIONAL_SEGMENTS = {1: "disclosed vendors", 2: "allowed vendors", 3: "publisher TC"}
# TCF 2.2 (policy version 4 and later) allows only consent, never legitimate interest, for these purposes.
_CONSENT_ONLY_PURPOSES = (3, 4, 5, 6)
FIRST_TCF_22_POLICY_VERSION = 4


class TCStringError(ValueError):
    """The input is not a well-formed TCF v2 TC string (or, with strict=True, it breaks TCF 2.2 policy)."""


@dataclass(frozen=True)
class PublisherRestriction:
    """The publisher's restriction of one purpose for some vendors."""

    purpose_id: int
    restriction_type: int  # 0 not allowed, 1 require consent, 2 require legitimate interest
    vendor_ids: frozenset[int]


@dataclass(frozen=True)
class PublisherTC:
    """The publisher's own purposes (segment type 3); custom purposes are numbered 1..num_custom_purposes."""

    pub_purposes_consents: frozenset[int]
    pub_purposes_li_transparency: frozenset[int]
    num_custom_purposes: int
    custom_purposes_consents: frozenset[int]
    custom_purposes_li_transparency: frozenset[int]


@dataclass(frozen=True)
class TCString:
    """A decoded TC string. Id sets are frozensets of ints; an absent optional segment is None."""

    version: int
    created: datetime  # UTC; TC strings store deciseconds and so does this
    last_updated: datetime
    cmp_id: int
    cmp_version: int
    consent_screen: int
    consent_language: str  # two letters, e.g. "EN"
    vendor_list_version: int
    tcf_policy_version: int
    is_service_specific: bool
    use_non_standard_stacks: bool  # named UseNonStandardTexts since TCF 2.2; same bit
    special_feature_optins: frozenset[int]
    purpose_consents: frozenset[int]
    purpose_legitimate_interests: frozenset[int]
    purpose_one_treatment: bool
    publisher_cc: str  # two-letter country code
    max_vendor_id_consents: int
    vendor_consents: frozenset[int]
    max_vendor_id_legitimate_interests: int
    vendor_legitimate_interests: frozenset[int]
    publisher_restrictions: tuple[PublisherRestriction, ...]  # in the order the string lists them
    disclosed_vendors: frozenset[int] | None
    allowed_vendors: frozenset[int] | None
    publisher_tc: PublisherTC | None


class _BitReader:
    """Reads big-endian fields in order from one segment's bits, naming the field in any error."""

    def __init__(self, bits: str, segment: str) -> None:
        self.bits, self.segment, self.offset = bits, segment, 0

    def where(self, offset: int | None = None) -> str:
        return f"{self.segment} segment, bit offset {self.offset if offset is None else offset}"

    def remaining(self) -> int:
        return len(self.bits) - self.offset

    def take(self, length: int, field: str) -> str:
        end = self.offset + length
        if end > len(self.bits):
            raise TCStringError(
                f"TC string is truncated: the {self.segment} segment has {len(self.bits)} bits "
                f"but field {field} needs bits {self.offset}-{end - 1}"
            )
        chunk, self.offset = self.bits[self.offset : end], end
        return chunk

    def read_int(self, length: int, field: str) -> int:
        return int(self.take(length, field), 2)

    def read_bool(self, field: str) -> bool:
        return self.take(1, field) == "1"

    def read_ids(self, length: int, field: str) -> frozenset[int]:
        """A bitfield whose bit i (counting from 1) says whether id i is set."""
        return frozenset(i for i, bit in enumerate(self.take(length, field), start=1) if bit == "1")

    def read_letters(self, field: str) -> str:
        letters = []
        for _ in range(2):
            start = self.offset
            value = self.read_int(6, field)
            if value > 25:
                raise TCStringError(f"{field} letter value {value} is not a letter A-Z ({self.where(start)})")
            letters.append(chr(ord("A") + value))
        return "".join(letters)

    def read_date(self, field: str) -> datetime:
        return _EPOCH + timedelta(milliseconds=100 * self.read_int(36, field))


def _ids_from_mask(mask: int) -> frozenset[int]:
    return frozenset(i for i, bit in enumerate(reversed(bin(mask)[2:])) if bit == "1")


def _read_range_entries(reader: _BitReader, name: str, max_vendor_id: int | None) -> frozenset[int]:
    """NumEntries, then entries that each hold a single vendor id or an inclusive range of ids."""
    # One bit per vendor id: a range may span tens of thousands of ids and a big int keeps that cheap.
    mask = 0
    for entry in range(1, reader.read_int(12, f"{name} NumEntries") + 1):
        start_offset = reader.offset
        is_range = reader.read_bool(f"{name} IsARange")
        start = reader.read_int(16, f"{name} StartOrOnlyVendorId")
        end = reader.read_int(16, f"{name} EndVendorId") if is_range else start
        problem = (
            "has vendor id 0, but vendor ids start at 1"
            if start == 0
            else f"ends at vendor {end} before it starts at {start}"
            if end < start
            else f"reaches vendor {end} but maxVendorId is {max_vendor_id}"
            if max_vendor_id is not None and end > max_vendor_id
            else None
        )
        if problem:
            raise TCStringError(f"{name} range entry {entry} {problem} ({reader.where(start_offset)})")
        mask |= ((1 << (end - start + 1)) - 1) << start
    return _ids_from_mask(mask)


def _read_vendor_section(reader: _BitReader, name: str) -> tuple[int, frozenset[int]]:
    """MaxVendorId and IsRangeEncoding, then a bitfield of MaxVendorId bits or range entries."""
    max_vendor_id = reader.read_int(16, f"{name} MaxVendorId")
    if reader.read_bool(f"{name} IsRangeEncoding"):
        return max_vendor_id, _read_range_entries(reader, name, max_vendor_id)
    if reader.remaining() < max_vendor_id:
        # Said plainly, since this is how a bitfield written with the wrong maxVendorId usually shows itself.
        raise TCStringError(
            f"{name} bitfield has {reader.remaining()} bits but maxVendorId is {max_vendor_id} ({reader.where()})"
        )
    return max_vendor_id, reader.read_ids(max_vendor_id, f"{name} BitField")


def _read_publisher_restrictions(reader: _BitReader) -> tuple[PublisherRestriction, ...]:
    restrictions = []
    for _ in range(reader.read_int(12, "NumPubRestrictions")):
        purpose_id = reader.read_int(6, "PurposeId")
        type_offset = reader.offset
        restriction_type = reader.read_int(2, "RestrictionType")
        if restriction_type == 3:
            raise TCStringError(
                f"publisher restriction of purpose {purpose_id} has restriction type 3, which the "
                f"spec leaves undefined ({reader.where(type_offset)})"
            )
        name = f"publisher restriction (purpose {purpose_id})"
        restrictions.append(PublisherRestriction(purpose_id, restriction_type, _read_range_entries(reader, name, None)))
    return tuple(restrictions)


def _segment_bits(tc_string: str) -> list[str]:
    """Each "."-separated segment as a string of '0'/'1', six bits per base64url character."""
    segments, position = [], 0
    for number, segment in enumerate(tc_string.split("."), start=1):
        body = segment.rstrip("=")  # TC strings leave out base64 padding; tolerate it when a tool adds it
        if not body:
            raise TCStringError(f"segment {number} of the TC string is empty (at character {position})")
        bad = next((i for i, char in enumerate(body) if char not in _SIX_BITS), None)
        if bad is not None:
            raise TCStringError(
                f"character {body[bad]!r} at position {position + bad} is not base64url (A-Z, a-z, 0-9, '-', '_')"
            )
        segments.append("".join(_SIX_BITS[char] for char in body))
        position += len(segment) + 1
    return segments


def _decode_core(bits: str) -> dict[str, object]:
    reader = _BitReader(bits, "core")
    version = reader.read_int(6, "Version")
    # Checked first, so that a v1.1 string (whose layout differs after Version) is never read as v2.
    if version == 1:
        raise TCStringError("unsupported version 1 (TCF v1.1); only TCF v2 strings are supported")
    if version != 2:
        raise TCStringError(f"unsupported version {version}; only TCF v2 strings are supported")
    core: dict[str, object] = {
        "version": version,
        "created": reader.read_date("Created"),
        "last_updated": reader.read_date("LastUpdated"),
        "cmp_id": reader.read_int(12, "CmpId"),
        "cmp_version": reader.read_int(12, "CmpVersion"),
        "consent_screen": reader.read_int(6, "ConsentScreen"),
        "consent_language": reader.read_letters("ConsentLanguage"),
        "vendor_list_version": reader.read_int(12, "VendorListVersion"),
        "tcf_policy_version": reader.read_int(6, "TcfPolicyVersion"),
        "is_service_specific": reader.read_bool("IsServiceSpecific"),
        "use_non_standard_stacks": reader.read_bool("UseNonStandardTexts"),
        "special_feature_optins": reader.read_ids(12, "SpecialFeatureOptIns"),
        "purpose_consents": reader.read_ids(24, "PurposesConsent"),
        "purpose_legitimate_interests": reader.read_ids(24, "PurposesLITransparency"),
        "purpose_one_treatment": reader.read_bool("PurposeOneTreatment"),
        "publisher_cc": reader.read_letters("PublisherCC"),
    }
    core["max_vendor_id_consents"], core["vendor_consents"] = _read_vendor_section(reader, "vendor consent")
    core["max_vendor_id_legitimate_interests"], core["vendor_legitimate_interests"] = _read_vendor_section(
        reader, "vendor legitimate interest"
    )
    core["publisher_restrictions"] = _read_publisher_restrictions(reader)
    return core


def _decode_publisher_tc(reader: _BitReader) -> PublisherTC:
    consents = reader.read_ids(24, "PubPurposesConsent")
    li_transparency = reader.read_ids(24, "PubPurposesLITransparency")
    num_custom = reader.read_int(6, "NumCustomPurposes")
    return PublisherTC(
        consents,
        li_transparency,
        num_custom,
        reader.read_ids(num_custom, "CustomPurposesConsent"),
        reader.read_ids(num_custom, "CustomPurposesLITransparency"),
    )


def decode(tc_string: str, *, strict: bool = False) -> TCString:
    """Decode a TCF v2 TC string. Raises TCStringError when it is not one; with strict=True also when it breaks
    TCF 2.2 policy (see policy_breaches), which by default is left for the caller to report."""
    if not isinstance(tc_string, str):
        raise TCStringError(f"a TC string must be a str, not {type(tc_string).__name__}")
    if not tc_string:
        raise TCStringError("the TC string is empty")
    core_bits, *optional_bits = _segment_bits(tc_string)
    fields = _decode_core(core_bits)
    optional: dict[str, object] = {"disclosed_vendors": None, "allowed_vendors": None, "publisher_tc": None}
    seen: set[int] = set()
    for number, bits in enumerate(optional_bits, start=2):
        segment_type = int(bits[:3], 2)
        if segment_type not in _OPTIONAL_SEGMENTS:
            raise TCStringError(
                f"segment {number} has segment type {segment_type}; after the core segment only "
                "types 1 (disclosed vendors), 2 (allowed vendors) and 3 (publisher TC) may follow"
            )
        if segment_type in seen:
            raise TCStringError(
                f"segment {number} repeats the {_OPTIONAL_SEGMENTS[segment_type]} segment (type {segment_type})"
            )
        seen.add(segment_type)
        reader = _BitReader(bits, _OPTIONAL_SEGMENTS[segment_type])
        reader.take(3, "SegmentType")
        if segment_type == 3:
            optional["publisher_tc"] = _decode_publisher_tc(reader)
        else:
            key = "disclosed_vendors" if segment_type == 1 else "allowed_vendors"
            optional[key] = _read_vendor_section(reader, _OPTIONAL_SEGMENTS[segment_type])[1]
    tc = TCString(**fields, **optional)  # type: ignore[arg-type]
    if strict and (breaches := policy_breaches(tc)):
        raise TCStringError("the TC string breaks TCF 2.2 policy: " + " ".join(breaches))
    return tc


def policy_breaches(tc: TCString) -> tuple[str, ...]:
    """TCF 2.2 policy breaches, one sentence each: from policy version 4 on, purposes 3-6 may rest on consent
    only, so neither the vendor-facing nor the publisher's legitimate-interest bit may be set for them."""
    if tc.tcf_policy_version < FIRST_TCF_22_POLICY_VERSION:
        return ()
    rule = f"but TCF policy version {tc.tcf_policy_version} (TCF 2.2) allows only consent for purposes 3, 4, 5 and 6."
    breaches = [
        f"Purpose {purpose} has legitimate interest set, {rule}"
        for purpose in _CONSENT_ONLY_PURPOSES
        if purpose in tc.purpose_legitimate_interests
    ]
    if tc.publisher_tc is not None:
        breaches += [
            f"Publisher purpose {purpose} has legitimate interest set, {rule}"
            for purpose in _CONSENT_ONLY_PURPOSES
            if purpose in tc.publisher_tc.pub_purposes_li_transparency
        ]
    return tuple(breaches)


def grants_purposes(tc: TCString, purposes: Iterable[int], vendor_id: int | None = None) -> bool:
    """Whether the user consented to every listed purpose and, when vendor_id is given, that vendor has consent
    and no publisher restriction of type 0 (not allowed) bars it from any of the purposes."""
    wanted = set(purposes)
    if not wanted <= tc.purpose_consents:
        return False
    if vendor_id is None:
        return True
    barred = any(
        restriction.restriction_type == 0 and restriction.purpose_id in wanted and vendor_id in restriction.vendor_ids
        for restriction in tc.publisher_restrictions
    )
    return vendor_id in tc.vendor_consents and not barred


def verdict(tc_string: str, purposes: Iterable[int], vendor_id: int | None = None) -> dict[str, object]:
    """What a review needs of one TC string, and nothing else of it: whether it decodes, whether it grants the
    purposes (and vendor), its TCF policy version and its number of TCF 2.2 policy breaches."""
    try:
        tc = decode(tc_string)
    except TCStringError:
        return {"decodes": False, "grants": False, "policy_version": None, "breaches": 0}
    return {
        "decodes": True,
        "grants": grants_purposes(tc, purposes, vendor_id),
        "policy_version": tc.tcf_policy_version,
        "breaches": len(policy_breaches(tc)),
    }


def purpose_mask(purposes: Iterable[int]) -> int:
    """Purposes 1-24 as the bits of one integer (purpose p is bit p-1): how an engine UDF takes them."""
    mask = 0
    for purpose in purposes:
        if not 1 <= int(purpose) <= 24:
            raise ValueError(f"TCF purposes are numbered 1 to 24, not {purpose}")
        mask |= 1 << (int(purpose) - 1)
    return mask


def purposes_of(mask: int) -> tuple[int, ...]:
    return tuple(p for p in range(1, 25) if mask >> (p - 1) & 1)
