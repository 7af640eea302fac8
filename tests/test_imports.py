"""The house's import rules, read from the sources with ast: no import cycle among lms modules,
core imports no feature room, and no lms import hidden inside a function to dodge a cycle."""

import ast
from pathlib import Path

import pytest

LMS = Path(__file__).resolve().parent.parent / "lms"
# The application factory imports the rooms when it builds an app, so that importing any
# lms module (a script's `from lms.extensions import db`) does not import every room.
FACTORY = LMS / "__init__.py"
CORE_MAY_IMPORT = ("lms.core", "lms.extensions", "lms.config")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(LMS.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(LMS.rglob("*.py"))}


def _imports(tree: ast.AST, *, in_functions: bool) -> list[tuple[int, str]]:
    """(line, target module) of every lms import: those run at import time (module and class
    bodies), or with `in_functions` those inside function bodies."""
    found = []

    def visit(node, inside):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                visit(child, True)
                continue
            if inside == in_functions:
                if isinstance(child, ast.Import):
                    found.extend((child.lineno, a.name) for a in child.names
                                 if a.name.split(".")[0] == "lms")
                elif (isinstance(child, ast.ImportFrom) and child.level == 0 and child.module
                      and child.module.split(".")[0] == "lms"):
                    for alias in child.names:
                        sub = f"{child.module}.{alias.name}"
                        found.append((child.lineno, sub if sub in MODULES else child.module))
            visit(child, inside)

    visit(tree, False)
    return found


def _graph() -> dict[str, set[str]]:
    """Module → the lms modules it imports at import time, including its parent packages
    (Python runs them first), except the root `lms`, the factory."""
    graph = {}
    for name, path in MODULES.items():
        targets = {t for _line, t in _imports(ast.parse(path.read_text(encoding="utf-8")),
                                              in_functions=False)}
        parts = name.split(".")
        targets.update(".".join(parts[:i]) for i in range(2, len(parts)))
        graph[name] = {t for t in targets if t in MODULES and t not in (name, "lms")}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a path of module names, or None."""
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                return stack[stack.index(target):] + [target]
            if target not in state and (found := visit(target)):
                return found
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_cycle_finder_finds_a_cycle():
    """The checker itself reports a two-module and a three-module cycle, and none in a chain."""
    assert _cycle({"a": {"b"}, "b": {"a"}}) == ["a", "b", "a"]
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_import_reader_sees_module_and_function_imports():
    """Module-level and class-level imports count as import-time; function bodies do not."""
    tree = ast.parse("from lms.units import models\nimport lms.core.text\n"
                     "class A:\n    from lms.extensions import db\n"
                     "def f():\n    from lms.courses.models import Course\n")
    assert [t for _l, t in _imports(tree, in_functions=False)] == [
        "lms.units.models", "lms.core.text", "lms.extensions"]
    assert _imports(tree, in_functions=True) == [(6, "lms.courses.models")]


def test_no_import_cycle():
    """No lms module imports, directly or through others, a module that imports it back."""
    assert _cycle(_graph()) is None


def test_core_is_a_leaf():
    """lms/core imports nothing of the rooms (nor the top-level cli/demo), not even in a
    function: only itself, the extensions and the config."""
    wrong = []
    for name, path in MODULES.items():
        if not name.startswith("lms.core"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for line, target in (_imports(tree, in_functions=False)
                             + _imports(tree, in_functions=True)):
            if not any(target == ok or target.startswith(ok + ".") for ok in CORE_MAY_IMPORT):
                wrong.append(f"{path.relative_to(LMS.parent)}:{line} imports {target}")
    assert wrong == []


@pytest.mark.parametrize("path", [p for p in MODULES.values()
                                  if p != FACTORY],
                         ids=lambda p: str(p.relative_to(LMS.parent)))
def test_no_function_local_lms_import(path):
    """Every lms import stands at the top of its module, where a cycle would show."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert _imports(tree, in_functions=True) == []
