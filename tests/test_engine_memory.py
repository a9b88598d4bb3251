"""DuckDB's memory (engine.bound_duckdb_memory): every connection of a review is bounded and spills into a private
folder the kit chooses: the report's prepared folder, else the user's cache, never the current or review folder."""

from __future__ import annotations

import stat
from pathlib import Path

import duckdb
import pytest

from ethics_review import engine, prepared
from ethics_review.config import parse_config
from ethics_review.errors import ConfigError
from ethics_review.review import open_review

GIB = 2**30
# More than a one-row result needs, far less than this query's hash table (ten million groups): it must spill.
SMALL_LIMIT = "64MB"
BIG_GROUPING = "SELECT count(*) FROM (SELECT i, count(*) FROM range(10000000) t(i) GROUP BY i)"


def setting(con, name):
    return con.raw_sql(f"SELECT current_setting('{name}')").fetchone()[0]


def as_duckdb_shows(limit):
    """A memory_limit as DuckDB shows it once set (it rounds: '512MB' shows as '488.2 MiB')."""
    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{limit}'")
    return con.execute("SELECT current_setting('memory_limit')").fetchone()[0]


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    """The user's cache folder (platformdirs reads XDG_CACHE_HOME on Linux) in the test's own folder."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv(engine.MEMORY_LIMIT_ENV, raising=False)
    return tmp_path / "cache"


@pytest.mark.parametrize(
    ("machine", "expected"),
    [
        (24 * GIB, engine.REVIEW_MEMORY_BUDGET // engine.CONCURRENT_CONNECTIONS),  # this machine: 1 GiB each
        (4 * GIB, 2 * GIB // engine.CONCURRENT_CONNECTIONS),  # a small laptop: half of it, shared
        (GIB // 2, engine.MIN_MEMORY_LIMIT),  # never less than the floor
        (0, engine.REVIEW_MEMORY_BUDGET // engine.CONCURRENT_CONNECTIONS),  # memory unknown: the budget
    ],
)
def test_the_kit_s_memory_limit_shares_the_review_budget_between_its_connections(machine, expected):
    assert engine.default_memory_limit(machine) == expected


def test_a_duckdb_connection_is_bounded_and_spills_into_the_user_s_cache(cache_home):
    con = engine.connect()
    assert setting(con, "memory_limit") == as_duckdb_shows(f"{engine.default_memory_limit() // 2**20}MiB")
    assert setting(con, "preserve_insertion_order") is False  # else writing the prepared Parquet buffers it all
    spill = Path(setting(con, "temp_directory"))
    assert spill.parent == cache_home / "ethics-review"
    assert stat.S_IMODE(spill.parent.stat().st_mode) == 0o700


def test_a_query_larger_than_the_limit_spills_there_and_the_folder_goes_with_the_connection(cache_home):
    con = engine.connect(parse_config({"engine": {"backend": "duckdb", "conf": {"memory_limit": SMALL_LIMIT}}}).engine)
    spill = Path(setting(con, "temp_directory"))
    assert con.raw_sql(BIG_GROUPING).fetchone()[0] == 10_000_000
    assert spill.is_dir()  # it spilled where the kit said, not into the current folder's .tmp
    con.disconnect()
    assert not spill.exists()


def test_review_yaml_conf_sets_duckdb_settings(cache_home):
    spec = parse_config({"engine": {"backend": "duckdb", "conf": {"memory_limit": "512MB", "threads": 1}}}).engine
    con = engine.connect(spec)
    assert setting(con, "memory_limit") == as_duckdb_shows("512MB")
    assert setting(con, "threads") == 1


def test_the_environment_variable_wins_over_review_yaml(cache_home, monkeypatch):
    monkeypatch.setenv(engine.MEMORY_LIMIT_ENV, "300MB")
    con = engine.connect(parse_config({"engine": {"backend": "duckdb", "conf": {"memory_limit": "2GB"}}}).engine)
    assert setting(con, "memory_limit") == as_duckdb_shows("300MB")


@pytest.mark.parametrize(
    ("conf", "message"),
    [
        ({"memory_limit": "lots"}, "DuckDB refused the setting memory_limit"),
        ({"no_such_setting": 1}, "DuckDB refused the setting no_such_setting"),
        ({"temp_directory": "/srv/spill"}, "engine.conf sets temp_directory"),
        ({"TimeZone": "Europe/Paris"}, "engine.conf sets timezone"),
        ({"threads = 1; ATTACH 'x'": 1}, "is not a DuckDB setting name"),
    ],
)
def test_a_bad_duckdb_setting_is_a_config_error_with_the_fix(cache_home, conf, message):
    spec = parse_config({"engine": {"backend": "duckdb", "conf": conf}}).engine
    with pytest.raises(ConfigError, match=message) as caught:
        engine.connect(spec)
    assert "engine.conf" in caught.value.fix


def test_a_bad_memory_limit_in_the_environment_names_the_variable(cache_home, monkeypatch):
    monkeypatch.setenv(engine.MEMORY_LIMIT_ENV, "half")
    with pytest.raises(ConfigError, match=f"{engine.MEMORY_LIMIT_ENV}=half"):
        engine.connect()


def test_conf_is_refused_for_an_engine_that_takes_none():
    with pytest.raises(ConfigError, match="`conf` applies to backend: pyspark"):
        parse_config({"engine": {"url": "postgres://reviewer@db.example/crm", "conf": {"work_mem": "64MB"}}})


def test_a_prepared_review_spills_into_its_own_folder_of_the_prepared_folder(demo_dir, tmp_path, cache_home):
    review = open_review(demo_dir, as_of="2026-11-15")
    folder = prepared.write_prepared(review, tmp_path / "staging" / prepared.FOLDER)
    first, second = prepared.open_prepared(folder), prepared.open_prepared(folder)
    spills = {Path(setting(r.con, "temp_directory")) for r in (first, second)}
    assert len(spills) == 2  # one per connection: two kernels never share DuckDB's temporary files
    assert all(s.parent == folder.resolve() and s.name.startswith(prepared.SPILL_PREFIX) for s in spills)
