"""Verbatim runs: an article's own code, as written, in every environment.

documents (Markdown, text, notebooks, scripts) -> blocks -> programs -> variants -> runs -> outcomes,
judged by block claims and reported as a matrix of block x environment x variant.
"""

import sys
import types
from typing import Any


class _CallableModule(types.ModuleType):
    """`from lab import verbatim` gives this package once it is imported: calling it is lab.api.verbatim."""

    def __call__(self, *paths: Any, **options: Any) -> Any:
        from lab.api import verbatim

        return verbatim(*paths, **options)


sys.modules[__name__].__class__ = _CallableModule
