"""Where trials execute: environment kinds behind one interface (base.Environment).

`resolve` turns the names on a command line into environments: 'local' is this interpreter
(the embedded default), 'all' every entry of containers/matrix.toml, a pin such as
`tf==2.17.1` (or its folder-safe name `tf2.17.1`) an on-demand env (ondemand.py), anything else
one entry, made as the kind it declares.
"""

from __future__ import annotations

import os
from typing import Any, List, Optional, Sequence, Tuple

from lab.environments.base import Environment
from lab.environments.declared import Env, get_env, load_matrix
from lab.environments.interpreter import ondemand
from lab.environments.local import LOCAL, LocalEnvironment

__all__ = ["LOCAL", "Environment", "lookup", "resolve", "resolve_names"]


def lookup(name: str) -> Tuple[Env, Optional[ondemand.Spec]]:
    """The env called `name`: a matrix entry, else the on-demand env of a pin (with its spec)."""
    spec = ondemand.parse(name)
    if spec is not None and name not in {e.name for e in load_matrix()}:
        return ondemand.resolve_spec(spec), spec
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
    """The environments called `names`. `python` (or LAB_PYTHON) is the interpreter for 'local';
    without 'local' among them, the base Python for the interpreter kinds. A Docker client is
    made (and leftovers of dead lab processes removed) only when an image env is among them."""
    python = python or os.environ.get("LAB_PYTHON") or None
    chosen = resolve_names(names)
    found = {n: lookup(n) for n in chosen if n != LOCAL}
    specs = {n: env for n, (env, _) in found.items()}
    if client is None and any(s.kind == "image" for s in specs.values()):
        from lab.environments.image.build import docker_client
        from lab.environments.image.runner import remove_leftovers

        client = docker_client()  # no daemon: one line saying how to start it, before any work
        remove_leftovers(client)
    envs: List[Environment] = []
    for name in chosen:
        if name == LOCAL:
            envs.append(LocalEnvironment(python))
        elif found[name][1] is not None:
            envs.append(ondemand.OnDemandEnvironment(found[name][1], specs[name]))  # type: ignore[arg-type]
        elif specs[name].kind == "interpreter":
            from lab.environments.interpreter import InterpreterEnvironment

            envs.append(InterpreterEnvironment(specs[name], None if LOCAL in chosen else python))
        else:
            from lab.environments.image import ImageEnvironment

            envs.append(ImageEnvironment(specs[name], client))
    return envs
