"""The architecture as the tree shows it: TensorFlow only in the guest and the scenarios."""

from __future__ import annotations

import subprocess
import sys

from lab.scenario import ROOT


def test_only_the_guest_and_the_scenarios_import_tensorflow() -> None:
    # Import statements only (this file names the module in a string, which is no import); the
    # example documents are code the verbatim runner runs in an environment, as the scenarios are.
    found = subprocess.run(["git", "grep", "-nE", r"^\s*(import|from) tensorflow", "--", ".", ":!lab/guest/",
                            ":!scenarios/", ":!examples/*.md"],
                           cwd=ROOT, capture_output=True, text=True)
    assert found.returncode == 1, found.stdout  # git grep: 1 means no match


def test_the_host_side_never_imports_tensorflow_while_loading_and_judging(real_scenarios) -> None:
    code = ("import sys; from lab.scenario import load_scenarios; from lab import pipeline, judge; load_scenarios(); "
            "print('tensorflow' in sys.modules, 'numpy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]

