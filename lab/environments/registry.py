"""Where the environment kinds register by name: the bare table, below everything that reads it.

The kind modules register their classes here (through `kinds.register`), and `declared.py`
checks a matrix entry's `kind =` against `names`, without importing any kind: the builtin kinds
are found by module name when first asked (`BUILTIN`). `kinds.py` gives the typed view.
"""

from __future__ import annotations

import importlib
import threading
from typing import Any, Dict, List, TypeVar

BUILTIN = ("lab.environments.local", "lab.environments.interpreter", "lab.environments.image")
"""The modules that register the kinds this lab ships (each registers on import)."""

_classes: Dict[str, Any] = {}
_loaded = False
_load_lock = threading.Lock()
K = TypeVar("K")


def register(cls: K) -> K:
    """Make `cls` the kind named by its `kind` attribute; a TypeError naming both when the name is taken."""
    name = getattr(cls, "kind", None)
    if not isinstance(name, str) or not name:
        raise TypeError(f"{cls!r} registers as an environment kind without a `kind` name")
    known = _classes.get(name)
    if known is not None and known is not cls:
        raise TypeError(f"environment kind {name!r} is registered twice: {known!r} and {cls!r}")
    _classes[name] = cls
    return cls


def classes() -> Dict[str, Any]:
    """Every registered kind's class by name, the builtin kinds' modules imported first."""
    global _loaded
    with _load_lock:
        if not _loaded:
            for module in BUILTIN:
                importlib.import_module(module)
            _loaded = True
    return dict(_classes)


def names(declarable: bool = False) -> List[str]:
    """Every registered kind's name, sorted (only those a matrix entry may declare, with `declarable`)."""
    return sorted(n for n, cls in classes().items() if cls.declarable or not declarable)
