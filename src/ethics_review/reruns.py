"""Running checks again with other options, as if they were written under `checks:` in review.yaml: what the
notebook sections and the widget panels call (no display here, so that both import it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .checks import CHECKS
from .findings import Finding
from .review import Review
from .runner import keyword_options, run_check, run_checks


def with_check_options(review: Review, check_id: str, options: Mapping[str, Any]) -> Review:
    """The review with extra options for one check, as if they were written under `checks:` in review.yaml."""
    checks = dict(review.config.checks)
    checks[check_id] = {**checks.get(check_id, {}), **options}
    return review.with_options(checks=checks)


def accepts_option(check_id: str, option: str) -> bool:
    return option in keyword_options(check_id)


def run_area(review: Review, area: str, *, campaign: str | None = None) -> list[Finding]:
    """Every enabled check of the area, restricted to one campaign where the check accepts it."""
    if campaign is not None:
        ids = [check.id for check in CHECKS.values() if check.area == area and accepts_option(check.id, "campaign")]
        if ids:
            checks = dict(review.config.checks)
            for check_id in ids:
                checks[check_id] = {**checks.get(check_id, {}), "campaign": campaign}
            review = review.with_options(checks=checks)
    return run_checks(review, area=area)


def rerun(review: Review, check_id: str, **options: Any) -> Finding:
    """One check again with other options (what the widgets call): `CHECKS[id].function(review, **options)`
    through the runner, so missing inputs still give `not_applicable` and a crash an `error` finding."""
    return run_check(with_check_options(review, check_id, options), CHECKS[check_id])
