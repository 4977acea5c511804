"""The house rules, checked on the source: where Keras, click and rich may be imported, module
docstrings, function length, and exit codes named only in errors.py."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "modelcfg_cli"
MODULES = sorted(PACKAGE.rglob("*.py"))
MAX_FUNCTION_LINES = 60
# rooms that may talk to people: the CLI, its commands and the renderers
PRESENTATION = ("cli.py", "commands/", "output/")


def _relative(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


def _imported(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
        elif _imports_by_name(node):
            names.add(node.args[0].value.split(".")[0])
    return names


def _imports_by_name(node: ast.AST) -> bool:
    """`importlib.import_module("name")` with a literal name."""
    if not (isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "import_module" and node.args):
        return False
    return isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)


@pytest.mark.parametrize("path", MODULES, ids=_relative)
def test_keras_only_in_keras_side_and_tensorflow_nowhere(path):
    imported = _imported(ast.parse(path.read_text()))
    assert "tensorflow" not in imported
    if not _relative(path).startswith("keras_side/"):
        assert not imported & {"keras", "keras_hub"}, f"{_relative(path)} imports Keras outside keras_side/"


@pytest.mark.parametrize("path", MODULES, ids=_relative)
def test_core_never_imports_click_or_rich(path):
    if _relative(path).startswith(PRESENTATION):
        return
    assert not _imported(ast.parse(path.read_text())) & {"click", "rich"}, _relative(path)


@pytest.mark.parametrize("path", MODULES, ids=_relative)
def test_every_module_says_what_it_is_for(path):
    assert ast.get_docstring(ast.parse(path.read_text())), f"{_relative(path)} has no module docstring"


@pytest.mark.parametrize("path", MODULES, ids=_relative)
def test_functions_fit_on_a_screen(path):
    tree = ast.parse(path.read_text())
    long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert not long, f"{_relative(path)}: {long}"


@pytest.mark.parametrize("path", MODULES, ids=_relative)
def test_no_literal_exit_codes_outside_errors(path):
    if _relative(path) == "errors.py":
        return
    literal_exits = [
        node.lineno
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call)
        and getattr(node.func, "attr", getattr(node.func, "id", None)) == "exit"
        and node.args
        and isinstance(node.args[0], ast.Constant)
    ]
    assert not literal_exits, f"{_relative(path)}: exit with a literal code at lines {literal_exits}"


def test_every_command_module_is_one_registry_line_and_each_line_resolves():
    import importlib

    from modelcfg_cli.commands import COMMANDS

    modules = {target.split(":")[0] for target in COMMANDS.values()}
    on_disk = {
        f"modelcfg_cli.commands.{path.stem}"
        for path in (PACKAGE / "commands").glob("*.py")
        if path.stem not in ("__init__", "common")
    }
    assert modules == on_disk
    for name, target in COMMANDS.items():
        module, attribute = target.split(":")
        assert getattr(importlib.import_module(module), attribute).name == name


# The rooms of the package (ARCHITECTURE.md); a module joins one of them, not the top.
ROOMS = {
    "checks",
    "commands",
    "diffing",
    "keras_side",
    "legacy",
    "output",
    "pictures",
    "rules",
    "scan",
    "sources",
    "weights",
}
MAX_TOP_LEVEL_MODULES = 12


def test_at_most_twelve_modules_at_the_top_and_none_named_after_a_room():
    top = sorted(path.stem for path in PACKAGE.glob("*.py"))
    assert len(top) <= MAX_TOP_LEVEL_MODULES, top
    assert not [name for name in top if name.split("_")[0] in ROOMS | {"tf", "schemas"}], top


def test_the_rooms_are_the_packages_and_each_ships_in_the_wheel():
    import tomllib

    packages = {path.parent.relative_to(PACKAGE).as_posix() for path in PACKAGE.rglob("__init__.py")}
    assert {name for name in packages if "/" not in name and name != "."} == ROOMS
    shipped = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    assert {"modelcfg_cli" + ("" if name == "." else "." + name.replace("/", ".")) for name in packages} == {
        name for name in shipped if not name.startswith("modelcfg_cli.schema_files")
    }


def test_developer_generators_are_scripts_outside_the_package():
    scripts = PACKAGE.parent / "scripts"
    assert {"schemagen.py", "keras_names.py"} <= {path.name for path in scripts.glob("*.py")}
    assert not [path for path in MODULES if path.stem in ("schemagen", "keras_names")]


def _module_name(path: Path) -> str:
    parts = ("modelcfg_cli", *path.relative_to(PACKAGE).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _own_imports(path: Path, known: set[str]) -> set[str]:
    """The package's modules `path` imports, at the top or inside functions (`from pkg import module`
    counts as the module)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("modelcfg_cli"):
            for alias in node.names:
                whole = f"{node.module}.{alias.name}"
                found.add(whole if whole in known else node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("modelcfg_cli"))
    return found & known


def test_no_import_cycles_lazy_imports_included():
    known = {_module_name(path) for path in MODULES}
    graph = {_module_name(path): _own_imports(path, known) - {_module_name(path)} for path in MODULES}
    state: dict[str, int] = {}  # 1 on the current path, 2 done

    def visit(module: str, path: list[str]) -> list[str] | None:
        state[module] = 1
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target] if target in path else [module, target]
            if target not in state and (cycle := visit(target, [*path, target])):
                return cycle
        state[module] = 2
        return None

    for module in sorted(graph):
        if module not in state:
            cycle = visit(module, [module])
            assert cycle is None, " -> ".join(cycle)


def test_no_test_module_imports_another_test_module():
    """Shared fixtures live in conftest.py, shared helpers in helper modules (tests/helpers.py, ...)."""
    tests = Path(__file__).resolve().parent
    found = []
    for path in sorted(tests.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            if any(name.startswith("tests.") and name.split(".")[-1].startswith("test_") for name in names):
                found.append(f"{path.relative_to(tests)}:{node.lineno}")
    assert not found, found


def test_keras_side_tests_mirror_its_modules():
    """tests/keras_side/test_X.py tests modelcfg_cli/keras_side/X.py."""
    tests = Path(__file__).resolve().parent / "keras_side"
    modules = {path.stem for path in (PACKAGE / "keras_side").glob("*.py")}
    names = {path.stem.removeprefix("test_") for path in tests.glob("test_*.py")}
    assert names and names <= modules, names - modules
