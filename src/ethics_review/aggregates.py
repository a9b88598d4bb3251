"""The aggregates an opened review has computed, kept so that a widget change judges them again instead of asking
the engine to scan the raw tables again.

`engine.fetch` is the one gate results leave the engine by: while a review that `remember`s its aggregates runs a
check (`runner.run_check` enters `reusing`), every result the gate returns is kept under its Ibis expression, and
the same expression later gets that result back. Moving a threshold builds the very same queries, so only the
check's pandas part (the judgement) runs again; a new campaign is new queries, computed once. Findings stay those
of a fresh run: the check's own code runs, on the same aggregates.

Notebooks remember: those opened for exploration (`display.open_for_notebook(interactive=True)` and the widget
panels), and the report's (opened on its prepared tables), where two checks that ask the same query get one
answer; `runner.run_checks` on a review opened elsewhere always computes. The store is tied to the review's
connection object, because two in-memory DuckDB connections compare equal in Ibis and their tables of the same
name must never share results.
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:  # engine imports this module: no import of the review at run time
    from .review import Review

MAX_RESULTS = 2048  # per review; a result is an aggregate (at most engine.MAX_RESULT_ROWS rows, mostly a few dozen)


@dataclass
class Store:
    """Results by expression, least recently used dropped first; hits and misses for the benchmarks."""

    results: OrderedDict[Any, Any] = field(default_factory=OrderedDict)
    hits: int = 0
    misses: int = 0
    # What a check computes from the gate's results alone (`derived`), asked again by other checks: kept apart from
    # the results, whose keys are Ibis operations.
    derived: OrderedDict[Hashable, Any] = field(default_factory=OrderedDict)


_STORES: dict[int, tuple[weakref.ref[Any], Store]] = {}  # id(connection) -> (the connection, its store)
_ACTIVE: ContextVar[Store | None] = ContextVar("ethics_review_aggregates", default=None)


def remember(review: Review) -> Store:
    """Keep the aggregates of this review's checks from now on (idempotent); the store goes with the connection."""
    found = store_of(review)
    if found is not None:
        return found
    con = review.con
    key = id(con)
    store = Store()
    _STORES[key] = (weakref.ref(con), store)
    weakref.finalize(con, _STORES.pop, key, None)
    return store


def store_of(review: Review) -> Store | None:
    entry = _STORES.get(id(review.con))
    return entry[1] if entry is not None and entry[0]() is review.con else None


@contextmanager
def reusing(review: Review) -> Iterator[Store | None]:
    """While inside, the gate answers from the review's store (when it remembers) and fills it."""
    token = _ACTIVE.set(store_of(review))
    try:
        yield _ACTIVE.get()
    finally:
        _ACTIVE.reset(token)


def recall(expr: Any, compute: Callable[[], Any]) -> Any:
    """`compute()` once per expression while a remembering review runs; a DataFrame comes back as a copy, so that
    a check that changes its result in place never changes the kept one."""
    store = _ACTIVE.get()
    if store is None:
        return compute()
    key = expr.op()  # Ibis operations are immutable, hashed and compared by structure
    if key in store.results:
        store.hits += 1
        store.results.move_to_end(key)
        result = store.results[key]
    else:
        store.misses += 1
        result = compute()
        store.results[key] = result
        if len(store.results) > MAX_RESULTS:
            store.results.popitem(last=False)
    return result.copy() if isinstance(result, (pd.DataFrame, pd.Series)) else result


def derived(key: Hashable, compute: Callable[[], Any]) -> Any:
    """`compute()` once per `key` while a remembering review runs, for a pure function of the gate's results and
    the review's settings, all named in `key` (bias.selection_plan, which five bias checks ask for). A kept answer
    counts as a hit, as the results it stands for would; a DataFrame comes back as a copy, as in `recall`."""
    store = _ACTIVE.get()
    if store is None:
        return compute()
    if key in store.derived:
        store.hits += 1
        store.derived.move_to_end(key)
        result = store.derived[key]
    else:
        result = compute()
        store.derived[key] = result
        if len(store.derived) > MAX_RESULTS:
            store.derived.popitem(last=False)
    return result.copy() if isinstance(result, (pd.DataFrame, pd.Series)) else result
