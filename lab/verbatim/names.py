"""What a block binds and what it reads before binding it, in the order Python runs its statements.

Found statically (the `ast` of the block), never by running code. A name is *free* when the block
reads it before any of its own statements could have bound it (`x = f(x)`, `x += 1`, `del x`) or
when a function of the block reads it as a global and nothing in the block ever binds it. Branches
and loops count as possibly taken (a name bound in a `for` body is bound after the loop), so a
block is never called a fragment for a name it binds on some path. `del x` unbinds; an
`except E as e` name is gone after its handler; comprehension variables stay in the
comprehension; `global x` in a function that assigns `x` binds it at module level.
"""

from __future__ import annotations

import ast
import builtins
from dataclasses import dataclass, field
from typing import FrozenSet, Iterable, List, Optional, Set

from lab.verbatim.scopes import COMPREHENSIONS, Scope

KNOWN = frozenset(dir(builtins)) | {"__file__", "__name__", "__builtins__", "__doc__", "__spec__", "__loader__"}


@dataclass(frozen=True)
class Names:
    """What a block defines at its top level, and the global names it reads but does not define first."""

    defined: FrozenSet[str]
    """Bound (on some path) when the block ends: a later block can read them."""
    free: FrozenSet[str]
    """Read before the block binds them, or read by its functions and bound nowhere in it."""
    star: bool = False
    """`from x import *`: it may define anything."""


def names_of(text: str) -> Optional[Names]:
    """The block's names, or None when it does not parse (its run will say so)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    flow = _Flow()
    flow.statements(tree.body)
    late = {n for n in flow.deferred if n not in flow.ever}
    return Names(frozenset(flow.bound), frozenset((flow.free | late) - KNOWN), flow.star)


def statement_starts(text: str) -> Optional[List[int]]:
    """The first line (decorators included) of each top-level statement, or None when it does not parse."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    return [min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])]) for node in tree.body]


