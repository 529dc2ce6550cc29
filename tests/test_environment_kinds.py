"""Environment kinds are plug-ins: registered by their own modules, found by one lookup, asked by method."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path
from typing import Dict, List, Set

import pytest

from lab.environments import kinds, resolve
from lab.environments.base import Environment
from lab.environments.declared import load_matrix
from lab.environments.fake import FakeEnvironment
from lab.environments.image import ImageEnvironment
from lab.environments.interpreter import InterpreterEnvironment
from lab.environments.local import LocalEnvironment
from lab.errors import EnvironmentUnavailable, UsageError
from lab.scenario import ROOT

ENVIRONMENTS = ROOT / "lab" / "environments"
# Each kind's own code: the only place that may say its name as a test.
KIND_HOMES = {"image": ["lab/environments/image/"], "interpreter": ["lab/environments/interpreter/"],
              "local": ["lab/environments/local.py"]}
KIND_TEST = re.compile(r"""kind\b['"\]]*\s*(?:==|!=|\bin\b|\bnot\s+in\b)\s*[(\[{]?\s*['"]([a-z]+)['"]"""
                       r"""|['"]([a-z]+)['"]\s*(?:==|!=)\s*[\w.\[\]'"]*kind\b""")


def test_each_kind_module_registers_its_kind_and_the_matrix_may_declare_two() -> None:
    assert kinds.names() == ["image", "interpreter", "local"]
    assert kinds.names(declarable=True) == ["image", "interpreter"]
    assert (kinds.get("image"), kinds.get("interpreter"), kinds.get("local")) == (
        ImageEnvironment, InterpreterEnvironment, LocalEnvironment)


def test_an_unknown_kind_is_one_line_naming_the_known_kinds() -> None:
    with pytest.raises(UsageError, match=r"^no environment kind 'vm'; known kinds: image, interpreter, local$"):
        kinds.get("vm")


def test_a_matrix_entry_of_an_undeclarable_kind_is_one_line_naming_the_kinds(tmp_path: Path) -> None:
    text = (ROOT / "containers" / "matrix.toml").read_text()
    for kind, words in (("vm", "kind 'vm' is not a known kind; use one of image, interpreter (local: never declared)"),
                        ("local", "kind 'local' is not a known kind; use one of image, interpreter")):
        (tmp_path / "matrix.toml").write_text(text.replace('kind = "interpreter"', f'kind = "{kind}"', 1))
        with pytest.raises(UsageError) as info:
            load_matrix(tmp_path / "matrix.toml")
        assert words in str(info.value) and "\n" not in str(info.value)


def test_registering_a_second_class_under_a_known_name_is_refused() -> None:
    class Impostor:
        kind = "image"

    with pytest.raises(TypeError, match="registered twice"):
        kinds.register(Impostor)
    assert kinds.get("image") is ImageEnvironment


def test_resolve_makes_each_matrix_env_as_the_kind_it_declares() -> None:
    matrix = load_matrix()
    made = resolve([e.name for e in matrix])
    assert [(e.name, e.kind) for e in made] == [(e.name, e.kind) for e in matrix]
    assert {type(e) for e in made} == {ImageEnvironment, InterpreterEnvironment}


def test_a_declared_env_says_whether_it_is_made_without_making_it() -> None:
    [tf1] = resolve(["tf1.15"])
    state = tf1.state(probe=True)
    if not state.made:
        pytest.skip("the tf1.15 venv is not made: `lab envs build tf1.15`")
    assert Path(state.where).name.startswith("tf1.15-") and (Path(state.where) / "bin" / "python").exists()
    assert state.versions["tensorflow"] == "1.15.5" and state.versions["python"].startswith("3.7.")


def test_every_kind_and_the_fake_answer_the_whole_protocol() -> None:
    members = [m for m in vars(Environment) if not m.startswith("_")] + ["name", "kind"]
    for cls in (*(kinds.get(n) for n in kinds.names()), FakeEnvironment):
        missing = [m for m in members if m != "name" and not hasattr(cls, m)]
        assert missing == [], f"{cls.__name__} lacks {missing}"


def test_the_protocol_documents_every_member() -> None:
    tree = ast.parse((ENVIRONMENTS / "base.py").read_text())
    protocol = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Environment")
    body = protocol.body
    methods = [n for n in body if isinstance(n, ast.FunctionDef)]
    assert {m.name for m in methods} >= {"check", "prepare", "identity", "run", "stop", "describe", "state", "forget"}
    assert all(ast.get_docstring(m) for m in methods), [m.name for m in methods if not ast.get_docstring(m)]
    fields = [n for n in body if isinstance(n, ast.AnnAssign)]
    documented = {f.target.id for f, after in zip(body, body[1:])  # type: ignore[union-attr]  # a class annotates Names
                  if isinstance(f, ast.AnnAssign)
                  and isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant)}
    assert documented == {f.target.id for f in fields}  # type: ignore[union-attr]  # a class annotates Names


def _python_files(folder: Path) -> List[Path]:
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def test_no_code_outside_a_kinds_own_package_tests_which_kind_an_env_is() -> None:
    found = []
    for path in _python_files(ROOT / "lab"):
        rel = path.relative_to(ROOT).as_posix()
        for number, line in enumerate(path.read_text().splitlines(), 1):
            for match in KIND_TEST.finditer(line):
                name = match.group(1) or match.group(2)
                if name in KIND_HOMES and not any(rel.startswith(home) for home in KIND_HOMES[name]):
                    found.append(f"{rel}:{number}: {line.strip()}")
    assert found == []


def test_the_kind_test_pattern_finds_the_forms_it_forbids() -> None:
    lines = ['if env.kind == "image":', "e['kind'] != 'interpreter'", 'if spec.kind in ("image", "x")',
             'if "local" == env.kind:']
    assert [bool(KIND_TEST.search(line)) for line in lines] == [True, True, True, True]
    assert not KIND_TEST.search('kind = "image"') and not KIND_TEST.search('if job.name == "image":')


def _module_of(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _runtime_imports(tree: ast.AST) -> List[ast.AST]:
    """Import statements that run (module level or in a function), not those under `if TYPE_CHECKING:`."""
    found: List[ast.AST] = []

    def walk(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                found.append(child)
            walk(child)

    walk(tree)
    return found


def import_graph(folder: Path) -> Dict[str, Set[str]]:
    """module -> the modules of `folder`'s package it imports at run time (`from pkg import sub` is an
    edge to pkg.sub; a module's own parent packages are not edges: Python runs them first)."""
    modules = {_module_of(p): p for p in _python_files(folder)}
    graph: Dict[str, Set[str]] = {}
    for name, path in modules.items():
        edges: Set[str] = set()
        for node in _runtime_imports(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                assert isinstance(node, ast.ImportFrom) and node.level == 0, f"{name}: relative import"
                base = str(node.module)
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
            edges |= {t for t in targets if t in modules and t != name and not name.startswith(t + ".")}
        graph[name] = edges
    return graph


def cycles(graph: Dict[str, Set[str]]) -> List[List[str]]:
    """Every import circle, each once (as found by a depth-first walk)."""
    found, done = [], set()

    def visit(node: str, path: List[str]) -> None:
        if node in path:
            found.append(path[path.index(node):] + [node])
            return
        if node in done:
            return
        for nxt in sorted(graph.get(node, ())):
            visit(nxt, path + [node])
        done.add(node)

    for start in sorted(graph):
        visit(start, [])
    return found


def test_no_import_circle_inside_the_environments_package() -> None:
    graph = import_graph(ENVIRONMENTS)
    assert "lab.environments.image.environment" in graph["lab.environments.image"]
    assert cycles(graph) == []


def test_the_circle_finder_finds_a_circle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]


