"""review.yaml: loaded into a validated, frozen model with exactly the keys of the data contract."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .contract import SOURCE_NAMES, TABLES
from .errors import ConfigError

CONFIG_FILE_NAME = "review.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Exemption(_Strict):
    """Legal bases other than consent for one purpose (CPCE L.34-5, GDPR Art 6(1)(b) and (f))."""

    soft_opt_in: bool = False  # existing customer, analogous products, opt-out offered and not used
    b2b: bool = False  # professional or generic business address, for email (CNIL B2B guidance)
    legitimate_interest: bool = False  # opt-out regimes (e.g. postal mail): basis unless the person objected
    contract: bool = False  # necessary for a contract with the person (customers only)


class BiasConfig(_Strict):
    sensitive: tuple[str, ...] = ()
    intersections: tuple[tuple[str, str], ...] = ()
    features: tuple[str, ...] = ()
    reference: Literal["highest", "largest"] | dict[str, str] = "highest"
    min_group_size: int = Field(30, ge=1)
    min_flag_size: int = Field(100, ge=1)
    k_anonymity: int = Field(10, ge=1)


class TableSource(_Strict):
    """`sources: {sends: {table: crm.sends}}`: a table that already lives in the review's engine."""

    table: str = Field(min_length=1)


ENGINE_BACKENDS = ("duckdb", "pyspark", "spark-connect")


class EngineConfig(_Strict):
    """Where the review computes (DESIGN.md "The engine"). `engine: duckdb` (the default, embedded), `pyspark`
    (a local Spark session: `master`, `conf`), `spark-connect` (a Spark Connect server at `url`, sc://...), or
    any Ibis connection `url` such as postgres://user@host/db. The CLI's --engine overrides it."""

    backend: Literal["duckdb", "pyspark", "spark-connect"] | None = None
    url: str | None = None
    master: str = "local[*]"
    conf: dict[str, str | int | float | bool] = {}

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        # `engine: duckdb`, `engine: pyspark`, `engine: sc://host:15002` or `engine: postgres://...`
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("spark-connect"):
                return {"backend": "spark-connect", "url": text.removeprefix("spark-connect").strip() or None}
            if text.startswith("sc://"):
                return {"backend": "spark-connect", "url": text}
            if "://" in text:
                return {"url": text}
            return {"backend": text}
        return value

    @model_validator(mode="after")
    def _complete(self) -> EngineConfig:
        if self.backend == "spark-connect" and not self.url:
            raise ValueError("spark-connect needs the server's url, such as sc://localhost:15002")
        if self.backend in {"duckdb", "pyspark"} and self.url:
            raise ValueError(f"{self.backend} takes no url; for a database write only `url:`")
        if self.backend is None and not self.url:
            raise ValueError(f"name a backend ({', '.join(ENGINE_BACKENDS)}) or an Ibis connection url")
        if (self.conf or self.master != "local[*]") and self.backend != "pyspark":
            raise ValueError("`master` and `conf` apply to backend: pyspark only")
        return self

    @property
    def kind(self) -> str:
        """duckdb, pyspark, spark-connect, or the scheme of the url (postgres, duckdb...)."""
        if self.backend is not None:
            return self.backend
        assert self.url is not None
        return self.url.split("://", 1)[0].lower()


