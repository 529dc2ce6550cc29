"""The record cache: a trial is not rerun while its scenario, the shipped guest and the environment are unchanged."""

from __future__ import annotations

import ast
import hashlib
import json
import os
import threading
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Set, Tuple

from lab.errors import LabError
from lab.guest.catalog import Scenario
from lab.plan import Trial
from lab.record import FINISHED, Record


def cache_root() -> Path:
    """Where lab keeps what it can rebuild (records, wheels, build locks): $LAB_CACHE_DIR, else
    $XDG_CACHE_HOME/lab, else ~/.cache/lab."""
    base = os.environ.get("LAB_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "lab")
    return Path(base)


def default_cache_dir() -> Path:
    """$LAB_RECORD_CACHE, else records/ under the cache root, which also holds the wheel cache:
    the override lets tests and the benchmark start empty without losing the wheels."""
    if os.environ.get("LAB_RECORD_CACHE"):
        return Path(os.environ["LAB_RECORD_CACHE"])
    return cache_root() / "records"


def _is_scenario_class(node: ast.stmt) -> bool:
    return isinstance(node, ast.ClassDef) and any(
        isinstance(d, ast.Call) and getattr(d.func, "id", None) == "scenario" for d in node.decorator_list)


def scenario_fingerprint(scenario: Scenario) -> str:
    """The scenario's module without the OTHER scenarios in it, and the helper modules beside it
    (`_*.py`, which scenario modules may import): editing one scenario reruns only that one,
    while a helper or constant the module shares reruns them all."""
    source = Path(scenario.path).read_text()
    lines = source.splitlines(keepends=True)
    drop: Set[int] = set()
    for node in ast.parse(source).body:
        if isinstance(node, ast.ClassDef) and _is_scenario_class(node) and node.name != scenario.class_name:
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            drop.update(range(first, (node.end_lineno or node.lineno) + 1))
    kept = "".join(line for number, line in enumerate(lines, 1) if number not in drop)
    digest = hashlib.sha256(kept.encode())
    for helper in sorted(Path(scenario.path).parent.glob("_*.py")):
        digest.update(b"\0" + helper.name.encode() + b"\0" + helper.read_bytes())
    return digest.hexdigest()


class TrialKeys:
    """Cache keys for one run: the shipped guest is hashed once, each scenario once."""

    def __init__(self) -> None:
        self._guest = ""  # hashed at the first key: a run without the cache never reads the files
        self._code: Dict[str, str] = {}
        # Environments compute keys in parallel threads, and CPython 3.11's ast.parse is not
        # thread-safe ("AST constructor recursion depth mismatch"): one parse at a time.
        self._lock = threading.Lock()

    def key(self, scenario: Scenario, trial: Trial, env: str, identity: str) -> str:
        """The key of one trial in one environment; `identity` is the environment's (image id, venv hash)."""
        from lab.environments.shipment import guest_fingerprint

        with self._lock:
            if not self._guest:
                self._guest = guest_fingerprint()
            if scenario.id not in self._code:
                self._code[scenario.id] = scenario_fingerprint(scenario)
        parts = {"env": env, "image": identity, "guest": self._guest, "scenario": scenario.id,
                 "code": self._code[scenario.id], "mode": trial.mode.value, "seed": trial.seed}
        return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


class RecordCache:
    """Records on disk, one JSON file per trial key."""

    def __init__(self, directory: Optional[Path] = None) -> None:
        self.directory = Path(directory) if directory else default_cache_dir()

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> Optional[Record]:
        try:
            return Record.from_dict(json.loads(self._path(key).read_text()), "cached record")
        except (OSError, ValueError, TypeError, LabError):
            return None  # absent, cut short, or of another format: run the trial again

    def put(self, key: str, record: Record) -> None:
        if record.status not in FINISHED:  # a crash or timeout should run again
            return
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(record.to_json())
        tmp.replace(path)  # atomic: a parallel reader never sees half a record

    def get_freeze(self, identity: str) -> List[str]:
        path = self.directory / "freeze" / identity.replace(":", "_")
        return path.read_text().split() if path.exists() else []

    def put_freeze(self, identity: str, freeze: Sequence[str]) -> None:
        if freeze:
            path = self.directory / "freeze" / identity.replace(":", "_")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("\n".join(freeze) + "\n")


def split_cached(cache: RecordCache, keys: Sequence[str]) -> Tuple[List[Optional[Record]], List[int]]:
    """The cached record for each key (None where absent), and the indexes still to run."""
    found = [cache.get(k) for k in keys]
    return found, [i for i, r in enumerate(found) if r is None]
