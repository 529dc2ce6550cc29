"""Function, lambda, class and comprehension scopes: the module names they read, and bind by `global`.

A function body runs when it is called, so what it reads is deferred (lab/verbatim/names.py
decides whether the block binds it anywhere); a class body inside a function and a comprehension
are scopes of their own whose reads resolve outward the same way.
"""

from __future__ import annotations

import ast
from typing import FrozenSet, List, Set

COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)
FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


class Scope:
    """A function (or lambda) body: it runs when called, so its global reads are deferred."""

    def __init__(self, node: ast.AST, enclosing: FrozenSet[str]) -> None:
        self.node, self.enclosing = node, enclosing
        body = node.body if isinstance(node.body, list) else [node.body]  # type: ignore[attr-defined]  # a FUNCTIONS node: each has a body
        args: ast.arguments = node.args  # type: ignore[attr-defined]  # a FUNCTIONS node: each has args
        every = [*getattr(args, "posonlyargs", []), *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
        self.params = {a.arg for a in every if a is not None}
        self.declared_global: Set[str] = set()
        self.declared_nonlocal: Set[str] = set()
        self.assigned: Set[str] = set()
        self.reads: Set[str] = set()
        self.inner: List[ast.AST] = []
        for statement in body:
            self._scan(statement)
        self.local = (self.params | self.assigned) - self.declared_global - self.declared_nonlocal

    def _scan(self, node: ast.AST) -> None:
        if isinstance(node, ast.Global):
            self.declared_global |= set(node.names)
        elif isinstance(node, ast.Nonlocal):
            self.declared_nonlocal |= set(node.names)
        elif isinstance(node, ast.Name):
            (self.reads if isinstance(node.ctx, ast.Load) else self.assigned).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            self.assigned.add(node.name)
            outer = [*node.decorator_list, *getattr(node, "bases", []),
                     *(k.value for k in getattr(node, "keywords", []))]
            if not isinstance(node, ast.ClassDef):
                outer += [*node.args.defaults, *(d for d in node.args.kw_defaults if d is not None)]
            for part in outer:
                self._scan(part)
            self.inner.append(node)
        elif isinstance(node, ast.Lambda):
            for part in [*node.args.defaults, *(d for d in node.args.kw_defaults if d is not None)]:
                self._scan(part)
            self.inner.append(node)
        elif isinstance(node, COMPREHENSIONS):
            self.inner.append(node)
            self._scan(node.generators[0].iter)
            for sub in ast.walk(node):
                if isinstance(sub, ast.NamedExpr):
                    self.assigned.add(sub.target.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            self.assigned |= {a.asname or a.name.split(".")[0] for a in node.names if a.name != "*"}
        elif isinstance(node, ast.ExceptHandler) and node.name:
            self.assigned.add(node.name)
            self._children(node)
        elif type(node).__name__ in ("MatchAs", "MatchStar", "MatchMapping"):
            for name in (getattr(node, "name", None), getattr(node, "rest", None)):
                if isinstance(name, str):
                    self.assigned.add(name)
            self._children(node)
        else:
            self._children(node)

    def _children(self, node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            self._scan(child)

    def assigned_globals(self) -> Set[str]:
        """Names this function (or one inside it) binds at module level through `global`."""
        found = self.declared_global & self.assigned
        for inner in self._inner_functions():
            found |= inner.assigned_globals()
        return found

    def globals_read(self) -> Set[str]:
        """Names read here or in nested scopes that resolve to the module."""
        found = {n for n in self.reads if n not in self.local and n not in self.enclosing} | (
            self.declared_global & self.reads)
        for inner in self._inner_functions():
            found |= inner.globals_read()
        return found

    def _inner_functions(self) -> List[Scope]:
        visible = frozenset(self.enclosing | self.local)
        inner: List[Scope] = []
        for node in self.inner:
            if isinstance(node, FUNCTIONS):
                inner.append(Scope(node, visible))
            elif isinstance(node, ast.ClassDef):
                inner += [Scope(n, visible) for n in node.body if isinstance(n, FUNCTIONS)]
                inner.append(_ClassScope(node, visible))
            else:  # a comprehension: a scope of its own, run now, with its loop variables local
                inner.append(_ComprehensionScope(node, visible))
        return inner


class _ClassScope(Scope):
    """A class body inside a function: its statements, not its methods (those are scanned apart)."""

    def __init__(self, node: ast.ClassDef, enclosing: FrozenSet[str]) -> None:
        shell = ast.FunctionDef(name=node.name, args=ast.arguments(posonlyargs=[], args=[], vararg=None,
                                kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[]),
                                body=[n for n in node.body if not isinstance(n, FUNCTIONS)],
                                decorator_list=[], returns=None)
        super().__init__(shell, enclosing)


class _ComprehensionScope(Scope):
    """A comprehension inside a function: every iterable but the first, the conditions, the element."""

    def __init__(self, node: ast.AST, enclosing: FrozenSet[str]) -> None:
        generators: List[ast.comprehension] = node.generators  # type: ignore[attr-defined]  # a COMPREHENSIONS node: each has generators
        targets = {n.id for g in generators for n in ast.walk(g.target) if isinstance(n, ast.Name)}
        parts: List[ast.expr] = [g.iter for g in generators[1:]] + [c for g in generators for c in g.ifs]
        parts += [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]  # type: ignore[attr-defined]  # ListComp, SetComp, GeneratorExp: elt
        shell = ast.Lambda(args=ast.arguments(posonlyargs=[], args=[ast.arg(arg=t) for t in sorted(targets)],
                                              vararg=None, kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[]),
                           body=ast.Tuple(elts=parts, ctx=ast.Load()))
        super().__init__(shell, enclosing)