class ReviewConfig(_Strict):
    name: str = "Ethics review"
    as_of: dt.date | None = None
    lang: Literal["en", "fr"] = "en"
    default_country: str = "FR"
    sources: dict[str, str | TableSource] = {}
    columns: dict[str, dict[str, str]] = {}
    values: dict[str, dict[str, dict[str, str]]] = {}
    exemptions: dict[str, Exemption] = {}
    bias: BiasConfig = BiasConfig()
    checks: dict[str, dict[str, Any]] = {}
    engine: EngineConfig = EngineConfig(backend="duckdb")

    @field_validator("sources", "columns", "values")
    @classmethod
    def _known_tables(cls, value: dict[str, Any]) -> dict[str, Any]:
        for table in value:
            if table not in SOURCE_NAMES:
                raise ValueError(f"unknown table '{table}'{_nearest_hint(table, SOURCE_NAMES)}")
        return value

    @field_validator("sources")
    @classmethod
    def _files_only_where_needed(cls, value: dict[str, Any]) -> dict[str, Any]:
        for name in ("ai_systems", "notices"):  # read by the kit itself, never an engine table
            if isinstance(value.get(name), TableSource):
                raise ValueError(f"{name} is a file or folder of the review, not a table of the engine")
        return value

    @field_validator("default_country")
    @classmethod
    def _country_code(cls, value: str) -> str:
        if len(value) != 2 or not value.isalpha():
            raise ValueError(f"'{value}' is not an ISO 3166-1 alpha-2 country code such as FR or DE")
        return value.upper()

    def resolved_as_of(self) -> dt.date:
        return self.as_of or dt.date.today()


def _nearest_hint(word: str, choices: Any) -> str:
    match = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.5)
    return f"; did you mean '{match[0]}'?" if match else f"; valid: {', '.join(map(str, choices))}"


class _YamlLoader(yaml.SafeLoader):
    """YAML 1.2 booleans: only true/false. `yes`, `no`, `on`, `off` stay strings (value mappings use them)."""


_YamlLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_YamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8-sig") as handle:
            return yaml.load(handle, Loader=_YamlLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(f"{path} is not valid YAML{where}: {getattr(exc, 'problem', exc)}",
                          fix="correct the YAML syntax (indentation, colons, quotes)") from None


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    model: type[BaseModel] | None = ReviewConfig
    for part in loc:
        if model is None or not isinstance(part, str) or part not in model.model_fields:
            return None
        annotation = model.model_fields[part].annotation
        model = annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
    return model


def _explain(error: dict[str, Any], source: str) -> str:
    loc = tuple(error["loc"])
    where = ".".join(str(p) for p in loc)
    if error["type"] == "extra_forbidden":
        parent = _model_at(loc[:-1])
        choices = list(parent.model_fields) if parent else []
        return f"{source}: unknown key '{where}'{_nearest_hint(loc[-1], choices)}"
    message = error["msg"].removeprefix("Value error, ")
    return f"{source}: '{where}': {message} (found {error.get('input')!r})"


def parse_config(data: Any, *, source: str = "config") -> ReviewConfig:
    """Validate a mapping (the parsed review.yaml) into a ReviewConfig, with errors a person can act on."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: the config must be a mapping of keys to values, found {type(data).__name__}",
                          fix="start the file with keys such as `name:` and `as_of:`")
    try:
        config = ReviewConfig.model_validate({str(k): v for k, v in data.items()})
    except ValidationError as exc:
        problems = [_explain(e, source) for e in exc.errors()]
        raise ConfigError("\n".join(problems), fix="edit the key or value named above; "
                          "the valid keys are listed in DATA_CONTRACT.md, section 'The review config'") from None
    _check_columns_are_canonical(config, source)
    return config


def _check_columns_are_canonical(config: ReviewConfig, source: str) -> None:
    for table, mapping in config.columns.items():
        spec = TABLES.get(table)
        if spec is None:
            continue
        canonical = [c.name for c in spec.columns]
        for theirs, ours in mapping.items():
            if ours not in canonical and ours not in config.bias.sensitive + config.bias.features:
                raise ConfigError(
                    f"{source}: columns.{table}.{theirs} maps to '{ours}', which is not a canonical column of "
                    f"'{table}'{_nearest_hint(ours, canonical)}",
                    fix=f"map '{theirs}' to one of: {', '.join(canonical)} (or to a name listed in bias.sensitive "
                    "or bias.features)",
                )


def load_config(path: Path) -> ReviewConfig:
    """Read a review.yaml file."""
    if not path.is_file():
        raise ConfigError(f"config file {path} does not exist", fix="pass a review.yaml or a review folder")
    return parse_config(read_yaml(path), source=str(path))
