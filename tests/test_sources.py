import hashlib
from pathlib import Path

import ibis
import pandas as pd
import pytest

from ethics_review.csvfiles import sniff_csv
from ethics_review.errors import DataError
from ethics_review.review import open_review

CONTACTS = (
    "contact_id{d}email{d}birth_date{d}is_customer{d}recipient_type\nC1{d}a@x.fr{d}01/02/1980{d}oui{d}individual\n"
    'C2{d}"b{d}c@x.fr"{d}1990-05-06{d}No{d}Professional\n'
)


def write(path: Path, text: str, encoding: str = "utf-8", newline: str = "\n") -> Path:
    path.write_bytes(text.replace("\n", newline).encode(encoding))
    return path


def contacts_of(folder: Path, **options) -> pd.DataFrame:
    review = open_review(folder, **options)
    return review.table("contacts").order_by("contact_id").to_pandas()


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiter_is_sniffed(tmp_path: Path, delimiter: str):
    write(tmp_path / "contacts.csv", CONTACTS.format(d=delimiter))
    frame = contacts_of(tmp_path)
    assert list(frame.contact_id) == ["C1", "C2"]
    assert frame.email[1] == f"b{delimiter}c@x.fr"  # a quoted field keeps its delimiter


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_encodings_and_crlf(tmp_path: Path, encoding: str):
    text = "contact_id;region\nC1;Île-de-France\nC2;Provence-Alpes-Côte d’Azur €\n"
    path = write(tmp_path / "contacts.csv", text, encoding=encoding, newline="\r\n")
    assert sniff_csv(path) == (encoding, ";")
    frame = contacts_of(tmp_path)
    assert list(frame.region) == ["Île-de-France", "Provence-Alpes-Côte d’Azur €"]
    assert list(frame.columns) == ["contact_id", "region"]  # no BOM left in the first name


def test_types_and_french_dates(tmp_path: Path):
    write(tmp_path / "contacts.csv", CONTACTS.format(d=","))
    frame = contacts_of(tmp_path)
    assert pd.Timestamp(frame.birth_date[0]).date().isoformat() == "1980-02-01"  # dd/mm/yyyy
    assert list(frame.is_customer) == [True, False]
    assert list(frame.recipient_type) == ["individual", "professional"]  # enum values are case-insensitive


def test_timestamps_iso_french_and_offsets(tmp_path: Path):
    write(
        tmp_path / "consents.csv",
        "contact_id,purpose,status,recorded_at\n"
        "C1,email_marketing,granted,2026-03-31 14:05:00\nC2,email_marketing,granted,31/03/2026 14:05\n"
        "C3,email_marketing,granted,2026-03-31T16:05:00+02:00\nC4,email_marketing,granted,2026-03-31\n",
    )
    frame = open_review(tmp_path).table("consents").order_by("contact_id").to_pandas()
    assert [str(t) for t in frame.recorded_at] == [
        "2026-03-31 14:05:00",
        "2026-03-31 14:05:00",
        "2026-03-31 14:05:00",
        "2026-03-31 00:00:00",
    ]


def test_column_and_value_mappings_apply_in_the_engine(tmp_path: Path):
    write(
        tmp_path / "consents.csv",
        "client_id;finalite;statut;date\nC1;newsletter;Oui;02/01/2026\nC1;newsletter;retrait;03/01/2026\n",
    )
    config = {
        "columns": {
            "consents": {"client_id": "contact_id", "finalite": "purpose", "statut": "status", "date": "recorded_at"}
        },
        "values": {
            "consents": {
                "status": {"oui": "granted", "retrait": "withdrawn"},
                "purpose": {"newsletter": "email_marketing"},
            }
        },
    }
    frame = open_review(tmp_path, config=config).table("consents").order_by("recorded_at").to_pandas()
    assert list(frame.columns) == ["contact_id", "purpose", "status", "recorded_at"]
    assert list(frame.status) == ["granted", "withdrawn"]
    assert list(frame.purpose) == ["email_marketing", "email_marketing"]


