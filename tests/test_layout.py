"""The code's shape: no import cycles, no hidden in-function imports, no oversized modules.

An import cycle between project modules works only while every edge but one is an
in-function import, so cycles and in-function imports are checked together: the graph
includes imports made inside functions, and such an import is allowed only with a
comment saying it is lazy on purpose (a heavy library loaded only when needed).
"""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PRODUCT = ("pipelines", "transforms", "schemas", "expectations")
MAX_LINES = 450
# Folders of Python code held to the size limit besides the product packages.
SIZED = (*PRODUCT, "tests", "bench", "tools", "demo")
LAZY_MARK = "lazy"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _product_files() -> dict[str, Path]:
    return {
        _module_name(path): path
        for package in PRODUCT
        for path in sorted((REPO / package).rglob("*.py"))
        if "data" not in path.relative_to(REPO).parts
    }


MODULES = _product_files()


def _resolve(node: ast.Import | ast.ImportFrom, here: str) -> list[str]:
    """Project modules an import statement loads (a `from package import module` counts)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names if alias.name in MODULES]
    base = node.module or ""
    if node.level:
        anchor = here.split(".")[: -node.level]
        base = ".".join([*anchor, base] if base else anchor)
    targets = [f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in MODULES]
    if base in MODULES and len(targets) < len(node.names):
        targets.append(base)
    return targets


def _imports(name: str, path: Path) -> list[tuple[str, ast.stmt, bool]]:
    """(target module, statement, inside a function?) for every project import."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[str, ast.stmt, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            nested = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import | ast.ImportFrom):
                found.extend((target, child, in_function) for target in _resolve(child, name))
            visit(child, nested)

    visit(tree, False)
    return found


def _graph() -> dict[str, set[str]]:
    return {
        name: {target for target, _, _ in _imports(name, path) if target != name}
        for name, path in MODULES.items()
    }


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    cycles.append(sorted(component))
    return cycles


def test_cycle_finder_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert find_cycles(graph) == [["a", "b", "c"]]
    assert find_cycles({"a": {"b"}, "b": set()}) == []


def test_project_modules_import_each_other_without_cycles():
    assert len(MODULES) > 50, "the product packages were not found"
    assert find_cycles(_graph()) == []


def test_in_function_project_imports_say_why_they_are_lazy():
    unexplained = []
    for name, path in MODULES.items():
        lines = path.read_text(encoding="utf-8").splitlines()
        for _, statement, in_function in _imports(name, path):
            if not in_function:
                continue
            # The comment may sit on the import line or above the run of imports it opens.
            above = statement.lineno - 2
            context = [lines[statement.lineno - 1]]
            while above >= 0 and lines[above].strip().startswith(("#", "from ", "import ")):
                context.append(lines[above])
                above -= 1
            if not any("#" in line and LAZY_MARK in line.lower() for line in context):
                unexplained.append(f"{path.relative_to(REPO)}:{statement.lineno}")
    assert not unexplained, "in-function project imports without a `# lazy: why` comment:\n" + (
        "\n".join(sorted(set(unexplained)))
    )


def test_no_module_is_over_the_size_limit():
    oversized = [
        f"{path.relative_to(REPO)} ({count} lines)"
        for folder in SIZED
        for path in sorted((REPO / folder).rglob("*.py"))
        if "corpus" not in path.relative_to(REPO).parts
        and (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    ]
    assert not oversized, f"modules over {MAX_LINES} lines:\n" + "\n".join(oversized)
