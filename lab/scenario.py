"""The scenario catalog as the host sees it: where scenarios live, loaded with one-line errors.

The model itself (Scenario, Claim, Source, Mode, the `scenario` decorator) is defined in
lab/guest/catalog.py, because the guest loads the same modules to run their twins.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Dict, Iterable, List

from lab.errors import ScenarioError
from lab.guest import catalog
from lab.guest.catalog import Claim, Mode, Scenario, Source, scenario

__all__ = ["DEFAULT_SCENARIO_DIR", "ROOT", "Claim", "Mode", "Scenario", "Source", "configured_scenario_dirs",
           "load_scenarios", "scenario"]

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SCENARIO_DIR = ROOT / "scenarios"


def configured_scenario_dirs() -> List[Path]:
    """The directories to load scenarios from: LAB_SCENARIOS (os.pathsep-separated) or the default."""
    value = os.environ.get("LAB_SCENARIOS")
    if not value:
        return [DEFAULT_SCENARIO_DIR]
    return [Path(p) for p in value.split(os.pathsep) if p]


def load_scenarios(dirs: Iterable[Path] = (DEFAULT_SCENARIO_DIR,)) -> Dict[str, Scenario]:
    """Every scenario in `dirs`, validated; a malformed module is one ScenarioError line (exit 2)."""
    try:
        return catalog.load_scenarios(dirs)
    except catalog.ScenarioError as exc:
        raise ScenarioError(str(exc)) from None
