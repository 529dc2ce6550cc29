"""lab: settle claims about TensorFlow variables with evidence from graph and eager twins.

As a library: `from lab import run, compare, verbatim` (see lab/api.py). This file is shipped into
every environment with lab/guest/, so it stays standard library only: the API loads on first use.
"""

__version__ = "0.1.0"

_API = ("run", "compare", "judgement")


def __getattr__(name: str) -> object:  # PEP 562: `lab.run` imports the host side only when asked for
    if name in _API:
        from lab import api

        return getattr(api, name)
    if name == "verbatim":  # the subpackage, callable as lab.api.verbatim (lab/verbatim/__init__.py)
        import importlib

        return importlib.import_module("lab.verbatim")
    raise AttributeError(f"module 'lab' has no attribute {name!r}")
