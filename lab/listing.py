"""The catalog and the environments as JSON-able values: `lab list --json`, `lab show --json`, `lab envs list --json`.

Each document carries `schema_version` and fits its schema in lab/schemas/ (scenarios, scenario, envs).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Dict, List, Sequence

from lab.guest.catalog import Scenario

if TYPE_CHECKING:
    from lab.environments.base import State

LISTING_VERSION = 1


def scenario_entry(s: Scenario, code: bool = False) -> Dict[str, Any]:
    """One scenario: id, source, summary, tags, module, claims; with `code`, both twins' source."""
    entry: Dict[str, Any] = {
        "id": s.id, "source": {"article": s.source.article, "example": s.source.example}, "summary": s.summary,
        "tags": list(s.tags), "path": s.path,
        "claims": [{"number": i, "text": c.text, "quote": c.quote, "not_in": list(c.not_in), "why": c.why}
                   for i, c in enumerate(s.claims, 1)],
    }
    if code:
        entry["twins"] = {mode.value: s.code(mode) for mode in s.twins}
    return entry


def scenarios_document(selected: Sequence[Scenario]) -> Dict[str, Any]:
    """What `lab list --json` prints."""
    return {"schema_version": LISTING_VERSION, "scenarios": [scenario_entry(s) for s in selected]}


def scenario_document(s: Scenario) -> Dict[str, Any]:
    """What `lab show ID --json` prints."""
    return {"schema_version": LISTING_VERSION, **scenario_entry(s, code=True)}


@dataclass(frozen=True)
class EnvRow:
    """One declared env as `lab envs list` shows it."""

    name: str
    kind: str
    versions: Dict[str, str]
    """tensorflow, keras, python: as the made env reported them (`probed`), else the pins."""
    probed: bool
    state: State


def env_rows(probe: bool = True) -> List[EnvRow]:
    """Every declared env, each answering for itself (Environment.state) whether it is made and
    where; with `probe`, a made env reports its versions (a venv starts its Python)."""
    from lab.environments import resolve
    from lab.environments.declared import load_matrix

    matrix = load_matrix()
    rows = []
    for declared, env in zip(matrix, resolve([e.name for e in matrix])):
        state = env.state(probe)
        versions = dict(state.versions) or {"tensorflow": declared.tensorflow, "keras": declared.keras,
                                            "python": declared.python}
        rows.append(EnvRow(env.name, env.kind, versions, bool(state.versions), state))
    return rows


def env_entries(probe: bool = True) -> Dict[str, Any]:
    """What `lab envs list --json` prints: every declared env's row; `image_status` says why some
    states are unknown (no Docker daemon)."""
    rows = env_rows(probe)
    envs = [{"name": r.name, "kind": r.kind, **r.versions, "probed": r.probed, "made": r.state.made,
             "where": r.state.where} for r in rows]
    unknown = next((r.state.unknown for r in rows if r.state.unknown), "")
    return {"schema_version": LISTING_VERSION, "envs": envs, "image_status": unknown}
