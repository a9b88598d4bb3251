"""The AI register: YAML and CSV read alike, placeholders as empty, bad values as errors naming system and field."""

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from ethics_review.errors import DataError
from ethics_review.register import FIELDS, in_service_on_or_after, is_placeholder, load_register, register_frame
from ethics_review.review import open_review

YAML = """\
- id: pricing
  name: Dynamic pricing
  use_case: pricing
  decision_mode: fully_automated
  significant_effect: oui
  data_categories: [stock, demand]
  explanation: TBD
  last_bias_audit: 2026-06-30
  staff_trained: 15/05/2026
- id: chatbot
  name: Lumi
  use_case: chatbot
  decision_mode: assistive
  significant_effect: false
  explanation: "[More Information Needed]"
  owner: à compléter
  dpia: 2025-09-02
"""

CSV = """\
id;name;use_case;decision_mode;significant_effect;data_categories;explanation;last_bias_audit;staff_trained;dpia
pricing;Dynamic pricing;pricing;fully_automated;oui;stock; demand;TBD;2026-06-30;15/05/2026;
chatbot;Lumi;chatbot;assistive;false;;[More Information Needed];;;2025-09-02
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_yaml_is_typed_and_placeholders_are_empty(tmp_path):
    frame = load_register(write(tmp_path, "ai_systems.yaml", YAML))
    assert list(frame.columns) == list(FIELDS)
    assert frame.significant_effect.tolist() == [True, False] and str(frame.significant_effect.dtype) == "boolean"
    assert frame.last_bias_audit.tolist()[0] == dt.date(2026, 6, 30) and pd.isna(frame.last_bias_audit.tolist()[1])
    assert frame.staff_trained.tolist()[0] == dt.date(2026, 5, 15)
    assert frame.data_categories.tolist()[0] == ("stock", "demand")
    assert frame.explanation.isna().all() and pd.isna(frame.owner[1])
    assert pd.isna(frame.dpia[0]) and frame.dpia[1] == "2025-09-02"  # a date or a URL, kept as text


def plain(column: pd.Series) -> list:
    return [None if v is None or v is pd.NA or v is pd.NaT else v for v in column.tolist()]


def test_csv_reads_like_yaml(tmp_path):
    csv_frame = load_register(write(tmp_path, "ai_systems.csv", CSV.replace("stock; demand", "stock|demand")))
    yaml_frame = load_register(write(tmp_path, "ai_systems.yaml", YAML))
    for column in (
        "id",
        "use_case",
        "decision_mode",
        "significant_effect",
        "data_categories",
        "explanation",
        "last_bias_audit",
        "staff_trained",
        "dpia",
    ):
        assert plain(csv_frame[column]) == plain(yaml_frame[column]), column
    assert csv_frame.data_categories.tolist()[0] == ("stock", "demand")


def test_a_mapping_with_a_systems_list_is_read_too(tmp_path):
    frame = load_register(write(tmp_path, "ai_systems.yaml", "systems:\n  - {id: a, name: A}\n"))
    assert frame.id.tolist() == ["a"]


@pytest.mark.parametrize("value", ["TBD", "tbc", "N/A", "[More Information Needed]", "à compléter", "  ", None])
def test_placeholders(value):
    assert is_placeholder(value)


@pytest.mark.parametrize("value", ["none", "Legitimate interest", 0, False])
def test_real_answers_are_not_placeholders(value):
    assert not is_placeholder(value)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("decision_mode", "automatic", "decision_mode must be one of assistive, human_in_the_loop, fully_automated"),
        ("use_case", "marketing", "use_case must be one of segmentation, scoring, pricing"),
        ("significant_effect", "maybe", "significant_effect must be a boolean"),
        ("last_bias_audit", "last spring", "last_bias_audit is not a date"),
        ("staff_trained", "31/02/2026", "staff_trained is not a date"),
        ("art22_exception", "legitimate_interest", "art22_exception must be one of contract, law, explicit_consent"),
        ("in_service_from", "soon", "in_service_from is not a date"),
        ("obvious_ai", "sort of", "obvious_ai must be a boolean"),
        ("safeguards", "a hotline", "safeguards must list values among human_intervention, express_view, contest"),
    ],
)
def test_bad_values_name_the_system_the_field_and_the_value(tmp_path, field, value, message):
    text = f"- {{id: ok, name: OK}}\n- {{id: pricing, name: Pricing, {field}: '{value}'}}\n"
    with pytest.raises(DataError) as caught:
        load_register(write(tmp_path, "ai_systems.yaml", text))
    error = caught.value
    assert (error.column, error.row, error.value) == (field, 2, value)
    assert f"AI system number 2 ('pricing'): {message}" in str(error)
    assert error.file.endswith("ai_systems.yaml") and error.fix


def test_missing_name_and_duplicate_ids_are_errors(tmp_path):
    with pytest.raises(DataError, match="AI system number 2 has no name"):
        load_register(write(tmp_path, "a.yaml", "- {id: a, name: A}\n- {id: b, name: TBD}\n"))
    with pytest.raises(DataError, match="AI system id 'a' is used twice, by systems number 1 and 2"):
        load_register(write(tmp_path, "b.yaml", "- {id: a, name: A}\n- {id: a, name: B}\n"))
    with pytest.raises(DataError, match="required field 'id' is missing"):
        load_register(write(tmp_path, "c.yaml", "- {name: A}\n"))
    with pytest.raises(DataError, match="must be a YAML list of systems"):
        load_register(write(tmp_path, "d.yaml", "just: text\n"))


def test_a_dataframe_from_a_notebook_is_validated_the_same_way():
    with pytest.raises(DataError, match="decision_mode must be one of") as caught:
        register_frame(pd.DataFrame({"id": ["a"], "name": ["A"], "decision_mode": ["robot"]}))
    assert caught.value.file == "DataFrame"


def test_sources_delegate_to_the_register(tmp_path):
    write(tmp_path, "ai_systems.yaml", YAML)
    review = open_review(tmp_path)
    assert review.ai_systems.explanation.isna().all() and review.inputs[-1].table == "ai_systems"
    with pytest.raises(DataError, match="decision_mode must be one of"):
        open_review(data={"ai_systems": pd.DataFrame({"id": ["a"], "name": ["A"], "decision_mode": ["x"]})})


V2_YAML = """\
- id: lumi
  name: Lumi
  use_case: chatbot
  in_service_from: 01/10/2025
  retired_on: 2026-12-31
  obvious_ai: oui
  obvious_ai_reason: the avatar is a cartoon robot that says it is a bot