@dataclass
class _Flow:
    """The module scope, statement by statement."""

    bound: Set[str] = field(default_factory=set)
    free: Set[str] = field(default_factory=set)
    deferred: Set[str] = field(default_factory=set)
    """Globals read inside functions: free only if the block binds them nowhere."""
    ever: Set[str] = field(default_factory=set)
    set_by_functions: Set[str] = field(default_factory=set)
    """Module names that a function binds through `global` (taken as bound once it is defined)."""
    star: bool = False

    def read(self, name: str) -> None:
        if name not in self.bound:
            self.free.add(name)

    def bind(self, name: str) -> None:
        self.bound.add(name)
        self.ever.add(name)

    def statements(self, body: Iterable[ast.stmt]) -> None:
        for node in body:
            self.statement(node)

    def _branches(self, *bodies: List[ast.stmt]) -> None:
        """Each body from the same state; afterwards a name is bound if any path bound it."""
        before, after = set(self.bound), set()
        for body in bodies:
            self.bound = set(before)
            self.statements(body)
            after |= self.bound
        self.bound = after

    def statement(self, node: ast.stmt) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.expressions(node.decorator_list)
            self._signature(node.args, node.returns)
            body = Scope(node, frozenset())
            self.set_by_functions |= body.assigned_globals()
            for name in body.assigned_globals():
                self.bind(name)
            self.deferred |= body.globals_read()
            self.bind(node.name)
        elif isinstance(node, ast.ClassDef):
            self.expressions(node.decorator_list + node.bases + [k.value for k in node.keywords])
            self._class_body(node.body)
            self.bind(node.name)
        elif isinstance(node, ast.Assign):
            self.expression(node.value)
            for target in node.targets:
                self.target(target)
        elif isinstance(node, ast.AugAssign):
            if isinstance(node.target, ast.Name):
                self.read(node.target.id)
            self.expression(node.value)
            self.target(node.target)
        elif isinstance(node, ast.AnnAssign):
            if node.value is not None:
                self.expression(node.value)
                self.target(node.target)
            elif not isinstance(node.target, ast.Name):
                self.expression(node.target)
            self.expression(node.annotation)
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            self.expression(node.iter)
            before = set(self.bound)
            self.target(node.target)
            self.statements(node.body)
            self.bound |= before
            self.statements(node.orelse)
        elif isinstance(node, ast.While):
            self.expression(node.test)
            before = set(self.bound)
            self.statements(node.body)
            self.bound |= before
            self.statements(node.orelse)
        elif isinstance(node, ast.If):
            self.expression(node.test)
            self._branches(node.body, node.orelse)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                self.expression(item.context_expr)
                if item.optional_vars is not None:
                    self.target(item.optional_vars)
            self.statements(node.body)
        elif isinstance(node, ast.Try) or type(node).__name__ == "TryStar":
            self._try(node)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                self.bind(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name == "*":
                    self.star = True
                else:
                    self.bind(alias.asname or alias.name)
        elif isinstance(node, ast.Delete):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    self.read(target.id)
                    self.bound.discard(target.id)
                else:
                    self.expression(target)
        elif type(node).__name__ == "Match":
            self._match(node)
        elif type(node).__name__ == "TypeAlias":
            self.bind(node.name.id)  # type: ignore[attr-defined]  # its value is evaluated lazily
        elif not isinstance(node, (ast.Global, ast.Nonlocal)):
            self.expressions(ast.iter_child_nodes(node))

    def _try(self, node: ast.stmt) -> None:
        before = set(self.bound)
        self.statements(node.body)  # type: ignore[attr-defined]  # ast.Try or ast.TryStar (3.11), which 3.9's stubs lack
        reached = before | self.bound  # a handler may start anywhere in the body
        after = set(self.bound)
        for handler in node.handlers:  # type: ignore[attr-defined]  # ast.Try or ast.TryStar
            self.bound = set(reached)
            if handler.type is not None:
                self.expression(handler.type)
            if handler.name:
                self.bind(handler.name)
            self.statements(handler.body)
            if handler.name:
                self.bound.discard(handler.name)  # Python deletes it when the handler ends
            after |= self.bound
        self.bound = after
        self.statements(node.orelse)  # type: ignore[attr-defined]  # ast.Try or ast.TryStar
        self.statements(node.finalbody)  # type: ignore[attr-defined]  # ast.Try or ast.TryStar

    def _match(self, node: ast.stmt) -> None:
        self.expression(node.subject)  # type: ignore[attr-defined]  # ast.Match (3.10), which 3.9's stubs lack
        before, after = set(self.bound), set(self.bound)
        for case in node.cases:  # type: ignore[attr-defined]  # ast.Match (3.10)
            self.bound = set(before)
            for sub in ast.walk(case.pattern):
                if type(sub).__name__ == "MatchValue" or type(sub).__name__ == "MatchClass":
                    self.expression(getattr(sub, "value", None) or sub.cls)  # type: ignore[attr-defined]  # ast.MatchClass (3.10) when it has no value
                for name in (getattr(sub, "name", None), getattr(sub, "rest", None)):
                    if isinstance(name, str):
                        self.bind(name)
            if case.guard is not None:
                self.expression(case.guard)
            self.statements(case.body)
            after |= self.bound
        self.bound = after

    def _signature(self, args: ast.arguments, returns: Optional[ast.expr]) -> None:
        """What a `def` evaluates when it runs: defaults and annotations."""
        self.expressions([*args.defaults, *(d for d in args.kw_defaults if d is not None)])
        every = [*getattr(args, "posonlyargs", []), *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
        self.expressions([a.annotation for a in every if a is not None and a.annotation is not None])
        if returns is not None:
            self.expression(returns)

    def _class_body(self, body: List[ast.stmt]) -> None:
        """A class body runs now, in a scope of its own: its names do not outlive it."""
        inner = _Flow(bound=set(), free=set())
        inner.statements(body)
        for name in inner.free:
            self.read(name)
        self.deferred |= inner.deferred
        for name in inner.set_by_functions:  # `global x` assigned in a method
            self.set_by_functions.add(name)
            self.bind(name)

    def target(self, node: ast.expr) -> None:
        if isinstance(node, ast.Name):
            self.bind(node.id)
        elif isinstance(node, (ast.Tuple, ast.List)):
            for element in node.elts:
                self.target(element)
        elif isinstance(node, ast.Starred):
            self.target(node.value)
        else:  # `a.b = ...`, `a[i] = ...`: reads a (and i)
            self.expression(node)

    def expressions(self, nodes: Iterable[object]) -> None:
        for node in nodes:
            if isinstance(node, ast.AST):
                self.expression(node)

    def expression(self, node: ast.AST) -> None:
        if isinstance(node, ast.Name):
            if isinstance(node.ctx, ast.Load):
                self.read(node.id)
            else:
                self.bind(node.id)
        elif isinstance(node, ast.NamedExpr):
            self.expression(node.value)
            self.bind(node.target.id)
        elif isinstance(node, ast.Lambda):
            self._signature(node.args, None)
            self.deferred |= Scope(node, frozenset()).globals_read()
        elif isinstance(node, COMPREHENSIONS):
            self._comprehension(node)
        else:
            self.expressions(ast.iter_child_nodes(node))

    def _comprehension(self, node: ast.expr) -> None:
        """The first iterable is read here; the loop variables belong to the comprehension."""
        generators: List[ast.comprehension] = node.generators  # type: ignore[attr-defined]  # a COMPREHENSIONS node: each has generators
        self.expression(generators[0].iter)
        local: Set[str] = set()
        for number, generator in enumerate(generators):
            if number:
                self._read_except(generator.iter, local)
            local |= {n.id for n in ast.walk(generator.target) if isinstance(n, ast.Name)}
            for condition in generator.ifs:
                self._read_except(condition, local)
        parts = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]  # type: ignore[attr-defined]  # ListComp, SetComp, GeneratorExp: elt
        for part in parts:
            self._read_except(part, local)

    def _read_except(self, node: ast.expr, local: Set[str]) -> None:
        """Reads inside a comprehension: its own variables are not the module's."""
        for sub in _walk_scope(node):
            if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load) and sub.id not in local:
                self.read(sub.id)
            elif isinstance(sub, ast.NamedExpr):
                self.bind(sub.target.id)  # a walrus in a comprehension binds in the enclosing scope
            elif isinstance(sub, ast.Lambda):
                self.deferred |= Scope(sub, frozenset(local)).globals_read()


def _walk_scope(node: ast.AST) -> Iterable[ast.AST]:
    """Every node of `node`'s scope, and lambdas as whole nodes (their bodies run later)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if not isinstance(current, ast.Lambda):
            stack.extend(ast.iter_child_nodes(current))
