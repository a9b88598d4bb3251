"""review.yaml: loaded into a validated, frozen model with exactly the keys of the data contract."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails

from .contract import CANONICAL_PURPOSES, SOURCE_NAMES, TABLES, country_code
from .errors import ConfigError
from .i18n import LANGUAGES
from .legal import legal_dates

CONFIG_FILE_NAME = "review.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Exemption(_Strict):
    """Exceptions to the consent requirement for one purpose. None is a GDPR legal basis: each lets a message go
    without prior consent where a marketing law allows it, and the reviewer attests its conditions."""

    soft_opt_in: bool = False  # CPCE L.34-5 al. 4: existing customer, analogous products, opt-out offered
    b2b: bool = False  # email to a professional address about the person's profession (CNIL B2B guidance)
    legitimate_interest: bool = False  # opt-out regimes: postal; phone where the law still allows it
    existing_contract: bool = False  # FR phone from 2026-08-11: a call about a contract in progress (L.223-1)

    @model_validator(mode="before")
    @classmethod
    def _no_contract_basis(cls, value: Any) -> Any:
        if isinstance(value, dict) and "contract" in value:
            raise ValueError(
                "`contract` is not an exception for marketing: GDPR Art 6(1)(b) covers what is necessary to "
                "perform a contract, and marketing is not (EDPB Guidelines 2/2019). For messages to existing "
                "customers use `soft_opt_in: true` (email and SMS, CPCE L.34-5), or `existing_contract: true` for "
                "French phone calls about a contract in progress"
            )
        return value


# Where the consent requirement allows no exception of a kind (checked per purpose key of `exemptions:`).
CONSENT_ONLY_CHANNEL_PURPOSES = ("email_marketing", "sms_marketing", "push_marketing")
SOFT_OPT_IN_PURPOSES = ("email_marketing", "sms_marketing")


def _exemption_problems(purpose: str, exemption: Exemption) -> list[str]:
    """Exceptions the law does not allow for a purpose of the contract (custom purposes are the reviewer's)."""
    problems = []
    if exemption.legitimate_interest and purpose in CONSENT_ONLY_CHANNEL_PURPOSES:
        problems.append(
            f"exemptions.{purpose}.legitimate_interest is refused: email, SMS and push messages to individuals "
            "need prior consent (French CPCE L.34-5; ePrivacy Directive Art 13(1)); the exceptions are "
            "`soft_opt_in` (existing customers, email and SMS) and `b2b` (email to professionals)"
        )
    if exemption.soft_opt_in and purpose in CANONICAL_PURPOSES and purpose not in SOFT_OPT_IN_PURPOSES:
        problems.append(
            f"exemptions.{purpose}.soft_opt_in is refused: the soft opt-in exception covers email and SMS only "
            "(CPCE L.34-5; ePrivacy Directive Art 13(2))"
        )
    if exemption.existing_contract and purpose != "phone_marketing":
        problems.append(
            f"exemptions.{purpose}.existing_contract is refused: it is the exception of French phone canvassing "
            "(Code de la consommation L.223-1) and applies to `phone_marketing` only"
        )
    return problems


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
    """Where the review computes (DESIGN.md "The engine"). `engine: duckdb` (the default, embedded; `conf`: DuckDB
    settings such as memory_limit and threads), `pyspark` (a local Spark session: `master`, `conf`),
    `spark-connect` (a Spark Connect server at `url`, sc://...), or any Ibis connection `url` such as
    postgres://user@host/db. The CLI's --engine overrides it."""

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
        if self.master != "local[*]" and self.backend != "pyspark":
            raise ValueError("`master` applies to backend: pyspark only")
        if self.conf and self.backend not in {"pyspark", "duckdb"}:
            raise ValueError("`conf` applies to backend: pyspark (Spark settings) or duckdb (DuckDB settings) only")
        return self

    @property
    def kind(self) -> str:
        """duckdb, pyspark, spark-connect, or the scheme of the url (postgres, duckdb...)."""
        if self.backend is not None:
            return self.backend
        assert self.url is not None
        return self.url.split("://", 1)[0].lower()


class LegalDateOverride(_Strict):
    """A review's own date for a rule of the legal calendar (legal_dates.yaml), with the reason: the report
    shows both the date used and the note."""

    date: dt.date
    note: str = Field(min_length=1)


# review.yaml `notices:` per notice file and purpose: where the notice describes it (a reviewer's confirmation,
# e.g. "section 3"), or `false` when the reviewer read the notice and it does not describe the purpose.
NoticeConfirmation = Literal[False] | Annotated[str, Field(min_length=1)]


class ReviewConfig(_Strict):
    name: str = "Ethics review"
    as_of: dt.date | None = None
    lang: str = "en"  # a language of the text catalogue (i18n.LANGUAGES): adding one adds catalogue files only
    default_country: str = "FR"
    sources: dict[str, str | TableSource] = {}
    columns: dict[str, dict[str, str]] = {}
    values: dict[str, dict[str, dict[str, str]]] = {}
    exemptions: dict[str, Exemption] = {}
    bias: BiasConfig = BiasConfig()
    checks: dict[str, dict[str, Any]] = {}
    engine: EngineConfig = EngineConfig(backend="duckdb")
    notices: dict[str, dict[str, NoticeConfirmation]] = {}
    legal_dates: dict[str, LegalDateOverride] = {}

    @field_validator("legal_dates")
    @classmethod
    def _known_legal_dates(cls, value: dict[str, Any]) -> dict[str, Any]:
        for rule_id in value:
            if rule_id not in legal_dates():
                raise ValueError(f"unknown legal date '{rule_id}'{_nearest_hint(rule_id, legal_dates())}")
        return value

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
        for name in ("ai_systems", "notices", "assessment"):  # read by the kit itself, never an engine table
            if isinstance(value.get(name), TableSource):
                raise ValueError(f"{name} is a file or folder of the review, not a table of the engine")
        return value

    @field_validator("exemptions")
    @classmethod
    def _lawful_exemptions(cls, value: dict[str, Exemption]) -> dict[str, Exemption]:
        problems = [p for purpose, exemption in value.items() for p in _exemption_problems(purpose, exemption)]
        if problems:
            raise ValueError("; ".join(problems))
        return value

    @field_validator("lang")
    @classmethod
    def _catalogue_language(cls, value: str) -> str:
        if value not in LANGUAGES:
            raise ValueError(f"'{value}' is not a language of the kit's texts{_nearest_hint(value, LANGUAGES)}")
        return value

    @field_validator("default_country")
    @classmethod
    def _country_code(cls, value: str) -> str:
        if len(value) != 2 or not value.isalpha():
            raise ValueError(f"'{value}' is not an ISO 3166-1 alpha-2 country code such as FR or DE")
        return value.upper()

    def resolved_as_of(self) -> dt.date:
        return self.as_of or dt.date.today()

    def file_source(self, name: str) -> str | None:
        """The path configured for ai_systems, notices or assessment: always a path (validated above)."""
        configured = self.sources.get(name)
        return configured if isinstance(configured, str) else None


def _nearest_hint(word: object, choices: Any) -> str:
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


def _timestamp(loader: _YamlLoader, node: yaml.ScalarNode) -> Any:
    """A date YAML recognises by its shape but the calendar does not have (2026-02-31) is the file's mistake."""
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        raise yaml.constructor.ConstructorError(
            None, None, f"'{node.value}' is not a date in the calendar", node.start_mark
        ) from None


_YamlLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)