def _attribute(dotted: str) -> bool:
    """Whether `package.module.name` (or `package.module.Class.name`) exists under lab."""
    parts = ["lab", *dotted.split(".")]
    for cut in range(len(parts), 1, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attribute in parts[cut:]:
            if not hasattr(found, attribute):
                return False
            found = getattr(found, attribute)
        return True
    return False


def test_the_recipe_for_a_new_kind_names_files_modules_and_functions_that_exist() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text()
    recipe = text.split("**An environment kind.**", 1)[1].split("\n**", 1)[0]
    paths = set(re.findall(r"`((?:lab|containers|tests)/[\w/.]+|pyproject\.toml)`", recipe))
    assert len(paths) >= 10 and sorted(p for p in paths if not (ROOT / p).exists()) == []
    names = set(re.findall(r"`([a-z_]+(?:\.[A-Za-z_]+)+)`", recipe)) - {"pyproject.toml", "matrix.toml"}
    assert {"environments.kinds.register", "environments.registry.BUILTIN", "environments.base.Environment",
            "environments.ondemand.resolve_spec"} <= names
    assert sorted(n for n in names if not _attribute(n)) == []
    assert _attribute("environments.kinds.register") and not _attribute("environments.kinds.no_such_function")


def test_a_venv_of_an_older_recipe_or_of_a_longer_name_does_not_make_an_env_made(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("LAB_CACHE_DIR", str(tmp_path))
    [tf1] = resolve(["tf1.15"])
    try:
        tf1.check()
    except EnvironmentUnavailable as exc:  # no CPython 3.7 here: the recipe cannot be known
        pytest.skip(f"tf1.15's recipe needs its base Python: {exc}")
    for name in ("tf1.15-000000000000", "tf1.15-image-0123456789ab"):
        (tmp_path / "venvs" / name).mkdir(parents=True)
        (tmp_path / "venvs" / name / ".lab-ready").write_text("3.7.16\n")
    assert tf1.state().made is False
    assert tf1.forget() == "removed 1 venv(s)"  # its own older venv, not tf1.15-image's folder
    assert (tmp_path / "venvs" / "tf1.15-image-0123456789ab").is_dir()
