"""lab/verbatim/scopes.py: the module names a function, lambda, class or comprehension reads, and binds by `global`."""

from __future__ import annotations

import ast
import textwrap
from typing import Iterable

from lab.verbatim.scopes import Scope


def _scope(source: str, enclosing: Iterable[str] = ()) -> Scope:
    return Scope(ast.parse(textwrap.dedent(source)).body[0], frozenset(enclosing))


def _reads(source: str, enclosing: Iterable[str] = ()) -> set:
    return _scope(source, enclosing).globals_read()


def test_a_name_neither_parameter_nor_local_is_read_from_the_module() -> None:
    assert _reads("def f(a):\n    x = a\n    return x + b\n") == {"b"}


def test_every_kind_of_parameter_is_local() -> None:
    assert _reads("def f(a, /, b, *args, c, **kw):\n    return a, b, args, c, kw, d\n") == {"d"}


def test_a_name_of_the_enclosing_scope_is_not_the_modules() -> None:
    assert _reads("def f():\n    return b + c\n", enclosing={"b"}) == {"c"}


def test_a_global_declaration_makes_an_assignment_bind_the_module_name() -> None:
    scope = _scope("def f():\n    global g\n    g = 1\n    return g\n")
    assert scope.assigned_globals() == {"g"}
    assert scope.globals_read() == {"g"}


def test_a_global_that_is_only_read_binds_nothing() -> None:
    scope = _scope("def f():\n    global g\n    return g\n")
    assert (scope.assigned_globals(), scope.globals_read()) == (set(), {"g"})


def test_a_nested_function_reads_through_to_the_module_and_sees_the_outer_locals() -> None:
    source = """
    def f():
        w = 1
        def h():
            return w + v
        return h
    """
    assert _reads(source) == {"v"}


def test_a_global_bound_in_a_nested_function_is_bound_by_the_outer_one() -> None:
    source = """
    def f():
        def h():
            global k
            k = 2
        h()
    """
    assert _scope(source).assigned_globals() == {"k"}


def test_a_nonlocal_name_is_the_enclosing_functions() -> None:
    source = """
    def f():
        x = 1
        def h():
            nonlocal x
            x = 2
            return x
    """
    assert _reads(source) == set()


def test_a_lambda_reads_what_its_body_does_not_bind() -> None:
    lam = ast.parse("lambda x, *, y=1: x + y + q", mode="eval").body
    assert Scope(lam, frozenset()).globals_read() == {"q"}


def test_a_comprehensions_loop_variables_are_its_own() -> None:
    assert _reads("def f():\n    return [i * m for i in items if i > t]\n") == {"m", "items", "t"}


def test_a_later_generator_may_use_an_earlier_loop_variable() -> None:
    assert _reads("def f():\n    return {j: k for i in rows for j, k in i}\n") == {"rows"}


def test_a_walrus_in_a_comprehension_binds_in_the_function() -> None:
    assert _reads("def f():\n    [y := v for v in vs]\n    return y\n") == {"vs"}


def test_a_class_body_and_its_methods_read_from_the_module() -> None:
    source = """
    def f():
        class C(Base):
            attr = base_value
            def method(self):
                return self.x + other
        return C
    """
    assert _reads(source) == {"Base", "base_value", "other"}


def test_a_methods_names_are_not_the_class_bodys() -> None:
    source = """
    def f():
        class C:
            size = 3
            def method(self):
                return size
    """
    assert _reads(source) == {"size"}  # as in Python: a method does not see the class body's names


def test_decorators_and_defaults_are_read_where_the_function_is_defined() -> None:
    source = """
    def f():
        @deco
        def h(x=default, *, y=kw_default):
            pass
        return h
    """
    assert _reads(source) == {"deco", "default", "kw_default"}


def test_lambda_defaults_are_read_where_the_lambda_is_made() -> None:
    assert _reads("def f():\n    return lambda x=fallback: x\n") == {"fallback"}


def test_an_import_binds_its_first_name_or_its_alias() -> None:
    source = """
    def f():
        import numpy as np
        import os.path
        from json import loads as parse
        return np, os, parse, json
    """
    assert _reads(source) == {"json"}


def test_an_exception_name_is_local_and_its_type_is_read() -> None:
    source = """
    def f():
        try:
            pass
        except CustomError as e:
            return e
    """
    assert _reads(source) == {"CustomError"}


def test_match_captures_are_local() -> None:
    source = """
    def f(v):
        match v:
            case [a, *rest]:
                return a, rest, other
            case {"k": b, **more}:
                return b, more
    """
    assert _reads(source) == {"other"}


def test_an_async_function_is_a_scope_too() -> None:
    assert _reads("async def f(x):\n    return await fetch(x)\n") == {"fetch"}