MAX_YAML_BYTES = 10 << 20  # a review.yaml or a register is a few kilobytes; 10 MiB is not a config
MAX_YAML_NODES = 200_000  # values once every alias is expanded: a "billion laughs" file is refused, not expanded
MAX_YAML_DEPTH = 100


def _expanded_size(root: yaml.Node, path: Path) -> int:
    """How many values the document holds with every alias expanded, counted without expanding (each node's
    size once, memoised), so that nested anchors cannot make the kit build or walk a huge structure."""
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 0, False)]
    while stack:
        node, depth, children_done = stack.pop()
        if id(node) in sizes:
            continue
        if depth > MAX_YAML_DEPTH:
            raise ConfigError(
                f"{path} nests values more than {MAX_YAML_DEPTH} levels deep",
                fix="flatten the file: a review config or register is a few levels deep",
            )
        children = (
            [n for pair in node.value for n in pair]
            if isinstance(node, yaml.MappingNode)
            else list(node.value)
            if isinstance(node, yaml.SequenceNode)
            else []
        )
        if children_done:
            sizes[id(node)] = min(1 + sum(sizes[id(c)] for c in children), MAX_YAML_NODES + 1)
            continue
        stack.append((node, depth, True))
        stack.extend((c, depth + 1, False) for c in children if id(c) not in sizes)
    return sizes[id(root)]


