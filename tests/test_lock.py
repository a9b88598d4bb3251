"""The lock pins, with hashes, every dependency that pyproject.toml declares, at a version inside its range."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
LOCKED_EXTRAS = ("test", "spark")


def _locked() -> dict[str, tuple[Version, bool]]:
    text = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    pins: dict[str, tuple[Version, bool]] = {}
    for match in re.finditer(
        r"^([A-Za-z0-9_.\-]+)==([^\s\\]+)[ \\]*\n((?:\s+--hash=sha256:[0-9a-f]{64}[ \\]*\n)*)", text, flags=re.MULTILINE
    ):
        pins[canonicalize_name(match.group(1))] = (Version(match.group(2)), bool(match.group(3)))
    return pins


def _declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    # The lock holds what CI tests: the kit, its test tools and the local Spark engine (spark-connect needs a
    # server that CI has not).
    extras = [r for name in LOCKED_EXTRAS for r in project["optional-dependencies"][name]]
    return [Requirement(r) for r in (*project["dependencies"], *extras)]


def test_every_declared_dependency_is_locked_with_hashes_inside_its_range():
    locked = _locked()
    stale = []
    for requirement in _declared():
        name = canonicalize_name(requirement.name)
        if name not in locked:
            stale.append(f"{requirement.name} is not in requirements.lock")
            continue
        version, hashed = locked[name]
        if version not in requirement.specifier:
            stale.append(f"{requirement.name}=={version} is outside '{requirement.specifier}'")
        if not hashed:
            stale.append(f"{requirement.name} has no hash")
    assert not stale, "requirements.lock is stale; run `make lock`: " + "; ".join(stale)