def test_parquet_xlsx_dataframe_and_ibis_table(tmp_path: Path):
    frame = pd.DataFrame(
        {
            "contact_id": ["C1", "C2"],
            "is_customer": [True, False],
            "birth_date": pd.to_datetime(["1980-02-01", "1990-05-06"]),
        }
    )
    (tmp_path / "pq").mkdir()
    frame.to_parquet(tmp_path / "pq" / "contacts.parquet")
    (tmp_path / "xl").mkdir()
    frame.assign(is_customer=["oui", "non"], birth_date=["01/02/1980", "1990-05-06"]).to_excel(
        tmp_path / "xl" / "contacts.xlsx", index=False
    )
    con = ibis.duckdb.connect()
    con.create_table("crm", frame)
    loaded = [
        open_review(tmp_path / "pq").table("contacts"),
        open_review(tmp_path / "xl").table("contacts"),
        open_review(data={"contacts": frame}).table("contacts"),
        open_review(data={"contacts": con.table("crm")}).table("contacts"),
    ]
    for table in loaded:
        assert table.columns == ("contact_id", "is_customer", "birth_date")  # no row-number column leaks out
        result = table.order_by("contact_id").to_pandas()
        assert list(result.is_customer) == [True, False]
        assert [pd.Timestamp(d).date().isoformat() for d in result.birth_date] == ["1980-02-01", "1990-05-06"]


def test_fingerprints_and_inputs_never_written(tmp_path: Path):
    path = write(tmp_path / "contacts.csv", CONTACTS.format(d=","))
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    review = open_review(tmp_path)
    assert path.read_bytes() == before[0] and path.stat().st_mtime_ns == before[1]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["contacts.csv"]
    (item,) = review.inputs
    assert (item.table, item.rows) == ("contacts", 2)
    assert item.sha256 == hashlib.sha256(before[0]).hexdigest()


# --- one clear error per validation rule: file, column, row, value and the fix -----------------------------


def error_for(tmp_path: Path, name: str, text: str, **options) -> DataError:
    write(tmp_path / f"{name}.csv", text)
    with pytest.raises(DataError) as error:
        open_review(tmp_path, **options)
    return error.value


def test_missing_required_column(tmp_path: Path):
    error = error_for(tmp_path, "sends", "contact_id,campaign_id,sent_at\nC1,A,2026-01-01\n")
    assert error.column == "channel"
    assert "required column 'channel' is missing from table 'sends'" in error.message
    assert "Columns in the table: ['contact_id', 'campaign_id', 'sent_at']" in error.message
    assert "columns: {sends: {your_column: channel}}" in error.fix
    assert error.file.endswith("sends.csv")


def test_duplicate_contact_id(tmp_path: Path):
    error = error_for(tmp_path, "contacts", "contact_id,email\nC1,a@x.fr\nC2,b@x.fr\nC1,c@x.fr\n")
    assert (error.column, error.row, error.row_label, error.value) == ("contact_id", 4, "line", "C1")
    assert "must be unique" in error.message and "lines 2 and 4" in error.message
    assert "c@x.fr" not in str(error)  # an error names the key, never another identifier


def test_unparseable_date(tmp_path: Path):
    error = error_for(
        tmp_path,
        "consents",
        "contact_id,purpose,status,recorded_at\n"
        "C1,email_marketing,granted,2026-01-01\nC2,email_marketing,granted,31/02/2026\n"
        "C3,email_marketing,granted,12/31/2026\n",
    )
    assert (error.column, error.row, error.value) == ("recorded_at", 3, "31/02/2026")
    assert "cannot read this value as a timestamp" in error.message and "1 more rows like it" in error.message
    assert "dd/mm/yyyy" in error.fix


