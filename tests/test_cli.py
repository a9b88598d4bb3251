"""The command line: exit codes 0 / 1 / 2 / 3 and one clear message for a user mistake, never a traceback."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

from ethics_review.cli import main

BIN = Path(sys.executable).parent / "ethics-review"


def test_init_creates_a_review_that_validates(tmp_path: Path, capsys):
    assert main(["init", str(tmp_path / "review")]) == 0
    assert sorted(p.name for p in (tmp_path / "review").iterdir()) == [
        "ai_systems.yaml",
        "assessment.yaml",
        "consents.csv",
        "contacts.csv",
        "content.csv",
        "interactions.csv",
        "notices",
        "requests.csv",
        "review.yaml",
        "sends.csv",
        "targeting.csv",
    ]
    assert main(["validate", str(tmp_path / "review")]) == 0
    out = capsys.readouterr().out
    assert "inputs match the data contract" in out and "contacts" in out


def test_init_never_overwrites(tmp_path: Path, capsys):
    (tmp_path / "mine.csv").write_text("x\n", encoding="utf-8")
    assert main(["init", str(tmp_path)]) == 2
    assert "already exists and is not empty" in capsys.readouterr().err
    assert (tmp_path / "mine.csv").read_text(encoding="utf-8") == "x\n"


def test_bad_input_is_one_message_and_exit_2(tmp_path: Path):
    (tmp_path / "consents.csv").write_text(
        "contact_id,purpose,status,recorded_at\nC1,email_marketing,oui,2026-01-01\n", encoding="utf-8"
    )
    done = subprocess.run([str(BIN), "validate", str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines()[0].startswith("error: 1 unknown value in column 'status' of table 'consents'")
    assert "column 'status', line 2, value 'oui'" in done.stderr
    assert done.stderr.splitlines()[1].startswith("fix: map every value in review.yaml")
    assert "      oui: CHOOSE  # one of granted, withdrawn, refused" in done.stderr


def test_unknown_config_key_is_exit_2_naming_the_nearest(tmp_path: Path, capsys):
    (tmp_path / "review.yaml").write_text("nme: x\n", encoding="utf-8")
    assert main(["validate", str(tmp_path)]) == 2
    assert "unknown key 'nme'; did you mean 'name'?" in capsys.readouterr().err


def test_missing_path_is_exit_2(tmp_path: Path, capsys):
    assert main(["validate", str(tmp_path / "nowhere")]) == 2
    assert "does not exist" in capsys.readouterr().err


def write_findings(path: Path, statuses: dict[str, str], metric: dict | None = None) -> Path:
    """A findings.json as a run writes it (schema-valid), with these statuses."""
    from ethics_review.findings import Finding, status_counts

    findings = [
        Finding(
            check_id=c, area=c.split(".")[0], status=s, title="t", summary="s", recommendation="r", metric=metric or {}
        ).to_json()
        for c, s in statuses.items()
    ]
    record = {
        "kit_version": "0",
        "review": "r",
        "as_of": "2026-11-15",
        "lang": "en",
        "inputs": [],
        "config": {},
        "summary": status_counts(f["status"] for f in findings),
        "findings": findings,
    }
    path.write_text(json.dumps(record), encoding="utf-8")
    return path


def test_diff_reports_changes_and_exits_1_when_worse(tmp_path: Path, capsys):
    old = write_findings(tmp_path / "old.json", {"consent.coverage": "pass", "bias.selection_parity": "fail"})
    new = write_findings(tmp_path / "new.json", {"consent.coverage": "fail", "bias.selection_parity": "pass"})
    assert main(["diff", str(old), str(new)]) == 1
    out = capsys.readouterr().out
    assert "consent.coverage: pass -> fail" in out and "bias.selection_parity: fail -> pass" in out


def test_diff_better_or_same_exits_0(tmp_path: Path, capsys):
    old = write_findings(tmp_path / "old.json", {"consent.coverage": "fail"}, {"uncovered_sends": 5})
    new = write_findings(tmp_path / "new.json", {"consent.coverage": "pass"}, {"uncovered_sends": 0})
    assert main(["diff", str(old), str(new)]) == 0
    assert "uncovered_sends: 5 -> 0" in capsys.readouterr().out
    assert main(["diff", str(new), str(new)]) == 0


def test_diff_a_check_that_disappears_or_becomes_not_applicable_is_worse(tmp_path: Path, capsys):
    old = write_findings(tmp_path / "old.json", {"consent.coverage": "fail", "bias.selection_parity": "pass"})
    gone = write_findings(tmp_path / "gone.json", {"bias.selection_parity": "pass"})
    assert main(["diff", str(old), str(gone)]) == 1
    assert "consent.coverage: fail -> (gone)" in capsys.readouterr().out
    unjudged = write_findings(
        tmp_path / "na.json", {"consent.coverage": "not_applicable", "bias.selection_parity": "pass"}
    )
    assert main(["diff", str(old), str(unjudged)]) == 1


def test_diff_of_a_malformed_findings_file_is_exit_2(tmp_path: Path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"findings": [{"check_id": "consent.coverage", "status": "fail"}]}), encoding="utf-8")
    good = write_findings(tmp_path / "good.json", {"consent.coverage": "fail"})
    assert main(["diff", str(bad), str(good)]) == 2
    assert main(["diff", str(good), str(bad)]) == 2
    assert "does not match the findings.json schema" in capsys.readouterr().err


def test_diff_of_a_non_findings_file_is_exit_2(tmp_path: Path, capsys):
    (tmp_path / "x.json").write_text("[1, 2]", encoding="utf-8")
    assert main(["diff", str(tmp_path / "x.json"), str(tmp_path / "x.json")]) == 2
    assert "has no 'findings' list" in capsys.readouterr().err


def test_entry_point_is_installed():
    assert shutil.which(str(BIN)) and subprocess.run(
        [str(BIN), "--version"], capture_output=True, text=True
    ).stdout.startswith("ethics-review ")


def test_diff_of_a_history_compares_its_last_two_runs(tmp_path: Path, capsys):
    from ethics_review import history

    for day, status in (("2026-04-01", "pass"), ("2026-05-01", "pass"), ("2026-06-01", "fail")):
        history.append(
            tmp_path / "h",
            {
                "review": "r",
                "as_of": day,
                "generated_at": f"{day}T08:00:00+00:00",
                "findings": [{"check_id": "consent.coverage", "area": "consent", "status": status, "metric": {}}],
            },
        )
    assert main(["diff", "--history", str(tmp_path / "h")]) == 1
    assert "consent.coverage: pass -> fail" in capsys.readouterr().out


def test_diff_of_a_history_with_one_run_or_with_files_too_is_exit_2(tmp_path: Path, capsys):
    from ethics_review import history

    history.append(
        tmp_path / "h", {"review": "r", "as_of": "2026-04-01", "generated_at": "2026-04-01T08:00:00", "findings": []}
    )
    assert main(["diff", "--history", str(tmp_path / "h")]) == 2
    assert "holds 1 run; diff needs two" in capsys.readouterr().err
    assert main(["diff", "a.json", "--history", str(tmp_path / "h")]) == 2
    assert main(["diff", "a.json"]) == 2


def test_a_report_command_validates_notebooks_and_findings_without_building_the_iri_grammars(tmp_path: Path):
    """jsonschema's IRI checker (rfc3987-syntax) builds its grammars at import: the report commands go without it,
    and what they validate (notebooks through nbformat, findings.json through jsonschema) is validated as before."""
    code = (
        "import sys\n"
        "from ethics_review import cli\n"
        "cli._without_iri_grammars()\n"
        "import nbformat, jsonschema\n"
        "from ethics_review import report\n"
        "nbformat.validate(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('1')]))\n"
        "try:\n"
        "    report.validate_findings({'findings': 'not a list'})\n"
        "except report.ReportError:\n"
        "    print('refused')\n"
        "print(sys.modules.get('lark') is None)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split() == ["refused", "True"]  # the schema still refuses; no grammar library was loaded
