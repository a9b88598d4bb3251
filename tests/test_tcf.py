"""The TC string decoder against the real conformance vectors in ../shared/data/tcf, and against strings built
bit by bit here for what no vector covers. Hypothesis checks that nothing but TCStringError ever escapes."""

from __future__ import annotations

import base64
import dataclasses
import json
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ethics_review.tcf import TCString, TCStringError, decode, grants_purposes, policy_breaches

VECTOR_FILE = Path("tcf") / "tcf_v2_test_vectors.json"
# Modest and without an example database, so the file runs in seconds and writes nothing into the repo.
FUZZ = settings(max_examples=300, deadline=None, database=None)
EXPECTED_VECTOR_MIX = {"valid v2": 15, "valid v1.1": 2, "invalid": 7}


# --- the vectors ----------------------------------------------------------------------------------------------


def _vector_ids_from_file() -> dict[str, list[str]]:
    """Vector ids by kind, read at collection time so that failures name the vector. Empty when the shared data
    is absent: the tests that need it then skip through the shared_data_dir fixture."""
    path = Path(__file__).resolve().parents[1].parent / "shared" / "data" / VECTOR_FILE
    kinds: dict[str, list[str]] = {kind: [] for kind in EXPECTED_VECTOR_MIX}
    if path.is_file():
        for vector in json.loads(path.read_text())["vectors"]:
            kinds[_kind(vector)].append(vector["id"])
    return kinds


def _kind(vector: dict[str, Any]) -> str:
    if not vector["valid"]:
        return "invalid"
    return "valid v1.1" if vector["reference_decode"]["version"] == 1 else "valid v2"


VECTOR_IDS = _vector_ids_from_file()


def _ids_or_placeholder(kind: str) -> list[str]:
    # One placeholder keeps the parametrized test collected (and skipped by the fixture) without shared data.
    return VECTOR_IDS[kind] or ["no-shared-data"]


@pytest.fixture(scope="session")
def vectors(shared_data_dir: Path) -> dict[str, dict[str, Any]]:
    data = json.loads((shared_data_dir / VECTOR_FILE).read_text())
    return {vector["id"]: vector for vector in data["vectors"]}


