from pathlib import Path

import pytest
from pydantic import ValidationError

from ethics_review.config import ReviewConfig, load_config, parse_config
from ethics_review.errors import ConfigError

CONTRACT_KEYS = {
    "name",
    "as_of",
    "lang",
    "default_country",
    "sources",
    "columns",
    "values",
    "exemptions",
    "bias",
    "checks",
    "notices",
    "legal_dates",
    "engine",
}


def test_config_has_exactly_the_contract_keys():
    assert set(ReviewConfig.model_fields) == CONTRACT_KEYS


def test_contract_example_loads(tmp_path: Path):
    path = tmp_path / "review.yaml"
    path.write_text(
        """
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
""",
        encoding="utf-8",
    )
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
    with pytest.raises(ValidationError, match="frozen"):
        config.name = "y"


# --- exceptions to the consent requirement (CHECKS.md v2, consent.coverage) -------------------------------------------


def test_a_contract_exception_for_marketing_is_refused_with_the_reason_and_the_alternative():
    with pytest.raises(ConfigError) as error:
        parse_config({"exemptions": {"email_marketing": {"contract": True}}}, source="review.yaml")
    message = str(error.value)
    assert "review.yaml: 'exemptions.email_marketing'" in message
    assert "Art 6(1)(b)" in message and "EDPB Guidelines 2/2019" in message and "soft_opt_in" in message


@pytest.mark.parametrize("purpose", ["email_marketing", "sms_marketing", "push_marketing"])
def test_legitimate_interest_is_refused_for_email_sms_and_push(purpose):
    with pytest.raises(ConfigError) as error:
        parse_config({"exemptions": {purpose: {"legitimate_interest": True}}})
    assert f"exemptions.{purpose}.legitimate_interest is refused" in str(error.value)
    assert "CPCE L.34-5" in str(error.value)


def test_legitimate_interest_stays_valid_for_postal_and_phone():
    config = parse_config(
        {
            "exemptions": {
                "postal_marketing": {"legitimate_interest": True},
                "phone_marketing": {"legitimate_interest": True},
            }
        }
    )
    assert config.exemptions["phone_marketing"].legitimate_interest is True


def test_soft_opt_in_is_refused_for_phone_and_push_but_not_for_sms():
    for purpose in ("phone_marketing", "push_marketing"):
        with pytest.raises(ConfigError, match=f"exemptions.{purpose}.soft_opt_in is refused: .* email and SMS only"):
            parse_config({"exemptions": {purpose: {"soft_opt_in": True}}})
    assert parse_config({"exemptions": {"sms_marketing": {"soft_opt_in": True}}}).exemptions


def test_existing_contract_is_an_exception_of_phone_canvassing_only():
    config = parse_config({"exemptions": {"phone_marketing": {"existing_contract": True}}})
    assert config.exemptions["phone_marketing"].existing_contract is True
    with pytest.raises(ConfigError, match=r"existing_contract is refused: .*L\.223-1"):
        parse_config({"exemptions": {"email_marketing": {"existing_contract": True}}})


def test_every_refusal_is_listed_in_one_message():
    with pytest.raises(ConfigError) as error:
        parse_config(
            {"exemptions": {"sms_marketing": {"legitimate_interest": True}, "push_marketing": {"soft_opt_in": True}}}
        )
    assert "sms_marketing.legitimate_interest" in str(error.value) and "push_marketing.soft_opt_in" in str(error.value)


def test_the_review_template_loads_and_documents_the_exceptions():
    template = Path(__file__).resolve().parents[1] / "templates" / "review" / "review.yaml"
    config = load_config(template)
    assert config.exemptions["email_marketing"].soft_opt_in
    text = template.read_text(encoding="utf-8")
    assert "not legal bases" in text and "existing_contract" in text and "6(1)(b)" in text


def test_a_contract_exception_in_review_yaml_stops_the_run_with_exit_2(tmp_path: Path, capsys):
    from ethics_review.cli import main

    folder = tmp_path / "review"
    assert main(["init", str(folder)]) == 0
    config = folder / "review.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "email_marketing: {soft_opt_in: true, b2b: true}", "email_marketing: {contract: true}"
        ),
        encoding="utf-8",
    )
    capsys.readouterr()
    assert main(["validate", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "Art 6(1)(b)" in err and "soft_opt_in" in err and "Traceback" not in err


def test_lang_is_a_language_of_the_catalogue(tmp_path):
    # A third language is catalogue files only: the config accepts what the catalogue speaks, nothing else.
    from ethics_review import i18n

    assert set(i18n.LANGUAGES) >= {"en", "fr"}
    assert ReviewConfig(lang="fr").lang == "fr"
    with pytest.raises(ValueError, match="'de' is not a language of the kit's texts"):
        ReviewConfig(lang="de")
