"""The team's self-assessment (docs/data-contract.md v2, assessment.yaml): the questions the kit ships, the answers
a review folder holds, and writing them back from the notebook's widgets.

The questions are data (lexicons/assessment_questions.yaml, en and fr). `assessment.yaml` is a YAML list of
`{question_id, answer, evidence, answered_by, answered_on}`; `answer` is yes / no / not_applicable, or empty while
the question is unanswered. An unknown question id or answer is an input error naming the file, the entry, the
value and the fix. Who answered is kept in the file for the team, never copied into a finding.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from .config import read_yaml
from .errors import DataError
from .paths import package_yaml

FILE_NAME = "assessment.yaml"
ANSWERS = ("yes", "no", "not_applicable")
# Spellings read as the canonical answer (YAML 1.1 readers turn yes/no into booleans; French teams write oui/non).
_ANSWER_WORDS = {
    "yes": "yes",
    "y": "yes",
    "oui": "yes",
    "true": "yes",
    "no": "no",
    "n": "no",
    "non": "no",
    "false": "no",
    "not_applicable": "not_applicable",
    "not applicable": "not_applicable",
    "n/a": "not_applicable",
    "na": "not_applicable",
    "sans objet": "not_applicable",
    "sans_objet": "not_applicable",
}
FIELDS = ("question_id", "answer", "evidence", "answered_by", "answered_on")


@dataclass(frozen=True)
class Question:
    id: str
    topic: str
    legal_duty: Mapping[str, str] | None  # {"en": ..., "fr": ...}; None: good practice, not a legal duty
    text: Mapping[str, str]
    why: Mapping[str, str]
    evidence: Mapping[str, str]

    @property
    def is_legal_duty(self) -> bool:
        return self.legal_duty is not None


@dataclass(frozen=True)
class Answer:
    question_id: str
    answer: str | None  # yes / no / not_applicable; None while unanswered
    evidence: str | None = None
    answered_by: str | None = None
    answered_on: dt.date | None = None


@cache
def questions() -> tuple[Question, ...]:
    document = package_yaml("lexicons", "assessment_questions.yaml")
    return tuple(
        Question(
            id=q["id"],
            topic=q["topic"],
            legal_duty=q.get("legal_duty"),
            text=q["text"],
            why=q["why"],
            evidence=q["evidence"],
        )
        for q in document["questions"]
    )


def question_ids() -> tuple[str, ...]:
    return tuple(q.id for q in questions())


def question(question_id: str) -> Question:
    return next(q for q in questions() if q.id == question_id)


# --- reading -------------------------------------------------------------------------------------------------------


def find_file(base_dir: Path, configured: str | None = None) -> Path | None:
    """`sources: {assessment: path}` in review.yaml, else `assessment.yaml` in the review folder."""
    if configured:
        path = Path(configured).expanduser()
        path = path if path.is_absolute() else base_dir / path
        if not path.is_file():
            raise DataError(
                "the self-assessment configured under sources.assessment does not exist",
                file=str(path),
                fix="correct sources.assessment in review.yaml, or remove it to use assessment.yaml",
            )
        return path
    path = base_dir / FILE_NAME
    return path if path.is_file() else None


def load_assessment(path: Path) -> tuple[Answer, ...]:
    document = read_yaml(path)
    if document is None:
        return ()
    if isinstance(document, dict) and "answers" in document:
        document = document["answers"]
    if not isinstance(document, list):
        raise DataError(
            "the self-assessment must be a YAML list of answers",
            file=str(path),
            fix="write one `- question_id: ...` entry per question (ethics-review init ships a template)",
        )
    return answers_from_records(document, source=str(path))


def answers_from_records(records: Iterable[Any], *, source: str = "answers") -> tuple[Answer, ...]:
    """Validated answers; entry numbers in errors are 1-based, in file order."""
    answers: list[Answer] = []
    seen: dict[str, int] = {}
    known = question_ids()
    for number, record in enumerate(records, start=1):
        if not isinstance(record, Mapping):
            raise DataError(
                f"answer number {number} is not a mapping",
                file=source,
                row=number,
                value=record,
                fix="write each answer as `- question_id: ...` followed by `answer: yes`",
            )
        unknown_fields = sorted(set(map(str, record)) - set(FIELDS))
        if unknown_fields:
            raise DataError(
                f"answer number {number} has an unknown field '{unknown_fields[0]}'",
                file=source,
                column=unknown_fields[0],
                row=number,
                value=unknown_fields[0],
                fix=f"use only the fields {', '.join(FIELDS)}",
            )
        question_id = str(record.get("question_id") or "").strip()
        if question_id not in known:
            near = difflib.get_close_matches(question_id, known, n=1)
            hint = f"did you mean '{near[0]}'? " if near else ""
            raise DataError(
                f"answer number {number} names an unknown question",
                file=source,
                column="question_id",
                row=number,
                value=question_id or None,
                fix=f"{hint}question ids are: {', '.join(known)}",
            )
        if question_id in seen:
            raise DataError(
                f"question '{question_id}' is answered twice, in entries {seen[question_id]} and {number}",
                file=source,
                column="question_id",
                row=number,
                value=question_id,
                fix="keep one answer per question",
            )
        seen[question_id] = number
        answers.append(
            Answer(
                question_id=question_id,
                answer=_answer(record.get("answer"), number, source),
                evidence=_text(record.get("evidence")),
                answered_by=_text(record.get("answered_by")),
                answered_on=_date(record.get("answered_on"), number, source),
            )
        )
    return tuple(answers)


def _answer(value: Any, number: int, source: str) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    word = ("true" if value else "false") if isinstance(value, bool) else str(value).strip().lower()
    if word in _ANSWER_WORDS:
        return _ANSWER_WORDS[word]
    raise DataError(
        f"answer number {number} is not yes, no or not_applicable",
        file=source,
        column="answer",
        row=number,
        value=value,
        fix="write yes, no or not_applicable (or leave it empty while unanswered)",
    )


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _date(value: Any, number: int, source: str) -> dt.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        if len(text) == 10 and text[2] == "/" and text[5] == "/":
            return dt.date(int(text[6:]), int(text[3:5]), int(text[:2]))
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise DataError(
            f"answer number {number}: answered_on is not a date",
            file=source,
            column="answered_on",
            row=number,
            value=value,
            fix="write the date as ISO-8601 (2026-03-31) or dd/mm/yyyy",
        ) from None


# --- judging --------------------------------------------------------------------------------------------------------


def answer_by_question(answers: Sequence[Answer] | None) -> dict[str, Answer]:
    """Every shipped question with its answer (an unanswered one when the file does not mention it)."""
    given = {a.question_id: a for a in answers or ()}
    return {q.id: given.get(q.id, Answer(q.id, None)) for q in questions()}


# --- writing (the notebook's save button) ---------------------------------------------------------------------------


def dump_assessment(answers: Iterable[Answer], *, lang: str = "en") -> str:
    """The file's text: one entry per question in the kit's order, each preceded by the question as a comment."""
    given = answer_by_question(list(answers))
    lines = [_header(lang)]
    for q in questions():
        a = given[q.id]
        lines.append(f"# {q.text.get(lang, q.text['en'])}")
        if q.legal_duty:
            lines.append(f"# {_legal_word(lang)}: {q.legal_duty.get(lang, q.legal_duty['en'])}")
        entry = {
            "question_id": q.id,
            "answer": a.answer,
            "evidence": a.evidence,
            "answered_by": a.answered_by,
            "answered_on": a.answered_on.isoformat() if a.answered_on else None,
        }
        body = yaml.safe_dump([entry], allow_unicode=True, sort_keys=False, width=120)
        lines.append(body.replace(" null\n", "\n").rstrip("\n"))
    return "\n".join(lines) + "\n"


def _header(lang: str) -> str:
    if lang == "fr":
        return (
            "# Auto-évaluation de la gouvernance de l'IA en marketing (ethics-review, contrôle "
            "governance.self_assessment).\n# answer : yes, no ou not_applicable ; laissez vide tant que la "
            "question n'a pas de réponse.\n# evidence : un lien ou un fichier ; answered_by : qui ; answered_on : "
            "la date (AAAA-MM-JJ)."
        )
    return (
        "# Self-assessment of AI governance in marketing (ethics-review, check governance.self_assessment).\n"
        "# answer: yes, no or not_applicable; leave it empty while unanswered.\n"
        "# evidence: a link or a file; answered_by: who; answered_on: the date (YYYY-MM-DD)."
    )


def _legal_word(lang: str) -> str:
    return "Obligation légale" if lang == "fr" else "Legal duty"


def unified_diff(path: Path, new_text: str) -> str:
    """What saving would change in `path` (empty when nothing changes or the file is new)."""
    if not path.is_file():
        return ""
    old = path.read_text(encoding="utf-8")
    return "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True),
            new_text.splitlines(keepends=True),
            fromfile=f"{path.name} (saved)",
            tofile=f"{path.name} (new)",
        )
    )


def save_assessment(path: Path, answers: Iterable[Answer], *, lang: str = "en") -> Path:
    """Write the answers; the text is validated by reading it back before it replaces the file."""
    text = dump_assessment(answers, lang=lang)
    answers_from_records(yaml.safe_load(text) or (), source=str(path))
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path
