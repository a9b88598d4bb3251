"""Run checks: options from the config, `not_applicable` for missing inputs, a crash becomes an `error` finding."""

from __future__ import annotations

import difflib
import inspect
import json
import logging
import math
from collections.abc import Iterable
from functools import cache
from typing import Any

from pydantic import TypeAdapter, ValidationError

from . import aggregates, i18n
from .checks import CHECKS
from .checks.bias import check_attributes
from .checks.common import Check, OtherChecks, missing_inputs, not_applicable, options_for
from .errors import ConfigError, ReviewInputError
from .findings import Finding
from .review import Review

log = logging.getLogger(__name__)


@cache
def option_types(check_id: str) -> dict[str, Any]:
    """The annotation of each option of a check, resolved (the check modules use postponed annotations)."""
    try:
        parameters = inspect.signature(CHECKS[check_id].function, eval_str=True).parameters.values()
    except (NameError, TypeError):  # an annotation this module cannot resolve: the option is not type-checked
        return {}
    return {
        p.name: p.annotation
        for p in parameters
        if p.kind is inspect.Parameter.KEYWORD_ONLY and p.annotation is not inspect.Parameter.empty
    }


@cache
def keyword_options(check_id: str) -> tuple[str, ...]:
    """The keyword-only parameters of a check's function (its options), in signature order."""
    return tuple(
        p.name
        for p in inspect.signature(CHECKS[check_id].function).parameters.values()
        if p.kind is inspect.Parameter.KEYWORD_ONLY
    )


def validate_check_options(review: Review) -> None:
    """Unknown check ids and unknown options are config errors naming the nearest valid one."""
    for check_id, options in review.config.checks.items():
        if check_id not in CHECKS:
            near = difflib.get_close_matches(check_id, list(CHECKS), n=1)
            hint = f"; did you mean '{near[0]}'?" if near else ""
            raise ConfigError(f"checks: unknown check id '{check_id}'{hint}", fix=f"use one of: {', '.join(CHECKS)}")
        accepted = list(keyword_options(check_id))
        for option in options:
            if option != "enabled" and option not in accepted:
                near = difflib.get_close_matches(option, accepted, n=1)
                hint = f"; did you mean '{near[0]}'?" if near else ""
                raise ConfigError(
                    f"checks.{check_id}: unknown option '{option}'{hint}",
                    fix=f"options of {check_id}: {', '.join([*accepted, 'enabled'])}",
                )
        for option, value in options.items():
            _check_option_value(check_id, option, value)
    check_attributes(review)  # the bias area knows which columns an attribute may name


def _check_option_value(check_id: str, option: str, value: Any) -> None:
    """An option's value must have the type the check declares (a number where a threshold is expected...)."""
    if option == "enabled":
        if not isinstance(value, bool):
            raise ConfigError(
                f"checks.{check_id}.enabled must be true or false (found {value!r})",
                fix=f"write `enabled: false` to turn {check_id} off",
            )
        return
    annotation = option_types(check_id).get(option)
    if annotation is None:
        return
    try:
        TypeAdapter(annotation).validate_python(value, strict=False)
    except ValidationError as exc:
        problem = exc.errors()[0]["msg"] if exc.errors() else str(exc)
        raise ConfigError(
            f"checks.{check_id}.{option}: {value!r} is not valid ({problem})",
            fix=f"give {option} a value of type {_type_name(annotation)}",
        ) from None
    except Exception:  # noqa: BLE001 - a type pydantic cannot validate (an Ibis expression...): the check judges it
        return


def _type_name(annotation: Any) -> str:
    return getattr(annotation, "__name__", None) or str(annotation).replace("typing.", "")


def require_something_to_judge(review: Review) -> None:
    """A review where every enabled check lacks its inputs would be a report of not_applicable findings that a
    CI gate takes as a pass: it is an input error that says what to add."""
    if not review.tables and review.ai_systems is None and not review.notices:
        raise ReviewInputError(
            f"the review has no input: no table, no AI register and no notice was found in {review.base_dir}",
            fix="put files with the canonical names in the folder (contacts.csv, consents.csv, sends.csv, "
            "targeting.csv, requests.csv, content.csv, ai_systems.yaml, notices/), or name yours under sources: in "
            "review.yaml",
        )
    checks = enabled_checks(review)
    missing = [missing_inputs(review, check.needs) for check in checks]
    if checks and all(missing):
        raise_nothing_judged(sorted({t if c is None else f"{t}.{c}" for m in missing for t, c in m}))


