"""The package's imports read one way: no module imports, even inside a function, a module that imports it back.

The graph is built from the source with `ast`: every `import` and `from ... import` of an `ethics_review` module,
at the top of a file or inside a function (a function-level import only hides a cycle, it does not break it), and
the package `__init__` each submodule import runs first. `if TYPE_CHECKING:` blocks are left out: they never run.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import ethics_review

PACKAGE = Path(ethics_review.__file__).parent

# The report (papermill, nbconvert, files) must not need the notebook display layer (IPython, widgets).
DISPLAY_LAYER = ("display", "widgets", "governance_page")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Every statement, nested ones included, except the body of `if TYPE_CHECKING:`."""
    for node in body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            yield from _statements(node.orelse)
            continue
        yield node
        for field in ("body", "orelse", "finalbody", "handlers", "cases"):
            children = getattr(node, field, None)
            if isinstance(children, list):
                yield from _statements([c for c in children if isinstance(c, ast.stmt | ast.ExceptHandler)])


def _ancestors(name: str) -> set[str]:
    parts = name.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts))}


def _with_parents(name: str, importer: str) -> set[str]:
    """Importing `checks.bias` runs `checks/__init__` first, unless the importer is inside `checks` (its package
    is initialised already)."""
    return ({name} | (_ancestors(name) - _ancestors(importer) - {importer})) & set(MODULES)


def imported(module: str, path: Path) -> set[str]:
    """The package's modules that `module` imports anywhere in its file (relative to the package root)."""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    found: set[str] = set()
    for node in _statements(ast.parse(path.read_text(encoding="utf-8")).body):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1] if node.level > 1 else package
                target = ".".join([*base, *([node.module] if node.module else [])])
            elif node.module and node.module.split(".")[0] == "ethics_review":
                target = node.module.removeprefix("ethics_review").lstrip(".")
            else:
                continue
            for alias in node.names:
                submodule = f"{target}.{alias.name}".lstrip(".")
                found |= _with_parents(submodule if submodule in MODULES else target, module)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "ethics_review":
                    found |= _with_parents(alias.name.removeprefix("ethics_review").lstrip("."), module)
    return found - {"", module}


GRAPH = {module: imported(module, path) for module, path in MODULES.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_graph_sees_function_level_imports_and_packages():
    """A cycle made of a function-level import is found (the test can fail), and so is a package's __init__."""
    assert "sources" in GRAPH["review"]  # open_review reads the tables through sources
    assert {"checks", "checks.bias"} <= GRAPH["runner"]  # runner imports checks.bias inside a function
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycles_in_the_package():
    """No exception list: the continuous evaluation, which runs the other checks, gets them from the runner
    (`checks.common.OtherChecks`) instead of importing the registry and the runner that import it."""
    assert cycles(GRAPH) == []


def reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for target in graph.get(todo.pop(), ()):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def test_the_pipeline_never_needs_the_display_layer():
    """Reading, checking and reporting import nothing of the notebook display layer (IPython, widgets)."""
    pipeline = [m for m in MODULES if m not in DISPLAY_LAYER and m not in {"cli", "lab"}]
    leaks = {m: sorted(reachable(GRAPH, m) & set(DISPLAY_LAYER)) for m in pipeline}
    assert {m: layer for m, layer in leaks.items() if layer} == {}


NOQA_IMPORT = re.compile(r"#\s*noqa:[^\n]*PLC0415(?P<reason>[^\n]*)")


def test_every_function_level_import_says_why():
    """ruff's PLC0415 flags a function-level import; its noqa must give the reason (start-up time, an optional
    engine...), after a dash."""
    unexplained = [
        f"{path.relative_to(PACKAGE)}:{text[: match.start()].count(chr(10)) + 1}"
        for path in MODULES.values()
        for text in [path.read_text(encoding="utf-8")]
        for match in NOQA_IMPORT.finditer(text)
        if not match.group("reason").strip(" ,-")
    ]
    assert unexplained == []


def test_importing_the_report_loads_no_notebook_display_library():
    """`ethics-review report` and the batch import report.py: neither IPython nor ipywidgets comes with it (they
    cost most of its import time), in a fresh interpreter so that no other test's imports count."""
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, ethics_review.report; "
            "print(sorted({m.split('.')[0] for m in sys.modules if m.split('.')[0] in ('IPython', 'ipywidgets')}))",
        ],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(PACKAGE.parent)},
    )
    assert loaded.stdout.strip() == "[]"