def test_unparseable_boolean(tmp_path: Path):
    error = error_for(tmp_path, "contacts", "contact_id,is_customer\nC1,yes\nC2,maybe\n")
    assert (error.column, error.row, error.value) == ("is_customer", 3, "maybe")
    assert "oui/non" in error.fix


def test_unknown_enum_value(tmp_path: Path):
    error = error_for(
        tmp_path, "sends", "contact_id,campaign_id,channel,sent_at\nC1,A,email,2026-01-01\nC1,A,whatsapp,2026-01-02\n"
    )
    assert (error.column, error.row, error.value) == ("channel", 3, "whatsapp")
    assert "allowed: email, sms, phone, postal, push, ads" in error.message
    assert "values:\n  sends:\n    channel:\n      whatsapp: CHOOSE  # one of email, sms" in error.fix


def test_error_message_names_everything(tmp_path: Path):
    error = error_for(tmp_path, "contacts", "contact_id,is_customer\nC1,maybe\n")
    text = str(error)
    for part in ("contacts.csv", "column 'is_customer'", "line 2", "value 'maybe'", "Fix:"):
        assert part in text


def test_mapping_a_column_that_does_not_exist(tmp_path: Path):
    error = error_for(
        tmp_path, "contacts", "contact_id\nC1\n", config={"columns": {"contacts": {"client": "contact_id"}}}
    )
    assert "maps column 'client'" in error.message


def test_configured_source_must_exist(tmp_path: Path):
    with pytest.raises(DataError, match="configured for table 'contacts' does not exist"):
        open_review(tmp_path, config={"sources": {"contacts": "exports/missing.csv"}})


def test_two_files_for_one_table(tmp_path: Path):
    write(tmp_path / "contacts.csv", "contact_id\nC1\n")
    pd.DataFrame({"contact_id": ["C1"]}).to_parquet(tmp_path / "contacts.parquet")
    with pytest.raises(DataError, match="given twice"):
        open_review(tmp_path)


def test_ragged_csv_is_a_clear_error(tmp_path: Path):
    error = error_for(tmp_path, "contacts", "contact_id,email\nC1,a@x.fr,extra,fields\n")
    assert "cannot read table 'contacts'" in error.message


# --- a CSV read by DuckDB (typed once, then validated from counts) and the same text as a DataFrame agree -----

MESSY_TARGETING = [
    ["contact_id", "campaign_id", "selected", "score", "outcome", "offer_value", "note"],
    [" C1 ", "A", "oui", "0,5", " ", "12", "\tfirst\t"],
    ["C2", "A", "  Non ", "1e3", None, "  ", None],
    ["C3\t", " A", "peut-être", "-2,25", "1", "0", "  "],
    ["C4", "A", "y", "   ", "false", "7,5", "x"],
]
MESSY_SENDS = [
    ["contact_id", "campaign_id", "channel", "sent_at", "purpose"],
    ["C1", "A", " Courriel ", " 02/01/2026 ", "email_marketing"],
    ["C2", "A", "email", "2026-01-03T10:00:00Z", " "],
    ["C3", "A", "SMS", "03/01/2026 10:05", None],
]
MESSY_VALUES = {
    "targeting": {"selected": {"peut-être": " true "}},  # a mapping's target is trimmed like any value
    "sends": {"channel": {"courriel": " Email "}},
}


def csv_text(rows: list[list[str | None]]) -> str:
    """Every given value quoted (spaces and tabs kept), a missing one left empty."""
    return "".join(",".join("" if v is None else f'"{v}"' for v in row) + "\n" for row in rows)


def frame_of(rows: list[list[str | None]]) -> pd.DataFrame:
    return pd.DataFrame(rows[1:], columns=rows[0], dtype=object)