def raise_nothing_judged(needed: Iterable[str]) -> None:
    needed = list(needed)
    raise ReviewInputError(
        "no check can run on these inputs: every finding would be not_applicable, which is not a review",
        fix="add the tables or columns the checks need, for instance: "
        + ", ".join(needed[:12])
        + (" ..." if len(needed) > 12 else "")
        + " (docs/data-contract.md lists each table's columns)",
    )


def enabled_checks(review: Review, *, area: str | None = None, ids: Iterable[str] | None = None) -> list[Check]:
    wanted = set(ids) if ids is not None else None
    return [
        c
        for c in CHECKS.values()
        if (area is None or c.area == area)
        and (wanted is None or c.id in wanted)
        and review.config.checks.get(c.id, {}).get("enabled", True) is not False
    ]


def other_checks(review: Review, check_id: str) -> OtherChecks:
    """The run's other checks, for a check that judges them: their areas, and running some on this review."""
    return OtherChecks(
        areas={c.id: c.area for c in CHECKS.values() if c.id != check_id},
        run=lambda ids: run_checks(review, ids=ids),
    )


def run_check(review: Review, check: Check) -> Finding:
    missing = missing_inputs(review, check.needs)
    if missing:
        return not_applicable(review, check.id, missing)
    try:
        others = (other_checks(review, check.id),) if check.judges_others else ()
        with aggregates.reusing(review):  # a notebook's review answers known queries from its kept aggregates
            finding = check.function(review, *others, **options_for(review, check.id))
        _check_finite(finding)
        return finding
    except ReviewInputError:
        raise  # a user mistake stops the run with one clear message
    except Exception as exc:  # a crashing check must not crash the review: it becomes an `error` finding
        log.exception("check %s failed", check.id)
        # The engine's own message may quote a value: only its first line, cut short, is kept.
        detail = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
        error = f"{type(exc).__name__}: {detail}" + "".join(f"; {s}" for s in uncomputable_columns(review, check))
        return Finding(
            check_id=check.id,
            area=check.area,
            status="error",
            title=i18n.text(check.id, "title", review.lang),
            summary=i18n.ui("error_summary", review.lang, error=error),
            recommendation=i18n.ui("error_recommendation", review.lang),
            references=i18n.references(check.id),
        )


def _check_finite(finding: Finding) -> None:
    """A finding must be plain JSON: an infinite metric (from an infinite input value) cannot be judged."""
    try:
        json.dumps(finding.to_json(), allow_nan=False)
    except ValueError:
        bad = [k for k, v in finding.metric.items() if isinstance(v, float) and not math.isfinite(v)]
        raise ValueError(f"the check computed a non-finite value{' for ' + ', '.join(bad) if bad else ''}") from None


def uncomputable_columns(review: Review, check: Check) -> list[str]:
    """The input columns a check could not compute on, named for its error finding: numbers that are infinite or
    not a number, and nested values (lists, records) in a column a check reads."""
    found: list[str] = []
    for table_name in check.needs:
        if table_name not in review.tables:
            continue
        table = review.table(table_name)
        try:
            nested = [c for c, kind in table.schema().items() if kind.is_nested()]
            floats = [c for c, kind in table.schema().items() if kind.is_floating()]
            counts = (
                table.aggregate(
                    **{c: (table[c].isinf() | table[c].isnan()).fill_null(False).cast("int64").sum() for c in floats}
                )
                .to_pyarrow()
                .to_pylist()[0]
                if floats
                else {}
            )
        except Exception:  # noqa: BLE001 - naming the culprit must never hide the original error
            continue
        found += [f"table '{table_name}', column '{c}' holds lists or records" for c in nested]
        found += [
            f"table '{table_name}', column '{c}' holds {i18n.counted(n, 'non-finite number|non-finite numbers', 'en')}"
            for c, n in counts.items()
            if n
        ]
    return found


def run_checks(review: Review, *, area: str | None = None, ids: Iterable[str] | None = None) -> list[Finding]:
    """Findings in registry order for every enabled check (of one area, or the named ids)."""
    validate_check_options(review)
    return [run_check(review, check) for check in enabled_checks(review, area=area, ids=ids)]
