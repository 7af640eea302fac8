"""The locks in requirements/ agree with pyproject.toml, and lms/ needs nothing but the runtime."""

import ast
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
TEST_TOOLS = {"pytest", "pytest-timeout", "hypothesis", "pypdfium2", "zxing-cpp", "playwright",
              "ruff"}


def pins(lock: str) -> dict[str, str]:
    """{normalised name: version} of a lock written by `make lock`."""
    found = {}
    for line in (ROOT / "requirements" / lock).read_text(encoding="utf-8").splitlines():
        if line and not line[0].isspace() and not line.startswith("#"):
            name, _, rest = line.partition("==")
            found[canonicalize_name(name)] = rest.split(";")[0].split()[0].rstrip("\\")
    return found


def imported_distributions() -> dict[str, set[str]]:
    """{distribution: modules of lms/ importing it} for every non-standard-library import."""
    owners = packages_distributions()
    found: dict[str, set[str]] = {}
    for path in (ROOT / "lms").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top == "lms" or top in sys.stdlib_module_names:
                    continue
                for dist in owners.get(top, [f"unknown module {top}"]):
                    found.setdefault(canonicalize_name(dist), set()).add(
                        str(path.relative_to(ROOT)))
    return found


def test_lms_imports_only_declared_runtime_packages():
    """Every package lms/ imports is a declared runtime dependency (no test tool at run time)
    and pinned in the runtime lock."""
    declared = {canonicalize_name(Requirement(r).name) for r in PROJECT["dependencies"]}
    runtime = pins("runtime.txt")
    missing = {d: sorted(m) for d, m in imported_distributions().items()
               if d not in declared or d not in runtime}
    assert not missing, f"imported by lms/ but not a locked runtime dependency: {missing}"


def test_the_runtime_lock_is_part_of_the_development_lock():
    """The runtime lock pins the same versions as the development lock, and no test tool."""
    runtime, dev = pins("runtime.txt"), pins("dev.txt")
    assert {n: v for n, v in runtime.items() if dev.get(n) != v} == {}
    assert not TEST_TOOLS & set(runtime)
    # the redis extra: for several app servers in production, and for `make bench`'s two workers
    assert "redis" not in runtime and "redis" in dev
    assert "setuptools" in runtime  # the project is installed without build isolation


@pytest.mark.parametrize(("lock", "groups"), [("runtime.txt", ["dependencies"]),
                                              ("dev.txt", ["dependencies", "test", "redis",
                                                           "dev"])])
def test_every_dependency_is_locked_within_its_bounds(lock, groups):
    """Each dependency of pyproject.toml has an upper bound and its pin satisfies it."""
    locked = pins(lock)
    extras = PROJECT["optional-dependencies"]
    wanted = [Requirement(r) for g in groups
              for r in (PROJECT[g] if g == "dependencies" else extras[g])]
    for req in wanted:
        if canonicalize_name(req.name) == canonicalize_name(PROJECT["name"]):
            continue  # dev = test extra + ruff
        assert any(s.operator in {"<", "~=", "=="} for s in req.specifier), f"{req}: no bound"
        version = locked.get(canonicalize_name(req.name))
        assert version is not None, f"{req.name} is not in requirements/{lock}: run make lock"
        assert req.specifier.contains(version, prereleases=True), f"{req.name}=={version}"
