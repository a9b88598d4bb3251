"""Remote engines for the engine tests: a throwaway PostgreSQL cluster from the machine's own packages.

A PostgreSQL URL in ETHICS_REVIEW_POSTGRES_URL is used as it is. Otherwise the cluster is created with initdb in
a temporary folder and started on a free port of 127.0.0.1 (as the `postgres` user when the tests run as root,
which PostgreSQL refuses), and removed at the end. Without PostgreSQL the tests are skipped with the reason, and
fail instead when ETHICS_REVIEW_REQUIRE_POSTGRES=1 (set by .ci/run).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

POSTGRES_URL_VARIABLE = "ETHICS_REVIEW_POSTGRES_URL"
REQUIRE_POSTGRES_VARIABLE = "ETHICS_REVIEW_REQUIRE_POSTGRES"
INSTALL = "apt-get install postgresql (Debian's PostgreSQL 15), or set ETHICS_REVIEW_POSTGRES_URL"


def postgres_bin_dir() -> Path | None:
    """The folder of initdb and pg_ctl: pg_config's, else the newest /usr/lib/postgresql/N/bin."""
    pg_config = shutil.which("pg_config")
    if pg_config:
        found = Path(subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=True).stdout.strip())
        if (found / "initdb").exists():
            return found
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    return candidates[-1].parent if candidates else None


def _missing(reason: str) -> None:
    if os.environ.get(REQUIRE_POSTGRES_VARIABLE) == "1":
        pytest.fail(f"{reason}; CI requires the PostgreSQL tests ({INSTALL})")
    pytest.skip(f"{reason} ({INSTALL})")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """The URL of a running PostgreSQL server with an empty database `review`."""
    given = os.environ.get(POSTGRES_URL_VARIABLE)
    if given:
        yield given
        return
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        _missing("PostgreSQL is not installed (no initdb)")
    as_postgres: list[str] = []
    root = Path(tempfile.mkdtemp(prefix="ethics-review-pg-"))
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        if shutil.which("runuser") is None:
            _missing("the tests run as root and there is no runuser to start PostgreSQL as `postgres`")
        as_postgres = ["runuser", "-u", "postgres", "--"]
        shutil.chown(root, "postgres", "postgres")
        # The session's own temp folder (conftest) is root's, mode 700: `postgres` may pass through it (x, not r)
        # to reach its cluster.
        root.parent.chmod(root.parent.stat().st_mode | 0o011)
    data, port = root / "data", _free_port()

    def run(*command: str) -> None:
        done = subprocess.run([*as_postgres, *command], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            log = (root / "server.log").read_text() if (root / "server.log").exists() else ""
            pytest.fail(f"{' '.join(command)} failed: {done.stderr.strip()} {log[-2000:]}")

    try:
        run(
            str(bin_dir / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        )
        run(
            str(bin_dir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(root / "server.log"),
            "-w",
            "-o",
            f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off",
            "start",
        )
        try:
            run(str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "review")
            yield f"postgres://postgres@127.0.0.1:{port}/review"
        finally:
            run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
    finally:
        shutil.rmtree(root, ignore_errors=True)
