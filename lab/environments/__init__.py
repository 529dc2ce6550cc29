"""Where jobs execute: environment kinds behind one interface (base.Environment), registered by name.

`resolve` turns the names on a command line into environments: 'local' is this interpreter
(the embedded default), 'all' every entry of containers/matrix.toml, a pin such as
`tf==2.17.1` (or its folder-safe name `tf2.17.1`; `+image` to build it as an image) an on-demand
env (ondemand.py), anything else one entry; each is made by the kind it declares (kinds.py).
"""

from __future__ import annotations

import os
from typing import Any, List, Optional, Sequence, Tuple

from lab.environments import kinds, ondemand
from lab.environments.base import Environment
from lab.environments.declared import Env, get_env, load_matrix
from lab.environments.local import LOCAL, LocalEnvironment

__all__ = ["LOCAL", "Environment", "lookup", "resolve", "resolve_names"]


def lookup(name: str) -> Tuple[Env, Optional[ondemand.Spec]]:
    """The env called `name`: a matrix entry, else the on-demand env of a pin (with its resolved spec)."""
    spec = ondemand.parse(name)
    if spec is not None and name not in {e.name for e in load_matrix()}:
        return ondemand.resolve_spec(spec)
    return get_env(name), None


def resolve_names(names: Sequence[str]) -> List[str]:
    """Expand 'all' to every matrix env, keep 'local', validate the rest; no duplicates."""
    resolved: List[str] = []
    for name in names or [LOCAL]:
        expanded = [e.name for e in load_matrix()] if name == "all" else [name]
        for n in expanded:
            if n != LOCAL:
                n = lookup(n)[0].name  # a one-line UsageError naming the closest env; a pin's safe name
            if n not in resolved:
                resolved.append(n)
    return resolved


def resolve(names: Sequence[str], python: Optional[str] = None, client: Any = None) -> List[Environment]:
    """The environments called `names`, not made yet. `python` (or LAB_PYTHON) is the interpreter
    for 'local'; without 'local' among them, the base Python for the venvs of declared envs.
    `client`: the Docker client image envs use (else one is made when first needed, in `check`)."""
    python = python or os.environ.get("LAB_PYTHON") or None
    chosen = resolve_names(names)
    shared = None
    if client is not None:
        from lab.environments.image.environment import CLIENT

        shared = {CLIENT: client}
    context = kinds.Context(python, LOCAL in chosen, shared)
    return [LocalEnvironment(python) if name == LOCAL else kinds.make(lookup(name)[0], context) for name in chosen]