def read_yaml(path: Path) -> Any:
    """A YAML file read with limits: size, depth and the number of values after alias expansion."""
    if path.is_dir():
        raise ConfigError(f"{path} is a folder, where a YAML file is expected", fix="put the YAML file there")
    if path.stat().st_size > MAX_YAML_BYTES:
        raise ConfigError(
            f"{path} is larger than {MAX_YAML_BYTES >> 20} MiB, which no review config or AI register needs",
            fix="check that this is the right file",
        )
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = exc.object.count(b"\n", 0, exc.start) + 1
        raise ConfigError(
            f"{path} is not UTF-8 text (invalid byte 0x{exc.object[exc.start]:02x} on line {line})",
            fix="save the file as UTF-8",
        ) from None
    loader = None
    try:
        loader = _YamlLoader(text)
        node = loader.get_single_node()
        if node is None:
            return None
        if _expanded_size(node, path) > MAX_YAML_NODES:
            raise ConfigError(
                f"{path} expands to more than {MAX_YAML_NODES:,} values through its aliases (&anchor / *alias)",
                fix="write the values out instead of nesting aliases",
            )
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(
            f"{path} is not valid YAML{where}: {getattr(exc, 'problem', exc)}",
            fix="correct the YAML syntax (indentation, colons, quotes, dates that exist)",
        ) from None
    except RecursionError:
        raise ConfigError(f"{path} nests values too deeply", fix="flatten the file") from None
    finally:
        if loader is not None:
            loader.dispose()


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    model: type[BaseModel] | None = ReviewConfig
    for part in loc:
        if model is None or not isinstance(part, str) or part not in model.model_fields:
            return None
        annotation = model.model_fields[part].annotation
        model = annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
    return model


def _explain(error: ErrorDetails, source: str) -> str:
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
        raise ConfigError(
            f"{source}: the config must be a mapping of keys to values, found {type(data).__name__}",
            fix="start the file with keys such as `name:` and `as_of:`",
        )
    try:
        config = ReviewConfig.model_validate({str(k): v for k, v in data.items()})
    except ValidationError as exc:
        problems = [_explain(e, source) for e in exc.errors()]
        raise ConfigError(
            "\n".join(problems),
            fix="edit the key or value named above; "
            "the valid keys are listed in docs/data-contract.md, section 'The review config'",
        ) from None
    _check_columns_are_canonical(config, source)
    _check_columns_are_distinct(config, source)
    _check_value_targets(config, source)
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


def _check_columns_are_distinct(config: ReviewConfig, source: str) -> None:
    for table, mapping in config.columns.items():
        targets: dict[str, str] = {}
        for theirs, ours in mapping.items():
            if ours in targets:
                raise ConfigError(
                    f"{source}: columns.{table} maps both '{targets[ours]}' and '{theirs}' onto "
                    f"'{ours}': one of them would silently win",
                    fix=f"keep one mapping onto '{ours}' in columns.{table}",
                )
            targets[ours] = theirs


_PURPOSE_CODE = re.compile(r"^[a-z][a-z0-9_]*$")


def _check_value_targets(config: ReviewConfig, source: str) -> None:
    """A value mapped under values: must land in the column's vocabulary; a custom purpose is a lower-case code."""
    for table, columns in config.values.items():
        spec = TABLES.get(table)
        for column, mapping in columns.items():
            col = spec.column(column) if spec else None
            if col is None:
                continue
            for theirs, ours in mapping.items():
                target = str(ours).strip()
                if col.kind == "enum":
                    ok, allowed = target.lower() in col.values, ", ".join(col.values)
                elif col.kind == "country":
                    ok, allowed = country_code(target) is not None, "an ISO 3166-1 alpha-2 code such as FR"
                elif col.kind == "purpose":
                    ok = target in CANONICAL_PURPOSES or bool(_PURPOSE_CODE.match(target))
                    allowed = (
                        f"{', '.join(CANONICAL_PURPOSES)}, or a custom purpose written as a lower-case code "
                        "(letters, digits, _)"
                    )
                else:
                    continue
                if not ok:
                    raise ConfigError(
                        f"{source}: values.{table}.{column} maps '{theirs}' to '{ours}', which is not "
                        f"an allowed {column}",
                        fix=f"map '{theirs}' to one of: {allowed}",
                    )


def load_config(path: Path) -> ReviewConfig:
    """Read a review.yaml file."""
    if not path.is_file():
        raise ConfigError(f"config file {path} does not exist", fix="pass a review.yaml or a review folder")
    return parse_config(read_yaml(path), source=str(path))
