"""The catalog and the environments as JSON-able values: `lab list --json`, `lab show --json`, `lab envs list --json`.

Each document carries `schema_version` and fits its schema in lab/schemas/ (scenarios, scenario, envs).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Sequence

from lab.guest.catalog import Scenario

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


def env_entries(probe: bool = True) -> Dict[str, Any]:
    """Every declared env: name, kind, versions (probed in a made venv), whether it is made and where;
    `image_status` says why image states are unknown (no Docker daemon)."""
    from lab.environments.declared import load_matrix
    from lab.errors import LabError

    matrix = load_matrix()
    client, why = None, ""
    if any(e.kind == "image" for e in matrix):
        try:
            from lab.environments.image.build import docker_client

            client = docker_client(timeout=10)
        except LabError as exc:
            why = str(exc)
    envs: List[Dict[str, Any]] = []
    for e in matrix:
        made, where, probed = None, "", False
        versions = {"tensorflow": e.tensorflow, "keras": e.keras, "python": e.python}
        if e.kind == "image" and client is not None:
            from lab.environments.image.build import image_status

            status = image_status(e, client)
            made, where = status.built, (status.image_id or "") if status.built else status.tag
        elif e.kind == "interpreter":
            from lab.environments.interpreter.environment import made_venv, probe_venv

            venv = made_venv(e)
            made, where = venv is not None, str(venv or "")
            found = probe_venv(Path(where), e.environment) if venv is not None and probe else {}
            if found:
                probed = True
                versions = {"tensorflow": str(found["tensorflow"]),
                            "keras": f"{found.get('keras')} ({found.get('keras_package')})",
                            "python": str(found["python"])}
        envs.append({"name": e.name, "kind": e.kind, **versions, "probed": probed, "made": made, "where": where})
    return {"schema_version": LISTING_VERSION, "envs": envs, "image_status": why}