def _iso_ms(moment: datetime) -> str:
    """ISO-8601 UTC with milliseconds and a Z, as the vectors write dates."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _vector_date(text: str) -> str:
    # Some vectors write whole seconds ("...:00Z"): normalise to milliseconds so the comparison stays exact.
    return _iso_ms(datetime.fromisoformat(text))


def _breached_purposes(tc: TCString) -> set[int]:
    """The purposes whose (vendor-facing) legitimate-interest bit policy_breaches reports."""
    return {int(m) for breach in policy_breaches(tc) for m in re.findall(r"^Purpose (\d+) ", breach)}


def _restrictions(tc: TCString) -> list[dict[str, Any]]:
    return [
        {"purposeId": r.purpose_id, "restrictionType": r.restriction_type, "vendors": sorted(r.vendor_ids)}
        for r in tc.publisher_restrictions
    ]


# Vector field name -> the same value read from our decode, shaped as the vectors write it.
FIELD_READERS: dict[str, Callable[[TCString], Any]] = {
    "version": lambda tc: tc.version,
    "created": lambda tc: _iso_ms(tc.created),
    "lastUpdated": lambda tc: _iso_ms(tc.last_updated),
    "cmpId": lambda tc: tc.cmp_id,
    "cmpVersion": lambda tc: tc.cmp_version,
    "consentScreen": lambda tc: tc.consent_screen,
    "consentLanguage": lambda tc: tc.consent_language,
    "vendorListVersion": lambda tc: tc.vendor_list_version,
    "policyVersion": lambda tc: tc.tcf_policy_version,
    "isServiceSpecific": lambda tc: tc.is_service_specific,
    "useNonStandardStacks": lambda tc: tc.use_non_standard_stacks,
    "specialFeatureOptins": lambda tc: sorted(tc.special_feature_optins),
    "purposeConsents": lambda tc: sorted(tc.purpose_consents),
    "purposeLegitimateInterests": lambda tc: sorted(tc.purpose_legitimate_interests),
    "purposeOneTreatment": lambda tc: tc.purpose_one_treatment,
    "publisherCountryCode": lambda tc: tc.publisher_cc,
    "maxVendorIdConsents": lambda tc: tc.max_vendor_id_consents,
    "vendorConsents": lambda tc: sorted(tc.vendor_consents),
    "maxVendorIdLegitimateInterests": lambda tc: tc.max_vendor_id_legitimate_interests,
    "vendorLegitimateInterests": lambda tc: sorted(tc.vendor_legitimate_interests),
    "publisherRestrictions": _restrictions,
    "vendorsDisclosed": lambda tc: None if tc.disclosed_vendors is None else sorted(tc.disclosed_vendors),
    "vendorsAllowed": lambda tc: None if tc.allowed_vendors is None else sorted(tc.allowed_vendors),
    "publisherConsents": lambda tc: sorted(tc.publisher_tc.pub_purposes_consents) if tc.publisher_tc else None,
    "publisherLegitimateInterests": lambda tc: (
        sorted(tc.publisher_tc.pub_purposes_li_transparency) if tc.publisher_tc else None
    ),
}
DATE_FIELDS = {"created", "lastUpdated"}
# Keys some source tests assert in their own shape: what the source asserted, checked against our decode.
SPECIAL_EXPECTATIONS: dict[str, Callable[[TCString, Any], bool]] = {
    "purposeConsents_includes": lambda tc, ids: set(ids) <= tc.purpose_consents,
    "publisherConsents_count": lambda tc, count: (
        tc.publisher_tc is not None and len(tc.publisher_tc.pub_purposes_consents) == count
    ),
    "publisherRestrictions_purpose1_type1_vendors": lambda tc, ids: (
        [sorted(r.vendor_ids) for r in tc.publisher_restrictions if (r.purpose_id, r.restriction_type) == (1, 1)]
        == [ids]
    ),
    "decodes": lambda tc, decodes: decodes is True and isinstance(tc, TCString),
}


def test_vector_file_holds_the_documented_mix(vectors: dict[str, dict[str, Any]]) -> None:
    counts = dict.fromkeys(EXPECTED_VECTOR_MIX, 0)
    for vector in vectors.values():
        counts[_kind(vector)] += 1
    assert counts == EXPECTED_VECTOR_MIX


@pytest.mark.parametrize("vector_id", _ids_or_placeholder("valid v2"))
def test_valid_vector_matches_every_expected_field(vectors: dict[str, dict[str, Any]], vector_id: str) -> None:
    vector = vectors[vector_id]
    tc = decode(vector["tc_string"])
    checked = 0
    for key, expected in vector["expected"].items():
        if key == "note":
            continue
        if key in SPECIAL_EXPECTATIONS:
            assert SPECIAL_EXPECTATIONS[key](tc, expected), f"{vector_id}: {key} should be {expected!r}"
        else:
            assert key in FIELD_READERS, f"{vector_id}: no mapping for expected field {key!r}"
            want = _vector_date(expected) if key in DATE_FIELDS else expected
            assert FIELD_READERS[key](tc) == want, f"{vector_id}: field {key}"
        checked += 1
    assert checked, f"{vector_id} asserts nothing"
    assert policy_breaches(tc) == ()


@pytest.mark.parametrize("vector_id", _ids_or_placeholder("valid v2"))
def test_valid_vector_matches_the_reference_decode_where_expected_is_silent(
    vectors: dict[str, dict[str, Any]], vector_id: str
) -> None:
    vector = vectors[vector_id]
    tc = decode(vector["tc_string"])
    uncovered = set(vector["reference_decode"]) - set(vector["expected"])
    for key in sorted(uncovered):
        want = vector["reference_decode"][key]
        if key in DATE_FIELDS:
            # The reference decoder truncates to whole seconds.
            got = _iso_ms(getattr(tc, "created" if key == "created" else "last_updated").replace(microsecond=0))
            assert got == _vector_date(want), f"{vector_id}: field {key}"
        else:
            assert FIELD_READERS[key](tc) == want, f"{vector_id}: field {key}"


@pytest.mark.parametrize("vector_id", _ids_or_placeholder("invalid"))
def test_invalid_vector_is_rejected_or_its_policy_breach_named(
    vectors: dict[str, dict[str, Any]], vector_id: str
) -> None:
    vector = vectors[vector_id]
    policy = re.search(r"invalid PurposesLIT (\d+) not set to 0", vector["expected"]["error"])
    if policy is None:
        # The one vector whose vendor bitfield is shorter than its maxVendorId says.
        assert "bitfield length does not match maxVendorId" in vector["expected"]["error"]
        with pytest.raises(TCStringError, match=r"bitfield has \d+ bits but maxVendorId is \d+"):
            decode(vector["tc_string"])
        return
    tc = decode(vector["tc_string"])
    breached = _breached_purposes(tc)
    reference_li = set(vector["reference_decode"]["purposeLegitimateInterests"])
    assert int(policy.group(1)) in breached
    assert breached == reference_li & {3, 4, 5, 6}
    with pytest.raises(TCStringError, match=f"Purpose {policy.group(1)} has legitimate interest set"):
        decode(vector["tc_string"], strict=True)


@pytest.mark.parametrize("vector_id", _ids_or_placeholder("valid v1.1"))
def test_tcf_v1_vector_is_rejected_as_unsupported(vectors: dict[str, dict[str, Any]], vector_id: str) -> None:
    with pytest.raises(TCStringError, match=r"unsupported version 1 \(TCF v1\.1\)"):
        decode(vectors[vector_id]["tc_string"])


def test_grants_purposes_on_a_real_vector(vectors: dict[str, dict[str, Any]]) -> None:
    tc = decode(vectors["tcf-01"]["tc_string"])  # purposes 1 3 6 7 8 10; vendors 12 23 163 707
    assert grants_purposes(tc, [1, 3, 10])
    assert not grants_purposes(tc, [1, 2])
    assert grants_purposes(tc, (1, 7), vendor_id=707)
    assert not grants_purposes(tc, (1,), vendor_id=706)


def test_padding_is_tolerated(vectors: dict[str, dict[str, Any]]) -> None:
    plain = vectors["tcf-01"]["tc_string"]
    padded = ".".join(segment + "=" * (-len(segment) % 4) for segment in plain.split("."))
    assert padded.count("=") == 2
    assert decode(padded) == decode(plain)
    with_source_padding = vectors["tcf-15"]["tc_string"]
    assert with_source_padding.endswith("=")
    assert decode(with_source_padding.rstrip("=")) == decode(with_source_padding)


# --- strings built bit by bit -----------------------------------------------------------------------------


def bits_int(value: int, length: int) -> str:
    assert 0 <= value < 2**length
    return format(value, f"0{length}b")


def bits_ids(ids: Iterable[int], length: int) -> str:
    wanted = set(ids)
    return "".join("1" if i in wanted else "0" for i in range(1, length + 1))


def letters(text: str) -> str:
    return "".join(bits_int(ord(char) - ord("A"), 6) for char in text)


def range_entries(entries: Iterable[int | tuple[int, int]]) -> str:
    """NumEntries, then each entry: a single id, or a (start, end) range."""
    entries = list(entries)
    out = bits_int(len(entries), 12)
    for entry in entries:
        out += (
            ("1" + bits_int(entry[0], 16) + bits_int(entry[1], 16))
            if isinstance(entry, tuple)
            else "0" + bits_int(entry, 16)
        )
    return out


def bitfield_section(max_vendor_id: int, ids: Iterable[int]) -> str:
    return bits_int(max_vendor_id, 16) + "0" + bits_ids(ids, max_vendor_id)


def range_section(max_vendor_id: int, entries: Iterable[int | tuple[int, int]]) -> str:
    return bits_int(max_vendor_id, 16) + "1" + range_entries(entries)


def restriction(purpose_id: int, restriction_type: int, entries: Iterable[int | tuple[int, int]]) -> str:
    return bits_int(purpose_id, 6) + bits_int(restriction_type, 2) + range_entries(entries)


def core_bits(
    *,
    version: int = 2,
    created_ds: int = 15834362809,
    last_updated_ds: int = 15834362809,
    cmp_id: int = 123,
    cmp_version: int = 1,
    consent_screen: int = 2,
    language: str = "EN",
    vendor_list_version: int = 15,
    policy_version: int = 4,
    service_specific: bool = False,
    non_standard: bool = True,
    special_features: Iterable[int] = (1,),
    purpose_consents: Iterable[int] = (1,),
    purpose_li: Iterable[int] = (1,),
    purpose_one: bool = True,
    publisher_cc: str = "FR",
    vendor_consents: str = bitfield_section(1, [1]),
    vendor_li: str = bitfield_section(1, [1]),
    restrictions: Iterable[str] = (),
) -> str:
    restrictions = list(restrictions)
    return (
        bits_int(version, 6)
        + bits_int(created_ds, 36)
        + bits_int(last_updated_ds, 36)
        + bits_int(cmp_id, 12)
        + bits_int(cmp_version, 12)
        + bits_int(consent_screen, 6)
        + letters(language)
        + bits_int(vendor_list_version, 12)
        + bits_int(policy_version, 6)
        + str(int(service_specific))
        + str(int(non_standard))
        + bits_ids(special_features, 12)
        + bits_ids(purpose_consents, 24)
        + bits_ids(purpose_li, 24)
        + str(int(purpose_one))
        + letters(publisher_cc)
        + vendor_consents
        + vendor_li
        + bits_int(len(restrictions), 12)
        + "".join(restrictions)
    )


def publisher_tc_bits(
    consents: Iterable[int],
    li: Iterable[int],
    custom_consents: Iterable[int],
    custom_li: Iterable[int],
    num_custom: int,
) -> str:
    return (
        "011"
        + bits_ids(consents, 24)
        + bits_ids(li, 24)
        + bits_int(num_custom, 6)
        + bits_ids(custom_consents, num_custom)
        + bits_ids(custom_li, num_custom)
    )


def segment(bits: str) -> str:
    """Base64url without padding, the last character filled up with zero bits as encoders do."""
    bits += "0" * (-len(bits) % 6)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    return "".join(alphabet[int(bits[i : i + 6], 2)] for i in range(0, len(bits), 6))


def tc_string(*segments_bits: str) -> str:
    return ".".join(segment(bits) for bits in segments_bits)


def test_bit_writer_reproduces_a_real_vector(vectors: dict[str, dict[str, Any]]) -> None:
    # tcf-04's fields, written by the helpers above: proves the hand-built strings below follow the real layout.
    built = tc_string(core_bits(), "010" + bitfield_section(1, [1]), "001" + bitfield_section(1, [1]))
    assert built == vectors["tcf-04"]["tc_string"]


def test_dates_keep_their_deciseconds() -> None:
    tc = decode(tc_string(core_bits(created_ds=15834362409, last_updated_ds=15834362413)))
    assert tc.created == datetime(2020, 3, 5, 19, 24, 0, 900_000, tzinfo=UTC)
    assert tc.last_updated == datetime(2020, 3, 5, 19, 24, 1, 300_000, tzinfo=UTC)


def test_bitfield_vendor_consents() -> None:
    tc = decode(
        tc_string(core_bits(vendor_consents=bitfield_section(10, [2, 3, 10]), vendor_li=bitfield_section(0, [])))
    )
    assert (tc.max_vendor_id_consents, tc.vendor_consents) == (10, frozenset({2, 3, 10}))
    assert (tc.max_vendor_id_legitimate_interests, tc.vendor_legitimate_interests) == (0, frozenset())


def test_range_encoded_vendors_with_single_ids_and_ranges() -> None:
    tc = decode(
        tc_string(
            core_bits(
                vendor_consents=range_section(900, [5, (10, 13), 900]), vendor_li=range_section(40_000, [(1, 40_000)])
            )
        )
    )
    assert tc.vendor_consents == frozenset({5, 10, 11, 12, 13, 900})
    assert tc.max_vendor_id_consents == 900
    assert tc.vendor_legitimate_interests == frozenset(range(1, 40_001))


def test_range_encoded_disclosed_and_allowed_vendors() -> None:
    tc = decode(tc_string(core_bits(), "010" + range_section(30, [(20, 22)]), "001" + range_section(9, [9])))
    assert tc.allowed_vendors == frozenset({20, 21, 22})
    assert tc.disclosed_vendors == frozenset({9})
    assert tc.publisher_tc is None


def test_absent_optional_segments_are_none() -> None:
    tc = decode(tc_string(core_bits()))
    assert (tc.disclosed_vendors, tc.allowed_vendors, tc.publisher_tc) == (None, None, None)


def test_publisher_restrictions_keep_order_and_expand_ranges() -> None:
    tc = decode(
        tc_string(
            core_bits(
                restrictions=[restriction(1, 1, [7, (20, 22)]), restriction(2, 0, []), restriction(7, 2, [(300, 301)])]
            )
        )
    )
    assert _restrictions(tc) == [
        {"purposeId": 1, "restrictionType": 1, "vendors": [7, 20, 21, 22]},
        {"purposeId": 2, "restrictionType": 0, "vendors": []},
        {"purposeId": 7, "restrictionType": 2, "vendors": [300, 301]},
    ]


def test_undefined_restriction_type_is_an_error() -> None:
    with pytest.raises(TCStringError, match="purpose 4 has restriction type 3"):
        decode(tc_string(core_bits(restrictions=[restriction(4, 3, [1])])))


def test_publisher_tc_custom_purposes() -> None:
    tc = decode(tc_string(core_bits(), publisher_tc_bits([1, 2, 24], [7], [1, 3], [2], num_custom=5)))
    assert tc.publisher_tc is not None
    assert tc.publisher_tc.pub_purposes_consents == frozenset({1, 2, 24})
    assert tc.publisher_tc.pub_purposes_li_transparency == frozenset({7})
    assert tc.publisher_tc.num_custom_purposes == 5
    assert tc.publisher_tc.custom_purposes_consents == frozenset({1, 3})
    assert tc.publisher_tc.custom_purposes_li_transparency == frozenset({2})


def test_policy_breach_in_the_publisher_tc_segment() -> None:
    tc = decode(tc_string(core_bits(policy_version=4), publisher_tc_bits([], [2, 4], [], [], num_custom=0)))
    assert policy_breaches(tc) == (
        "Publisher purpose 4 has legitimate interest set, but TCF policy version 4 (TCF 2.2) allows only "
        "consent for purposes 3, 4, 5 and 6.",
    )


def test_no_policy_breach_before_tcf_2_2() -> None:
    assert policy_breaches(decode(tc_string(core_bits(policy_version=2, purpose_li=[3, 4, 5, 6])))) == ()


def test_strict_decoding_accepts_a_clean_string() -> None:
    assert decode(tc_string(core_bits(policy_version=5, purpose_li=[2, 7])), strict=True).tcf_policy_version == 5


def test_grants_purposes_respects_a_not_allowed_restriction() -> None:
    tc = decode(
        tc_string(
            core_bits(
                purpose_consents=[1, 2],
                vendor_consents=bitfield_section(8, [3, 8]),
                restrictions=[restriction(2, 0, [8])],
            )
        )
    )
    assert grants_purposes(tc, [1, 2], vendor_id=3)
    assert grants_purposes(tc, [1], vendor_id=8)
    assert not grants_purposes(tc, [1, 2], vendor_id=8)
    assert grants_purposes(tc, [])


def test_decoded_record_is_frozen() -> None:
    tc = decode(tc_string(core_bits()))
    with pytest.raises(dataclasses.FrozenInstanceError):
        tc.cmp_id = 1  # type: ignore[misc]


# --- errors ---------------------------------------------------------------------------------------------------


def test_truncated_string_names_the_field() -> None:
    bits = core_bits()
    cut = 6 + 36 + 36 + 12 + 5  # five bits into CmpVersion
    with pytest.raises(
        TCStringError,
        match=r"truncated: the core segment has 96 bits but field CmpVersion "
        r"needs bits 90-101",
    ):
        decode(segment(bits[:cut]))


def test_bitfield_shorter_than_max_vendor_id() -> None:
    bits = core_bits(vendor_consents=bits_int(626, 16) + "0" + "1" * 20, vendor_li="", restrictions=())
    bits = bits[: bits.index("1" * 20) + 20]  # end the string in the middle of the bitfield
    # 20 bits written, plus the 2 zero bits that fill up the last base64 character.
    with pytest.raises(
        TCStringError,
        match=r"vendor consent bitfield has 22 bits but maxVendorId is 626 "
        r"\(core segment, bit offset 230\)",
    ):
        decode(segment(bits))


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ([0], "range entry 1 has vendor id 0"),
        ([4, (9, 7)], "range entry 2 ends at vendor 7 before it starts at 9"),
        ([(5, 51)], "range entry 1 reaches vendor 51 but maxVendorId is 50"),
    ],
)
def test_inconsistent_range_entries(entries: list[int | tuple[int, int]], message: str) -> None:
    with pytest.raises(TCStringError, match=re.escape(f"vendor consent {message}")):
        decode(tc_string(core_bits(vendor_consents=range_section(50, entries))))


@pytest.mark.parametrize(
    ("version", "message"),
    [
        (1, r"unsupported version 1 \(TCF v1\.1\); only TCF v2 strings are supported"),
        (3, "unsupported version 3; only TCF v2"),
        (0, "unsupported version 0"),
    ],
)
def test_versions_other_than_2_are_rejected(version: int, message: str) -> None:
    with pytest.raises(TCStringError, match=message):
        decode(tc_string(core_bits(version=version)))


@pytest.mark.parametrize("value", [None, b"COvzTO5O", 42, ["CO"]])
def test_non_str_input_is_a_tc_string_error(value: object) -> None:
    with pytest.raises(TCStringError, match="must be a str, not"):
        decode(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the TC string is empty"),
        ("COvz TO5O", r"character ' ' at position 4 is not base64url"),
        ("COvz+TO5O", r"character '\+' at position 4 is not base64url"),
        ("COvzTO5O.QA=A", r"character '=' at position 11 is not base64url"),
        ("COvzTO5O..QAAo", "segment 2 of the TC string is empty"),
        ("COvzTO5O.", "segment 2 of the TC string is empty"),
    ],
)
def test_malformed_text(text: str, message: str) -> None:
    with pytest.raises(TCStringError, match=message):
        decode(text)


@pytest.mark.parametrize(
    ("segment_type", "message"),
    [
        (0, "segment 2 has segment type 0"),
        (4, "segment 2 has segment type 4"),
        (7, "segment 2 has segment type 7"),
    ],
)
def test_unknown_segment_type(segment_type: int, message: str) -> None:
    with pytest.raises(TCStringError, match=message):
        decode(tc_string(core_bits(), bits_int(segment_type, 3) + bitfield_section(1, [1])))


def test_repeated_segment() -> None:
    disclosed = "001" + bitfield_section(1, [1])
    with pytest.raises(TCStringError, match=r"segment 3 repeats the disclosed vendors segment \(type 1\)"):
        decode(tc_string(core_bits(), disclosed, disclosed))


def test_truncated_publisher_tc_names_the_segment() -> None:
    with pytest.raises(TCStringError, match="publisher TC segment has 36 bits but field PubPurposesLITransparency"):
        decode(tc_string(core_bits(), "011" + bits_ids([1], 24) + "0" * 9))


def test_letter_outside_a_to_z() -> None:
    bits = core_bits()
    language_at = 6 + 36 + 36 + 12 + 12 + 6
    bits = bits[:language_at] + bits_int(30, 6) + bits[language_at + 6 :]
    with pytest.raises(
        TCStringError,
        match=r"ConsentLanguage letter value 30 is not a letter A-Z "
        r"\(core segment, bit offset 108\)",
    ):
        decode(segment(bits))


# --- hypothesis: nothing but TCStringError escapes ---------------------------------------------------------


def _decodes_or_raises_tc_string_error(text: object) -> None:
    try:
        result = decode(text)  # type: ignore[arg-type]
    except TCStringError as error:
        assert str(error)
    else:
        assert isinstance(result, TCString)
        policy_breaches(result)


@FUZZ
@given(st.text())
def test_random_text_only_raises_tc_string_error(text: str) -> None:
    _decodes_or_raises_tc_string_error(text)


@FUZZ
@given(st.binary(max_size=400), st.booleans())
def test_random_bytes_only_raise_tc_string_error(raw: bytes, as_version_2: bool) -> None:
    if as_version_2 and raw:
        raw = bytes([0b00001000 | (raw[0] & 0b11)]) + raw[1:]  # version field 2, so decoding goes deep
    _decodes_or_raises_tc_string_error(base64.urlsafe_b64encode(raw).decode().rstrip("="))


@FUZZ
@given(st.data())
def test_mutated_vectors_only_raise_tc_string_error(vectors: dict[str, dict[str, Any]], data: st.DataObject) -> None:
    text = data.draw(st.sampled_from(sorted(v["tc_string"] for v in vectors.values())))
    for _ in range(data.draw(st.integers(1, 3))):
        position = data.draw(st.integers(0, len(text)))
        action = data.draw(st.sampled_from(["truncate", "replace", "insert", "delete"]))
        char = data.draw(st.sampled_from("AQgw_-/=.+ 0z"))
        if action == "truncate":
            text = text[:position]
        elif action == "replace":
            text = text[:position] + char + text[position + 1 :]
        elif action == "insert":
            text = text[:position] + char + text[position:]
        else:
            text = text[:position] + text[position + 1 :]
    _decodes_or_raises_tc_string_error(text)


@FUZZ
@given(st.frozensets(st.integers(1, 1200), max_size=60), st.booleans(), st.booleans())
def test_vendor_sets_survive_either_encoding(ids: frozenset[int], use_ranges: bool, pad_max: bool) -> None:
    max_vendor_id = max(ids, default=0) + (7 if pad_max else 0)
    if use_ranges:
        section = range_section(max_vendor_id, _as_range_entries(ids))
    else:
        section = bitfield_section(max_vendor_id, ids)
    tc = decode(tc_string(core_bits(vendor_consents=section, vendor_li=section), "010" + section))
    assert tc.vendor_consents == tc.vendor_legitimate_interests == tc.allowed_vendors == ids
    assert tc.max_vendor_id_consents == max_vendor_id


def _as_range_entries(ids: frozenset[int]) -> list[int | tuple[int, int]]:
    entries: list[int | tuple[int, int]] = []
    for vendor in sorted(ids):
        last = entries[-1] if entries else None
        if isinstance(last, tuple) and last[1] == vendor - 1:
            entries[-1] = (last[0], vendor)
        elif isinstance(last, int) and last == vendor - 1:
            entries[-1] = (last, vendor)
        else:
            entries.append(vendor)
    return entries


@FUZZ
@given(st.frozensets(st.integers(1, 24)), st.integers(0, 63))
def test_policy_breaches_name_exactly_the_li_purposes_3_to_6(li: frozenset[int], policy_version: int) -> None:
    tc = decode(tc_string(core_bits(policy_version=policy_version, purpose_li=li)))
    named = _breached_purposes(tc)
    assert named == (li & {3, 4, 5, 6} if policy_version >= 4 else set())
    if named:
        with pytest.raises(TCStringError, match=r"breaks TCF 2\.2 policy"):
            decode(tc_string(core_bits(policy_version=policy_version, purpose_li=li)), strict=True)


# --- the engine's decoder: the UDF consent.tcf runs next to the data -------------------------------------------


def test_the_engine_udf_gives_the_decoder_s_verdict_on_every_real_string(vectors: dict[str, dict[str, Any]]) -> None:
    """tc_verdict on DuckDB equals tcf.verdict, and both agree with decode() itself, on every conformance vector
    (valid, invalid and v1.1), for the ads purposes with and without a vendor."""
    import ibis
    import pandas as pd

    from ethics_review.checks.consent import tc_verdicts
    from ethics_review.tcf import purposes_of, verdict

    strings = sorted({v["tc_string"] for v in vectors.values() if isinstance(v["tc_string"], str) and v["tc_string"]})
    assert len(strings) >= 20
    consents = ibis.duckdb.connect().create_table("consents", ibis.memtable({"tc_string": strings}))
    for purposes, vendor in (((1, 3, 4), None), ((1, 3), 23), ((1,), 707)):
        got = tc_verdicts(consents, purposes=purposes, vendor_id=vendor).to_pandas().set_index("tc_string")
        assert sorted(got.index) == strings
        for value in strings:
            row = got.loc[value]
            expected = verdict(value, purposes, vendor)
            engine = {
                "decodes": bool(row.decodes),
                "grants": bool(row.grants),
                "policy_version": None if pd.isna(row.policy_version) else int(row.policy_version),
                "breaches": int(row.breaches),
            }
            assert engine == expected, value
            try:
                tc = decode(value)
            except TCStringError:
                assert expected == {"decodes": False, "grants": False, "policy_version": None, "breaches": 0}
                continue
            assert expected == {
                "decodes": True,
                "grants": grants_purposes(tc, purposes, vendor),
                "policy_version": tc.tcf_policy_version,
                "breaches": len(policy_breaches(tc)),
            }
    assert purposes_of(0b1101) == (1, 3, 4)


def test_a_purpose_outside_1_to_24_is_a_config_error() -> None:
    import ibis

    from ethics_review.checks.consent import tc_verdicts
    from ethics_review.errors import ConfigError

    consents = ibis.memtable({"tc_string": ["x"]})
    with pytest.raises(ConfigError, match="numbered 1 to 24, not 25"):
        tc_verdicts(consents, purposes=(1, 25), vendor_id=None)