def test_a_csv_and_the_same_text_as_a_dataframe_give_the_same_tables(tmp_path: Path):
    write(tmp_path / "targeting.csv", csv_text(MESSY_TARGETING))
    write(tmp_path / "sends.csv", csv_text(MESSY_SENDS))
    config = {"values": MESSY_VALUES}
    from_files = open_review(tmp_path, config=config)
    from_frames = open_review(
        data={"targeting": frame_of(MESSY_TARGETING), "sends": frame_of(MESSY_SENDS)}, config=config
    )
    for name in ("targeting", "sends"):
        read = from_files.table(name).order_by("contact_id").to_pyarrow()
        given = from_frames.table(name).order_by("contact_id").to_pyarrow()
        assert read.schema == given.schema and read.equals(given)
    targeting = from_files.table("targeting").order_by("contact_id").to_pandas()
    assert list(targeting.contact_id) == ["C1", "C2", "C3", "C4"]
    assert list(targeting.selected) == [True, False, True, True]
    assert [None if pd.isna(s) else s for s in targeting.score] == [0.5, 1000.0, -2.25, None]
    assert [None if pd.isna(n) else n for n in targeting.note] == ["first", None, None, "x"]
    sends = from_files.table("sends").order_by("contact_id").to_pandas()
    assert list(sends.channel) == ["email", "email", "sms"]
    assert [str(s) for s in sends.sent_at] == ["2026-01-02 00:00:00", "2026-01-03 10:00:00", "2026-01-03 10:05:00"]


@pytest.mark.parametrize(
    ("case", "rows", "column", "record", "value", "words"),
    [
        (
            "two unparseable scores among blank ones",
            [
                ["C1", "A", "oui", " "],
                ["C2", "A", "oui", "beaucoup"],
                ["C3", "A", "oui", None],
                ["C4", "A", "oui", "1,2,3"],
            ],
            "score",
            2,
            "beaucoup",
            "cannot read this value as a float in table 'targeting' (1 more rows like it)",
        ),
        (
            "a blank required value",
            [["C1", "A", "oui", "1"], ["C2", "A", " \t ", "2"], ["C3", "A", None, "3"]],
            "selected",
            2,
            None,
            "required column 'selected' of table 'targeting' is empty on this row (1 more rows like it)",
        ),
        (
            "an infinite score",
            [["C1", "A", "oui", "1"], ["C2", "A", "non", "inf"]],
            "score",
            2,
            "inf",
            "'inf' is not a finite number in table 'targeting'",
        ),
        (
            "an id with a control character",
            [["C1", "A", "oui", "1"], ["C\x012", "A", "non", "2"]],
            "contact_id",
            2,
            None,
            "'contact_id' holds a line break or a control character in table 'targeting'",
        ),
    ],
)
def test_a_csv_and_the_same_text_as_a_dataframe_give_the_same_error(
    tmp_path: Path, case: str, rows: list[list[str | None]], column: str, record: int, value: str | None, words: str
):
    table = [["contact_id", "campaign_id", "selected", "score"], *rows]
    write(tmp_path / "targeting.csv", csv_text(table))
    with pytest.raises(DataError) as from_file:
        open_review(tmp_path)
    with pytest.raises(DataError) as from_frame:
        open_review(data={"targeting": frame_of(table)})
    read, given = from_file.value, from_frame.value
    assert words in read.message, case
    assert (read.message.split(" (file ")[0], read.column, read.fix) == (
        given.message.split(" (file ")[0],
        given.column,
        given.fix,
    )
    assert (read.row, read.row_label, given.row, given.row_label) == (record + 1, "line", record, "row")
    if value is not None:
        assert read.value == given.value == value


def test_a_key_repeated_once_trimmed_is_a_duplicate_in_a_csv(tmp_path: Path):
    error = error_for(tmp_path, "contacts", 'contact_id,email\nC1,a@x.fr\n" C1\t",b@x.fr\n')
    assert (error.column, error.row, error.value) == ("contact_id", 3, "C1")
    assert "must be unique" in error.message and "lines 2 and 3" in error.message
