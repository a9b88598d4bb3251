"""Every temporary file or folder is removed by the end of the run that made it.

The UTF-8 copy of a Windows-1252 export holds personal data: it must not outlive the read. The CLI runs here as a
user runs it, in a process of its own whose TMPDIR is a folder of this test, so anything it leaves can be seen.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# A French CRM export: `;`, Windows-1252 accents, dd/mm/yyyy dates.
CONSENTS = (
    "contact_id;purpose;status;recorded_at;source\r\n"
    "C1;email_marketing;granted;10/01/2026;formulaire été\r\n"
    "C2;email_marketing;withdrawn;11/01/2026;désinscription\r\n"
)
SENDS = (
    "contact_id;campaign_id;channel;sent_at;purpose\r\n"
    "C1;PRINTEMPS;email;01/03/2026;email_marketing\r\n"
    "C2;PRINTEMPS;email;01/03/2026;email_marketing\r\n"
)


def a_cp1252_review(folder: Path) -> Path:
    folder.mkdir()
    (folder / "consents.csv").write_bytes(CONSENTS.encode("cp1252"))
    (folder / "sends.csv").write_bytes(SENDS.encode("cp1252"))
    (folder / "review.yaml").write_text("name: Hygiène\nas_of: 2026-04-01\nlang: fr\n", encoding="utf-8")
    return folder


def cli(*argv: str, temp: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TMPDIR": str(temp), "TEMP": str(temp), "TMP": str(temp)}
    return subprocess.run(
        [sys.executable, "-m", "ethics_review.cli", *argv], capture_output=True, text=True, env=env, timeout=900
    )


def test_the_fixture_is_a_cp1252_export(tmp_path: Path):
    from ethics_review.csvfiles import sniff_csv

    review = a_cp1252_review(tmp_path / "review")
    assert sniff_csv(review / "consents.csv") == ("cp1252", ";")


@pytest.mark.slow
def test_validate_then_run_on_a_cp1252_export_leave_nothing_in_the_temp_dir(tmp_path: Path):
    review = a_cp1252_review(tmp_path / "review")
    temp = tmp_path / "tmp"
    temp.mkdir()
    validated = cli("validate", str(review), temp=temp)
    assert validated.returncode == 0, validated.stderr[-2000:]
    assert sorted(p.name for p in temp.iterdir()) == []
    ran = cli("run", str(review), "--out", str(tmp_path / "report"), temp=temp)
    assert ran.returncode in {0, 1}, ran.stderr[-2000:]  # 1: a finding failed; the run itself succeeded
    assert (tmp_path / "report" / "findings.json").is_file()
    assert sorted(p.name for p in temp.iterdir()) == []
