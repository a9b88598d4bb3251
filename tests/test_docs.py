"""docs/ is generated from the code (python -m ethics_review.docs, `make docs`) and must not go stale; every
document a message, template or schema points to exists in the repository and in the installed package."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ethics_review import docs
from ethics_review.checks import CHECKS
from ethics_review.contract import TABLES
from ethics_review.review import open_review
from ethics_review.runner import run_checks

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def generated(demo_dir) -> dict[str, str]:
    from tests.conftest import DEMO_TEST_CONTACTS

    assert DEMO_TEST_CONTACTS == docs.DOCS_DEMO_CONTACTS, "the docs read thresholds from the same demo review"
    return docs.documents(run_checks(open_review(demo_dir)))


def test_the_docs_in_the_repository_are_what_the_code_says(generated):
    stale = docs.stale(ROOT / "docs", generated)
    assert not stale, f"{stale} are stale: run `make docs`"


def test_the_staleness_check_can_fail(generated, tmp_path):
    for name, text in generated.items():
        (tmp_path / name).write_text(text.replace("| yes |", "| no |", 1), encoding="utf-8")  # one cell changed
    assert docs.stale(tmp_path, generated) == list(generated)


def test_the_check_catalogue_documents_every_check_with_thresholds_kind_references_and_owner(generated):
    text = generated[docs.CHECKS_FILE]
    for check_id in CHECKS:
        section = text.split(f"### `{check_id}`", 1)[1].split("\n### ", 1)[0]
        assert "References:" in section and "Who acts first:" in section, check_id
    assert "| `uncovered_sends` > 0 | fail | rule (a legal text fixes it) | no |" in text
    assert "kit default (the kit's judgement or guidance)" in text


def test_the_data_contract_documents_every_table_column_and_allowed_value(generated):
    text = generated[docs.DATA_CONTRACT_FILE]
    for table in TABLES.values():
        assert f"## `{table.name}`" in text
        for column in table.columns:
            assert f"| `{column.name}` |" in text
            for value in column.values:
                assert f"`{value}`" in text
    assert "`email_marketing`" in text and "## The review config (`review.yaml`)" in text


POINTER = re.compile(r"(DATA_CONTRACT\.md|CHECKS\.md|docs/(?:data-contract|checks)\.md)")  # old and new names


def test_every_pointer_to_a_document_names_one_that_exists():
    shipped = {p.relative_to(ROOT).as_posix() for p in (ROOT / "docs").rglob("*.md")}
    places = [
        *ROOT.glob("src/ethics_review/**/*.py"),
        *ROOT.glob("src/ethics_review/**/*.json"),
        *ROOT.glob("src/ethics_review/**/*.yaml"),
        *ROOT.glob("templates/**/*"),
        ROOT / "README.md",
        *ROOT.glob("notebooks/*.ipynb"),
        *ROOT.glob("examples/**/*"),
    ]
    wrong = []
    for place in places:
        if place.is_file():
            for name in POINTER.findall(place.read_text(encoding="utf-8", errors="replace")):
                if name not in shipped:
                    wrong.append(f"{place.relative_to(ROOT)} -> {name}")
    assert not wrong, wrong


def test_the_docs_ship_in_the_wheel():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"docs" = "ethics_review/_bundled/docs"' in text
