from pathlib import Path

import pytest

from ethics_review.config import ReviewConfig, load_config, parse_config
from ethics_review.errors import ConfigError

CONTRACT_KEYS = {"name", "as_of", "lang", "default_country", "sources", "columns", "values", "exemptions", "bias",
                 "checks", "engine"}


def test_config_has_exactly_the_contract_keys():
    assert set(ReviewConfig.model_fields) == CONTRACT_KEYS


def test_contract_example_loads(tmp_path: Path):
    path = tmp_path / "review.yaml"
    path.write_text("""
name: Spring 2026 campaigns
as_of: 2026-11-15
lang: fr
default_country: FR
sources:
  contacts: exports/crm_clients.csv
columns:
  consents: {client_id: contact_id, finalite: purpose, date: recorded_at}
values:
  consents: {status: {oui: granted, non: refused, retrait: withdrawn}}
exemptions:
  email_marketing: {soft_opt_in: true, b2b: true}
bias:
  sensitive: [gender, age_band, region]
  intersections: [[gender, age_band]]
  features: [postcode, segment]
  reference: {gender: F}
  min_group_size: 30
  min_flag_size: 100
  k_anonymity: 10
checks:
  consent.freshness: {max_age_months: {personalised_ads: 6, default: 36}}
  bias.selection_parity: {fail_below: 0.8}
""", encoding="utf-8")
    config = load_config(path)
    assert config.lang == "fr"
    assert str(config.as_of) == "2026-11-15"
    # oui/non stay strings (YAML 1.1 would have read other words as booleans)
    assert config.values["consents"]["status"] == {"oui": "granted", "non": "refused", "retrait": "withdrawn"}
    assert config.exemptions["email_marketing"].soft_opt_in is True
    assert config.bias.intersections == (("gender", "age_band"),)
    assert config.bias.reference == {"gender": "F"}


def test_yes_no_keys_stay_strings():
    config = parse_config({"values": {"contacts": {"is_customer": {"yes": "true", "no": "false"}}}})
    assert config.values["contacts"]["is_customer"] == {"yes": "true", "no": "false"}


def test_unknown_top_level_key_names_nearest():
    with pytest.raises(ConfigError) as error:
        parse_config({"exemption": {}}, source="review.yaml")
    assert "unknown key 'exemption'" in str(error.value)
    assert "did you mean 'exemptions'?" in str(error.value)


def test_unknown_nested_key_names_nearest():
    with pytest.raises(ConfigError) as error:
        parse_config({"bias": {"min_grup_size": 5}})
    assert "unknown key 'bias.min_grup_size'" in str(error.value)
    assert "did you mean 'min_group_size'?" in str(error.value)


def test_unknown_table_in_columns_names_nearest():
    with pytest.raises(ConfigError, match="unknown table 'contact'; did you mean 'contacts'"):
        parse_config({"columns": {"contact": {"id": "contact_id"}}})


def test_column_mapped_to_non_canonical_name_is_an_error():
    with pytest.raises(ConfigError) as error:
        parse_config({"columns": {"consents": {"date": "recorded"}}})
    assert "'recorded', which is not a canonical column of 'consents'; did you mean 'recorded_at'?" in str(error.value)


def test_bad_language_is_an_error():
    with pytest.raises(ConfigError, match="'lang'"):
        parse_config({"lang": "de"})


def test_bad_country_is_an_error():
    with pytest.raises(ConfigError, match="not an ISO 3166-1 alpha-2"):
        parse_config({"default_country": "France"})


def test_invalid_yaml_names_line(tmp_path: Path):
    path = tmp_path / "review.yaml"
    path.write_text("name: x\nbias: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML at line"):
        load_config(path)


def test_config_is_frozen():
    config = parse_config({"name": "x"})
    with pytest.raises(Exception):
        config.name = "y"
