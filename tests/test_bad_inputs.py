"""A corpus of bad review folders: each is refused with exit 2 and one message (file, column, row or line, value,
fix), never a traceback, never exit 3 or a hang, and no input file is changed or added to.

Each case is a small folder built by `build` from named files. Most go through `validate` (fast); the cases whose
failure can only show at run time (the output folder, a review with nothing to judge) go through `run`, which
refuses them before any notebook starts.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ethics_review.cli import main

CONSENTS = "contact_id,purpose,status,recorded_at\n"
SENDS = "contact_id,campaign_id,channel,sent_at,purpose\n"
CONTACTS = "contact_id,email,phone,birth_date,country,gender\n"
TARGETING = "contact_id,campaign_id,selected,score\n"


def consents(*rows: str) -> str:
    return CONSENTS + "".join(f"{r}\n" for r in rows)


def ok_consents() -> str:
    return consents("C1,email_marketing,granted,2026-01-10", "C2,email_marketing,refused,2026-01-11")


def ok_sends() -> str:
    return SENDS + "C1,SPRING,email,2026-03-01,email_marketing\nC2,SPRING,email,2026-03-01,email_marketing\n"


def parquet_bytes(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    sink = io.BytesIO()
    workbook.save(sink)
    return sink.getvalue()


def laughs() -> str:
    lines = [
        "name: laughs",
        "checks:",
        "  consent.coverage:",
        '    a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
    ]
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"    {name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
    return "\n".join(lines) + "\n"


def only_checks(*enabled: str) -> str:
    """A review.yaml that turns off every check but these."""
    from ethics_review.checks import CHECKS

    return "checks:\n" + "".join(f"  {c}: {{enabled: false}}\n" for c in CHECKS if c not in enabled)


Files = dict[str, "str | bytes | Callable[[Path, Path], None]"]


@dataclass(frozen=True)
class Case:
    """One bad folder: its files, the words the message must hold, and how it is run."""

    id: str
    files: Files
    expect: tuple[str, ...]
    command: str = "validate"
    out: str | None = None  # --out for `run`, relative to the review folder ("." is the folder itself)
    seconds: float = 60.0  # the answer must come within this time (no hang)
    extra: tuple[str, ...] = field(default=())


def link_outside(name: str) -> Callable[[Path, Path], None]:
    """A symlink `name` in the folder to a file outside it."""

    def make(folder: Path, path: Path) -> None:
        outside = folder.parent / f"outside-{folder.name}"
        outside.mkdir(exist_ok=True)
        target = outside / Path(name).name
        target.write_text(
            ok_consents() if name.endswith(".csv") else "# Privacy\nWe send newsletters.\n", encoding="utf-8"
        )
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).symlink_to(target)

    return make


def a_folder(folder: Path, path: Path) -> None:
    """A folder where a file is expected."""
    path.mkdir(parents=True, exist_ok=True)
    (path / "inside.txt").write_text("not a table\n", encoding="utf-8")


CASES = [
    # --- closed vocabularies: every unknown value in one message, with counts and the values: block -------------
    Case(
        "unknown consent statuses all listed",
        {
            "consents.csv": consents(
                "C1,email_marketing,oui,2026-01-10",
                "C2,email_marketing,non,2026-01-10",
                "C3,email_marketing,non,2026-01-11",
                "C4,email_marketing,retrait,2026-01-12",
            )
        },
        (
            "3 unknown values in column 'status'",
            "'non' (2 rows)",
            "'oui' (1 row)",
            "'retrait' (1 row)",
            "column 'status'",
            "line 2",
            "value 'oui'",
            "values:\n  consents:\n    status:\n      non: CHOOSE  # one of granted, withdrawn, refused",
            "      retrait:",
        ),
    ),
    Case(
        "country names that are not countries",
        {
            "contacts.csv": CONTACTS + "C1,a@x.fr,,1990-01-01,France,F\n"
            "C2,b@x.fr,,1990-01-01,Atlantis,M\nC3,c@x.fr,,1990-01-01,Narnia,F\n"
        },
        (
            "2 unknown values in column 'country'",
            "'Atlantis'",
            "'Narnia'",
            "line 3",
            "value 'Atlantis'",
            "country names in English or French",
            "values:\n  contacts:\n    country:",
        ),
    ),
    Case(
        "sends purposes never mapped",
        {
            "consents.csv": ok_consents(),
            "sends.csv": SENDS + "C1,SPRING,email,2026-03-01,Newsletter\nC2,SPRING,ads,2026-03-01,Pub ciblée\n",
        },
        (
            "2 unknown values in column 'purpose' of table 'sends'",
            "'Newsletter'",
            "'Pub ciblée'",
            "line 2",
            "judged as never consented",
            "values:\n  sends:\n    purpose:",
        ),
    ),
    Case(
        "consents purposes never mapped",
        {"consents.csv": consents("C1,Newsletter,granted,2026-01-10")},
        ("1 unknown value in column 'purpose' of table 'consents'", "'Newsletter'", "line 2", "mapping it to itself"),
    ),
    Case(
        "unknown channel",
        {"sends.csv": SENDS + "C1,SPRING,whatsapp,2026-03-01,\n"},
        ("column 'channel'", "line 2", "value 'whatsapp'", "allowed: email, sms"),
    ),
    Case(
        "unknown request type",
        {"requests.csv": "contact_id,type,received_at\nC1,oubli,2026-01-01\n"},
        ("column 'type'", "line 2", "value 'oubli'", "erasure"),
    ),
    Case(
        "unknown consent method",
        {"consents.csv": CONSENTS.strip() + ",method\nC1,email_marketing,granted,2026-01-10,case cochée\n"},
        ("column 'method'", "line 2", "value 'case cochée'", "double_opt_in"),
    ),
    Case(
        "unknown recipient type",
        {"contacts.csv": "contact_id,recipient_type\nC1,entreprise\n"},
        ("column 'recipient_type'", "line 2", "value 'entreprise'", "professional"),
    ),
    Case(
        "unknown content type",
        {"content.csv": "content_id,ai_generated,content_type\nK1,true,gif\n"},
        ("column 'content_type'", "line 2", "value 'gif'", "image"),
    ),
    Case(
        "unknown decision mode in the register",
        {"ai_systems.yaml": "- id: s1\n  name: Scorer\n  decision_mode: automatique\n"},
        ("decision_mode", "row 1", "'automatique'", "fully_automated"),
    ),
    Case(
        "a values: mapping to a status that does not exist",
        {
            "consents.csv": consents("C1,email_marketing,oui,2026-01-10"),
            "review.yaml": "values:\n  consents:\n    status: {oui: yes}\n",
        },
        ("values.consents.status maps 'oui' to 'yes'", "granted, withdrawn, refused"),
    ),
    Case(
        "a custom purpose that is not a code",
        {
            "consents.csv": consents("C1,Newsletter,granted,2026-01-10"),
            "review.yaml": "values:\n  consents:\n    purpose: {Newsletter: CHOOSE}\n",
        },
        ("values.consents.purpose maps 'Newsletter' to 'CHOOSE'", "lower-case code"),
    ),
    Case(
        "a ragged register CSV",
        {"ai_systems.csv": "id,name\ns1,Scorer\ns2,Chatbot,extra,fields\n"},
        ("ai_systems.csv", "cannot read the AI register", "line 3"),
    ),
    # --- nothing to review -------------------------------------------------------------------------------------------
    Case("an empty review folder", {}, ("the review has no input", "contacts.csv")),
    Case("an empty review folder, run", {}, ("the review has no input",), command="run", out="../report"),
    Case(
        "no enabled check has its inputs",
        {
            "contacts.csv": "contact_id,gender\nC1,F\n",
            "review.yaml": only_checks("consent.coverage", "consent.erasure"),
        },
        ("no check can run", "not_applicable", "consents", "requests", "sends"),
    ),
    Case(
        "no enabled check has its inputs, run",
        {"contacts.csv": "contact_id,gender\nC1,F\n", "review.yaml": only_checks("consent.coverage")},
        ("no check can run",),
        command="run",
        out="../report",
    ),
    # --- impossible dates, YAML limits ----------------------------------------------------------------------------
    Case(
        "as_of that is not in the calendar",
        {"review.yaml": "as_of: 2026-02-31\n", "consents.csv": ok_consents()},
        ("review.yaml", "line 1", "'2026-02-31' is not a date"),
    ),
    Case(
        "a register date that is not in the calendar",
        {"ai_systems.yaml": "- id: s1\n  name: Scorer\n  last_bias_audit: 2026-02-30\n"},
        ("ai_systems.yaml", "line 3", "'2026-02-30' is not a date"),
    ),
    Case(
        "a French date that is not in the calendar",
        {"consents.csv": consents("C1,email_marketing,granted,31/02/2026")},
        ("column 'recorded_at'", "line 2", "value '31/02/2026'", "dd/mm/yyyy"),
    ),
    Case(
        "billion laughs under a known key",
        {"review.yaml": laughs(), "consents.csv": ok_consents()},
        ("review.yaml", "expands to more than", "aliases"),
        seconds=10,
    ),
    Case(
        "YAML nested too deep",
        {"review.yaml": "checks: " + "[" * 150 + "]" * 150 + "\n", "consents.csv": ok_consents()},
        ("review.yaml", "deep"),
    ),
    Case(
        "review.yaml that is not UTF-8",
        {"review.yaml": b"name: caf\xe9 \x81\n", "consents.csv": ok_consents()},
        ("review.yaml", "not UTF-8", "line 1", "0xe9"),
    ),
    # --- files that are not what they say, damaged or mis-encoded ---------------------------------------------------
    Case(
        "an .xlsx that is really a CSV",
        {"consents.xlsx": ok_consents()},
        ("consents.xlsx", "name says .xlsx but its content is text", "rename"),
    ),
    Case(
        "a .csv that is really a workbook",
        {"consents.csv": xlsx_bytes([["contact_id"], ["C1"]])},
        ("consents.csv", "content is .xlsx"),
    ),
    Case(
        "a damaged workbook",
        {"consents.xlsx": b"PK\x03\x04" + b"\x00garbage" * 50},
        ("consents.xlsx", "damaged or not an .xlsx"),
    ),
    Case(
        "a damaged Parquet file",
        {"consents.parquet": b"PAR1" + b"\x07garbage" * 100 + b"PAR1"},
        ("consents.parquet", "damaged"),
    ),
    Case(
        "a Parquet file cut in half",
        {
            "consents.parquet": parquet_bytes(
                pa.table(
                    {
                        "contact_id": [f"C{i}" for i in range(2000)],
                        "purpose": ["email_marketing"] * 2000,
                        "status": ["granted"] * 2000,
                        "recorded_at": ["2026-01-01"] * 2000,
                    }
                )
            )[:1500]
        },
        ("consents.parquet", "damaged"),
    ),
    Case(
        "a Parquet column of lists",
        {"contacts.parquet": parquet_bytes(pa.table({"contact_id": ["C1"], "gender": [["F", "M"]]}))},
        ("contacts.parquet", "column 'gender'", "lists or records"),
    ),
    Case(
        "invalid UTF-8 bytes",
        {
            "consents.csv": (
                "contact_id,purpose,status,recorded_at,source\nC1,email_marketing,granted,2026-01-10,café\n"
            ).encode()
            + b"C2,email_marketing,granted,2026-01-10,caf\xe9\xff\n"
        },
        ("consents.csv", "UTF-8 text with an invalid byte", "line 3", "UTF-8 CSV"),
    ),
    Case(
        "a byte that is text in no encoding",
        {"consents.csv": ok_consents().encode() + b"C3,email_marketing,granted,2026-01-10\x81\n"},
        ("consents.csv", "0x81", "line 4"),
    ),
    Case("a binary file", {"consents.csv": b"contact_id,purpose\x00\x00\x01\x02\n"}, ("consents.csv", "NUL bytes")),
    Case(
        "a 2 MB header line",
        {"consents.csv": "contact_id," + "x" * (2 << 20) + "\nC1,a\n"},
        ("consents.csv", "header line", "longer than 1 MiB", "line 1"),
        seconds=30,
    ),
    Case(
        "a 9 MB field",
        {"consents.csv": CONSENTS.strip() + ",source\nC1,email_marketing,granted,2026-01-10," + "y" * (9 << 20) + "\n"},
        ("consents.csv", "longer than 8 MiB"),
        seconds=60,
    ),
    Case(
        "a line with too many fields",
        {"contacts.csv": CONTACTS + "C1,jane@example.org,+33612345678,1990-01-01,FR,F,extra,fields\n"},
        ("contacts.csv", "line 2", "different number of fields"),
    ),
    Case(
        "a quote never closed",
        {"consents.csv": CONSENTS + 'C1,email_marketing,"granted,2026-01-10\n'},
        ("consents.csv", "never closed"),
    ),
    Case("a file without header", {"consents.csv": "\n\n"}, ("consents.csv", "no header line", "line 1")),
    # --- ids, duplicates, non-finite numbers -------------------------------------------------------------------------
    Case(
        "an empty contact id",
        {"consents.csv": consents("C1,email_marketing,granted,2026-01-10", ",email_marketing,granted,2026-01-11")},
        ("column 'contact_id'", "line 3", "required column 'contact_id'", "is empty"),
    ),
    Case(
        "a contact id with a line break",
        {"consents.csv": CONSENTS + '"C1\nC2",email_marketing,granted,2026-01-10\n'},
        ("column 'contact_id'", "line 2", "line break"),
    ),
    Case(
        "an empty status",
        {"consents.csv": consents("C1,email_marketing,,2026-01-10")},
        ("column 'status'", "line 2", "is empty"),
    ),
    Case(
        "a duplicate contact",
        {"contacts.csv": "contact_id,gender\nC1,F\nC2,M\nC1,M\n"},
        ("column 'contact_id'", "line 4", "value 'C1'", "lines 2 and 4"),
    ),
    Case(
        "a column named twice in a CSV",
        {
            "consents.csv": "contact_id,purpose,status,recorded_at,status\n"
            "C1,email_marketing,granted,2026-01-10,granted\n"
        },
        ("consents.csv", "column 'status'", "line 1", "names a column twice"),
    ),
    Case(
        "a column named twice up to case",
        {"contacts.csv": "contact_id,Email,email\nC1,a@x.fr,b@x.fr\n"},
        ("column 'email'", "'Email' and 'email'"),
    ),
    Case(
        "a column named twice in a workbook",
        {"contacts.xlsx": xlsx_bytes([["contact_id", "gender", "gender"], ["C1", "F", "M"]])},
        ("contacts.xlsx", "column 'gender'", "names a column twice"),
    ),
    Case(
        "a column named twice in Parquet",
        {
            "contacts.parquet": parquet_bytes(
                pa.Table.from_arrays(
                    [pa.array(["C1"]), pa.array(["F"]), pa.array(["M"])], names=["contact_id", "gender", "gender"]
                )
            )
        },
        ("contacts.parquet", "column 'gender'", "names a column twice"),
    ),
    Case(
        "an unknown value in a workbook names its sheet row",
        {
            "consents.xlsx": xlsx_bytes(
                [
                    ["contact_id", "purpose", "status", "recorded_at"],
                    ["C1", "email_marketing", "granted", "2026-01-10"],
                    [None, None, None, None],
                    ["C2", "email_marketing", "peut-être", "2026-01-10"],
                ]
            )
        },
        ("consents.xlsx", "column 'status'", "sheet row 4", "value 'peut-être'"),
    ),
    Case(
        "a missing sheet",
        {
            "consents.xlsx": xlsx_bytes([["contact_id"], ["C1"]]),
            "review.yaml": "sources:\n  consents: consents.xlsx#Feuil2\n",
        },
        ("consents.xlsx", "no sheet 'Feuil2'", "Sheet"),
    ),
    Case(
        "an infinite score",
        {
            "targeting.csv": TARGETING + "C1,SPRING,true,0.4\nC2,SPRING,false,inf\n",
            "contacts.csv": "contact_id,gender\nC1,F\nC2,M\n",
        },
        ("column 'score'", "line 3", "value 'inf'", "not a finite number"),
    ),
    Case(
        "a not-a-number offer",
        {"targeting.csv": "contact_id,campaign_id,selected,offer_value\nC1,SPRING,true,NaN\n"},
        ("column 'offer_value'", "line 2", "value 'NaN'", "not a finite number"),
    ),
    Case(
        "an unreadable boolean",
        {"contacts.csv": "contact_id,is_customer\nC1,oui\nC2,peut-être\n"},
        ("column 'is_customer'", "line 3", "value 'peut-être'", "oui/non"),
    ),
    # --- the config -------------------------------------------------------------------------------------------------
    Case(
        "an unknown config key",
        {"review.yaml": "nme: x\n", "consents.csv": ok_consents()},
        ("unknown key 'nme'", "did you mean 'name'"),
    ),
    Case(
        "two columns mapped onto one",
        {
            "consents.csv": "client,client2,purpose,status,recorded_at\nC1,C2,email_marketing,granted,2026-01-10\n",
            "review.yaml": "columns:\n  consents: {client: contact_id, client2: contact_id}\n",
        },
        ("columns.consents maps both 'client' and 'client2' onto 'contact_id'",),
    ),
    Case(
        "a column mapped onto the existing contact_id",
        {"contacts.csv": "contact_id,gender\nC1,F\n", "review.yaml": "columns:\n  contacts: {gender: contact_id}\n"},
        ("contacts.csv", "column 'contact_id'", "maps 'gender' onto 'contact_id'", "already has a column"),
    ),
    Case(
        "a typo in bias.sensitive",
        {
            "contacts.csv": "contact_id,gender\nC1,F\n",
            "sends.csv": ok_sends(),
            "review.yaml": "bias:\n  sensitive: [gendr]\n",
        },
        ("bias.sensitive: 'gendr'", "did you mean 'gender'"),
    ),
    Case(
        "an unknown bias feature",
        {
            "contacts.csv": "contact_id,gender,postcode\nC1,F,75001\n",
            "sends.csv": ok_sends(),
            "review.yaml": "bias:\n  sensitive: [gender]\n  features: [postal_code]\n",
        },
        ("bias.features: 'postal_code'", "did you mean 'postcode'"),
    ),
    Case(
        "a check option of the wrong type",
        {
            "consents.csv": ok_consents(),
            "sends.csv": ok_sends(),
            "review.yaml": "checks:\n  consent.proof: {warn_below: high}\n",
        },
        ("checks.consent.proof.warn_below", "'high'", "float"),
    ),
    Case(
        "an unknown check",
        {"consents.csv": ok_consents(), "review.yaml": "checks:\n  consent.coverag: {}\n"},
        ("unknown check id 'consent.coverag'", "consent.coverage"),
    ),
    # --- files and folders --------------------------------------------------------------------------------------------
    Case("a folder named like a table", {"contacts.csv": a_folder}, ("contacts.csv", "a folder, not a file")),
    Case(
        "a register that is a folder",
        {"ai_systems.yaml": a_folder, "consents.csv": ok_consents()},
        ("ai_systems.yaml", "a folder, not a file"),
    ),
    Case(
        "notices that are a file",
        {"notices": "# not a folder\n", "consents.csv": ok_consents()},
        ("notices", "a file, where the kit expects a folder"),
    ),
    Case(
        "a notice linked from outside",
        {"consents.csv": ok_consents(), "notices/privacy.en.md": link_outside("notices/privacy.en.md")},
        ("privacy.en.md", "link to a file outside the review folder"),
    ),
    Case(
        "a table linked from outside",
        {"consents.csv": link_outside("consents.csv")},
        ("consents.csv", "link to a file outside the review folder"),
    ),
    # --- outputs never among inputs -------------------------------------------------------------------------------
    Case(
        "--out is the review folder",
        {"consents.csv": ok_consents(), "sends.csv": ok_sends()},
        ("output folder", "inputs"),
        command="run",
        out=".",
    ),
    Case(
        "--out is inside the review folder",
        {
            "consents.csv": ok_consents(),
            "sends.csv": ok_sends(),
            "notices/privacy.en.md": "# Privacy\nWe send newsletters.\n",
        },
        ("output folder", "inside"),
        command="run",
        out="notices",
    ),
    Case(
        "--out contains the review folder",
        {"consents.csv": ok_consents(), "sends.csv": ok_sends()},
        ("output folder", "contains"),
        command="run",
        out="..",
    ),
]


def build(folder: Path, files: Files) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = folder / name
        if callable(content):
            content(folder, path)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))


def fingerprints(root: Path) -> dict[str, str]:
    """sha256 of every file under `root` (links not followed), keyed by relative path."""
    found = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            found[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
        elif path.is_symlink():
            found[str(path.relative_to(root))] = f"-> {os.readlink(path)}"
    return found


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 40
    assert len({case.id for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_a_bad_input_is_one_message_and_exit_2(case: Case, tmp_path: Path, capsys, monkeypatch):
    # Temporary files of the run go to a folder of this test, where leftovers can be seen.
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    folder = tmp_path / "review"
    build(folder, case.files)
    watched = tmp_path  # the review, its neighbours (links' targets) and any --out
    before = fingerprints(watched)
    argv = [case.command, str(folder)]
    if case.command == "run":
        argv += ["--out", str((folder / case.out).resolve()) if case.out else str(tmp_path / "report")]
    started = time.monotonic()
    code = main(argv + list(case.extra))
    elapsed = time.monotonic() - started
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err
    lines = err.splitlines()
    assert lines[0].startswith("error: ") and any(line.startswith("fix: ") for line in lines), err
    for part in case.expect:
        assert part in err, f"{part!r} not in:\n{err}"
    assert elapsed < case.seconds
    assert fingerprints(watched) == before  # every input byte-identical, nothing written beside them
    assert list(scratch.iterdir()) == []  # no temporary copy left behind


# --- messages never echo personal data; temporary copies never stay ---------------------------------------------


def test_a_reader_error_never_echoes_the_row(tmp_path: Path, capsys):
    (tmp_path / "contacts.csv").write_text(
        CONTACTS + "C1,jane.doe@example.org,+33 6 12 34 56 78,1990-01-01,FR,F,x,y\n", encoding="utf-8"
    )
    assert main(["validate", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "line 2" in err
    for personal in ("jane.doe", "example.org", "12 34 56"):
        assert personal not in err


def test_the_utf8_copy_of_a_cp1252_export_is_removed(tmp_path: Path, monkeypatch, capsys):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    folder = tmp_path / "review"
    folder.mkdir()
    (folder / "consents.csv").write_bytes(
        (
            "contact_id;purpose;status;recorded_at;source\nC1;email_marketing;granted;2026-01-10;formulaire été €\n"
        ).encode("cp1252")
    )
    (folder / "sends.csv").write_text(ok_sends(), encoding="utf-8")
    assert main(["validate", str(folder)]) == 0, capsys.readouterr().err
    assert list(scratch.iterdir()) == []


def test_country_names_in_english_and_french_become_codes(tmp_path: Path):
    from ethics_review.review import open_review

    (tmp_path / "contacts.csv").write_text(
        "contact_id,country\nC1,France\nC2,Belgique\nC3,Allemagne\nC4,germany\nC5,de\nC6,États-Unis\nC7,\n",
        encoding="utf-8",
    )
    frame = open_review(tmp_path).table("contacts").order_by("contact_id").to_pandas()
    assert list(frame.country.fillna("-")) == ["FR", "BE", "DE", "DE", "DE", "US", "-"]


def test_a_declared_custom_purpose_is_accepted(tmp_path: Path, capsys):
    (tmp_path / "consents.csv").write_text(
        consents("C1,loyalty_club,granted,2026-01-10", "C1,Newsletter,granted,2026-01-10"), encoding="utf-8"
    )
    (tmp_path / "sends.csv").write_text(SENDS + "C1,SPRING,email,2026-03-01,loyalty_club\n", encoding="utf-8")
    (tmp_path / "review.yaml").write_text(
        "values:\n  consents:\n    purpose: {loyalty_club: loyalty_club, Newsletter: email_marketing}\n",
        encoding="utf-8",
    )
    assert main(["validate", str(tmp_path)]) == 0, capsys.readouterr().err


def test_a_billion_laughs_is_refused_within_seconds(tmp_path: Path, capsys):
    (tmp_path / "review.yaml").write_text(laughs(), encoding="utf-8")
    started = time.monotonic()
    assert main(["validate", str(tmp_path)]) == 2
    assert time.monotonic() - started < 5


# --- random input: only ever 0 or 2 -------------------------------------------------------------------------------


def validate_exit(files: dict[str, bytes]) -> tuple[int, str]:
    import contextlib

    with tempfile.TemporaryDirectory(prefix="er-fuzz-") as folder:
        for name, content in files.items():
            Path(folder, name).write_bytes(content)
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = main(["validate", folder])
        return code, err.getvalue()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(
        [
            "contacts.csv",
            "consents.csv",
            "sends.csv",
            "targeting.csv",
            "consents.xlsx",
            "contacts.parquet",
            "review.yaml",
            "ai_systems.yaml",
        ]
    ),
    content=st.binary(max_size=2000),
)
def test_random_bytes_are_refused_or_read(name: str, content: bytes):
    code, err = validate_exit(
        {name: content, **({} if name.startswith("consents") else {"consents.csv": ok_consents().encode()})}
    )
    assert code in (0, 2), err
    assert "Traceback" not in err


CELL = st.one_of(
    st.sampled_from(
        [
            "C1",
            "email_marketing",
            "granted",
            "2026-01-10",
            "",
            "oui",
            "inf",
            "1,5",
            '"',
            "a\nb",
            ";",
            "é",
            "NaN",
            "31/02/2026",
            "FR",
            "France",
        ]
    ),
    st.text(max_size=8),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    table=st.sampled_from(["contacts", "consents", "sends", "targeting"]),
    header=st.lists(
        st.sampled_from(
            [
                "contact_id",
                "purpose",
                "status",
                "recorded_at",
                "channel",
                "sent_at",
                "campaign_id",
                "selected",
                "score",
                "country",
                "birth_date",
                "x",
                "",
            ]
        ),
        min_size=1,
        max_size=6,
    ),
    rows=st.lists(st.lists(CELL, min_size=0, max_size=7), max_size=6),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
)
def test_random_csv_shapes_are_refused_or_read(table: str, header: list[str], rows: list[list[str]], delimiter: str):
    import csv

    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    code, err = validate_exit({f"{table}.csv": text.getvalue().encode("utf-8")})
    assert code in (0, 2), err
    assert "Traceback" not in err


# --- failure isolation: what a check cannot compute is named ------------------------------------------------------


def test_an_uncomputable_column_is_named_in_the_error_finding():
    from ethics_review.checks import CHECKS
    from ethics_review.findings import Finding
    from ethics_review.review import open_review
    from ethics_review.runner import _check_finite, uncomputable_columns

    targeting = pd.DataFrame(
        {
            "contact_id": ["C1", "C2"],
            "campaign_id": ["A", "A"],
            "selected": [True, False],
            "score": [0.2, 0.4],
            "propensity": [float("inf"), 0.3],
        }
    )
    review = open_review(data={"targeting": targeting}, as_of="2026-11-15")
    assert uncomputable_columns(review, CHECKS["bias.score_distribution"]) == [
        "table 'targeting', column 'propensity' holds 1 non-finite number"
    ]
    infinite = Finding(
        check_id="bias.score_distribution",
        area="bias",
        status="pass",
        title="t",
        summary="s",
        recommendation="r",
        metric={"ks_distance": float("inf")},
    )
    with pytest.raises(ValueError, match="non-finite value for ks_distance"):
        _check_finite(infinite)


def test_a_bias_check_on_the_substitute_population_says_so():
    from ethics_review.checks.bias import selection_parity
    from ethics_review.review import open_review

    contacts = pd.DataFrame({"contact_id": [f"C{i}" for i in range(400)], "gender": ["F", "M"] * 200})
    sends = pd.DataFrame(
        {
            "contact_id": [f"C{i}" for i in range(0, 400, 3)],
            "campaign_id": "A",
            "channel": "email",
            "sent_at": "2026-03-01",
        }
    )
    config = {"bias": {"sensitive": ["gender"]}}
    without = selection_parity(
        open_review(data={"contacts": contacts, "sends": sends}, config=config, as_of="2026-11-15")
    )
    assert any("There is no targeting table" in note for note in without.notes)
    targeting = sends.assign(selected=True)[["contact_id", "campaign_id", "selected"]]
    with_targeting = selection_parity(
        open_review(data={"contacts": contacts, "targeting": targeting}, config=config, as_of="2026-11-15")
    )
    assert not any("There is no targeting table" in note for note in with_targeting.notes)
