"""docs/architecture.md tells the truth: every module, function and class it names exists."""

from __future__ import annotations

import importlib
import re

import pytest

from lab.scenario import ROOT

TEXT = (ROOT / "docs" / "architecture.md").read_text()
PATHS = sorted(set(re.findall(r"`(lab/[\w/]+(?:\.py|/))`", TEXT)))
# `module.name` or `module.Class.method` under lab (the leading `lab.` may be left out).
DOTTED = sorted(set(re.findall(r"`((?:lab\.)?(?:[a-z_]+\.)+(?:[A-Z]\w*\.)?[A-Za-z_]\w*)(?:\([^`]*\))?`", TEXT)))


@pytest.mark.parametrize("path", PATHS)
def test_every_path_named_exists(path: str) -> None:
    assert (ROOT / path).exists(), path


def _resolve(name: str) -> object:
    parts = name.split(".")
    if parts[0] != "lab":
        parts = ["lab", *parts]
    for cut in range(len(parts), 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attribute in parts[cut:]:
            found = getattr(found, attribute)
        return found
    raise ImportError(name)


@pytest.mark.parametrize("name", [n for n in DOTTED if not n.endswith((".py", ".json", ".md", ".toml"))])
def test_every_module_and_function_named_exists(name: str) -> None:
    assert _resolve(name) is not None
