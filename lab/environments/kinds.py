"""Environment kinds as plug-ins: each kind's module registers its class by name (`register`), and
the rest of the lab finds a kind by one lookup (`get`, `make`).

As tox's `REGISTER.add_run_env` and asv's `tool_name`: `resolve` makes an env with one lookup of
its declared kind, `declared.py` accepts a `kind =` only if it is registered (registry.py holds
the table), and on-demand envs ask their kind which Pythons it can make one from.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Mapping, Optional, Protocol, Tuple, TypeVar

from lab.environments import registry
from lab.errors import LabError, UsageError

if TYPE_CHECKING:
    from lab.environments.base import Environment
    from lab.environments.declared import Env, PythonBase


class Context:
    """What the environments of one `resolve` share: the interpreter asked for, and what a kind makes
    once for all its envs (the image kind's Docker client), made on first need, one thread at a time."""

    def __init__(self, python: Optional[str] = None, with_local: bool = False,
                 shared: Optional[Mapping[str, Any]] = None) -> None:
        self.python = python
        """--python or LAB_PYTHON: the interpreter of 'local' or, without it, the base of the venvs."""
        self.with_local = with_local
        """'local' is among the envs: then `python` is its interpreter, not a venv's base."""
        self._shared: Dict[str, Any] = dict(shared or {})
        self._failed: Dict[str, LabError] = {}
        self._lock = threading.Lock()

    def shared(self, key: str, make: Callable[[], Any]) -> Any:
        """The value under `key`, made by `make` the first time; a LabError it raised is raised
        again for every later ask (one daemon that does not answer is asked once)."""
        with self._lock:
            if key in self._failed:
                raise self._failed[key]
            if key not in self._shared:
                try:
                    self._shared[key] = make()
                except LabError as exc:
                    self._failed[key] = exc
                    raise
            return self._shared[key]

    def peek(self, key: str) -> Any:
        """The value under `key` if it was made; None otherwise (nothing is made)."""
        return self._shared.get(key)


class Kind(Protocol):
    """A registered kind: an Environment class with these class-level members."""

    kind: str
    """Its name in containers/matrix.toml (`kind = "image"`), listings and manifests."""
    declarable: bool
    """Whether a matrix entry may declare it (`local` is the embedded default, never declared)."""

    @classmethod
    def of(cls, spec: Env, context: Context) -> Environment:
        """The environment of a declared (or on-demand) entry, not made yet."""
        ...

    @classmethod
    def on_demand_bases(cls) -> Mapping[str, PythonBase]:
        """The Pythons an on-demand env of this kind can be made from, each with its base (the
        Debian suite and wheel platform of an image); {} when the kind is not made on demand."""
        ...


K = TypeVar("K")


def register(cls: K) -> K:
    """Class decorator: make `cls` the kind named by its `kind` attribute."""
    return registry.register(cls)


def names(declarable: bool = False) -> List[str]:
    """Every registered kind's name, sorted (only those a matrix entry may declare, with `declarable`)."""
    return registry.names(declarable)


def get(name: str) -> Kind:
    """The kind called `name`; a one-line UsageError naming the known kinds when there is none."""
    found = registry.classes().get(name)
    if found is None:
        raise UsageError(f"no environment kind {name!r}; known kinds: {', '.join(names())}")
    kind: Kind = found
    return kind


def make(spec: Env, context: Context) -> Environment:
    """The environment of `spec`, as the kind it declares: one lookup."""
    return get(spec.kind).of(spec, context)


def on_demand_kinds() -> Tuple[str, ...]:
    """The kinds an on-demand env can be made as (`--kind`)."""
    return tuple(n for n in names() if get(n).on_demand_bases())
