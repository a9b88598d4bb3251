"""What every part of the demo generator shares: random streams, time arithmetic and column builders.

Rows are never built one by one: numbers come from numpy, strings are assembled column-wise with pyarrow
compute, so 10 million contacts stay feasible.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

DAY = 86_400  # seconds
MISSING_DAY = np.iinfo(np.int64).min  # sentinel for a missing date in day-number arrays


def rng_for(seed: int, area: str) -> np.random.Generator:
    """An independent random stream per area: adding draws in one area never shifts the data of another."""
    return np.random.default_rng(np.random.SeedSequence([seed, zlib.crc32(area.encode("utf-8"))]))


def seconds(moment: dt.date | dt.datetime | str) -> int:
    """Seconds since the Unix epoch (UTC-naive) of a date, datetime or ISO string."""
    value = np.datetime64(moment, "s") if not isinstance(moment, str) else np.datetime64(moment.replace(" ", "T"), "s")
    return int(value.astype(np.int64))


def timestamps(values: np.ndarray) -> pa.Array:
    """Seconds since the epoch (int64, negative = missing) as a timestamp column."""
    values = np.asarray(values, dtype=np.int64)
    return pa.array(values.astype("datetime64[s]"), type=pa.timestamp("s"), mask=values < 0)


def dates(values: np.ndarray) -> pa.Array:
    """Days since the epoch (int64, a large negative sentinel = missing) as a date column."""
    values = np.asarray(values, dtype=np.int64)
    return pa.array(values.astype(np.int32), type=pa.int32(), mask=values == MISSING_DAY).cast(pa.date32())


def pick(words: Sequence[str], codes: np.ndarray | pd.Series, *, missing: np.ndarray | None = None) -> pa.Array:
    """The word at each code, as a dictionary column (cheap for repeated words); `missing` rows are null."""
    distinct = list(dict.fromkeys(words))  # a dictionary must not repeat a word (e.g. Camille in two lists)
    remap = np.array([distinct.index(w) for w in words], dtype=np.int32)
    indices = pa.array(remap[np.asarray(codes, dtype=np.int64)], mask=missing)
    return pa.DictionaryArray.from_arrays(indices, pa.array(distinct, type=pa.string()))


def text(column: pa.Array) -> pa.Array:
    """A plain string column (dictionary columns decoded)."""
    return column.cast(pa.string()) if pa.types.is_dictionary(column.type) else column


def join(*parts: pa.Array | str) -> pa.Array:
    """Element-wise concatenation of string columns and literals; null if any part is null."""
    columns = [text(p) if isinstance(p, pa.Array) else p for p in parts]
    return pc.binary_join_element_wise(*columns, "")


def numbered(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """'C0000001'-style identifiers: prefix and zero-padded numbers."""
    digits = pc.utf8_lpad(pa.array(np.asarray(numbers, dtype=np.int64)).cast(pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, digits, "")


def occurrence_number(codes: np.ndarray) -> np.ndarray:
    """For each element, how many earlier elements share its code (0 for the first occurrence)."""
    order = np.argsort(codes, kind="stable")
    sorted_codes = codes[order]
    run_start = np.r_[True, sorted_codes[1:] != sorted_codes[:-1]]
    start_index = np.maximum.accumulate(np.where(run_start, np.arange(len(codes)), 0))
    rank = np.empty(len(codes), dtype=np.int64)
    rank[order] = np.arange(len(codes)) - start_index
    return rank


def weighted_choice(rng: np.random.Generator, weights: Sequence[float] | np.ndarray, size: int) -> np.ndarray:
    """Indices drawn with the given (unnormalised) weights."""
    p = np.asarray(weights, dtype=float)
    return rng.choice(len(p), size=size, p=p / p.sum())


def status(failing: object, warning: object) -> str:
    """A planted.json status: "fail" if anything fails, else "warn" if anything warns, else "pass"."""
    return "fail" if failing else "warn" if warning else "pass"


def sample_exact(rng: np.random.Generator, pool: np.ndarray, count: int) -> np.ndarray:
    """`count` distinct elements of `pool` (all of it if smaller), in ascending order for stable output."""
    count = min(count, len(pool))
    return np.sort(rng.choice(pool, size=count, replace=False)) if count else pool[:0]
