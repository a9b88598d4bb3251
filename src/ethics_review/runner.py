"""Run checks: options from the config, `not_applicable` for missing inputs, a crash becomes an `error` finding."""

from __future__ import annotations

import difflib
import inspect
import logging
from collections.abc import Iterable
from functools import cache

from . import i18n
from .checks import CHECKS
from .checks.common import Check, missing_inputs, not_applicable, options_for
from .errors import ConfigError, ReviewInputError
from .findings import Finding
from .review import Review

log = logging.getLogger(__name__)


@cache
def keyword_options(check_id: str) -> tuple[str, ...]:
    """The keyword-only parameters of a check's function (its options), in signature order."""
    return tuple(p.name for p in inspect.signature(CHECKS[check_id].function).parameters.values()
                 if p.kind is inspect.Parameter.KEYWORD_ONLY)


def validate_check_options(review: Review) -> None:
    """Unknown check ids and unknown options are config errors naming the nearest valid one."""
    for check_id, options in review.config.checks.items():
        if check_id not in CHECKS:
            near = difflib.get_close_matches(check_id, list(CHECKS), n=1)
            hint = f"; did you mean '{near[0]}'?" if near else ""
            raise ConfigError(f"checks: unknown check id '{check_id}'{hint}",
                              fix=f"use one of: {', '.join(CHECKS)}")
        accepted = list(keyword_options(check_id))
        for option in options:
            if option != "enabled" and option not in accepted:
                near = difflib.get_close_matches(option, accepted, n=1)
                hint = f"; did you mean '{near[0]}'?" if near else ""
                raise ConfigError(f"checks.{check_id}: unknown option '{option}'{hint}",
                                  fix=f"options of {check_id}: {', '.join(accepted + ['enabled']) }")


def enabled_checks(review: Review, *, area: str | None = None,
                   ids: Iterable[str] | None = None) -> list[Check]:
    wanted = set(ids) if ids is not None else None
    return [c for c in CHECKS.values()
            if (area is None or c.area == area) and (wanted is None or c.id in wanted)
            and review.config.checks.get(c.id, {}).get("enabled", True) is not False]


def run_check(review: Review, check: Check) -> Finding:
    missing = missing_inputs(review, check.needs)
    if missing:
        return not_applicable(review, check.id, missing)
    try:
        return check.function(review, **options_for(review, check.id))
    except ReviewInputError:
        raise  # a user mistake stops the run with one clear message
    except Exception as exc:  # a crashing check must not crash the review: it becomes an `error` finding
        log.exception("check %s failed", check.id)
        error = f"{type(exc).__name__}: {exc}"
        return Finding(check_id=check.id, area=check.area, status="error",
                       title=i18n.text(check.id, "title", review.lang),
                       summary=i18n.ui("error_summary", review.lang, error=error),
                       recommendation=i18n.ui("error_recommendation", review.lang),
                       references=i18n.references(check.id))


def run_checks(review: Review, *, area: str | None = None, ids: Iterable[str] | None = None) -> list[Finding]:
    """Findings in registry order for every enabled check (of one area, or the named ids)."""
    validate_check_options(review)
    return [run_check(review, check) for check in enabled_checks(review, area=area, ids=ids)]
