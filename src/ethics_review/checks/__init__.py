"""The check registry: a plain dict from check id to its entry. Each area module lists its own checks."""

from __future__ import annotations

from .bias import BIAS_CHECKS
from .common import Check
from .consent import CONSENT_CHECKS
from .governance import GOVERNANCE_CHECKS
from .transparency import TRANSPARENCY_CHECKS

CHECKS: dict[str, Check] = {
    check.id: check for check in (*CONSENT_CHECKS, *BIAS_CHECKS, *TRANSPARENCY_CHECKS, *GOVERNANCE_CHECKS)
}