- id: pricing
  name: Pricing
  decision_mode: fully_automated
  significant_effect: true
  art22_exception: Contract
  safeguards: [human_intervention, Express_View, contest]
  profiling: yes
  large_scale: false
"""


def test_v2_fields_are_typed(tmp_path):
    frame = load_register(write(tmp_path, "ai_systems.yaml", V2_YAML))
    assert frame.in_service_from.tolist()[0] == dt.date(2025, 10, 1)
    assert frame.retired_on.tolist()[0] == dt.date(2026, 12, 31)
    assert plain(frame.obvious_ai) == [True, None] and str(frame.obvious_ai.dtype) == "boolean"
    assert frame.art22_exception.tolist()[1] == "contract"
    assert frame.safeguards.tolist()[1] == ("human_intervention", "express_view", "contest")
    assert plain(frame.profiling) == [None, True] and plain(frame.large_scale) == [None, False]


def test_a_system_retired_before_it_entered_service_is_an_error(tmp_path):
    text = "- {id: bot, name: Bot, in_service_from: 2026-03-01, retired_on: 2026-02-28}\n"
    with pytest.raises(DataError, match="'bot' is retired on 2026-02-28 before it entered service on 2026-03-01"):
        load_register(write(tmp_path, "ai_systems.yaml", text))


@pytest.mark.parametrize(
    ("dates", "in_service"),
    [
        ({"in_service_from": "2025-10-01"}, True),  # launched before the date, still in service
        ({"in_service_from": "2025-10-01", "retired_on": "2026-08-01"}, False),  # retired the day before
        ({"in_service_from": "2025-10-01", "retired_on": "2026-08-02"}, True),  # retired on the day itself
        ({"in_service_from": "2026-11-16"}, False),  # enters service after the review date
        ({}, True),  # undated: assumed in service
    ],
)
def test_in_service_on_or_after_a_date(dates, in_service):
    frame = register_frame([{"id": "bot", "name": "Bot", **dates}])
    assert in_service_on_or_after(frame, dt.date(2026, 8, 2), dt.date(2026, 11, 15)).tolist() == [in_service]
